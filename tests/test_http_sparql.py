"""The SPARQL 1.1 Protocol at /sparql, against `sgkg serve` running on loopback.

Three groups: a real client (SPARQLWrapper) in every result format; the answers
compared with rdflib evaluating the same queries on the exported dump; and the cases of
the W3C SPARQL 1.1 Protocol test suite that apply to a read-only endpoint.
"""

import csv
import http.server
import io
import json
import threading
import xml.etree.ElementTree as ET
from collections import Counter

import httpx
import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from SPARQLWrapper import CSV, GET, JSON, JSONLD, POST, RDFXML, TURTLE, XML, SPARQLWrapper

from api.analysis.competency import load_questions
from api.core.layout import discover_layout
from api.server.routes.sparql import is_query_request
from api.store.interpretations import is_interpretation_graph

from conftest import REPO, RunningServer, free_port

SG = "https://w3id.org/sgkg/ontology#"
ID = "https://w3id.org/sgkg/id/"
DATA_GRAPH = "https://w3id.org/sgkg/graph/data"
SOURCES_GRAPH = "https://w3id.org/sgkg/graph/sources"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
SRX = "{http://www.w3.org/2005/sparql-results#}"

COMPONENTS = f"""PREFIX sg: <{SG}>
SELECT ?component ?number WHERE {{ ?component a sg:Component ; sg:componentNumber ?number }}
ORDER BY ?number"""
ASK_US_LEADS = f"ASK {{ <{ID}mechanism/ceasefire-monitoring-and-verification> ?p ?o }}"
CONSTRUCT_COMPONENTS = f"""PREFIX sg: <{SG}>
CONSTRUCT {{ ?c sg:partOf ?system ; sg:componentNumber ?n }}
WHERE {{ ?c a sg:Component ; sg:partOf ?system ; sg:componentNumber ?n }}"""
DESCRIBE_SYSTEM = f"DESCRIBE <{ID}system/paris-declaration>"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module")
def endpoint(server: RunningServer) -> str:
    return f"{server.url}/sparql"


@pytest.fixture(scope="module")
def manifest(server: RunningServer) -> dict:
    return json.loads((server.build_dir / "manifest.json").read_text())


@pytest.fixture(scope="module")
def dump(server: RunningServer) -> Dataset:
    """The exported dump (TriG, named graphs kept), read by rdflib, without the
    interpretation graphs: the reference for strict answers."""
    answer = httpx.get(f"{server.url}/download/sgkg.trig", timeout=30)
    answer.raise_for_status()
    dataset = Dataset(default_union=True)
    dataset.parse(data=answer.content, format="trig")
    for graph in list(dataset.graphs()):
        if is_interpretation_graph(str(graph.identifier)):
            dataset.remove_graph(graph)
    return dataset


def client(endpoint: str, query: str, fmt: str, method: str = GET) -> SPARQLWrapper:
    sparql = SPARQLWrapper(endpoint)
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    sparql.setMethod(method)
    return sparql


def components_from(fmt: str, converted: object) -> list[tuple[str, str]]:
    """(component IRI, number) rows of COMPONENTS, from SPARQLWrapper's converted result."""
    if fmt == JSON:
        return [
            (row["component"]["value"], row["number"]["value"])
            for row in converted["results"]["bindings"]
        ]
    if fmt == XML:
        root = ET.fromstring(converted.toxml())
        rows = []
        for result in root.iter(f"{SRX}result"):
            values = {b.get("name"): "".join(b.itertext()).strip() for b in result}
            rows.append((values["component"], values["number"]))
        return rows
    reader = csv.DictReader(io.StringIO(converted.decode("utf-8")))
    return [(row["component"], row["number"]) for row in reader]


EXPECTED_COMPONENTS = [(f"{ID}component/{n}", str(n)) for n in range(1, 6)]


# --- SPARQLWrapper, a real SPARQL client ------------------------------------------------


