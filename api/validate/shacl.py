"""SHACL validation of the data against the shapes, with reports a person can act on.

What is validated: the union of the ``ontology``, ``data`` and ``sources`` graphs against
the ``shapes`` graph. The ontology is part of the validated graph, not pyshacl's
``ont_graph``, for two reasons: ``sh:class sg:Party`` must accept an instance of a
subclass (the ``rdfs:subClassOf`` triples must be there), and the vocabularies' concepts
(``role:leads a sg:ParticipationRole``) live in the ontology graph, while pyshacl's
``ont_graph`` brings in only class axioms and ``owl:NamedIndividual``s. As a bonus the
shapes on concepts validate the vocabularies too. No inference, no ``owl:imports``, no
network. ``sh:Warning`` and ``sh:Info`` results are reported but do not make the data
non-conforming.

Before that, the shapes themselves are checked against the SHACL-SHACL meta-shapes
(what ``pyshacl --metashacl`` does): broken shapes are unusable input
(:class:`ShapesError`), not a data problem.

Each result names the input file in which its focus node is described, taken from the
loader's subject index, so the text report reads ``data/x.ttl: sgid:...: message``.
"""

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from api.core.errors import SgkgError
from api.core.layout import DATA, INTERPRETATIONS, ONTOLOGY, SHAPES, SOURCES, Layout
from api.core.namespaces import bind_prefixes, compact
from api.load.dataset import LoadedDataset
from api.store.interpretations import require_consistent
from api.validate import declared_terms

VIOLATION = "Violation"
WARNING = "Warning"
INFO = "Info"
SEVERITIES = (VIOLATION, WARNING, INFO)

REPORT_FORMATS = ("text", "json", "turtle")


class ShapesError(SgkgError):
    """The shapes graph is not valid SHACL, so nothing can be validated with it."""


@dataclass(frozen=True)
class ValidationResult:
    """One ``sh:ValidationResult``, plus the input files describing its focus node."""

    severity: str
    focus_node: Node
    #: the path node as in the report (an IRI, or a blank node for a complex path)
    result_path: Node | None
    #: the path in SPARQL-like syntax with compact IRIs, for people
    result_path_text: str | None
    value: Node | None
    message: str
    #: the shape node as in the report (often a blank node for property shapes)
    source_shape: Node | None
    #: the shape named for people: ``shapes:PartyShape / skos:exactMatch``
    source_shape_text: str | None
    files: tuple[str, ...]


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of a validation: a flag, typed results, and pyshacl's report graph."""

    conforms: bool
    results: tuple[ValidationResult, ...]
    graph: Graph
    #: prefix -> namespace for showing IRIs compactly (sgkg's and the input files')
    prefixes: Mapping[str, str] = field(default_factory=dict)

    def count(self, severity: str) -> int:
        return sum(1 for result in self.results if result.severity == severity)

    def summary(self) -> dict[str, object]:
        """What the build manifest records about the validation."""
        return {
            "conforms": self.conforms,
            "violations": self.count(VIOLATION),
            "warnings": self.count(WARNING),
            "infos": self.count(INFO),
        }


def validate_dataset(loaded: LoadedDataset) -> ValidationReport:
    """Check the shapes, then validate ontology + data + sources against them."""
    import pyshacl  # here, not at the top: every sgkg command and the server import this
    from pyshacl.errors import ReportableRuntimeError, ShapeLoadError

    shapes = loaded.union(SHAPES)
    check_shapes_once(shapes, loaded.layout)
    defining = [loaded.graph(name) for name in (ONTOLOGY, DATA, SOURCES)]
    require_consistent(
        loaded.graph(INTERPRETATIONS),
        loaded.interpretation_graphs(),
        lambda term: any((term, None, None) in graph for graph in defining),
    )
    data = QueryCachingGraph()
    for name in (ONTOLOGY, DATA, SOURCES, INTERPRETATIONS):
        for triple in loaded.graph(name):
            data.add(triple)
    try:
        # In place, because pyshacl would otherwise copy ``data`` into a plain Graph and
        # lose the query cache; the graph is a throwaway copy made just above.
        _, report_graph, _ = pyshacl.validate(
            data,
            shacl_graph=shapes,
            inference="none",
            inplace=True,
            allow_warnings=True,
            allow_infos=True,
            do_owl_imports=False,
            meta_shacl=False,
            js=False,
        )
    except (ReportableRuntimeError, ShapeLoadError) as error:
        raise ShapesError(f"the shapes cannot be used: {_first_line(str(error))}") from None
    if not isinstance(report_graph, Graph):
        raise ShapesError(f"validation did not run: {_first_line(str(report_graph))}")
    undeclared = declared_terms.undeclared_in_dataset(loaded)
    declared_terms.add_to_report(report_graph, undeclared)
    files = with_term_files(loaded.files_describing, loaded.layout, undeclared)
    return report_from_graph(report_graph, shapes, files, loaded.prefixes())


