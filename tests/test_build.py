"""The build: outputs, manifest, atomic replacement, stale detection, reasoning hook."""

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef

from api import __version__
from api.build.pipeline import (
    FRESH,
    MANIFEST_FILE,
    MISSING,
    NQUADS_FILE,
    OUTPUT_FILES,
    REPORT_FILE,
    STALE,
    TRIG_FILE,
    ReasoningInput,
    ValidationFailed,
    build,
    build_status,
    ensure_build,
    input_hashes,
)
from api.core.layout import discover_layout, graph_iri
from api.load.dataset import SourceError
from api.validate.shacl import ShapesError

from conftest import add_overlay, load_built_dataset


def snapshot(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_build_writes_every_output(mini_tree: Path, build_dir: Path) -> None:
    layout = discover_layout(mini_tree, build_dir)
    result = build(layout)
    assert sorted(p.name for p in build_dir.iterdir()) == sorted(OUTPUT_FILES)
    manifest = json.loads((build_dir / MANIFEST_FILE).read_text())
    assert manifest == result.manifest
    assert manifest["sgkg_version"] == __version__
    assert manifest["built_at"].endswith("+00:00")
    assert set(manifest["graphs"]) == {
        "ontology",
        "shapes",
        "data",
        "sources",
        "interpretations",
        "inferred",
    }
    assert manifest["interpretation_graphs"] == {}
    assert manifest["graphs"]["inferred"]["triples"] == 0
    assert manifest["total_triples"] == sum(g["triples"] for g in manifest["graphs"].values())
    assert manifest["inputs"] == input_hashes(layout)
    assert "data/sources/sample.txt" in manifest["inputs"]
    assert manifest["validation"] == {
        "conforms": True,
        "violations": 0,
        "warnings": 1,
        "infos": 0,
    }
    Graph().parse(build_dir / REPORT_FILE, format="turtle")


def test_trig_and_nquads_hold_the_same_graphs(mini_tree: Path, build_dir: Path) -> None:
    layout = discover_layout(mini_tree, build_dir)
    manifest = build(layout).manifest
    dataset = load_built_dataset(layout)
    for name in ("ontology", "shapes", "data", "sources"):
        assert len(dataset.graph(graph_iri(name))) == manifest["graphs"][name]["triples"]
    quads = [line for line in (build_dir / NQUADS_FILE).read_text().splitlines() if line]
    assert len(quads) == manifest["total_triples"]
    assert all(line.rstrip().endswith("> .") for line in quads)
    assert b"@prefix sg: <https://w3id.org/sgkg/ontology#>" in (build_dir / TRIG_FILE).read_bytes()


@pytest.mark.parametrize(
    ("overlay", "destination", "error"),
    [
        ("violation.ttl", "data/violation.ttl", ValidationFailed),
        ("unparseable.ttl", "data/unparseable.ttl", SourceError),
        ("invalid-shapes.ttl", "shapes/invalid-shapes.ttl", ShapesError),
    ],
)
def test_failed_build_leaves_previous_build_untouched(
    mini_tree: Path, build_dir: Path, overlay: str, destination: str, error: type
) -> None:
    layout = discover_layout(mini_tree, build_dir)
    build(layout)
    before = snapshot(build_dir)
    add_overlay(mini_tree, overlay, destination)
    with pytest.raises(error):
        build(discover_layout(mini_tree, build_dir))
    assert snapshot(build_dir) == before
    assert not list(build_dir.glob(".staging-*"))


def test_failure_while_reasoning_leaves_previous_build(mini_tree: Path, build_dir: Path) -> None:
    layout = discover_layout(mini_tree, build_dir)
    build(layout)
    before = snapshot(build_dir)

    def broken_reasoner(given: ReasoningInput) -> dict:
        raise RuntimeError("reasoner crashed")

    with pytest.raises(RuntimeError):
        build(layout, reason=broken_reasoner)
    assert snapshot(build_dir) == before


def test_build_keeps_other_files_in_the_build_folder(mini_tree: Path, build_dir: Path) -> None:
    build_dir.mkdir()
    (build_dir / "docs").mkdir()
    (build_dir / "docs" / "index.html").write_text("kept")
    build(discover_layout(mini_tree, build_dir))
    assert (build_dir / "docs" / "index.html").read_text() == "kept"


def test_reasoning_hook_fills_the_inferred_graph(mini_tree: Path, build_dir: Path) -> None:
    fact = (
        URIRef("https://w3id.org/sgkg/id/party/france"),
        URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
        URIRef("https://w3id.org/sgkg/ontology#Party"),
    )

    def reasoner(given: ReasoningInput) -> dict:
        data = ox.NamedNode(str(graph_iri("data")))
        assert any(given.store.quads_for_pattern(None, None, None, data))  # validated data
        inferred = ox.NamedNode(str(graph_iri("inferred")))
        subject, kind, cls = (ox.NamedNode(str(term)) for term in fact)
        given.store.add(ox.Quad(subject, kind, cls, inferred))
        note = ox.NamedNode("https://example.org/note")
        given.store.add(ox.Quad(subject, note, ox.Literal("inferred"), inferred))
        return {"engine": "test"}

    layout = discover_layout(mini_tree, build_dir)
    manifest = build(layout, reason=reasoner).manifest
    assert manifest["graphs"]["inferred"]["triples"] == 2
    assert manifest["reasoning"] == {"engine": "test"}
    assert fact in load_built_dataset(layout).graph(graph_iri("inferred"))
    assert build(layout).manifest["reasoning"] is None


def test_build_status_detects_missing_stale_and_fresh(mini_tree: Path, build_dir: Path) -> None:
    layout = discover_layout(mini_tree, build_dir)
    assert build_status(layout).state == MISSING
    build(layout)
    assert build_status(layout).state == FRESH

    parties = mini_tree / "data" / "parties.ttl"
    parties.write_text(parties.read_text() + "\n# edited\n")
    status = build_status(discover_layout(mini_tree, build_dir))
    assert status.state == STALE
    assert "changed: data/parties.ttl" in status.reason

    build(layout)
    (mini_tree / "data" / "extra.ttl").write_text("")
    status = build_status(discover_layout(mini_tree, build_dir))
    assert status.state == STALE
    assert "added: data/extra.ttl" in status.reason

    build(discover_layout(mini_tree, build_dir))
    (mini_tree / "data" / "sources" / "sample.txt").unlink()
    status = build_status(discover_layout(mini_tree, build_dir))
    assert status.state == STALE
    assert "removed: data/sources/sample.txt" in status.reason


def test_build_status_missing_output_and_other_version(mini_tree: Path, build_dir: Path) -> None:
    layout = discover_layout(mini_tree, build_dir)
    build(layout)
    (build_dir / NQUADS_FILE).unlink()
    assert build_status(layout).state == MISSING

    build(layout)
    manifest = json.loads((build_dir / MANIFEST_FILE).read_text())
    manifest["sgkg_version"] = "0.0.0"
    (build_dir / MANIFEST_FILE).write_text(json.dumps(manifest))
    assert build_status(layout).state == STALE


def test_ensure_build_builds_only_when_needed(mini_tree: Path, build_dir: Path) -> None:
    layout = discover_layout(mini_tree, build_dir)
    assert ensure_build(layout).state == MISSING
    first = (build_dir / MANIFEST_FILE).read_bytes()
    assert ensure_build(layout).state == FRESH
    assert (build_dir / MANIFEST_FILE).read_bytes() == first
