"""SPARQL query results, independent of the engine that produced them.

:meth:`api.store.base.Store.query` reads a backend's answer (embedded, on disk, remote)
whole into one of the three result types below, holding rdflib terms, so the analyses,
the notebooks and the tests read answers the same way whichever engine ran the query and
compare them with plain values. Output on the wire and on screen is written from the
engine's own results instead (:mod:`api.formats`).
"""

from dataclasses import dataclass

from rdflib import BNode, Literal, URIRef

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