@pytest.mark.parametrize("method", [GET, POST])
@pytest.mark.parametrize("fmt", [JSON, XML, CSV])
def test_select_with_sparqlwrapper(endpoint: str, fmt: str, method: str) -> None:
    result = client(endpoint, COMPONENTS, fmt, method).query()
    assert components_from(fmt, result.convert()) == EXPECTED_COMPONENTS


@pytest.mark.parametrize("fmt", [JSON, XML, CSV])
def test_ask_with_sparqlwrapper(endpoint: str, fmt: str) -> None:
    converted = client(endpoint, ASK_US_LEADS, fmt).query().convert()
    if fmt == JSON:
        assert converted["boolean"] is True
    elif fmt == XML:
        assert "".join(ET.fromstring(converted.toxml()).itertext()).strip() == "true"
    else:
        assert converted.decode().strip() == "true"
    missing = client(endpoint, f"ASK {{ <{ID}nothing> ?p ?o }}", JSON).query().convert()
    assert missing["boolean"] is False


def graph_from(fmt: str, converted: object) -> Graph:
    graph = Graph()
    if fmt == TURTLE:
        graph.parse(data=converted, format="turtle")
    else:  # RDF/XML and JSON-LD come back as rdflib graphs
        for triple in converted:
            graph.add(triple)
    return graph


@pytest.mark.parametrize("fmt", [TURTLE, RDFXML, JSONLD])
@pytest.mark.parametrize(
    "query", [CONSTRUCT_COMPONENTS, DESCRIBE_SYSTEM], ids=["construct", "describe"]
)
def test_graph_queries_with_sparqlwrapper(
    endpoint: str, dump: Dataset, fmt: str, query: str
) -> None:
    served = graph_from(fmt, client(endpoint, query, fmt).query().convert())
    reference = Graph()
    for triple in dump.query(query):
        reference.add(triple)
    assert len(served) > 0
    assert isomorphic(served, reference)


# --- the same answers as rdflib on the exported dump ------------------------------------


def normalised(term: object) -> tuple | None:
    """A result term as (kind, lexical form, language or datatype) for comparison."""
    if term is None:
        return None
    if isinstance(term, dict):  # SPARQL JSON
        if term["type"] == "uri":
            return ("uri", term["value"], None)
        if term["type"] == "bnode":
            return ("bnode", None, None)
        extra = term.get("xml:lang") or term.get("datatype")
        return ("literal", term["value"], None if extra == XSD_STRING else extra)
    if isinstance(term, URIRef):
        return ("uri", str(term), None)
    if isinstance(term, Literal):
        extra = term.language or (str(term.datatype) if term.datatype else None)
        return ("literal", str(term), None if extra == XSD_STRING else extra)
    return ("bnode", None, None)


QUESTIONS = load_questions(discover_layout(REPO))


@pytest.mark.parametrize("question", QUESTIONS, ids=[q.name for q in QUESTIONS])
def test_competency_answers_equal_rdflib_on_the_dump(
    endpoint: str, dump: Dataset, question
) -> None:
    # SPARQLWrapper guesses the query form from keywords, comments included: "…include"
    # in a header line reads as ADD, an update. The header is only comments; leave it out.
    sparql = "\n".join(line for line in question.sparql.splitlines() if not line.startswith("#"))
    converted = client(endpoint, sparql, JSON, POST).query().convert()
    expected = dump.query(sparql)
    if "boolean" in converted:
        assert converted["boolean"] is expected.askAnswer
        return
    variables = converted["head"]["vars"]
    assert variables == [str(v) for v in expected.vars]
    served = Counter(
        tuple(normalised(row.get(v)) for v in variables) for row in converted["results"]["bindings"]
    )
    reference = Counter(tuple(normalised(row[v]) for v in variables) for row in expected)
    assert served == reference
    assert sum(served.values()) > 0


# --- W3C SPARQL 1.1 Protocol test suite: the cases for a read-only endpoint -------------


def count(answer: httpx.Response) -> int:
    assert answer.status_code == 200, answer.text
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


def test_query_get(endpoint: str) -> None:
    answer = httpx.get(endpoint, params={"query": COMPONENTS})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/sparql-results+json"
    assert len(answer.json()["results"]["bindings"]) == 5


