"""HTML for people: the Jinja2 templates and their environment, the resource pages, the
ontology documentation and its diagram.

May import: every layer up to linked_data.
"""
