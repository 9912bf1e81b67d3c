"""An ``sg:`` term the ontology does not declare fails validation, with either validator.

SHACL alone would let a misspelt predicate through (it is just another predicate) and
would silently check nothing through a misspelt ``sh:targetClass``; the build refuses
both and names the term, how it is used, and the file to correct.
"""

import shutil
from pathlib import Path

import pytest

from api.build.pipeline import PYSHACL, SPARQL, validate_layout
from api.core.layout import discover_layout

from conftest import REPO


@pytest.fixture(scope="module")
def misspelt_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This project's tree, with one misspelt predicate and one misspelt shape target."""
    root = tmp_path_factory.mktemp("misspelt")
    for folder in ("ontology", "shapes", "data"):
        shutil.copytree(REPO / folder, root / folder)
    data = root / "data" / "semantics" / "paris-declaration.ttl"
    text = data.read_text(encoding="utf-8")
    data.write_text(text.replace("    sg:hasEvidence", "    sg:hasEvidnce", 1), encoding="utf-8")
    shapes = root / "shapes" / "sgkg-shapes.ttl"
    shapes.write_text(
        shapes.read_text(encoding="utf-8")
        + "\nsgsh:Misspelt a sh:NodeShape ; sh:targetClass sg:Mechanizm ;\n"
        + '    rdfs:label "misspelt"@en ; skos:definition "A shape with a typo."@en .\n',
        encoding="utf-8",
    )
    return root


@pytest.mark.parametrize("validator", [PYSHACL, SPARQL])
def test_undeclared_terms_are_violations_naming_term_use_and_file(
    misspelt_tree: Path, validator: str, tmp_path: Path
) -> None:
    report, _ = validate_layout(discover_layout(misspelt_tree, tmp_path / "build"), validator)
    assert not report.conforms
    by_term = {str(r.focus_node): r for r in report.results if "not declared" in r.message}
    predicate = by_term["https://w3id.org/sgkg/ontology#hasEvidnce"]
    assert "used as predicate in data" in predicate.message
    assert predicate.files == ("data/semantics/paris-declaration.ttl",)
    assert predicate.severity == "Violation"
    target = by_term["https://w3id.org/sgkg/ontology#Mechanizm"]
    assert "sh:targetClass in shapes" in target.message
    assert target.files == ("shapes/sgkg-shapes.ttl",)
    assert len(by_term) == 2


def test_the_shipped_tree_declares_every_term_it_uses(tmp_path: Path) -> None:
    report, _ = validate_layout(discover_layout(REPO, tmp_path / "build"), PYSHACL)
    assert not [r for r in report.results if "not declared" in r.message]
