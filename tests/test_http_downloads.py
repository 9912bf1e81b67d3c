"""Export, metadata, health and the OpenAPI description, on the running server."""

import json
from pathlib import Path

import httpx
import pytest
from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF

from api.core.layout import discover_layout
from api.server.app import create_app
from api.server.settings import Settings

from conftest import REPO, RunningServer

#: (extension, media type, rdflib parser, holds named graphs)
DOWNLOADS = [
    ("ttl", "text/turtle", "turtle", False),
    ("nt", "application/n-triples", "nt", False),
    ("rdf", "application/rdf+xml", "xml", False),
    ("jsonld", "application/ld+json", "json-ld", False),
    ("trig", "application/trig", "trig", True),
    ("nq", "application/n-quads", "nquads", True),
]
# plain namespaces: rdflib's closed DCAT warns when pytest inspects the module
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
VOID = Namespace("http://rdfs.org/ns/void#")
DATASET = URIRef("https://w3id.org/sgkg/void#sgkg")
SD_NAME = URIRef("http://www.w3.org/ns/sparql-service-description#name")


@pytest.fixture(scope="module")
def manifest(server: RunningServer) -> dict:
    return json.loads((server.build_dir / "manifest.json").read_text())


@pytest.fixture(scope="module")
def union_size(server: RunningServer, manifest: dict) -> int:
    """Distinct triples over the six sgkg graphs (what the strict triple formats hold)."""
    dataset = Dataset()
    dataset.parse(data=httpx.get(f"{server.url}/download/sgkg.nq").content, format="nquads")
    six = {URIRef(facts["iri"]) for facts in manifest["graphs"].values()}
    quads = dataset.quads((None, None, None, None))
    return len({(s, p, o) for s, p, o, g in quads if g in six})


@pytest.mark.parametrize(("extension", "media_type", "rdflib_format", "is_quad"), DOWNLOADS)
def test_downloads_reparse_with_every_triple(
    server: RunningServer,
    manifest: dict,
    union_size: int,
    extension: str,
    media_type: str,
    rdflib_format: str,
    is_quad: bool,
) -> None:
    answer = httpx.get(f"{server.url}/download/sgkg.{extension}", timeout=30)
    assert answer.status_code == 200
    assert answer.headers["content-type"].split(";")[0] == media_type
    assert answer.headers["content-disposition"] == f'attachment; filename="sgkg.{extension}"'
    if is_quad:
        dataset = Dataset()
        dataset.parse(data=answer.content, format=rdflib_format)
        for name, facts in manifest["graphs"].items():
            graph = dataset.graph(URIRef(facts["iri"]))
            assert len(graph) == facts["triples"], name
        readings = manifest["interpretation_graphs"]
        assert readings
        for iri, triples in readings.items():  # each interpretation under its own name
            assert len(dataset.graph(URIRef(iri))) == triples, iri
    else:
        assert len(Graph().parse(data=answer.content, format=rdflib_format)) == union_size
    assert server.url.encode() not in answer.content


def test_download_equals_sgkg_export(server: RunningServer, sgkg, tmp_path) -> None:
    """The server writes what its store holds, `sgkg export` what the build files hold:
    the same graph."""
    exported = tmp_path / "sgkg.nq"
    run = sgkg("--build-dir", server.build_dir, "export", "--format", "nq", "-o", exported)
    assert run.code == 0, run.err
    by_cli, by_http = Dataset(), Dataset()
    by_cli.parse(exported, format="nquads")
    by_http.parse(data=httpx.get(f"{server.url}/download/sgkg.nq").content, format="nquads")
    for context in by_cli.graphs():
        if len(context):
            served = by_http.graph(context.identifier)
            # blank nodes (the shapes' property shapes) are labelled differently by each
            # writer: same ground triples, same number of the others
            assert ground(served) == ground(context), context.identifier
            assert len(served) == len(context), context.identifier


def ground(graph: Graph) -> set:
    return {t for t in graph if not any(isinstance(term, BNode) for term in t)}


def test_unknown_download_lists_the_real_ones(server: RunningServer) -> None:
    answer = httpx.get(f"{server.url}/download/sgkg.xlsx")
    assert answer.status_code == 404
    assert "sgkg.ttl" in answer.text and "sgkg.nq" in answer.text


def test_downloads_page(server: RunningServer) -> None:
    answer = httpx.get(f"{server.url}/download/")
    assert answer.status_code == 200
    for extension, *_ in DOWNLOADS:
        assert f'href="/download/sgkg.{extension}"' in answer.text


