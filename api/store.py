"""The query engine behind sgkg, behind one small interface.

:class:`Store` is all the rest of sgkg may assume of an engine: run a SPARQL query
(optionally against an explicit RDF dataset, as the SPARQL protocol's
``default-graph-uri`` / ``named-graph-uri`` parameters ask) and count quads. Results are
engine-neutral (:mod:`api.results`). With no dataset given (neither by the caller nor
by ``FROM`` / ``FROM NAMED`` in the query), the default graph is the union of all named
graphs, on every backend.

:class:`NativeQueryStore` is what the HTTP layer asks of a store on top of
:class:`Store`: pyoxigraph's own results (``query_native``), which pyoxigraph
serialises straight to the wire without a detour through rdflib terms.

Backends (chosen with ``--store``, built by the picklable factories of
:mod:`api.store_backends`):

- ``embedded``: :class:`EmbeddedStore`, pyoxigraph in memory, bulk-loaded from
  ``build/sgkg.nq``;
- ``disk``: :class:`EmbeddedStore` over a pyoxigraph folder opened read-only
  (:mod:`api.store_disk`), one copy shared by every process;
- ``remote``: :class:`api.store_remote.RemoteStore`, any SPARQL 1.1 endpoint.

Nothing here knows about HTTP: serialising results for the wire is the HTTP layer's job.
"""

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

from api.errors import SgkgError
from api.interpretations import INTERPRETATIONS_NQUADS_FILE, STRICT_GRAPHS, is_interpretation_graph
from api.query_guard import normal_form, read_query
from api.results import AskResult, GraphResult, QueryResult, SelectResult, Term
from api.sparql_parser import QueryShape, QuerySyntaxError

__all__ = ["QuerySyntaxError"]  # raised by the stores, defined with the parser


@runtime_checkable
class Store(Protocol):
    """What sgkg needs from a SPARQL engine."""

    def query(
        self,
        sparql: str,
        *,
        default_graph_uris: Sequence[str] | None = None,
        named_graph_uris: Sequence[str] | None = None,
        interpretations: Sequence[str] = (),
    ) -> QueryResult:
        """Run a SPARQL query.

        With neither list given, the default graph is the union of sgkg's named graphs
        and each of them is available to ``GRAPH``: a strict answer, from the words.
        ``interpretations`` adds those interpretation graphs to both
        (:mod:`api.interpretations`). With either list given, the dataset is exactly what
        the lists say (SPARQL 1.1 Protocol, section 2.1.4).
        Raises :class:`QuerySyntaxError` for invalid SPARQL.
        """
        ...

    def quad_count(self) -> int:
        """The number of quads held."""
        ...


def select(store: Store, sparql: str, *, interpretations: Sequence[str] = ()) -> SelectResult:
    """Run a SELECT on ``store`` (with ``interpretations`` added, if any) and return its
    solutions; a store that answers with anything else is a bug, raised as TypeError."""
    result = store.query(sparql, interpretations=tuple(interpretations))
    if not isinstance(result, SelectResult):
        raise TypeError(f"the store answered a SELECT with {type(result).__name__}")
    return result


#: A pyoxigraph result: solutions (SELECT), a boolean (ASK) or triples (CONSTRUCT/DESCRIBE).
NativeResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples
#: A pyoxigraph term in such a result.
NativeTerm = ox.NamedNode | ox.BlankNode | ox.Literal


@runtime_checkable
class NativeQueryStore(Store, Protocol):
    """A store that hands back pyoxigraph's own results, for fast serialisation."""

    def query_native(
        self,
        sparql: str,
        *,
        default_graph_uris: Sequence[str] | None = None,
        named_graph_uris: Sequence[str] | None = None,
        shape: QueryShape | None = None,
        interpretations: Sequence[str] = (),
    ) -> NativeResult:
        """Like :meth:`Store.query`, but the result is pyoxigraph's and is evaluated
        lazily: iterate or serialise it in the thread that asked for it. ``shape`` is
        the query's form and dataset clauses, when the caller has read them already
        (the endpoint's checks, :mod:`api.query_guard`): the query is not read again.
        ``interpretations`` are interpretation graphs to add to the default graph
        (:mod:`api.interpretations`); none: a strict answer."""
        ...


class NativeStoreBase:
    """:meth:`Store.query` for a store that implements ``query_native``: its results,
    turned into sgkg's engine-neutral ones. The backends share it, so a query answers
    alike whichever of them runs it."""

    def query_native(
        self,
        sparql: str,
        *,
        default_graph_uris: Sequence[str] | None = None,
        named_graph_uris: Sequence[str] | None = None,
        shape: QueryShape | None = None,
        interpretations: Sequence[str] = (),
    ) -> NativeResult:
        raise NotImplementedError

    def query(
        self,
        sparql: str,
        *,
        default_graph_uris: Sequence[str] | None = None,
        named_graph_uris: Sequence[str] | None = None,
        interpretations: Sequence[str] = (),
    ) -> QueryResult:
        raw = self.query_native(
            sparql,
            default_graph_uris=default_graph_uris,
            named_graph_uris=named_graph_uris,
            interpretations=interpretations,
        )
        return convert_result(raw)


