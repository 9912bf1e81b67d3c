"""SPARQL query results, independent of the engine that produced them.

Every store backend (embedded, on disk, remote) hands the rest of sgkg one of the three
result types below, holding rdflib terms, so the analyses, the CLI and the notebooks read
answers the same way whichever engine ran the query. Their text formats are in
:mod:`api.formats.result_text`.
"""

from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef

from api.core.namespaces import bind_prefixes

#: Terms in results: IRIs, blank nodes and literals (rdflib classes).
Term = URIRef | BNode | Literal


@dataclass(frozen=True)
class SelectResult:
    """Rows of a SELECT: ``rows[i][j]`` is the value of ``variables[j]``, or None (unbound)."""

    variables: tuple[str, ...]
    rows: tuple[tuple[Term | None, ...], ...]


@dataclass(frozen=True)
class AskResult:
    """The answer of an ASK."""

    value: bool


@dataclass(frozen=True)
class GraphResult:
    """The triples of a CONSTRUCT or DESCRIBE."""

    triples: tuple[tuple[Term, Term, Term], ...]

    def to_graph(self) -> Graph:
        graph = bind_prefixes(Graph())
        for triple in self.triples:
            graph.add(triple)
        return graph


QueryResult = SelectResult | AskResult | GraphResult


def term_text(term: object) -> str | None:
    """A solution's value as text (an unbound variable: None)."""
    return None if term is None else str(term)


def term_int(term: object) -> int | None:
    """A solution's value as an integer (unbound or not a number: None)."""
    try:
        return None if term is None else int(str(term))
    except ValueError:
        return None