def test_void_and_dcat_description(server: RunningServer, manifest: dict) -> None:
    answer = httpx.get(f"{server.url}/void", headers={"Accept": "text/turtle"})
    assert answer.status_code == 200
    void = Graph().parse(data=answer.text, format="turtle")
    assert (DATASET, RDF.type, VOID.Dataset) in void
    assert (DATASET, RDF.type, DCAT.Dataset) in void
    assert void.value(DATASET, VOID.triples).toPython() == manifest["total_triples"]
    assert void.value(DATASET, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    assert void.value(DATASET, DCAT.version) == Literal(manifest["sgkg_version"])
    assert void.value(DATASET, VOID.sparqlEndpoint) == URIRef("https://w3id.org/sgkg/sparql")
    for name, facts in manifest["graphs"].items():
        subset = void.value(predicate=SD_NAME, object=URIRef(facts["iri"]))
        assert (DATASET, VOID.subset, subset) in void, name
        assert void.value(subset, VOID.triples).toPython() == facts["triples"]
    for iri, triples in manifest["interpretation_graphs"].items():
        subset = void.value(predicate=SD_NAME, object=URIRef(iri))
        assert (DATASET, VOID.subset, subset) in void, iri
        assert void.value(subset, VOID.triples).toPython() == triples
        described = str(void.value(subset, DCTERMS.description))
        slug = iri.rsplit("/", 1)[-1]
        assert (
            f"It is not in the default graph: a query includes it with the parameter "
            f"interpretations={slug}" in described
        )
    for extension, media_type, *_ in DOWNLOADS:
        url = URIRef(f"https://w3id.org/sgkg/download/sgkg.{extension}")
        assert (DATASET, VOID.dataDump, url) in void
        assert (DATASET, DCAT.distribution, url) in void
        assert str(void.value(url, DCAT.mediaType)).endswith(media_type)
        size = len(httpx.get(f"{server.url}/download/sgkg.{extension}", timeout=30).content)
        assert void.value(url, DCAT.byteSize).toPython() == size
    as_jsonld = httpx.get(f"{server.url}/void", params={"format": "jsonld"})
    assert len(Graph().parse(data=as_jsonld.text, format="json-ld")) == len(void)
    page = httpx.get(f"{server.url}/void", headers={"Accept": "text/html"})
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    well_known = httpx.get(f"{server.url}/.well-known/void")
    assert well_known.status_code == 303
    assert well_known.headers["location"] == "/void"


def test_health_says_ready_with_counts(server: RunningServer, manifest: dict) -> None:
    answer = httpx.get(f"{server.url}/health")
    assert answer.status_code == 200
    health = answer.json()
    assert health["status"] == "ready"
    assert health["conforms"] is True
    assert health["version"] == manifest["sgkg_version"]
    assert health["built_at"] == manifest["built_at"]
    assert health["triples"] == {name: g["triples"] for name, g in manifest["graphs"].items()}
    assert health["total_triples"] == health["quads_in_store"] == manifest["total_triples"]
    assert health["interpretations"] == len(manifest["interpretation_graphs"]) > 0


def test_cors_lets_other_pages_query(server: RunningServer) -> None:
    answer = httpx.get(
        f"{server.url}/sparql",
        params={"query": "ASK {}"},
        headers={"Origin": "https://example.org"},
    )
    assert answer.headers["access-control-allow-origin"] == "*"
    # a page on another origin can read whether an answer rests on interpretations
    exposed = answer.headers["access-control-expose-headers"].lower()
    assert "sgkg-answer-mode" in exposed and "sgkg-interpretations" in exposed


def test_openapi_describes_every_route(server: RunningServer) -> None:
    described = httpx.get(f"{server.url}/openapi.json").json()
    app = create_app(Settings(layout=discover_layout(REPO)))
    for route in app.routes:
        methods = getattr(route, "methods", None)
        if not methods or not getattr(route, "include_in_schema", False):
            continue
        for method in methods - {"HEAD"}:
            operation = described["paths"][route.path][method.lower()]
            assert operation.get("summary"), route.path
            assert operation["responses"], route.path
    sparql = described["paths"]["/sparql"]
    names = {p["name"] for p in sparql["get"]["parameters"]}
    assert {"query", "default-graph-uri", "named-graph-uri", "format", "output"} <= names
    for method in ("get", "post"):
        responses = sparql[method]["responses"]
        assert {"200", "400", "403", "406", "415", "503"} <= set(responses)
        media = set(responses["200"]["content"])
        assert {"application/sparql-results+json", "text/csv", "text/turtle"} <= media
        assert "text/plain" in responses["400"]["content"]
    body = sparql["post"]["requestBody"]["content"]
    assert {"application/x-www-form-urlencoded", "application/sparql-query"} <= set(body)
    describe = described["paths"]["/id/{path}"]["get"]["responses"]
    assert {"text/html", "text/turtle", "application/ld+json"} <= set(describe["200"]["content"])
    assert "404" in describe


def test_docs_page_uses_local_swagger_ui(server: RunningServer, ui_assets) -> None:
    page = httpx.get(f"{server.url}/docs")
    assert page.status_code == 200
    assert "/assets/swagger-ui/swagger-ui-bundle.js" in page.text
    assert "cdn" not in page.text.lower()
    bundle = httpx.get(f"{server.url}/assets/swagger-ui/swagger-ui-bundle.js")
    assert bundle.status_code == 200
    assert bundle.headers["content-type"].startswith("text/javascript")


def test_large_graphs_write_their_downloads_on_first_request(served_build: Path) -> None:
    """Past EAGER_DOWNLOAD_TRIPLES the server starts without serialising the whole graph
    six times; each format is written when first asked for, the same bytes as eagerly."""
    from api.server.static_documents import DATASET, EAGER_DOWNLOAD_TRIPLES, build_documents
    from api.store.embedded import EmbeddedStore

    store = EmbeddedStore.from_nquads(served_build / "sgkg.nq")
    manifest = json.loads((served_build / "manifest.json").read_text())
    eager = build_documents(store, manifest)
    large = build_documents(store, {**manifest, "total_triples": EAGER_DOWNLOAD_TRIPLES + 1})
    assert not [key for key in large.rdf if key[0] == DATASET]
    assert "written on first request" in large.pages["downloads"]
    for name in ("nq", "ttl"):
        assert large.dataset_download(name) == eager.dataset_download(name)
    assert (DATASET, "nq") in large.rdf  # kept for the next request
