"""The SPARQL language: a linear lexer, a parser generated from the SPARQL 1.1 grammar,
and the guard that decides from that parse whether a query may run (no SERVICE, no
update, no graph outside the dataset, bounded nesting).

May import: core.
"""
