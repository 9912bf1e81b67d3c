"""Export: every format re-parses to the built graph (per named graph for quad formats)."""

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from api.build.export import FORMATS, built_quads, export, get_format
from api.build.pipeline import build
from api.core.layout import GRAPH_NAMES, discover_layout, graph_iri

from conftest import load_built_dataset

SG = "https://w3id.org/sgkg/ontology#"
NAMED = ("ontology", "shapes", "data", "sources")
#: rdflib's names of the formats, to read the exports back with another parser.
RDFLIB_FORMATS = {
    "ttl": "turtle",
    "nt": "nt",
    "rdf": "xml",
    "jsonld": "json-ld",
    "trig": "trig",
    "nq": "nquads",
}


@pytest.fixture
def built(mini_tree: Path, build_dir: Path) -> tuple[list[ox.Quad], Dataset]:
    """The build's quads as export reads them, and the build as rdflib reads sgkg.trig."""
    layout = discover_layout(mini_tree, build_dir)
    build(layout)
    return built_quads(layout), load_built_dataset(layout)


def union_of(dataset: Dataset) -> Graph:
    union = Graph()
    for name in GRAPH_NAMES:
        for triple in dataset.graph(graph_iri(name)):
            union.add(triple)
    return union


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown format"):
        get_format("csv")


@pytest.mark.parametrize("name", [n for n, f in FORMATS.items() if not f.is_quad])
def test_triple_formats_round_trip_the_union(built, name: str) -> None:
    quads, dataset = built
    parsed = Graph().parse(data=export(quads, name), format=RDFLIB_FORMATS[name])
    assert isomorphic(parsed, union_of(dataset))


@pytest.mark.parametrize("name", [n for n, f in FORMATS.items() if f.is_quad])
def test_quad_formats_round_trip_each_named_graph(built, name: str) -> None:
    quads, dataset = built
    parsed = Dataset().parse(data=export(quads, name), format=RDFLIB_FORMATS[name])
    for graph in NAMED:
        original = dataset.graph(graph_iri(graph))
        assert len(original) > 0
        assert isomorphic(parsed.graph(graph_iri(graph)), original)


@pytest.mark.parametrize("name", list(FORMATS))
def test_one_named_graph(built, name: str) -> None:
    quads, dataset = built
    payload = export(quads, name, graph="sources")
    original = dataset.graph(graph_iri("sources"))
    if FORMATS[name].is_quad:
        parsed = Dataset().parse(data=payload, format=RDFLIB_FORMATS[name])
        assert isomorphic(parsed.graph(graph_iri("sources")), original)
        assert len(parsed.graph(graph_iri("data"))) == 0
    else:
        assert isomorphic(Graph().parse(data=payload, format=RDFLIB_FORMATS[name]), original)


def test_prefixes_are_declared_and_json_ld_is_compacted(built) -> None:
    quads, _ = built
    assert b"@prefix sg: <https://w3id.org/sgkg/ontology#> ." in export(quads, "ttl")
    document = json.loads(export(quads, "jsonld"))
    assert document["@context"]["sg"] == "https://w3id.org/sgkg/ontology#"
    assert any(node.get("@type") == ["owl:Ontology"] for node in document["@graph"])


def test_unknown_graph(built) -> None:
    with pytest.raises(ValueError, match="unknown graph"):
        export(built[0], "ttl", graph="nope")


def test_triple_formats_are_strict_and_quad_formats_keep_the_interpretations() -> None:
    """An interpretation's graph goes into TriG and N-Quads under its own name, never
    into the union the triple formats hold."""
    words = (ox.NamedNode("https://w3id.org/sgkg/id/x"), ox.NamedNode(SG + "p"))
    reading = ox.NamedNode("https://w3id.org/sgkg/id/interpretation/a-reading")
    said = ox.Quad(*words, ox.Literal("said"), ox.NamedNode(str(graph_iri("data"))))
    read = ox.Quad(*words, ox.Literal("read"), reading)
    turtle = ox.parse(export([said, read], "ttl"), format=ox.RdfFormat.TURTLE)
    assert [quad.triple for quad in turtle] == [said.triple]
    quads = ox.parse(export([said, read], "nq"), format=ox.RdfFormat.N_QUADS)
    assert set(quads) == {said, read}
