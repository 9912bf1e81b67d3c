"""The server's routes, one module per part of the site: the SPARQL endpoint, the linked
data, the reading room, the scenarios, the downloads, the UI, health and admin.
"""
