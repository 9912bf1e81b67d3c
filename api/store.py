"""The query engine behind sgkg, behind one small interface.

:class:`Store` is all the rest of sgkg may assume of an engine: run a SPARQL query
(optionally against an explicit RDF dataset, as the SPARQL protocol's
``default-graph-uri`` / ``named-graph-uri`` parameters ask) and count quads. Results are
engine-neutral (:mod:`api.results`). Backends:

- :class:`EmbeddedStore`: pyoxigraph in memory, bulk-loaded from ``build/sgkg.nq``.
  With no dataset given, the default graph is the union of all named graphs.

On-disk and remote (SPARQL 1.1 endpoint) backends implement the same Protocol. Nothing
here knows about HTTP: serialising results for the wire is the HTTP layer's job.
"""

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

from api.errors import SgkgError
from api.results import AskResult, GraphResult, QueryResult, SelectResult, Term


class QuerySyntaxError(SgkgError):
    """The query is not valid SPARQL. ``line`` and ``column`` are 1-based when known."""

    def __init__(self, reason: str, *, line: int | None = None, column: int | None = None):
        self.reason = reason
        self.line = line
        self.column = column
        where = f" at line {line}, column {column}" if line is not None else ""
        super().__init__(f"SPARQL syntax error{where}: {reason}")


@runtime_checkable
class Store(Protocol):
    """What sgkg needs from a SPARQL engine."""

    def query(
        self,
        sparql: str,
        *,
        default_graph_uris: Sequence[str] | None = None,
        named_graph_uris: Sequence[str] | None = None,
    ) -> QueryResult:
        """Run a SPARQL query.

        With neither list given, the default graph is the union of all named graphs and
        every named graph is available to ``GRAPH``. With either given, the dataset is
        exactly what the lists say (SPARQL 1.1 Protocol, section 2.1.4).
        Raises :class:`QuerySyntaxError` for invalid SPARQL.
        """
        ...

    def quad_count(self) -> int:
        """The number of quads held."""
        ...


class EmbeddedStore:
    """An in-memory pyoxigraph store (the default engine)."""

    def __init__(self, store: ox.Store | None = None) -> None:
        self._store = store if store is not None else ox.Store()

    @classmethod
    def from_nquads(cls, path: Path) -> "EmbeddedStore":
        """A store holding the quads of an N-Quads file (e.g. ``build/sgkg.nq``)."""
        store = ox.Store()
        store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
        return cls(store)

    def query(
        self,
        sparql: str,
        *,
        default_graph_uris: Sequence[str] | None = None,
        named_graph_uris: Sequence[str] | None = None,
    ) -> QueryResult:
        dataset_given = default_graph_uris is not None or named_graph_uris is not None
        try:
            if dataset_given:
                raw = self._store.query(
                    sparql,
                    default_graph=[ox.NamedNode(iri) for iri in default_graph_uris or ()],
                    named_graphs=[ox.NamedNode(iri) for iri in named_graph_uris or ()],
                )
            else:
                raw = self._store.query(sparql, use_default_graph_as_union=True)
            return _convert_result(raw)
        except SyntaxError as error:
            raise _syntax_error(str(error)) from None
        except ValueError as error:  # e.g. an invalid IRI in the dataset lists
            raise SgkgError(f"invalid query dataset: {error}") from None

    def quad_count(self) -> int:
        return len(self._store)


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_POSITION = re.compile(r"^error at (\d+):(\d+):\s*(.*)$", re.DOTALL)


def _syntax_error(message: str) -> QuerySyntaxError:
    """pyoxigraph says ``error at LINE:COLUMN: reason``; keep the position apart."""
    match = _POSITION.match(message.strip())
    if match is None:
        return QuerySyntaxError(message.strip().splitlines()[0] if message.strip() else message)
    line, column, reason = match.groups()
    return QuerySyntaxError(reason.strip(), line=int(line), column=int(column))


def _convert_result(raw: object) -> QueryResult:
    if isinstance(raw, ox.QueryBoolean):
        return AskResult(bool(raw))
    if isinstance(raw, ox.QuerySolutions):
        variables = tuple(var.value for var in raw.variables)
        rows = tuple(
            tuple(_to_rdflib(solution[index]) for index in range(len(variables)))
            for solution in raw
        )
        return SelectResult(variables=variables, rows=rows)
    if isinstance(raw, ox.QueryTriples):
        return GraphResult(
            tuple(
                (_to_rdflib(t.subject), _to_rdflib(t.predicate), _to_rdflib(t.object)) for t in raw
            )
        )
    raise TypeError(f"unexpected pyoxigraph result {type(raw).__name__}")


def _to_rdflib(term: object) -> Term | None:
    """pyoxigraph term -> rdflib term (keeping literal lexical forms as they are)."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:  # RDF 1.1 simple literal: keep it plain
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)
    raise TypeError(f"unsupported term in results: {term!r} (RDF 1.2 triple terms)")
