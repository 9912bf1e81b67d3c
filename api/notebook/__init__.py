"""The researchers' client: a small SPARQLWrapper client with results as tables, and a
local server started (and built first if need be) for a notebook.

May import: every layer up to html.
"""
