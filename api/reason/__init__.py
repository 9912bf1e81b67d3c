"""Reasoning: the OWL 2 RL rules that materialise the inferred graph in pyoxigraph, HermiT
for consistency, and the explanations of the clashes HermiT finds.

May import: core, sparql, store, formats, load, validate.
"""
