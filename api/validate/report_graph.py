"""The SPARQL validator's results as a report graph shaped like pyshacl's.

:func:`api.validate.shacl.report_from_graph` reads pyshacl's report graph into the
project's :class:`~api.validate.shacl.ValidationReport`; writing the SPARQL validator's
results into a graph of the same shape lets both validators share that reading, and so
their reports, files and CLI output.
"""

from collections.abc import Iterable

from rdflib import BNode, Graph, Literal
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from api.validate.checks import RawResult


def report_graph(results: Iterable[RawResult], shapes: Graph) -> Graph:
    """A report graph shaped like pyshacl's (blank shapes and paths copied into it)."""
    report = Graph()
    root = BNode()
    report.add((root, RDF.type, SH.ValidationReport))
    conforms = True
    for found in results:
        if found.shape.severity == SH.Violation:
            conforms = False
        node = BNode()
        report.add((root, SH.result, node))
        report.add((node, RDF.type, SH.ValidationResult))
        report.add((node, SH.focusNode, found.focus))
        report.add((node, SH.resultSeverity, found.shape.severity))
        report.add((node, SH.sourceConstraintComponent, found.component))
        report.add((node, SH.sourceShape, found.shape.node))
        _copy_description(shapes, found.shape.node, report)
        if found.value is not None:
            report.add((node, SH.value, found.value))
        if found.path is not None:
            report.add((node, SH.resultPath, found.path))
            _copy_description(shapes, found.path, report)
        if found.source_constraint is not None:
            report.add((node, SH.sourceConstraint, found.source_constraint))
            _copy_description(shapes, found.source_constraint, report)
        for message in found.messages:
            report.add((node, SH.resultMessage, message))
    report.add((root, SH.conforms, Literal(conforms)))
    return report


def _copy_description(source: Graph, node: Node, target: Graph) -> None:
    """Copy a blank node's description (recursively), as pyshacl does for shapes."""
    if not isinstance(node, BNode) or (node, None, None) in target:
        return
    for predicate, value in source.predicate_objects(node):
        target.add((node, predicate, value))
        _copy_description(source, value, target)
