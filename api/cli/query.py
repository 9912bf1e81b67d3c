"""Run a SPARQL query against the built graph and format the answer.

The query runs through :class:`api.store.base.Store` (the embedded pyoxigraph store, loaded
from ``build/sgkg.nq``), never through rdflib's own evaluator, so the command line sees
exactly what the endpoint will serve. The caller decides whether to build first
(:func:`api.build.pipeline.ensure_build`); this module only reads a finished build.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from api.build.pipeline import NQUADS_FILE
from api.core.errors import SgkgError
from api.core.layout import Layout
from api.formats.result_text import format_result
from api.store.base import NativeResult, Store
from api.store.embedded import EmbeddedStore
from api.store.interpretations import (
    INTERPRETED,
    STRICT,
    Selection,
    interpretations_in,
    rests_on_in,
    select,
    slug_of,
)
from api.store.results import QueryResult


def read_query(query_or_file: str) -> str:
    """The query text: the argument itself, or the content of the file it names.

    An argument is a file if it names an existing file or ends in ``.rq``, so a typo in
    a file name fails as a missing file rather than as a puzzling syntax error.
    """
    if not (query_or_file.endswith(".rq") or _names_a_file(query_or_file)):
        return query_or_file
    try:
        return Path(query_or_file).read_text(encoding="utf-8")
    except OSError as error:
        raise SgkgError(f"cannot read query file {query_or_file}: {error.strerror}") from None


def _names_a_file(text: str) -> bool:
    if "\n" in text or len(text) > 1024:
        return False
    try:
        return Path(text).is_file()
    except (OSError, ValueError):  # a name too long, a NUL byte: a query, not a file
        return False


def open_store(layout: Layout) -> EmbeddedStore:
    """The embedded store loaded with the build in ``layout.build_dir``."""
    nquads = layout.build_dir / NQUADS_FILE
    if not nquads.is_file():
        raise SgkgError(f"no build found ({nquads} is missing); run `sgkg build` first")
    return EmbeddedStore.from_nquads(nquads)


def run_query(store: Store, sparql: str) -> QueryResult:
    """Run one query over the union of sgkg's graphs: a strict answer, from the words.
    Raises QuerySyntaxError."""
    return store.query(sparql)


@dataclass(frozen=True)
class Answer:
    """A query's answer, how it was read, and the interpretations it rests on."""

    result: NativeResult
    selection: Selection
    #: the included interpretations the answer rests on (:func:`api.store.interpretations.rests_on`)
    rests_on: tuple[str, ...] = ()

    @property
    def mode(self) -> str:
        return self.selection.mode

    def summary(self) -> str:
        """One line for a person: strict, or interpreted and resting on which."""
        if self.mode == STRICT:
            return "answer: strict, from the words alone (--interpretations adds readings)"
        included = len(self.selection.graphs)
        resting = ", ".join(slug_of(iri) for iri in self.rests_on)
        rests = f"rests on {resting}" if resting else "rests on none: the strict answer is the same"
        return f"answer: {INTERPRETED} ({included} interpretation(s) included); {rests}"


def answer_query(store: Store, sparql: str, interpretations: Iterable[str] = ()) -> Answer:
    """Run one query, strictly (no ``interpretations``, the default) or including
    interpretations (``all``, or names: :func:`api.store.interpretations.select`), and find
    those the answer rests on. The interpretations are those ``store`` holds
    (:func:`api.store.interpretations.interpretations_in`), so a remote store works alike.
    Raises QuerySyntaxError, and UnknownInterpretation for a name the store lacks."""
    values = list(interpretations)
    selection = select(values, tuple(interpretations_in(store))) if values else Selection()
    result = store.query_native(sparql, interpretations=selection.graphs)
    if not selection.graphs:
        return Answer(result, selection)
    return Answer(result, selection, tuple(rests_on_in(store, sparql, selection)))


def query_to_text(store: Store, sparql: str, fmt: str = "table") -> str:
    """Run a query and render it: SELECT in ``fmt``, ASK true/false, graphs as Turtle."""
    return format_result(store.query_native(sparql), fmt)