def with_term_files(
    files_describing: Callable[[Node], tuple[str, ...]],
    layout: Layout,
    undeclared: list[declared_terms.Undeclared],
) -> Callable[[Node], tuple[str, ...]]:
    """``files_describing``, plus for each undeclared term the files that mention it."""
    mentioned = declared_terms.files_mentioning(layout, [term for term, _ in undeclared])
    return lambda node: files_describing(node) or mentioned.get(node, ())


def report_from_graph(
    report_graph: Graph,
    shapes: Graph,
    files_describing: Callable[[Node], tuple[str, ...]],
    prefixes: Mapping[str, str],
) -> ValidationReport:
    """A :class:`ValidationReport` from a SHACL report graph shaped like pyshacl's.

    Shared by both validators (:mod:`api.validate.compiler` writes the same kind of graph),
    so their reports read alike to the letter.
    """
    bind_prefixes(report_graph)
    results = tuple(_read_results(report_graph, shapes, files_describing, prefixes))
    conforms = not any(result.severity == VIOLATION for result in results)
    return ValidationReport(
        conforms=conforms, results=results, graph=report_graph, prefixes=prefixes
    )


class QueryCachingGraph(Graph):
    """A graph that parses each SPARQL query text once, however often it is run.

    pyshacl runs an ``sh:sparql`` constraint once per focus node, passing the same query
    text each time with ``$this`` as an initial binding, and rdflib parses the text anew
    on every call: on the project's data that parsing was 90% of a 12-second validation.
    rdflib's prepared queries are made to be reused with other bindings, so this graph
    keeps the prepared query of each text it has seen.
    """

    def __init__(self) -> None:
        super().__init__()
        self._prepared: dict[str, Any] = {}  # query text -> rdflib's prepared Query

    def query(self, query_object: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(query_object, str):
            if query_object not in self._prepared:
                from rdflib.plugins.sparql import prepareQuery  # imported on first use

                self._prepared[query_object] = prepareQuery(query_object)
            query_object = self._prepared[query_object]
        return super().query(query_object, *args, **kwargs)


#: SHA-256 digests of shapes files that passed SHACL-SHACL in this process.
_CHECKED_SHAPES: set[str] = set()


def check_shapes_once(shapes: Graph, layout: Layout) -> None:
    """Meta-validate the shapes unless the same bytes already passed in this process.

    Checking the shapes against SHACL-SHACL takes about 1.6 s, sixteen times longer than
    validating the project's data, and its outcome depends only on the shapes files.
    Remembering the digests of shapes that passed makes repeated validations (the test
    suite, the server's reloads) pay for it once; a changed file has a new digest and
    is checked again.
    """
    digest = _shapes_digest(layout)
    if digest in _CHECKED_SHAPES:
        return
    check_shapes(shapes)
    _CHECKED_SHAPES.add(digest)


def _shapes_digest(layout: Layout) -> str:
    """One digest over the names and bytes of every shapes file, in load order."""
    digest = hashlib.sha256()
    for path in layout.files_for(SHAPES):
        digest.update(path.name.encode("utf-8") + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def check_shapes(shapes: Graph) -> None:
    """Validate the shapes graph against SHACL-SHACL; raise :class:`ShapesError` if not."""
    from pyshacl.entrypoints import meta_validate
    from pyshacl.errors import ReportableRuntimeError, ShapeLoadError

    try:
        conforms, report_graph, _ = meta_validate(shapes, inference="none")
    except (ReportableRuntimeError, ShapeLoadError) as error:
        raise ShapesError(f"the shapes cannot be loaded: {_first_line(str(error))}") from None
    if conforms:
        return
    problems = []
    prefixes = {prefix: str(namespace) for prefix, namespace in shapes.namespaces()}
    for result in report_graph.subjects(RDF.type, SH.ValidationResult):
        focus = report_graph.value(result, SH.focusNode)
        message = report_graph.value(result, SH.resultMessage)
        shown = _show_shape(shapes, focus, prefixes) if focus is not None else "?"
        problems.append(f"{shown}: {message}")
    raise ShapesError(
        "the shapes are not valid SHACL (SHACL-SHACL meta-validation): " + "; ".join(problems)
    )


def render_report(report: ValidationReport, fmt: str) -> str:
    """The report as ``text``, ``json`` or ``turtle`` (pyshacl's report graph)."""
    if fmt == "text":
        return render_text(report)
    if fmt == "json":
        return render_json(report)
    if fmt == "turtle":
        return report.graph.serialize(format="turtle")
    raise ValueError(f"unknown report format {fmt!r}; expected one of {REPORT_FORMATS}")


def render_text(report: ValidationReport) -> str:
    """One sentence per result, then a summary line."""
    lines = [describe_result(result, report.prefixes) for result in report.results]
    lines.append(_summary_sentence(report))
    return "\n".join(lines) + "\n"


def describe_result(result: ValidationResult, prefixes: Mapping[str, str] | None = None) -> str:
    """``file: focus node: message [shape]``; non-violations say their severity."""
    where = ", ".join(result.files) if result.files else "(no input file describes it)"
    severity = "" if result.severity == VIOLATION else f"{result.severity.lower()}: "
    details = []
    if result.result_path_text and result.result_path_text not in result.message:
        details.append(f"path {result.result_path_text}")
    if result.value is not None:
        details.append(f"value {_show(result.value, prefixes)}")
    detail = f" ({', '.join(details)})" if details else ""
    shape = f" [{result.source_shape_text}]" if result.source_shape_text else ""
    focus = _show(result.focus_node, prefixes)
    return f"{where}: {focus}: {severity}{result.message}{detail}{shape}"


def render_json(report: ValidationReport) -> str:
    payload = {
        **report.summary(),
        "results": [
            {
                "severity": result.severity,
                "focusNode": _json_term(result.focus_node),
                "resultPath": _json_path(result),
                "value": _json_term(result.value),
                "message": result.message,
                "sourceShape": _json_term(result.source_shape),
                "sourceShapeName": result.source_shape_text,
                "files": list(result.files),
            }
            for result in report.results
        ],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def _summary_sentence(report: ValidationReport) -> str:
    verdict = "conforms" if report.conforms else "does not conform"
    return (
        f"{verdict}: {report.count(VIOLATION)} violation(s), "
        f"{report.count(WARNING)} warning(s), {report.count(INFO)} info(s)"
    )


def _read_results(
    report: Graph,
    shapes: Graph,
    files_describing: Callable[[Node], tuple[str, ...]],
    prefixes: Mapping[str, str],
) -> list[ValidationResult]:
    results = []
    for node in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(node, SH.focusNode)
        severity = report.value(node, SH.resultSeverity)
        path = report.value(node, SH.resultPath)
        shape = report.value(node, SH.sourceShape)
        messages = sorted(str(m) for m in report.objects(node, SH.resultMessage))
        component = report.value(node, SH.sourceConstraintComponent)
        results.append(
            ValidationResult(
                severity=_local_name(severity) if severity is not None else VIOLATION,
                focus_node=focus,
                result_path=path,
                result_path_text=_show_path(report, path, prefixes) if path is not None else None,
                value=report.value(node, SH.value),
                message="; ".join(messages) or f"fails {_show(component, prefixes)}",
                source_shape=shape,
                source_shape_text=(
                    _show_shape(shapes, shape, prefixes) if shape is not None else None
                ),
                files=files_describing(focus) if focus is not None else (),
            )
        )
    results.sort(key=_result_order)
    return results


def _result_order(result: ValidationResult) -> tuple[int, tuple[str, ...], str, str, str]:
    """Violations first, then by file and focus node, so related results sit together."""
    rank = SEVERITIES.index(result.severity) if result.severity in SEVERITIES else len(SEVERITIES)
    path = result.result_path_text or ""
    return rank, result.files, str(result.focus_node), path, result.message


def _show_shape(shapes: Graph, shape: Node, prefixes: Mapping[str, str]) -> str:
    """A readable name for a shape; a blank-node property shape is named by its parent.

    Most property shapes are blank nodes, so ``[sg:PartyShape / sg:hasRole]`` tells a
    person which shape to open, where ``_:N1234`` would not.
    """
    if not isinstance(shape, BNode):
        return _show(shape, prefixes)
    parent = shapes.value(predicate=SH.property, object=shape)
    path = shapes.value(shape, SH.path)
    path_text = _show_path(shapes, path, prefixes) if path is not None else "?"
    if parent is None:
        return f"property shape on {path_text}"
    return f"{_show_shape(shapes, parent, prefixes)} / {path_text}"


def _show_path(graph: Graph, path: Node, prefixes: Mapping[str, str]) -> str:
    """A SHACL property path in SPARQL-like syntax (``^sg:p``, ``sg:a/sg:b``)."""
    if isinstance(path, URIRef):
        return _show(path, prefixes)
    if graph.value(path, RDF.first) is not None:
        steps = Collection(graph, path)
        return "/".join(_show_path(graph, step, prefixes) for step in steps)
    for predicate, template in (
        (SH.inversePath, "^{}"),
        (SH.zeroOrMorePath, "{}*"),
        (SH.oneOrMorePath, "{}+"),
        (SH.zeroOrOnePath, "{}?"),
    ):
        inner = graph.value(path, predicate)
        if inner is not None:
            return template.format(_show_path(graph, inner, prefixes))
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        choices = Collection(graph, alternatives)
        return "(" + "|".join(_show_path(graph, a, prefixes) for a in choices) + ")"
    return _show(path, prefixes)


def _show(node: Node | None, prefixes: Mapping[str, str] | None = None) -> str:
    if node is None:
        return "?"
    if isinstance(node, URIRef):
        return compact(str(node), prefixes)
    if isinstance(node, Literal):
        return node.n3()
    return f"_:{node}"


def _json_term(node: Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, BNode):
        return f"_:{node}"
    return str(node)


def _json_path(result: ValidationResult) -> str | None:
    """A simple path as its full IRI; a complex one in SPARQL-like syntax."""
    if isinstance(result.result_path, URIRef):
        return str(result.result_path)
    return result.result_path_text


def _local_name(iri: Node) -> str:
    text = str(iri)
    return text.rsplit("#", 1)[-1]


def _first_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else "unknown error"
