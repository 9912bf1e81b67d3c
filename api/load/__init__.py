"""Reading the repository's files into a dataset: the catalog of input files, rdflib's
Dataset for small trees, pyoxigraph's bulk load for large ones, each file to its named
graph.

May import: core, sparql, store, formats.
"""
