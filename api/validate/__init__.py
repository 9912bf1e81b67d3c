"""Checking the loaded graph: SHACL with pyshacl (the reference), the SHACL-to-SPARQL
compiler that checks large graphs in pyoxigraph, the rule that every sg: term is
declared, and the ontology quality report.

May import: core, sparql, store, formats, load.
"""
