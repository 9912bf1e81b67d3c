"""SHACL validation: typed results naming files, the three renderings, shape checking."""

import json
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH

from api.core.layout import discover_layout
from api.load.dataset import load_dataset
from api.validate.shacl import (
    VIOLATION,
    WARNING,
    QueryCachingGraph,
    ShapesError,
    ValidationReport,
    render_report,
    validate_dataset,
)

from conftest import add_overlay

BROKEN = URIRef("https://w3id.org/sgkg/id/mechanism/broken")
EMPTY_PASSAGE = URIRef("https://w3id.org/sgkg/id/passage/empty")
COALITION = URIRef("https://w3id.org/sgkg/id/party/coalition-of-the-willing")


def validate(root: Path) -> ValidationReport:
    return validate_dataset(load_dataset(discover_layout(root)))


def test_good_tree_conforms_with_a_warning(mini_tree: Path) -> None:
    report = validate(mini_tree)
    assert report.conforms
    # the warning does not fail validation (allow_warnings)
    assert [(r.severity, r.focus_node) for r in report.results] == [(WARNING, COALITION)]
    assert report.summary() == {"conforms": True, "violations": 0, "warnings": 1, "infos": 0}


def test_sh_class_honours_subclasses(mini_tree: Path) -> None:
    # sg:hasParty has sh:class sg:Party; France is an sg:State, a subclass of sg:Party,
    # and the monitoring mechanism is an sg:MonitoringMechanism (targetClass sg:Mechanism).
    report = validate(mini_tree)
    assert not [r for r in report.results if r.severity == VIOLATION]


def test_concepts_defined_in_the_ontology_count_for_sh_class(mini_tree: Path) -> None:
    # A concept typed only in the vocabularies module (no owl:NamedIndividual) must still
    # satisfy sh:class when the data points at it.
    shapes = mini_tree / "shapes" / "modality.ttl"
    shapes.write_text(
        "@prefix sg: <https://w3id.org/sgkg/ontology#> .\n"
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "<https://w3id.org/sgkg/shapes#ModalityShape> a sh:NodeShape ;\n"
        "  sh:targetClass sg:Mechanism ;\n"
        "  sh:property [ sh:path sg:hasModality ; sh:class skos:Concept ] .\n"
    )
    vocabularies = mini_tree / "ontology" / "sgkg-vocabularies.ttl"
    text = vocabularies.read_text()
    vocabularies.write_text(
        text.replace("modality:will a owl:NamedIndividual , ", "modality:will a ")
    )
    assert validate(mini_tree).conforms


def test_violations_name_file_focus_message_and_shape(mini_tree: Path) -> None:
    add_overlay(mini_tree, "violation.ttl", "data/violation.ttl")
    report = validate(mini_tree)
    assert not report.conforms
    violations = [r for r in report.results if r.severity == VIOLATION]
    assert len(violations) == 3
    assert {r.files for r in violations} == {("data/violation.ttl",)}
    by_message = {r.message: r for r in violations}
    party = by_message["a mechanism needs at least one party"]
    assert party.focus_node == BROKEN
    assert party.result_path_text == "sg:hasParty"
    assert party.source_shape_text == "shapes:MechanismShape / sg:hasParty"
    sparql = by_message["a passage quote must not be empty"]
    assert sparql.focus_node == EMPTY_PASSAGE
    assert sparql.source_shape_text == "shapes:PassageShape"


def test_sparql_constraint_runs_per_focus_node_with_cached_parse(mini_tree: Path) -> None:
    add_overlay(mini_tree, "violation.ttl", "data/violation.ttl")
    report = validate(mini_tree)
    # the SPARQL constraint ran for each passage (one parse, many bindings) and fired
    # only for the empty one
    fired = [r.focus_node for r in report.results if r.source_shape_text == "shapes:PassageShape"]
    assert fired == [EMPTY_PASSAGE]


def test_query_caching_graph_parses_once_and_rebinds() -> None:
    graph = QueryCachingGraph()
    graph.add((URIRef("urn:a"), URIRef("urn:p"), Literal(1)))
    graph.add((URIRef("urn:b"), URIRef("urn:p"), Literal(2)))
    text = "SELECT ?o WHERE { $this <urn:p> ?o }"
    first = [row.o.toPython() for row in graph.query(text, initBindings={"this": URIRef("urn:a")})]
    second = [row.o.toPython() for row in graph.query(text, initBindings={"this": URIRef("urn:b")})]
    assert (first, second) == ([1], [2])
    assert list(graph._prepared) == [text]


def test_text_report_has_one_sentence_per_result(mini_tree: Path) -> None:
    add_overlay(mini_tree, "violation.ttl", "data/violation.ttl")
    text = render_report(validate(mini_tree), "text")
    lines = text.strip().splitlines()
    assert len(lines) == 5  # 3 violations, 1 warning, 1 summary
    assert lines[0].startswith("data/violation.ttl: sgid:mechanism/broken: ")
    assert any(
        line.startswith("data/violation.ttl: sgid:mechanism/broken: a mechanism needs")
        and line.endswith("[shapes:MechanismShape / sg:hasParty]")
        for line in lines
    )
    assert "warning: a party should link to Wikidata" in text
    assert lines[-1] == "does not conform: 3 violation(s), 1 warning(s), 0 info(s)"


def test_json_report_parses(mini_tree: Path) -> None:
    add_overlay(mini_tree, "violation.ttl", "data/violation.ttl")
    payload = json.loads(render_report(validate(mini_tree), "json"))
    assert payload["conforms"] is False
    assert payload["violations"] == 3
    assert payload["warnings"] == 1
    first = payload["results"][0]
    assert set(first) >= {"severity", "focusNode", "resultPath", "message", "sourceShape", "files"}
    paths = {r["resultPath"] for r in payload["results"]}
    assert "https://w3id.org/sgkg/ontology#hasParty" in paths


def test_turtle_report_parses_as_a_shacl_report(mini_tree: Path) -> None:
    add_overlay(mini_tree, "violation.ttl", "data/violation.ttl")
    graph = Graph().parse(data=render_report(validate(mini_tree), "turtle"), format="turtle")
    assert len(list(graph.subjects(None, SH.ValidationReport))) == 1
    assert len(list(graph.subjects(None, SH.ValidationResult))) == 4


def test_invalid_shapes_are_unusable_input(mini_tree: Path) -> None:
    add_overlay(mini_tree, "invalid-shapes.ttl", "shapes/invalid-shapes.ttl")
    with pytest.raises(ShapesError, match="not valid SHACL") as caught:
        validate(mini_tree)
    assert "shapes:BadShape / sg:hasParty" in str(caught.value)
    assert caught.value.exit_code == 2


def test_unknown_format_is_refused(mini_tree: Path) -> None:
    with pytest.raises(ValueError, match="unknown report format"):
        render_report(validate(mini_tree), "xml")
