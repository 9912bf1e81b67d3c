"""Export: every format re-parses to the built graph (per named graph for quad formats)."""

import json
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from api.build.export import FORMATS, export, get_format, union_graph
from api.build.pipeline import build, load_built_dataset
from api.core.layout import discover_layout, graph_iri

NAMED = ("ontology", "shapes", "data", "sources")


@pytest.fixture
def built(mini_tree: Path, build_dir: Path) -> Dataset:
    layout = discover_layout(mini_tree, build_dir)
    build(layout)
    return load_built_dataset(layout)


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown format"):
        get_format("csv")


@pytest.mark.parametrize("name", [n for n, f in FORMATS.items() if not f.is_quad])
def test_triple_formats_round_trip_the_union(built: Dataset, name: str) -> None:
    fmt = FORMATS[name]
    parsed = Graph().parse(data=export(built, name), format=fmt.rdflib_format)
    assert isomorphic(parsed, union_graph(built))


@pytest.mark.parametrize("name", [n for n, f in FORMATS.items() if f.is_quad])
def test_quad_formats_round_trip_each_named_graph(built: Dataset, name: str) -> None:
    fmt = FORMATS[name]
    parsed = Dataset().parse(data=export(built, name), format=fmt.rdflib_format)
    for graph in NAMED:
        original = built.graph(graph_iri(graph))
        assert len(original) > 0
        assert isomorphic(parsed.graph(graph_iri(graph)), original)


@pytest.mark.parametrize("name", list(FORMATS))
def test_one_named_graph(built: Dataset, name: str) -> None:
    fmt = FORMATS[name]
    payload = export(built, name, graph="sources")
    original = built.graph(graph_iri("sources"))
    if fmt.is_quad:
        parsed = Dataset().parse(data=payload, format=fmt.rdflib_format)
        assert isomorphic(parsed.graph(graph_iri("sources")), original)
        assert len(parsed.graph(graph_iri("data"))) == 0
    else:
        assert isomorphic(Graph().parse(data=payload, format=fmt.rdflib_format), original)


def test_prefixes_are_bound(built: Dataset) -> None:
    assert b"@prefix sg: <https://w3id.org/sgkg/ontology#>" in export(built, "ttl")
    context = json.loads(export(built, "jsonld"))["@context"]
    assert context["sg"] == "https://w3id.org/sgkg/ontology#"


def test_unknown_graph(built: Dataset) -> None:
    with pytest.raises(ValueError, match="unknown graph"):
        export(built, "ttl", graph="nope")


def test_triple_formats_are_strict_and_quad_formats_keep_the_interpretations() -> None:
    """An interpretation's graph goes into TriG and N-Quads under its own name, never
    into the union the triple formats hold."""
    dataset = Dataset()
    words = (URIRef("https://w3id.org/sgkg/id/x"), URIRef("https://w3id.org/sgkg/ontology#p"))
    reading = URIRef("https://w3id.org/sgkg/id/interpretation/a-reading")
    dataset.graph(graph_iri("data")).add((*words, Literal("said")))
    dataset.graph(reading).add((*words, Literal("read")))
    turtle = Graph().parse(data=export(dataset, "ttl"), format="turtle")
    assert set(turtle) == {(*words, Literal("said"))}
    quads = Dataset().parse(data=export(dataset, "nq"), format="nquads")
    assert set(quads.graph(reading)) == {(*words, Literal("read"))}
    assert set(quads.graph(graph_iri("data"))) == {(*words, Literal("said"))}
