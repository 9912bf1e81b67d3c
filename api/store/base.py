"""The query engine behind sgkg, behind one small interface.

:class:`Store` is all the rest of sgkg may assume of an engine: run a SPARQL query
(optionally against an explicit RDF dataset, as the SPARQL protocol's
``default-graph-uri`` / ``named-graph-uri`` parameters ask) and count quads. With no
dataset given (neither by the caller nor by ``FROM`` / ``FROM NAMED`` in the query), the
default graph is the union of all named graphs, on every backend.

A backend answers with pyoxigraph's own results (:meth:`Store.query_native`), which the
HTTP layer serialises straight to the wire without a detour through rdflib terms;
:meth:`Store.query` turns them into engine-neutral results
(:mod:`api.store.results`) for the analyses, the CLI and the notebooks.

Backends (chosen with ``--store``, built by the picklable factories of
:mod:`api.store.backends`):

- ``embedded``: :class:`api.store.embedded.EmbeddedStore`, pyoxigraph in memory, bulk-loaded from
  ``build/sgkg.nq``;
- ``disk``: the same class over a pyoxigraph folder opened read-only
  (:mod:`api.store.disk`), one copy shared by every process;
- ``remote``: :class:`api.store.remote.RemoteStore`, any SPARQL 1.1 endpoint.

Nothing here knows about HTTP: serialising results for the wire is the HTTP layer's job.
"""

import re
from abc import ABC, abstractmethod
from collections.abc import Sequence

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

from api.sparql.guard import normal_form, read_query
from api.sparql.parser import QueryShape, QuerySyntaxError
from api.store.results import AskResult, GraphResult, QueryResult, SelectResult, Term

__all__ = ["QuerySyntaxError"]  # raised by the stores, defined with the parser

#: A pyoxigraph result: solutions (SELECT), a boolean (ASK) or triples (CONSTRUCT/DESCRIBE).
NativeResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples
#: A pyoxigraph term in such a result.
NativeTerm = ox.NamedNode | ox.BlankNode | ox.Literal


class Store(ABC):
    """What sgkg needs from a SPARQL engine."""

    @abstractmethod
    def query_native(
        self,
        sparql: str,
        *,
        default_graph_uris: Sequence[str] | None = None,
        named_graph_uris: Sequence[str] | None = None,
        shape: QueryShape | None = None,
        interpretations: Sequence[str] = (),
    ) -> NativeResult:
        """Run a SPARQL query; the result is pyoxigraph's and is evaluated lazily:
        iterate or serialise it in the thread that asked for it.

        With neither list given, the default graph is the union of sgkg's named graphs
        and each of them is available to ``GRAPH``: a strict answer, from the words.
        ``interpretations`` adds those interpretation graphs to both
        (:mod:`api.store.interpretations`). With either list given, the dataset is exactly
        what the lists say (SPARQL 1.1 Protocol, section 2.1.4). ``shape`` is the query's
        form and dataset clauses, when the caller has read them already (the endpoint's
        checks, :mod:`api.sparql.guard`): the query is not read again.
        Raises :class:`QuerySyntaxError` for invalid SPARQL.
        """

    @abstractmethod
    def quad_count(self) -> int:
        """The number of quads held."""

    def query(
        self,
        sparql: str,
        *,
        default_graph_uris: Sequence[str] | None = None,
        named_graph_uris: Sequence[str] | None = None,
        interpretations: Sequence[str] = (),
    ) -> QueryResult:
        """Like :meth:`query_native`, the answer read whole into sgkg's engine-neutral
        result, so a query answers alike whichever backend runs it."""
        raw = self.query_native(
            sparql,
            default_graph_uris=default_graph_uris,
            named_graph_uris=named_graph_uris,
            interpretations=interpretations,
        )
        return convert_result(raw)


def select(store: Store, sparql: str, *, interpretations: Sequence[str] = ()) -> SelectResult:
    """Run a SELECT on ``store`` (with ``interpretations`` added, if any) and return its
    solutions; a store that answers with anything else is a bug, raised as TypeError."""
    result = store.query(sparql, interpretations=tuple(interpretations))
    if not isinstance(result, SelectResult):
        raise TypeError(f"the store answered a SELECT with {type(result).__name__}")
    return result


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_POSITION = re.compile(r"^error at (\d+):(\d+):\s*(.*)$", re.DOTALL)


def dataset_graphs(sparql: str) -> tuple[str, ...]:
    """The graphs the query names with its own ``FROM`` or ``FROM NAMED`` clauses.

    Such a query must see exactly the graphs it names (SPARQL 1.1 Query, section 13.2),
    so the union default graph must stay off for it. Read by the endpoint's own
    reading of queries (:func:`api.sparql.guard.read_query`); a query it cannot read is
    left to the engine, which reports the error.
    """
    try:
        return tuple(c.iri for c in read_query(sparql).shape.dataset if c.iri)
    except QuerySyntaxError:
        return ()


def has_dataset_clause(sparql: str) -> bool:
    """Whether the query names its own dataset with ``FROM`` or ``FROM NAMED``."""
    return bool(dataset_graphs(sparql))


def syntax_error(message: str, sparql: str | None = None) -> QuerySyntaxError:
    """The error for a query the engine refused. Given the query, sgkg's own parser is
    asked first: where it finds an error too, its message (which says what it expected)
    is the one given, so that every backend reports an error alike. Else the engine's:
    pyoxigraph says ``error at LINE:COLUMN: reason``; keep the position apart."""
    if sparql is not None:
        try:
            normal_form(sparql)
        except QuerySyntaxError as error:
            return error
    match = _POSITION.match(message.strip())
    if match is None:
        return QuerySyntaxError(message.strip().splitlines()[0] if message.strip() else message)
    line, column, reason = match.groups()
    return QuerySyntaxError(reason.strip(), line=int(line), column=int(column))


def convert_result(raw: object) -> QueryResult:
    if isinstance(raw, ox.QueryBoolean):
        return AskResult(bool(raw))
    if isinstance(raw, ox.QuerySolutions):
        variables = tuple(var.value for var in raw.variables)
        rows = tuple(
            tuple(_optional_term(solution[index]) for index in range(len(variables)))
            for solution in raw
        )
        return SelectResult(variables=variables, rows=rows)
    if isinstance(raw, ox.QueryTriples):
        return GraphResult(
            tuple(
                (rdflib_term(t.subject), rdflib_term(t.predicate), rdflib_term(t.object))
                for t in raw
            )
        )
    raise TypeError(f"unexpected pyoxigraph result {type(raw).__name__}")


def rdflib_term(term: object) -> Term:
    """A pyoxigraph term as an rdflib term, keeping literal lexical forms as they are."""
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


def _optional_term(term: object) -> Term | None:
    """An unbound variable (None) stays None."""
    return None if term is None else rdflib_term(term)
