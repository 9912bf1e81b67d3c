"""Linked data on the running server: every route, every format, content negotiation.

The reference for what a description must hold is the exported dump read by rdflib:
the resource's own triples (with its ``#position``-style parts), the triples linking to
it, and the labels of what they mention.
"""

import json
import re
from html.parser import HTMLParser

import httpx
import pytest
from markupsafe import escape
from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.namespace import RDFS

from conftest import RunningServer

ID = "https://w3id.org/sgkg/id/"
SG = "https://w3id.org/sgkg/ontology#"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

#: (Accept media type, suffix, rdflib parser name)
RDF_FORMATS = [
    ("text/turtle", ".ttl", "turtle"),
    ("application/ld+json", ".jsonld", "json-ld"),
    ("application/rdf+xml", ".rdf", "xml"),
    ("application/n-triples", ".nt", "nt"),
]
DOCUMENT_FORMATS = [
    *RDF_FORMATS,
    ("application/trig", ".trig", "trig"),
    ("application/n-quads", ".nq", "nquads"),
]
RESOURCES = [
    "component/3",
    "passage/paris-final-c1",
    "mechanism/special-commission",
    "condition/ukraine-request-and-credible-cessation",
    "wording/will",
    "version/paris-final",
]


@pytest.fixture(scope="module")
def dump(server: RunningServer) -> Graph:
    answer = httpx.get(f"{server.url}/download/sgkg.trig", timeout=30)
    dataset = Dataset(default_union=True)
    dataset.parse(data=answer.content, format="trig")
    union = Graph()
    for triple in dataset.triples((None, None, None)):
        union.add(triple)
    return union


@pytest.fixture(scope="module")
def manifest(server: RunningServer) -> dict:
    return json.loads((server.build_dir / "manifest.json").read_text())


def parse(answer: httpx.Response, rdflib_format: str) -> Graph:
    assert answer.status_code == 200, answer.text
    if rdflib_format in ("trig", "nquads"):
        dataset = Dataset()
        dataset.parse(data=answer.content, format=rdflib_format)
        graph = Graph()
        for s, p, o, _ in dataset.quads((None, None, None, None)):
            graph.add((s, p, o))
        return graph
    return Graph().parse(data=answer.content, format=rdflib_format)


def expected_description(dump: Graph, iri: URIRef) -> Graph:
    """Own triples, owned parts (hash IRIs), incoming links: what must be served."""
    expected = Graph()
    for triple in dump.triples((iri, None, None)):
        expected.add(triple)
        part = triple[2]
        if isinstance(part, URIRef) and str(part).startswith(f"{iri}#"):
            for part_triple in dump.triples((part, None, None)):
                expected.add(part_triple)
    for triple in dump.triples((None, None, iri)):
        if not isinstance(triple[0], BNode):  # a cell of another's list (sh:in): theirs
            expected.add(triple)
    return expected


@pytest.mark.parametrize("path", RESOURCES)
@pytest.mark.parametrize(("media_type", "suffix", "rdflib_format"), RDF_FORMATS)
def test_resource_in_every_rdf_format(
    server: RunningServer, dump: Graph, path: str, media_type: str, suffix: str, rdflib_format: str
) -> None:
    iri = URIRef(ID + path)
    by_accept = httpx.get(f"{server.url}/id/{path}", headers={"Accept": media_type})
    assert by_accept.headers["content-type"].split(";")[0] == media_type
    assert "Accept" in by_accept.headers["vary"]
    assert by_accept.headers["content-location"] == f"/id/{path}{suffix}"
    served = parse(by_accept, rdflib_format)
    missing = [t for t in expected_description(dump, iri) if t not in served]
    assert missing == []
    # labels of what the description links to come along
    for obj in served.objects(iri, None):
        if isinstance(obj, URIRef) and dump.value(obj, RDFS.label) is not None:
            assert served.value(obj, RDFS.label) is not None, obj
    # canonical IRIs, never the server's address
    assert server.url.encode() not in by_accept.content
    by_suffix = httpx.get(f"{server.url}/id/{path}{suffix}")
    assert by_suffix.headers["content-type"].split(";")[0] == media_type
    assert len(parse(by_suffix, rdflib_format)) == len(served)