def test_query_post_form(endpoint: str) -> None:
    answer = httpx.post(
        endpoint,
        content=httpx.QueryParams({"query": COMPONENTS}).__str__().encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"},
    )
    assert answer.status_code == 200
    assert len(answer.json()["results"]["bindings"]) == 5


def test_query_post_direct(endpoint: str) -> None:
    answer = httpx.post(
        endpoint,
        content=COMPONENTS.encode(),
        headers={"Content-Type": "application/sparql-query; charset=UTF-8", "Accept": "text/csv"},
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.text.splitlines()[0] == "component,number"


def test_dataset_default_graph(endpoint: str, manifest: dict) -> None:
    data = manifest["graphs"]["data"]["triples"]
    sources = manifest["graphs"]["sources"]["triples"]
    assert (
        count(httpx.get(endpoint, params={"query": COUNT, "default-graph-uri": DATA_GRAPH})) == data
    )
    both = [
        ("query", COUNT),
        ("default-graph-uri", DATA_GRAPH),
        ("default-graph-uri", SOURCES_GRAPH),
    ]
    assert count(httpx.get(endpoint, params=both)) == data + sources
    direct = httpx.post(
        endpoint,
        params={"default-graph-uri": DATA_GRAPH},
        content=COUNT,
        headers={"Content-Type": "application/sparql-query"},
    )
    assert count(direct) == data


def test_dataset_named_graphs(endpoint: str) -> None:
    graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    answer = httpx.post(
        endpoint,
        data={"query": graphs, "named-graph-uri": [DATA_GRAPH, SOURCES_GRAPH]},
    )
    assert answer.status_code == 200
    names = [row["g"]["value"] for row in answer.json()["results"]["bindings"]]
    assert names == [DATA_GRAPH, SOURCES_GRAPH]
    # with only named graphs given, the default graph is empty
    assert count(httpx.get(endpoint, params={"query": COUNT, "named-graph-uri": DATA_GRAPH})) == 0


def test_dataset_full(endpoint: str, manifest: dict) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o GRAPH ?g { ?s ?p ?o } }"
    params = [("query", query), ("default-graph-uri", DATA_GRAPH), ("named-graph-uri", DATA_GRAPH)]
    assert count(httpx.get(endpoint, params=params)) == manifest["graphs"]["data"]["triples"]


def test_dataset_in_the_query_and_the_protocol_wins(endpoint: str, manifest: dict) -> None:
    from_data = f"SELECT (COUNT(*) AS ?n) FROM <{DATA_GRAPH}> WHERE {{ ?s ?p ?o }}"
    assert (
        count(httpx.get(endpoint, params={"query": from_data}))
        == (manifest["graphs"]["data"]["triples"])
    )
    overridden = {"query": from_data, "default-graph-uri": SOURCES_GRAPH}
    assert count(httpx.get(endpoint, params=overridden)) == manifest["graphs"]["sources"]["triples"]
    # no dataset anywhere: the union of sgkg's named graphs (interpretation graphs aside)
    assert count(httpx.get(endpoint, params={"query": COUNT})) == manifest["total_triples"]


@pytest.mark.parametrize(
    ("query", "media_type"),
    [
        (COMPONENTS, "application/sparql-results+json"),
        (ASK_US_LEADS, "application/sparql-results+json"),
        (CONSTRUCT_COMPONENTS, "text/turtle; charset=utf-8"),
        (DESCRIBE_SYSTEM, "text/turtle; charset=utf-8"),
    ],
    ids=["select", "ask", "construct", "describe"],
)
def test_content_type_follows_the_query_form(endpoint: str, query: str, media_type: str) -> None:
    answer = httpx.get(endpoint, params={"query": query})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == media_type
    assert "Accept" in answer.headers["vary"]


