"""Which file goes to which named graph, and where root and build folder are."""

from pathlib import Path

import pytest

from api.core.layout import (
    DATA,
    GRAPH_NAMES,
    ONTOLOGY,
    SHAPES,
    SOURCES,
    discover_layout,
    graph_iri,
    graph_name,
    package_root,
)

from conftest import REPO


def relative(layout, graph: str) -> list[str]:
    return [layout.relative(path) for path in layout.files_for(graph)]


def test_files_are_sorted_into_graphs(mini_tree: Path) -> None:
    (mini_tree / "data" / "text" / "deeper").mkdir()
    (mini_tree / "data" / "text" / "deeper" / "more.ttl").write_text("")
    (mini_tree / "data" / "sources" / "not-rdf.ttl").write_text("raw source folder")
    (mini_tree / "data" / "README.md").write_text("not RDF")
    layout = discover_layout(mini_tree, mini_tree / "build")

    assert relative(layout, ONTOLOGY) == ["ontology/sgkg-vocabularies.ttl", "ontology/sgkg.ttl"]
    assert relative(layout, SHAPES) == ["shapes/sgkg-shapes.ttl"]
    assert relative(layout, DATA) == ["data/mechanisms.trig", "data/parties.ttl"]
    assert relative(layout, SOURCES) == ["data/text/deeper/more.ttl", "data/text/sample.ttl"]
    assert [layout.relative(p) for p in layout.source_texts] == ["data/sources/sample.txt"]
    assert layout.catalog == mini_tree / "ontology" / "catalog-v001.xml"


def test_input_files_cover_rdf_source_texts_and_catalog(mini_tree: Path) -> None:
    layout = discover_layout(mini_tree)
    names = [layout.relative(path) for path in layout.input_files()]
    assert "data/sources/sample.txt" in names
    assert "ontology/catalog-v001.xml" in names
    assert "data/text/sample.ttl" in names
    assert names == sorted(names)


def test_graph_iris() -> None:
    assert str(graph_iri("data")) == "https://w3id.org/sgkg/graph/data"
    assert [graph_name(str(graph_iri(name))) for name in GRAPH_NAMES] == list(GRAPH_NAMES)
    assert graph_name("https://example.org/other") is None
    with pytest.raises(ValueError, match="unknown graph"):
        graph_iri("nope")


def test_root_and_build_dir_defaults_and_overrides(
    mini_tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SGKG_ROOT", raising=False)
    monkeypatch.delenv("SGKG_BUILD_DIR", raising=False)
    assert package_root() == REPO
    default = discover_layout()
    assert default.root == REPO
    assert default.build_dir == REPO / "build"

    monkeypatch.setenv("SGKG_ROOT", str(mini_tree))
    monkeypatch.setenv("SGKG_BUILD_DIR", str(tmp_path / "elsewhere"))
    from_env = discover_layout()
    assert from_env.root == mini_tree
    assert from_env.build_dir == tmp_path / "elsewhere"

    explicit = discover_layout(REPO, tmp_path / "explicit")
    assert explicit.root == REPO
    assert explicit.build_dir == tmp_path / "explicit"


def test_missing_inputs_are_named(tmp_path: Path) -> None:
    assert "is not a directory" in discover_layout(tmp_path / "nothing").missing_inputs()[0]
    (tmp_path / "empty").mkdir()
    problems = discover_layout(tmp_path / "empty").missing_inputs()
    assert len(problems) == 3
    assert any("ontology" in problem for problem in problems)
    assert any("shapes" in problem for problem in problems)
    assert any("data" in problem for problem in problems)
