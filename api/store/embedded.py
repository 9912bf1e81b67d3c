"""The embedded engine: a pyoxigraph store in this process, in memory or on disk.

It is the default backend and the reference the others are measured against: its answers
are what the endpoint serves, the CLI prints and the notebooks read. The interface it
implements, and the helpers every backend shares, are in :mod:`api.store.base`.
"""

from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox

from api.core.errors import SgkgError
from api.sparql.parser import QueryShape
from api.store.base import NativeResult, Store, dataset_graphs, syntax_error
from api.store.interpretations import (
    INTERPRETATIONS_NQUADS_FILE,
    STRICT_GRAPHS,
    is_interpretation_graph,
)


class EmbeddedStore(Store):
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
