"""Every SHACL shape has a passing and a failing fixture, and each behaves as written.

The fixtures follow the UCO project's pattern: ``tests/fixtures/shapes/base.ttl`` is a
small complete graph that conforms; ``<Shape>_PASS.ttl`` adds valid nodes of the shape's
kind, ``<Shape>_XFAIL.ttl`` adds broken ones and lists, in ``# expect:`` lines, every
message that must fire. Each fixture is validated with the base and the real ontology
and shapes, exactly as a build validates the project, by pyshacl and by the SPARQL
validator of large builds (:mod:`api.validate.compiler`), which must find the same results.
A shape without fixtures, a failing fixture that stops failing, or a message that no
longer fires fails here: a shape that never fires is a defect.
"""

import re
import shutil
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import RDF, SH

from api.core.layout import discover_layout
from api.load.dataset import load_dataset
from api.validate.shacl import VIOLATION, ValidationReport, validate_dataset

from conftest import REPO
from shacl_equivalence import assert_sparql_agrees

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "shapes"
SHAPES_FILE = REPO / "shapes" / "sgkg-shapes.ttl"


def _shape_names() -> list[str]:
    shapes = Graph().parse(SHAPES_FILE)
    return sorted(str(s).split("#")[1] for s in shapes.subjects(RDF.type, SH.NodeShape))


SHAPE_NAMES = _shape_names()


def _validate(tmp_path: Path, *fixtures: str) -> ValidationReport:
    """Validate base.ttl plus ``fixtures`` in a project tree with the real ontology and shapes."""
    root = tmp_path / "tree"
    shutil.copytree(REPO / "ontology", root / "ontology")
    shutil.copytree(REPO / "shapes", root / "shapes")
    (root / "data").mkdir()
    for name in ("base.ttl", *fixtures):
        shutil.copyfile(FIXTURES / name, root / "data" / name)
    layout = discover_layout(root, tmp_path / "build")
    report = validate_dataset(load_dataset(layout))
    assert_sparql_agrees(layout, report)  # the SPARQL validator finds the very same results
    return report


def _owning_shape(result_shape_text: str | None) -> str:
    """``shapes:PartyShape / rdfs:label`` -> ``PartyShape``."""
    head = (result_shape_text or "").split(" / ")[0]
    return head.split(":")[-1]


def _fixture_lines(name: str, key: str) -> list[str]:
    return re.findall(rf"^# {key}: (.*)$", (FIXTURES / name).read_text(), re.MULTILINE)


def test_base_fixture_conforms(tmp_path: Path) -> None:
    report = _validate(tmp_path)
    assert report.conforms, [r.message for r in report.results]


def test_every_shape_has_both_fixtures() -> None:
    missing = [
        f"{name}_{kind}.ttl"
        for name in SHAPE_NAMES
        for kind in ("PASS", "XFAIL")
        if not (FIXTURES / f"{name}_{kind}.ttl").is_file()
    ]
    assert missing == []


@pytest.mark.parametrize("shape", SHAPE_NAMES)
def test_pass_fixture_conforms(tmp_path: Path, shape: str) -> None:
    report = _validate(tmp_path, f"{shape}_PASS.ttl")
    assert report.conforms, [f"{r.source_shape_text}: {r.message}" for r in report.results]


@pytest.mark.parametrize("shape", SHAPE_NAMES)
def test_xfail_fixture_fires_its_messages_and_only_its_shape(tmp_path: Path, shape: str) -> None:
    fixture = f"{shape}_XFAIL.ttl"
    expected = _fixture_lines(fixture, "expect")
    allowed = {shape, *_fixture_lines(fixture, "also-fires")}
    assert expected, f"{fixture} lists no '# expect:' message"
    report = _validate(tmp_path, fixture)
    violations = [r for r in report.results if r.severity == VIOLATION]
    assert not report.conforms
    messages = [r.message for r in violations]
    assert [e for e in expected if not any(e in m for m in messages)] == []
    stray = [
        (r.source_shape_text, r.message)
        for r in violations
        if _owning_shape(r.source_shape_text) not in allowed
    ]
    assert stray == []
