"""Running queries for the server: the pool of isolated worker processes (each in its own
network namespace), the work one query does in a worker under its deadline, and the
relay through which the remote store alone reaches its endpoint.

May import: core, sparql, store, formats, load, validate, reason, build.
"""