def test_accept_with_q_values(endpoint: str) -> None:
    accept = "text/csv;q=0.5, application/sparql-results+xml, */*;q=0.1"
    answer = httpx.get(endpoint, params={"query": COMPONENTS}, headers={"Accept": accept})
    assert answer.headers["content-type"] == "application/sparql-results+xml"
    ET.fromstring(answer.content)
    graph_accept = "text/turtle;q=0.2, application/ld+json;q=0.9, application/rdf+xml;q=0.8"
    answer = httpx.get(
        endpoint, params={"query": DESCRIBE_SYSTEM}, headers={"Accept": graph_accept}
    )
    assert answer.headers["content-type"] == "application/ld+json"
    assert len(Graph().parse(data=answer.text, format="json-ld")) > 0


@pytest.mark.parametrize(
    ("query", "fmt", "media_type", "rdflib_format"),
    [
        (COMPONENTS, "tsv", "text/tab-separated-values; charset=utf-8", None),
        (COMPONENTS, "xml", "application/sparql-results+xml", None),
        (CONSTRUCT_COMPONENTS, "nt", "application/n-triples", "nt"),
        (CONSTRUCT_COMPONENTS, "trig", "application/trig", "trig"),
        (CONSTRUCT_COMPONENTS, "rdf", "application/rdf+xml", "xml"),
        (CONSTRUCT_COMPONENTS, "xml", "application/rdf+xml", "xml"),
        (CONSTRUCT_COMPONENTS, "jsonld", "application/ld+json", "json-ld"),
    ],
)
def test_format_parameter_overrides_accept(
    endpoint: str, query: str, fmt: str, media_type: str, rdflib_format: str | None
) -> None:
    for name in ("format", "output"):
        answer = httpx.get(
            endpoint, params={"query": query, name: fmt}, headers={"Accept": "text/csv"}
        )
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == media_type
        if rdflib_format is not None:
            parsed = Dataset().parse(data=answer.content, format=rdflib_format)
            assert len(parsed) == 10  # five components, two triples each


def test_unsupported_accept_is_406_listing_what_is(endpoint: str) -> None:
    answer = httpx.get(endpoint, params={"query": COMPONENTS}, headers={"Accept": "image/png"})
    assert answer.status_code == 406
    assert "application/sparql-results+json" in answer.text
    assert "text/csv" in answer.text
    # a graph format asked for a SELECT result, by parameter
    answer = httpx.get(endpoint, params={"query": COMPONENTS, "format": "ttl"})
    assert answer.status_code == 406
    assert "format=json" in answer.text


def test_bad_query_is_400_with_line_and_column(endpoint: str) -> None:
    answer = httpx.get(endpoint, params={"query": "SELECT * WHERE {\n  ?s ?p \n}"})
    assert answer.status_code == 400
    assert answer.headers["content-type"] == "application/json"
    error = answer.json()
    assert error["message"].startswith("SPARQL syntax error at line 3, column ")
    assert error["line"] == 3 and error["column"] >= 1
    assert error["request_id"] == answer.headers["x-request-id"]
    # a client that prefers plain text gets the message alone
    as_text = httpx.get(
        endpoint,
        params={"query": "SELECT * WHERE {\n  ?s ?p \n}"},
        headers={"Accept": "text/plain, application/sparql-results+json;q=0.9"},
    )
    assert as_text.headers["content-type"] == "text/plain; charset=utf-8"
    assert as_text.text.startswith("SPARQL syntax error at line 3, column ")


def test_multiple_queries_are_400(endpoint: str) -> None:
    answer = httpx.get(endpoint, params=[("query", COUNT), ("query", COUNT)])
    assert answer.status_code == 400
    assert "exactly one" in answer.text


def test_bad_dataset_iri_is_400(endpoint: str) -> None:
    answer = httpx.get(endpoint, params={"query": COUNT, "default-graph-uri": "not an iri"})
    assert answer.status_code == 400


@pytest.mark.parametrize(
    "send",
    [
        lambda url: httpx.get(url, params={"update": "CLEAR ALL"}),
        lambda url: httpx.post(url, data={"update": "INSERT DATA { <a:b> <a:c> <a:d> }"}),
        lambda url: httpx.post(
            url,
            content="CLEAR ALL",
            headers={"Content-Type": "application/sparql-update"},
        ),
    ],
    ids=["update-get", "update-form", "update-direct"],
)
def test_update_is_refused_as_read_only(endpoint: str, manifest: dict, send) -> None:
    answer = send(endpoint)
    assert answer.status_code == 403
    assert "read-only" in answer.text
    assert count(httpx.get(endpoint, params={"query": COUNT})) == manifest["total_triples"]


