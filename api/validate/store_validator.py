"""The SPARQL validator's run: compiled shapes checked on a pyoxigraph store.

:func:`validate_store` is the counterpart of :func:`api.validate.shacl.validate_dataset`
for a large build: the shapes compiled by :mod:`api.validate.compiler`, their queries run
on the store that :mod:`api.load.bulkload` filled, and the results written into a report
graph shaped like pyshacl's (:mod:`api.validate.report_graph`), which
:mod:`api.validate.shacl` turns into its :class:`~api.validate.shacl.ValidationReport`; so
reports and the CLI are the same whichever validator ran.
"""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDFS
from rdflib.term import Node

from api.load.bulkload import StoreDataset
from api.store.base import rdflib_term
from api.validate import declared_terms
from api.validate.checks import RDF_TYPE, Check, RawResult, sparql_string
from api.validate.compiler import compile_shapes
from api.validate.report_graph import report_graph
from api.validate.shacl import (
    ValidationReport,
    check_shapes_once,
    report_from_graph,
    with_term_files,
)


@dataclass(frozen=True)
class SparqlValidation:
    """The raw results of a run, and how many queries it took."""

    results: list[RawResult]
    queries: int
    shapes: int


class StoreValidator:
    """The shapes compiled for one store (refusing what cannot be compiled, at once), and
    the run that checks every focus node of every shape."""

    def __init__(self, store: ox.Store, data_graphs: Sequence[ox.NamedNode], shapes: Graph) -> None:
        self.store, self.graphs = store, list(data_graphs)
        self._subclasses: dict[URIRef, tuple[URIRef, ...]] = {}
        self.compiled = compile_shapes(shapes, self.subclasses, self.regex_ok)

    def query(self, sparql: str) -> ox.QuerySolutions:
        return self.store.query(sparql, default_graph=self.graphs)

    def subclasses(self, cls: URIRef) -> tuple[URIRef, ...]:
        """``cls`` and its subclasses in the validated graph (``rdfs:subClassOf*``)."""
        if cls not in self._subclasses:
            found = self.query(f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS.subClassOf}>* <{cls}> }}")
            subclasses = {URIRef(row["c"].value) for row in found} | {cls}
            self._subclasses[cls] = tuple(sorted(subclasses, key=str))
        return self._subclasses[cls]

    def regex_ok(self, pattern: str, flags: str) -> bool:
        """Whether pyoxigraph's regular-expression engine can run ``pattern``."""
        probe = (
            f'SELECT ?ok WHERE {{ BIND(REGEX("", {sparql_string(pattern)}, "{flags}") AS ?ok) }}'
        )
        return next(iter(self.query(probe)))["ok"] is not None

    def run(self, term: Callable[[object], Node]) -> SparqlValidation:
        results: list[RawResult] = []
        count = 0
        for shape in self.compiled:
            classes = {c for target in shape.target_classes for c in self.subclasses(target)}
            values = " ".join(f"<{c}>" for c in sorted(classes, key=str))
            focus = f"?this {RDF_TYPE} ?sgkgFocusType . VALUES ?sgkgFocusType {{ {values} }}"
            if not classes or not bool(
                self.store.query(f"ASK {{ {focus} }}", default_graph=self.graphs)
            ):
                continue  # no focus node: nothing to check
            distinct_focus = f"{{ SELECT DISTINCT ?this WHERE {{ {focus} }} }}"
            for check in shape.queries:
                count += 1
                sparql = check.body.replace("{distinct_focus}", distinct_focus)
                sparql = sparql.replace("{focus}", focus)
                results.extend(self._results(check, sparql, term))
        return SparqlValidation(results=results, queries=count, shapes=len(self.compiled))

    def _results(
        self, check: Check, sparql: str, term: Callable[[object], Node]
    ) -> Iterator[RawResult]:
        solutions = self.query(sparql)
        names = [variable.value for variable in solutions.variables]
        for solution in solutions:
            row = {
                name: None if solution[i] is None else term(solution[i])
                for i, name in enumerate(names)
            }
            yield from check.results(row)


def validate_store(dataset: StoreDataset) -> ValidationReport:
    """Check the shapes, then validate ontology + data + sources in the store against them.

    The counterpart of :func:`api.validate.shacl.validate_dataset` for a
    :class:`api.load.bulkload.StoreDataset`, with the same report. Raises
    :class:`api.validate.compiler.UnsupportedShapes` for shapes it cannot compile and
    :class:`api.load.bulkload.LiteralsNotPreserved` for literals the store rewrote.
    """
    try:  # unsupported shape features are refused before the (slower) SHACL-SHACL check
        validator = StoreValidator(dataset.store, dataset.validated_graphs(), dataset.shapes)
        check_shapes_once(dataset.shapes, dataset.layout)
        run = validator.run(rdflib_term)
    except BaseException:
        dataset.cancel_audit()
        raise
    dataset.finish_audit()
    graph = report_graph(run.results, dataset.shapes)
    undeclared = declared_terms.undeclared_in_store(dataset.store, dataset.shapes)
    declared_terms.add_to_report(graph, undeclared)
    files = with_term_files(dataset.files_describing, dataset.layout, undeclared)
    return report_from_graph(graph, dataset.shapes, files, dataset.prefixes)