def test_format_parameter_and_q_values(server: RunningServer) -> None:
    url = f"{server.url}/id/component/3"
    answer = httpx.get(url, params={"format": "jsonld"}, headers={"Accept": "text/turtle"})
    assert answer.headers["content-type"] == "application/ld+json"
    accept = "text/turtle;q=0.5, application/rdf+xml;q=0.9, text/html;q=0.1"
    answer = httpx.get(url, headers={"Accept": accept})
    assert answer.headers["content-type"] == "application/rdf+xml"
    # no Accept, or */*: data (Turtle), not a page
    assert (
        httpx.get(url, headers={"Accept": "*/*"}).headers["content-type"].startswith("text/turtle")
    )


def test_unsupported_accept_is_406(server: RunningServer) -> None:
    answer = httpx.get(f"{server.url}/id/component/3", headers={"Accept": "image/png"})
    assert answer.status_code == 406
    assert "text/turtle" in answer.text
    assert "text/html" in answer.text


class Links(HTMLParser):
    """The hrefs and element ids of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("href"):
            self.hrefs.append(values["href"])
        if values.get("id"):
            self.ids.add(values["id"])


def links_of(html: str) -> Links:
    parser = Links()
    parser.feed(html)
    return parser


def assert_page(answer: httpx.Response) -> str:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    assert "script-src 'self'" in answer.headers["content-security-policy"]
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["x-frame-options"] == "DENY"
    return answer.text


def test_resource_page_for_browsers(server: RunningServer, dump: Graph) -> None:
    html = assert_page(httpx.get(f"{server.url}/id/component/3", headers={"Accept": BROWSER}))
    assert "<h1>Component 3: a Multinational Force for Ukraine</h1>" in html
    links = links_of(html).hrefs
    assert "/ontology#Component" in links  # the type, browsed locally
    assert "/id/system/paris-declaration" in links  # sg:partOf
    assert "/id/component/3.ttl" in links and "/id/component/3.jsonld" in links
    # the evidence: each passage's exact quote, its version and offsets
    for passage in dump.objects(URIRef(ID + "component/3"), URIRef(SG + "hasEvidence")):
        quote = str(dump.value(passage, URIRef(SG + "quote")))
        start = dump.value(passage, URIRef(SG + "startOffset"))
        end = dump.value(passage, URIRef(SG + "endOffset"))
        version = dump.value(passage, URIRef(SG + "inVersion"))
        assert str(escape(quote)) in html  # as the templates escape it
        assert f"characters {start} to {end}" in html
        assert str(version).replace("https://w3id.org/sgkg", "") in links
    assert "What links here" in html
    # canonical IRI shown, every sgkg link local
    assert "https://w3id.org/sgkg/id/component/3" in html
    assert not [h for h in links if h.startswith("https://w3id.org/sgkg/")]


def test_passage_page_shows_its_quote_and_hash_parts(server: RunningServer, dump: Graph) -> None:
    html = assert_page(httpx.get(f"{server.url}/id/passage/paris-final-c1.html"))
    assert {"position", "quote"} <= links_of(html).ids  # the #position and #quote selectors
    assert "TextPositionSelector" in html
    passage = URIRef(ID + "passage/paris-final-c1")
    quote = str(dump.value(passage, URIRef(SG + "quote")))
    assert str(escape(quote)) in html  # as the templates escape it
    assert "/id/component/1" in links_of(html).hrefs  # evidence for component 1 links here


def test_concept_page_has_its_definition(server: RunningServer) -> None:
    html = assert_page(httpx.get(f"{server.url}/id/wording/will", headers={"Accept": BROWSER}))
    assert "<h2>Definition</h2>" in html
    assert "Future indicative" in html


def test_unknown_iri_is_a_helpful_404(server: RunningServer) -> None:
    page = httpx.get(f"{server.url}/id/mechanism/special-comission", headers={"Accept": BROWSER})
    assert page.status_code == 404
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert "https://w3id.org/sgkg/id/mechanism/special-comission" in page.text
    links = links_of(page.text).hrefs
    assert "/id/mechanism/special-commission" in links  # did you mean
    assert "/id/" in links and "/id/mechanism/" in links
    text = httpx.get(
        f"{server.url}/id/mechanism/special-comission", headers={"Accept": "text/turtle"}
    )
    assert text.status_code == 404
    assert text.headers["content-type"] == "application/json"  # errors: JSON
    assert "/id/mechanism/special-commission" in text.json()["message"]
    unknown_kind = httpx.get(f"{server.url}/id/nothing/here.ttl")
    assert unknown_kind.status_code == 404


def test_browsing_index(server: RunningServer) -> None:
    html = assert_page(httpx.get(f"{server.url}/id/"))
    assert "/id/mechanism/" in links_of(html).hrefs
    listing = assert_page(httpx.get(f"{server.url}/id/mechanism/"))
    hrefs = links_of(listing).hrefs
    for slug in ("special-commission", "coordination-cell", "defence-depots"):
        assert f"/id/mechanism/{slug}" in hrefs
    assert httpx.get(f"{server.url}/id/no-such-kind/").status_code == 404


@pytest.mark.parametrize("document", ["ontology", "shapes"])
@pytest.mark.parametrize(("media_type", "suffix", "rdflib_format"), DOCUMENT_FORMATS)
def test_ontology_and_shapes_in_every_format(
    server: RunningServer,
    manifest: dict,
    document: str,
    media_type: str,
    suffix: str,
    rdflib_format: str,
) -> None:
    triples = manifest["graphs"][document]["triples"]
    by_accept = httpx.get(f"{server.url}/{document}", headers={"Accept": media_type})
    assert by_accept.headers["content-type"].split(";")[0] == media_type
    assert len(parse(by_accept, rdflib_format)) == triples
    by_suffix = httpx.get(f"{server.url}/{document}{suffix}")
    assert len(parse(by_suffix, rdflib_format)) == triples
    assert server.url.encode() not in by_accept.content


def test_ontology_page_lists_terms_with_anchors(server: RunningServer) -> None:
    html = assert_page(httpx.get(f"{server.url}/ontology", headers={"Accept": BROWSER}))
    ids = links_of(html).ids
    for term in ("Mechanism", "Passage", "hasEvidence", "partOf", "quote", "startOffset"):
        assert term in ids, term
    assert "Security Guarantee Knowledge Graph ontology" in html
    assert {"sec-classes", "sec-object-properties", "sec-concept-schemes"} <= ids
    assert "/id/wording/will" in links_of(html).hrefs  # concept scheme members, browsable
    assert re.search(r"creativecommons\.org/licenses/by/4\.0", html)
    assert "<svg" in html  # the class diagram (Graphviz)
    # the page is the one `sgkg docs` writes, with sgkg IRIs browsable on this server
    assert not [href for href in links_of(html).hrefs if href.startswith("https://w3id.org/")]


def test_shapes_page_lists_shapes_and_messages(server: RunningServer) -> None:
    html = assert_page(httpx.get(f"{server.url}/shapes", headers={"Accept": BROWSER}))
    assert "PassageShape" in links_of(html).ids
    assert "A passage must be in exactly one sg:TextVersion (sg:inVersion)." in html


@pytest.mark.parametrize("path", ["ontology/vocabularies", "ontology/0.2.0"])
def test_modules_and_versions_redirect_to_the_ontology(server: RunningServer, path: str) -> None:
    answer = httpx.get(f"{server.url}/{path}", headers={"Accept": "text/turtle"})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/ontology"
    assert httpx.get(f"{server.url}/ontology/9.9.9").status_code == 404


def test_json_ld_is_compacted_with_a_context(server: RunningServer) -> None:
    """JSON-LD reads like the Turtle: a @context of the prefixes, @type, prefixed names;
    a JSON-LD processor expands it back to the same triples as the Turtle."""
    url = f"{server.url}/id/mechanism/special-commission"
    document = httpx.get(f"{url}.jsonld").json()
    assert document["@context"]["sg"] == SG
    focus = document["@graph"][0]
    assert focus["@id"] == f"{ID}mechanism/special-commission"
    assert "sg:Commission" in focus["@type"]
    assert "rdfs:label" in focus
    as_turtle = Graph().parse(data=httpx.get(f"{url}.ttl").text, format="turtle")
    as_jsonld = Graph().parse(data=json.dumps(document), format="json-ld")
    assert as_jsonld.isomorphic(as_turtle)
