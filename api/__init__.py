"""sgkg: the knowledge graph of the Paris Declaration of 6 January 2026.

The package reads the project tree (``ontology/``, ``shapes/``, ``data/``) and builds,
validates, queries and exports the graph. See ``api.cli`` for the command line.
"""

__version__ = "0.2.0"
