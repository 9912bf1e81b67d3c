"""Linked data: every sgkg IRI dereferences on the local server, by content negotiation.

- ``/id/{kind}/{slug}`` describes ``https://w3id.org/sgkg/id/{kind}/{slug}``: a page for
  browsers; Turtle, JSON-LD, RDF/XML or N-Triples for RDF clients (Accept, or a
  ``.ttl`` / ``.jsonld`` / ``.rdf`` / ``.nt`` suffix, or ``.html`` for the page);
- ``/id/`` and ``/id/{kind}/`` are the browsing index;
- ``/ontology`` (both modules: ``/ontology#Term`` lands on the term's entry) and
  ``/shapes`` in every RDF format and as a page; the vocabularies module and the version
  IRIs redirect to ``/ontology``.

An unknown IRI gets a 404 that says what was looked up and suggests close matches.
"""

import pyoxigraph as ox
from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from api.analysis.reading import read_passages
from api.core.namespaces import SG
from api.core.site import ID_PATH, ONTOLOGY_PATH, SHAPES_PATH, instance_iri
from api.formats.negotiation import NotAcceptable, negotiated_format, split_suffix
from api.formats.wire_formats import RDF_FORMATS, WIRE_FORMATS, WireFormat
from api.html.pages import (
    PAGE_FORMATS,
    ResourceExtras,
    html_response,
    index_page,
    kind_page,
    not_found_page,
    resource_page,
)
from api.linked_data.citation import Citation, cite_passage
from api.linked_data.resource_description import (
    ResourceView,
    description_query,
    page_query,
    resource_view,
)
from api.query.executor import QueryRequest
from api.server.http_errors import error_responses, plain_error
from api.server.routes.reading import reading_page
from api.server.served_graph import ServedGraph
from api.server.state import LoadedGraph
from api.server.static_documents import ONTOLOGY_DOCUMENT, SHAPES_DOCUMENT

router = APIRouter(tags=["linked data"])


def _responses(formats: tuple[WireFormat, ...], *errors: int) -> dict:
    content = {"text/html": {}, **{fmt.media_type: {} for fmt in formats}}
    return {
        200: {"description": "the description, in the negotiated format", "content": content},
        **error_responses(*errors),
    }


@router.get(
    ID_PATH + "/",
    summary="Index of resources by kind (HTML)",
    response_class=Response,
    responses={200: {"description": "the index", "content": {"text/html": {}}}},
)
async def id_index(graph: LoadedGraph) -> Response:
    return html_response(index_page(await graph.resource_index(), version=graph.version))


@router.get(
    ID_PATH + "/{path:path}",
    summary="Describe https://w3id.org/sgkg/id/{path}",
    description="The resource's own triples (with its hash-IRI parts such as selectors), "
    "the triples linking to it and the labels of what they mention. HTML for browsers; "
    "Turtle, JSON-LD, RDF/XML or N-Triples by Accept, by `format`, or by a suffix "
    "(`/id/component/3.ttl`). A path ending in `/` lists the resources of a kind.",
    response_class=Response,
    responses=_responses(PAGE_FORMATS, 404, 406, 503),
)
async def describe(path: str, request: Request, graph: LoadedGraph) -> Response:
    if path.endswith("/") or "/" not in path:
        return await _kind_listing(path.strip("/"), graph)
    path, suffix = split_suffix(path, PAGE_FORMATS)
    try:
        fmt = negotiated_format(request, PAGE_FORMATS, suffix)
    except NotAcceptable as error:
        return plain_error(406, f"{error}, text/html")
    iri = instance_iri(path)
    try:
        ox.NamedNode(iri)
    except ValueError:
        return await _not_found(iri, path, graph, as_html=fmt is None)
    if fmt is None:
        return await _resource_page(iri, path, graph)
    answer = await graph.executor.execute(
        QueryRequest(description_query(iri), format_names=(fmt.name,), focus=iri)
    )
    if not answer.triple_count:
        return await _not_found(iri, path, graph, as_html=False)
    headers = {"Vary": "Accept", "Content-Location": f"{ID_PATH}/{path}{fmt.extension}"}
    return Response(answer.body, media_type=fmt.content_type, headers=headers)


async def _resource_page(iri: str, path: str, graph: ServedGraph) -> Response:
    versions = await run_in_threadpool(graph.reading.versions)
    if iri in versions:  # a text version: the reading view
        return await reading_page(graph, iri, path)
    nt = WIRE_FORMATS["nt"]
    answer = await graph.executor.execute(QueryRequest(page_query(iri), format_names=(nt.name,)))
    triples = list(ox.parse(answer.body, format=nt.oxigraph))
    if not triples:
        return await _not_found(iri, path, graph, as_html=True)
    view = resource_view(iri, triples)
    extras = await run_in_threadpool(_extras, graph, view)
    html = resource_page(view, path, version=graph.version, extras=extras)
    return html_response(html, headers={"Vary": "Accept"})


def _extras(graph: ServedGraph, view: ResourceView) -> ResourceExtras:
    """What the page adds to the resource's triples: a statement as the reading room
    reads it, the interpretations about it (apart), what an interpretation adds, and a
    passage's citation. Blocking: run it in a worker thread."""
    room = graph.reading
    notes = room.notes()
    statement = room.statement(view.iri)
    citation = _citation(graph, view) if str(SG.Passage) in view.types else None
    return ResourceExtras(
        statement=statement,
        notes=notes.about(view.iri),
        interpretation=notes.get(view.iri),
        citation=citation,
    )


