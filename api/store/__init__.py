"""The engines that answer queries, behind one interface: the embedded pyoxigraph store,
the on-disk store, a remote SPARQL endpoint; their engine-neutral results; and the
interpretation graphs an answer may add to the words.

May import: core, sparql.
"""