class EmbeddedStore(NativeStoreBase):
    """A pyoxigraph store: in memory (the default engine), or on disk, read-only.

    It holds sgkg's six graphs, whose union is the default graph, so a strict query runs
    with pyoxigraph's union default graph (naming six graphs instead costs two to three
    times as much per query). An answer that includes interpretations runs on a second
    store, loaded on first use from ``interpretation_files`` (the six graphs' N-Quads and
    the interpretation graphs'), with the chosen graphs named.
    """

    def __init__(
        self,
        store: ox.Store | None = None,
        *,
        holds: object = None,
        interpretation_files: tuple[Path, Path] | None = None,
    ) -> None:
        self._store = store if store is not None else ox.Store()
        #: what must live as long as the store (an on-disk store's reader lock)
        self._holds = holds
        self._interpretation_files = interpretation_files
        self._interpreted: ox.Store | None = None

    @classmethod
    def from_nquads(cls, path: Path, interpretations: Path | None = None) -> "EmbeddedStore":
        """A store holding the quads of an N-Quads file (e.g. ``build/sgkg.nq``), and,
        for answers that include them, the interpretation graphs of ``interpretations``."""
        store = ox.Store()
        store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
        return cls(store, interpretation_files=interpretation_files_beside(path, interpretations))

    def query_native(
        self,
        sparql: str,
        *,
        default_graph_uris: Sequence[str] | None = None,
        named_graph_uris: Sequence[str] | None = None,
        shape: QueryShape | None = None,
        interpretations: Sequence[str] = (),
    ) -> NativeResult:
        dataset_given = default_graph_uris is not None or named_graph_uris is not None
        clauses = _dataset_clauses(sparql, shape)
        named = {*(default_graph_uris or ()), *(named_graph_uris or ()), *clauses}
        try:
            if interpretations or any(is_interpretation_graph(iri) for iri in named):
                return self._query_interpreted(
                    sparql, default_graph_uris, named_graph_uris, interpretations, bool(clauses)
                )
            if dataset_given:
                return self._store.query(
                    sparql,
                    default_graph=[ox.NamedNode(iri) for iri in default_graph_uris or ()],
                    named_graphs=[ox.NamedNode(iri) for iri in named_graph_uris or ()],
                )
            # pyoxigraph's union flag would override the query's own FROM clauses
            return self._store.query(sparql, use_default_graph_as_union=not clauses)
        except SyntaxError as error:
            raise syntax_error(str(error), sparql) from None
        except ValueError as error:  # e.g. an invalid IRI in the dataset lists
            raise SgkgError(f"invalid query dataset: {error}") from None

    def quad_count(self) -> int:
        return len(self._store)

    def _query_interpreted(
        self,
        sparql: str,
        default_graph_uris: Sequence[str] | None,
        named_graph_uris: Sequence[str] | None,
        interpretations: Sequence[str],
        has_from: bool,
    ) -> NativeResult:
        """A query that reads interpretation graphs, on the store that holds them. The
        dataset is the protocol's lists if given, else the query's own FROM clauses, else
        the six graphs and the chosen interpretations."""
        store = self._interpreted_store()
        if default_graph_uris is None and named_graph_uris is None:
            if has_from:
                return store.query(sparql)
            default_graph_uris = named_graph_uris = [*STRICT_GRAPHS, *interpretations]
        return store.query(
            sparql,
            default_graph=[ox.NamedNode(iri) for iri in default_graph_uris or ()],
            named_graphs=[ox.NamedNode(iri) for iri in named_graph_uris or ()],
        )

    def _interpreted_store(self) -> ox.Store:
        """The six graphs and the interpretation graphs, loaded on first use."""
        if self._interpreted is None:
            if self._interpretation_files is None:
                raise SgkgError("this store holds no interpretations")
            store = ox.Store()
            for path in self._interpretation_files:
                store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
            self._interpreted = store
        return self._interpreted


def _dataset_clauses(sparql: str, shape: QueryShape | None) -> list[str]:
    """The graphs a query's own FROM and FROM NAMED clauses name (read once, if the
    caller has not read them)."""
    if shape is None:
        return list(dataset_graphs(sparql))
    return [clause.iri for clause in shape.dataset if clause.iri]


def interpretation_files_beside(
    strict: Path, interpretations: Path | None = None
) -> tuple[Path, Path] | None:
    """The files an interpreted answer loads: the six graphs' and the readings', when the
    readings' file (by default the one beside ``strict``) exists and is not empty."""
    readings = interpretations or strict.with_name(INTERPRETATIONS_NQUADS_FILE)
    if not readings.is_file() or readings.stat().st_size == 0:
        return None
    return strict, readings


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_POSITION = re.compile(r"^error at (\d+):(\d+):\s*(.*)$", re.DOTALL)


def dataset_graphs(sparql: str) -> tuple[str, ...]:
    """The graphs the query names with its own ``FROM`` or ``FROM NAMED`` clauses.

    Such a query must see exactly the graphs it names (SPARQL 1.1 Query, section 13.2),
    so the union default graph must stay off for it. Read by the endpoint's own
    reading of queries (:func:`api.query_guard.read_query`); a query it cannot read is
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