@pytest.mark.parametrize(
    ("content_type", "status"),
    [
        ("text/plain", 415),
        (None, 415),
        ("application/sparql-query; charset=UTF-16", 415),
    ],
    ids=["wrong-media-type", "missing-type", "not-utf8"],
)
def test_unsupported_request_content_type(
    endpoint: str, content_type: str | None, status: int
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    answer = httpx.post(endpoint, content=COUNT.encode(), headers=headers)
    assert answer.status_code == status
    assert "application/sparql-query" in answer.text or "UTF-8" in answer.text


def test_federated_queries_are_refused_without_a_request(endpoint: str) -> None:
    """SERVICE would make the server fetch any IRI a query names: it is refused."""
    hits: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(500)
            self.end_headers()

        do_POST = do_GET

        def log_message(self, *args: object) -> None:
            pass

    listener = http.server.HTTPServer(("127.0.0.1", free_port()), Recorder)
    thread = threading.Thread(target=listener.serve_forever, daemon=True)
    thread.start()
    try:
        target = f"http://127.0.0.1:{listener.server_port}/sparql"
        query = f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}"
        answer = httpx.get(endpoint, params={"query": query})
    finally:
        listener.shutdown()
        listener.server_close()
    assert answer.status_code == 400
    assert "SERVICE" in answer.text
    assert hits == []
    # the word in a string or an IRI is no SERVICE call
    harmless = 'ASK { ?s ?p "public SERVICE" }'
    assert httpx.get(endpoint, params={"query": harmless}).status_code == 200


def test_other_methods_are_refused(endpoint: str) -> None:
    assert httpx.put(endpoint, content=COUNT).status_code == 405
    assert httpx.delete(endpoint).status_code == 405


def test_service_description_for_rdf_clients(endpoint: str, manifest: dict) -> None:
    answer = httpx.get(endpoint, headers={"Accept": "text/turtle"})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/turtle; charset=utf-8"
    graph = Graph().parse(data=answer.text, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    services = list(graph.subjects(URIRef(sd + "endpoint"), URIRef("https://w3id.org/sgkg/sparql")))
    assert len(services) == 1
    assert (services[0], URIRef(sd + "feature"), URIRef(sd + "UnionDefaultGraph")) in graph
    names = {str(o) for o in graph.objects(None, URIRef(sd + "name"))}
    assert DATA_GRAPH in names
    as_jsonld = httpx.get(endpoint, headers={"Accept": "application/ld+json"})
    assert len(Graph().parse(data=as_jsonld.text, format="json-ld")) == len(graph)


def test_browsers_get_the_query_page(endpoint: str) -> None:
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    answer = httpx.get(endpoint, headers={"Accept": accept})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    assert "Content-Security-Policy" in answer.headers


@pytest.mark.parametrize(
    ("method", "path", "query_string", "taken"),
    [
        ("GET", "/sparql", b"query=ASK%20%7B%7D", True),
        ("GET", "/sparql", b"format=json&update=CLEAR%20ALL", True),  # refused there
        ("POST", "/sparql", b"", True),
        ("GET", "/sparql", b"", False),  # the UI page or the service description
        ("GET", "/sparql", b"format=ttl", False),
        ("GET", "/sparql/", b"query=ASK%20%7B%7D", False),
        ("PUT", "/sparql", b"query=ASK%20%7B%7D", False),  # 405 from the app
        ("GET", "/id/component/3", b"query=x", False),
    ],
)
def test_which_requests_take_the_fast_path(
    method: str, path: str, query_string: bytes, taken: bool
) -> None:
    scope = {"type": "http", "method": method, "path": path, "query_string": query_string}
    assert is_query_request(scope) is taken
