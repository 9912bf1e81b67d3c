"""The build: load, validate and reason in one step with its manifest and outputs, and
what is made from a build (exports in the RDF formats, a publish to a triple store).

May import: core, sparql, store, formats, load, validate, reason.
"""
