"""The ontology quality report: a clean tree, a tree breaking every ERROR rule once."""

import json
from pathlib import Path

from rdflib import Graph, URIRef

from api.core.layout import discover_layout
from api.load.dataset import load_dataset
from api.validate.qc import (
    ERROR,
    INFO,
    RULES,
    WARN,
    Issue,
    QcInput,
    has_errors,
    qc_input,
    render_issues,
    run_qc,
)

from conftest import FIXTURES

QC_BAD = FIXTURES / "qc-bad"
PREFIXES = """
@prefix sg: <https://w3id.org/sgkg/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
"""


def issues_for(root: Path) -> list[Issue]:
    return run_qc(qc_input(load_dataset(discover_layout(root))))


def graphs(ontology: str = "", data: str = "", shapes: str = "") -> QcInput:
    def parse(text: str) -> Graph:
        return Graph().parse(data=PREFIXES + text, format="turtle")

    return QcInput(ontology=parse(ontology), data=parse(data), shapes=parse(shapes))


def fired(issues: list[Issue], rule: str) -> list[Issue]:
    return [issue for issue in issues if issue.rule == rule]


def test_good_tree_has_no_errors_or_warnings(mini_tree: Path) -> None:
    issues = issues_for(mini_tree)
    assert not has_errors(issues)
    assert {issue.level for issue in issues} == {INFO}


def test_bad_tree_fires_each_error_rule_exactly_once() -> None:
    issues = issues_for(QC_BAD)
    errors = [issue for issue in issues if issue.level == ERROR]
    error_rules = [rule.name for rule in RULES if rule.level == ERROR]
    assert sorted(issue.rule for issue in errors) == sorted(error_rules)
    assert has_errors(issues)


def test_bad_tree_issues_point_at_the_right_terms() -> None:
    subjects = {issue.rule: str(issue.subject) for issue in issues_for(QC_BAD)}
    sg = "https://w3id.org/sgkg/ontology#"
    assert subjects["missing_label"] == sg + "NoLabel"
    assert subjects["multiple_english_labels"] == sg + "TwoLabels"
    assert subjects["duplicate_label"] == sg + "DuplicateA"
    assert subjects["label_whitespace"] == sg + "Spacey"
    assert subjects["missing_definition"] == sg + "NoDefinition"
    assert subjects["undeclared_term"] == sg + "undeclared"
    assert subjects["property_kind_clash"] == sg + "clash"
    assert subjects["concept_without_scheme"] == "https://w3id.org/sgkg/id/concept/lonely"
    assert subjects["ontology_missing_title"] == "https://w3id.org/sgkg/ontology"


def test_license_must_be_an_iri_and_version_iri_must_differ() -> None:
    qc = graphs(
        """
        <https://w3id.org/sgkg/ontology> a owl:Ontology ;
            dcterms:license "CC-BY 4.0" ;
            owl:versionIRI <https://w3id.org/sgkg/ontology> .
        """
    )
    issues = run_qc(qc)
    assert [i.detail for i in fired(issues, "ontology_license")] == [
        'dcterms:license must be an IRI, not "CC-BY 4.0"'
    ]
    assert [i.detail for i in fired(issues, "ontology_version_iri")] == [
        "owl:versionIRI must differ from the ontology IRI"
    ]


def test_undeclared_terms_in_shapes_including_complex_paths() -> None:
    qc = graphs(
        ontology="sg:Declared a owl:Class .",
        shapes="""
        [] a sh:NodeShape ;
            sh:targetClass sg:Declared , sg:UndeclaredTarget ;
            sh:property [ sh:path ( sg:first [ sh:inversePath sg:inverse ] ) ;
                          sh:class sg:UndeclaredClass ] .
        """,
    )
    undeclared = {str(i.subject).split("#")[1] for i in fired(run_qc(qc), "undeclared_term")}
    assert undeclared == {"UndeclaredTarget", "first", "inverse", "UndeclaredClass"}


def test_warn_rules_on_properties_and_orphan_classes() -> None:
    qc = graphs(
        """
        sg:Top a owl:Class .
        sg:Child a owl:Class ; rdfs:subClassOf sg:Top .
        sg:Orphan a owl:Class .
        sg:rooted a owl:ObjectProperty ; rdfs:domain sg:Top ; rdfs:range sg:Top .
        sg:loose a owl:ObjectProperty ; rdfs:domain sg:Top .
        sg:amount a owl:DatatypeProperty ; rdfs:range xsd:integer .
        """
    )
    issues = run_qc(qc)
    assert [(str(i.subject), i.detail) for i in fired(issues, "object_property_domain_range")] == [
        ("https://w3id.org/sgkg/ontology#loose", "no rdfs:range")
    ]
    assert [i.detail for i in fired(issues, "datatype_property_domain_range")] == ["no rdfs:domain"]
    assert [str(i.subject) for i in fired(issues, "orphan_class")] == [
        "https://w3id.org/sgkg/ontology#Orphan"
    ]
    assert all(i.level == WARN for i in issues if "domain_range" in i.rule)


def test_table_and_json_output() -> None:
    issues = issues_for(QC_BAD)
    table = render_issues(issues, "table").splitlines()
    assert table[0].split() == ["LEVEL", "RULE", "SUBJECT", "DETAIL"]
    assert table[1].index(table[1].split()[1]) == table[0].index("RULE")
    detail_column = table[0].index("DETAIL")
    assert all(line[detail_column - 2 : detail_column] == "  " for line in table[1:-1])
    assert table[-1] == "13 error(s), 5 warning(s), 16 info(s)"
    payload = json.loads(render_issues(issues, "json"))
    assert payload["counts"] == {"ERROR": 13, "WARN": 5, "INFO": 16}
    assert payload["issues"][0]["level"] == "ERROR"
    assert URIRef(payload["issues"][0]["subject"])


def test_built_in_terms_declared_by_a_protege_save_need_no_label() -> None:
    """Protégé's OWL API writes ``xsd:date rdf:type rdfs:Datatype``: not a term of ours."""
    qc = graphs(ontology="xsd:date a rdfs:Datatype . owl:Thing a owl:Class .")
    for rule in ("missing_label", "missing_definition"):
        assert fired(run_qc(qc), rule) == []
