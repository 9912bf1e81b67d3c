"""Content negotiation rules, and the wire formats pyoxigraph writes."""

import pyoxigraph as ox
import pytest
from rdflib import Graph

from api.formats.negotiation import NotAcceptable, choose_format, parse_accept, quality, wants_html
from api.formats.wire_formats import RDF_FORMATS, RESULT_FORMATS, WIRE_FORMATS, serialize_triples
from api.store.base import has_dataset_clause
from api.store.embedded import EmbeddedStore

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"


def test_accept_parsing_keeps_quality_and_skips_junk() -> None:
    ranges = parse_accept("text/turtle;q=0.5, garbage, application/ld+json , */*;q=0.1")
    assert [(r.type, r.subtype, r.q) for r in ranges] == [
        ("text", "turtle", 0.5),
        ("application", "ld+json", 1.0),
        ("*", "*", 0.1),
    ]
    assert [(r.type, r.subtype, r.q) for r in parse_accept(None)] == [("*", "*", 1.0)]
    assert [(r.type, r.subtype, r.q) for r in parse_accept("  ")] == [("*", "*", 1.0)]


def test_malformed_or_out_of_range_qualities_and_upper_case() -> None:
    """A quality that is not a number asks for nothing; one out of range is clamped;
    media types are compared without regard to case (RFC 9110, section 8.3.1)."""
    assert quality(parse_accept("text/turtle;q=abc"), "text/turtle") == 0.0
    assert quality(parse_accept("text/turtle;q=-1"), "text/turtle") == 0.0
    assert quality(parse_accept("text/turtle;Q=2"), "text/turtle") == 1.0
    assert quality(parse_accept("Text/Turtle;q=0.5"), "text/turtle") == 0.5
    assert choose_format(RDF_FORMATS, "TEXT/TURTLE").name == "ttl"


def test_most_specific_range_decides_quality() -> None:
    ranges = parse_accept("text/*;q=0.3, text/csv;q=0.9, */*;q=0.1")
    assert quality(ranges, "text/csv") == 0.9
    assert quality(ranges, "text/turtle") == 0.3
    assert quality(ranges, "application/json") == 0.1
    assert quality(parse_accept("text/csv;q=0"), "text/csv") == 0.0


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "json"),
        ("*/*", "json"),
        ("application/sparql-results+xml", "xml"),
        ("application/xml", "xml"),
        ("application/json", "json"),
        ("text/csv;q=0.4, text/tab-separated-values;q=0.6", "tsv"),
        ("text/*, application/sparql-results+xml;q=0.1", "csv"),
        ("application/sparql-results+json;q=0, */*", "xml"),
    ],
)
def test_result_format_by_accept(accept: str | None, expected: str) -> None:
    assert choose_format(RESULT_FORMATS, accept).name == expected


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (("json-ld", "application/ld+json"), "jsonld"),  # what SPARQLWrapper sends
        (("xml",), "rdf"),
        (("turtle",), "ttl"),
        (("n3",), "ttl"),
        (("application/n-triples",), "nt"),
        (("bogus", "trig"), "trig"),
    ],
)
def test_format_parameter_names(names: tuple[str, ...], expected: str) -> None:
    assert choose_format(RDF_FORMATS, "text/csv", names).name == expected


def test_not_acceptable_lists_supported_formats() -> None:
    with pytest.raises(NotAcceptable) as caught:
        choose_format(RESULT_FORMATS, "image/png")
    assert "application/sparql-results+json (format=json)" in str(caught.value)
    with pytest.raises(NotAcceptable):
        choose_format(RESULT_FORMATS, None, ("ttl",))


def test_browsers_get_html_and_scripts_get_data() -> None:
    assert wants_html(BROWSER, RDF_FORMATS)
    assert not wants_html("*/*", RDF_FORMATS)
    assert not wants_html(None, RDF_FORMATS)
    assert not wants_html("text/html;q=0.5, text/turtle", RDF_FORMATS)
    assert not wants_html("text/turtle", RDF_FORMATS)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("BASE <http://x/> SELECT * FROM <g> WHERE { ?s ?p ?o }", True),
        ("base <http://x/> select * from named <g> where {}", True),
        ("SELECT ?from WHERE { ?from ?p ?o }", False),
        ("PREFIX ex: <http://x/> SELECT * WHERE { ?s ex:from ?o }", False),
        ("PREFIX from: <x:> SELECT * WHERE { ?s from:p ?o }", False),
        ("SELECT * WHERE { ?s <http://x/FROM> ?o }", False),
        ('SELECT * WHERE { ?s ?p "taken FROM the text" }', False),
        ("# FROM a comment\nSELECT * WHERE { ?s ?p ?o }", False),
        ("SELECT * WHERE { ?s ?p '''a\nFROM b''' }", False),
    ],
)
def test_dataset_clause_detection(query: str, expected: bool) -> None:
    assert has_dataset_clause(query) is expected


def test_native_results_serialise_in_every_format() -> None:
    store = ox.Store()
    subject = ox.NamedNode("https://w3id.org/sgkg/id/component/1")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    graph = ox.NamedNode("https://w3id.org/sgkg/graph/data")
    store.add(ox.Quad(subject, label, ox.Literal("Component 1", language="en"), graph))
    embedded = EmbeddedStore(store)
    triples = list(embedded.query_native("CONSTRUCT WHERE { ?s ?p ?o }"))
    assert len(triples) == 1
    rdflib_names = {"ttl": "turtle", "jsonld": "json-ld", "rdf": "xml", "nt": "nt"}
    for name, rdflib_name in rdflib_names.items():
        body = serialize_triples(triples, WIRE_FORMATS[name])
        parsed = Graph().parse(data=body, format=rdflib_name)
        assert len(parsed) == 1, name
    turtle = serialize_triples(triples, WIRE_FORMATS["ttl"]).decode()
    assert "@prefix rdfs:" in turtle
    assert "@prefix sg:" not in turtle  # only the prefixes it uses
