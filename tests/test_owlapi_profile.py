"""Protégé compatibility: the OWL API loads the ontology offline, OWL 2 DL, no warnings.

The OWL API reports illegal punning only as a loader warning on stderr, not in the
profile report, so both are checked. The program is compiled once per session (the
``owlapi_classes`` fixture in conftest.py).
"""

import shutil
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

from conftest import FIXTURES, MINI, REPO
from owlapi.owlapi import CheckResult, check, save

PROJECT_ONTOLOGY = REPO / "ontology" / "sgkg.ttl"
NOT_DL = FIXTURES / "owlapi-bad" / "not-dl.ttl"


def assert_protege_clean(result: CheckResult) -> None:
    assert result.violations == [], "\n".join(result.violations)
    assert result.unresolved_imports == []
    assert result.log_problems == (), "\n".join(result.log_problems)
    assert result.summary["axiom_count"] > 0


def test_project_ontology_is_owl2_dl_without_loader_warnings(owlapi_classes: Path) -> None:
    assert PROJECT_ONTOLOGY.is_file(), f"missing: {PROJECT_ONTOLOGY}"
    result = check(owlapi_classes, PROJECT_ONTOLOGY)
    assert_protege_clean(result)
    assert "https://w3id.org/sgkg/ontology/vocabularies" in result.summary["ontologies"]


def test_fixture_ontology_is_clean_and_resolves_its_import(owlapi_classes: Path) -> None:
    result = check(owlapi_classes, MINI / "ontology" / "sgkg.ttl")
    assert_protege_clean(result)
    assert result.summary["ontologies"] == [
        "https://w3id.org/sgkg/ontology",
        "https://w3id.org/sgkg/ontology/vocabularies",
    ]


def test_check_fires_on_a_non_dl_ontology(owlapi_classes: Path) -> None:
    result = check(owlapi_classes, NOT_DL)
    violations = "\n".join(result.violations)
    assert "Use of undeclared object property" in violations
    assert "ontology#undeclared" in violations
    # illegal punning: a loader warning on stderr, which the profile report alone misses
    assert any("punning" in line and "ontology#punned" in line for line in result.log_problems)
    # the import is counted as unresolved, never fetched
    assert result.unresolved_imports == ["https://example.invalid/sgkg/not-there"]


def test_save_round_trip(owlapi_classes: Path, tmp_path: Path) -> None:
    for fmt, name in (("rdfxml", "saved.owl"), ("turtle", "saved.ttl")):
        output = tmp_path / name
        save(owlapi_classes, MINI / "ontology" / "sgkg.ttl", output, fmt)
        assert output.stat().st_size > 0
    assert b"sg:Party" in (tmp_path / "saved.ttl").read_bytes()


def test_project_ontology_and_data_together_are_owl2_dl(
    owlapi_classes: Path, tmp_path: Path
) -> None:
    """The reasoner works on ontology and data together, so both must be OWL 2 DL.

    The data files go into one ontology that imports the sgkg ontology, placed beside the
    real modules and catalog so the import resolves offline, as it would in Protégé.
    """
    folder = tmp_path / "ontology"
    shutil.copytree(REPO / "ontology", folder)
    merged = Graph()
    for path in sorted((REPO / "data").rglob("*.ttl")):
        merged.parse(path)
    header = URIRef("https://w3id.org/sgkg/test/ontology-with-data")
    merged.add((header, RDF.type, OWL.Ontology))
    merged.add((header, OWL.imports, URIRef("https://w3id.org/sgkg/ontology")))
    data_file = folder / "with-data.ttl"
    merged.serialize(data_file, format="turtle")
    result = check(owlapi_classes, data_file)
    assert_protege_clean(result)
    assert "https://w3id.org/sgkg/ontology/vocabularies" in result.summary["ontologies"]