def _citation(graph: ServedGraph, view: ResourceView) -> Citation | None:
    version_iri = _first_value(view, str(SG.inVersion))
    versions = graph.reading.versions()
    if version_iri not in versions:
        return None
    passage = read_passages(graph.reading.store, version_iri).get(view.iri)
    if passage is None:
        return None
    return cite_passage(passage, versions[version_iri], graph.version)


def _first_value(view: ResourceView, predicate: str) -> str | None:
    for name, values in view.properties:
        if name == predicate and values:
            return values[0].value
    return None


async def _kind_listing(kind: str, graph: ServedGraph) -> Response:
    entries = (await graph.resource_index()).entries(kind)
    if not entries:
        return await _not_found(instance_iri(kind + "/"), kind, graph, as_html=True)
    return html_response(kind_page(kind, entries, version=graph.version))


async def _not_found(iri: str, path: str, graph: ServedGraph, *, as_html: bool) -> Response:
    index = await graph.resource_index()
    suggestions = index.suggestions(path)
    if as_html:
        html = not_found_page(iri, suggestions, index.kinds, version=graph.version)
        return html_response(html, status_code=404)
    lines = [f"nothing in the graph has the IRI <{iri}>."]
    if suggestions:
        lines.append("did you mean: " + ", ".join(f"{ID_PATH}/{e.path}" for e in suggestions))
    lines.append(f"browse {ID_PATH}/ for every resource by kind, or query /sparql.")
    return plain_error(404, "\n".join(lines))


# --- ontology and shapes --------------------------------------------------------------


async def _document(
    request: Request, graph: ServedGraph, document: str, suffix: str | None
) -> Response:
    try:
        fmt = negotiated_format(request, RDF_FORMATS, suffix)
    except NotAcceptable as error:
        return plain_error(406, f"{error}, text/html")
    if fmt is None:
        if document == ONTOLOGY_DOCUMENT:  # the documentation page of `sgkg docs`
            html = await run_in_threadpool(lambda: graph.documents.ontology_documentation)
            return html_response(html, headers={"Vary": "Accept"})
        return html_response(graph.documents.pages[document], headers={"Vary": "Accept"})
    body = graph.documents.rdf_document(document, fmt.name)
    return Response(body, media_type=fmt.content_type, headers={"Vary": "Accept"})


@router.get(
    ONTOLOGY_PATH,
    summary="The ontology (both modules)",
    description="A readable page for browsers (each term at `/ontology#Term`), or the "
    "ontology graph in any RDF format by Accept or `format`.",
    response_class=Response,
    responses=_responses(RDF_FORMATS, 406, 503),
)
async def ontology(request: Request, graph: LoadedGraph) -> Response:
    return await _document(request, graph, ONTOLOGY_DOCUMENT, None)


@router.get(
    SHAPES_PATH,
    summary="The SHACL shapes",
    description="A readable page for browsers (each shape at `/shapes#Shape`), or the "
    "shapes graph in any RDF format by Accept or `format`.",
    response_class=Response,
    responses=_responses(RDF_FORMATS, 406, 503),
)
async def shapes(request: Request, graph: LoadedGraph) -> Response:
    return await _document(request, graph, SHAPES_DOCUMENT, None)


@router.get(
    ONTOLOGY_PATH + ".{extension}",
    summary="The ontology in the format its extension names (ttl, jsonld, rdf, nt, trig, nq)",
    response_class=Response,
    responses=_responses(RDF_FORMATS, 404, 503),
)
async def ontology_file(extension: str, request: Request, graph: LoadedGraph) -> Response:
    return await _document_file(request, graph, ONTOLOGY_DOCUMENT, extension)


@router.get(
    SHAPES_PATH + ".{extension}",
    summary="The shapes in the format its extension names (ttl, jsonld, rdf, nt, trig, nq)",
    response_class=Response,
    responses=_responses(RDF_FORMATS, 404, 503),
)
async def shapes_file(extension: str, request: Request, graph: LoadedGraph) -> Response:
    return await _document_file(request, graph, SHAPES_DOCUMENT, extension)


async def _document_file(
    request: Request, graph: ServedGraph, document: str, extension: str
) -> Response:
    if extension != "html" and extension not in WIRE_FORMATS:
        return plain_error(404, f"no /{document}.{extension}; try .ttl, .jsonld, .rdf or .nt")
    if extension in WIRE_FORMATS and WIRE_FORMATS[extension] not in RDF_FORMATS:
        return plain_error(404, f"no /{document}.{extension}; try .ttl, .jsonld, .rdf or .nt")
    return await _document(request, graph, document, extension)


@router.get(
    ONTOLOGY_PATH + "/{rest:path}",
    summary="The vocabularies module and version IRIs: redirect to /ontology",
    response_class=Response,
    responses={
        303: {"description": "the ontology document that holds it"},
        **error_responses(404, 503),
    },
)
async def ontology_module(rest: str, graph: LoadedGraph) -> Response:
    version = graph.documents.facts.ontology_version
    if rest in ("vocabularies", f"vocabularies/{version}", str(version)):
        return RedirectResponse(ONTOLOGY_PATH, status_code=303)
    return plain_error(
        404, f"no ontology module or version {rest!r}; the ontology is at {ONTOLOGY_PATH}"
    )
