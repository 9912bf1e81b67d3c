"""Formats on the wire and on screen: content negotiation, the result and RDF formats the
endpoint serialises with pyoxigraph, compacted JSON-LD and results as text.

May import: core, sparql, store.
"""
