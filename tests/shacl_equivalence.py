"""Both validators on one tree, and the check that they agree result for result.

Shared by ``tests/test_shapes.py`` (every shape fixture is validated by both, so the
fixtures that prove each shape fires also prove the SPARQL validator fires alike) and
``tests/test_shacl_sparql.py``.
"""

from collections import Counter

from rdflib import BNode
from rdflib.term import Node

from api.core.layout import Layout
from api.load.bulkload import load_store
from api.validate.shacl import ValidationReport, ValidationResult
from api.validate.store_validator import validate_store


def result_key(result: ValidationResult) -> tuple:
    """Everything a result says; blank nodes (labels differ between stores) as one."""

    def term(node: Node | None) -> str | None:
        if node is None:
            return None
        return "_:blank" if isinstance(node, BNode) else node.n3()

    return (
        result.severity,
        term(result.focus_node),
        result.result_path_text,
        term(result.value),
        result.message,
        result.source_shape_text,
        result.files,
    )


def assert_same_results(reference: ValidationReport, candidate: ValidationReport) -> None:
    """The same results, as many times each, and the same verdict."""
    expected = Counter(map(result_key, reference.results))
    found = Counter(map(result_key, candidate.results))
    assert found - expected == Counter(), "only the SPARQL validator reports these"
    assert expected - found == Counter(), "only pyshacl reports these"
    assert candidate.conforms == reference.conforms


def assert_sparql_agrees(layout: Layout, reference: ValidationReport) -> ValidationReport:
    """Validate ``layout`` with the SPARQL validator; it must agree with ``reference``."""
    candidate = validate_store(load_store(layout))
    assert_same_results(reference, candidate)
    return candidate
