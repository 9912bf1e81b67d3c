"""Export and metadata: the whole graph as files, and the dataset described in VoID/DCAT.

- ``/download/sgkg.{ttl,nt,rdf,jsonld,trig,nq}``: triple formats hold the union of
  sgkg's six named graphs (the strict default graph), TriG and N-Quads keep them and add
  each interpretation's graph under its own name (the same content as ``sgkg export``);
- ``/download/``: a page listing them with their sizes;
- ``/void`` (and ``/.well-known/void``): VoID and DCAT with triple counts per graph
  (the interpretation graphs described too), licence, version, distributions and the
  SPARQL endpoint.

All of it is serialised once (:mod:`api.server.static_documents`): at start-up, or for the
whole-graph downloads of a large graph on the first request for each format.
"""

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from api.core.site import DOWNLOAD_PATH, VOID_PATH
from api.formats.negotiation import NotAcceptable, choose_format, wants_html
from api.formats.wire_formats import RDF_FORMATS, WIRE_FORMATS
from api.html.pages import html_response, void_page
from api.server.http_errors import error_responses, plain_error
from api.server.state import LoadedGraph
from api.server.static_documents import VOID_DOCUMENT

router = APIRouter(tags=["export and metadata"])

_RDF_CONTENT = {fmt.media_type: {} for fmt in RDF_FORMATS}


@router.get(
    DOWNLOAD_PATH + "/",
    summary="The downloads, listed (HTML)",
    response_class=Response,
    responses={200: {"description": "the list", "content": {"text/html": {}}}},
)
async def downloads(graph: LoadedGraph) -> Response:
    return html_response(graph.documents.pages["downloads"])


@router.get(
    DOWNLOAD_PATH + "/sgkg.{extension}",
    summary="The whole graph as a file: sgkg.ttl, .nt, .rdf, .jsonld, .trig or .nq",
    response_class=Response,
    responses={
        200: {
            "description": "the graph in the format the extension names",
            "content": _RDF_CONTENT,
        },
        **error_responses(404, 503),
    },
)
async def download(extension: str, graph: LoadedGraph) -> Response:
    fmt = WIRE_FORMATS.get(extension)
    if fmt is None or fmt not in RDF_FORMATS:
        names = ", ".join(f"sgkg{f.extension}" for f in RDF_FORMATS)
        return plain_error(404, f"no download sgkg.{extension}; there are {names}")
    body = await run_in_threadpool(graph.documents.dataset_download, fmt.name)
    return Response(
        body,
        media_type=fmt.content_type,
        headers={"Content-Disposition": f'attachment; filename="sgkg{fmt.extension}"'},
    )


@router.get(
    VOID_PATH,
    summary="VoID and DCAT description of the dataset",
    description="Triple counts per named graph, licence, version, build time, the "
    "downloads (with sizes) and the SPARQL endpoint. RDF by Accept or `format`; "
    "browsers get the Turtle in a page.",
    response_class=Response,
    responses={
        200: {"description": "the description", "content": {**_RDF_CONTENT, "text/html": {}}},
        **error_responses(406, 503),
    },
)
async def void(request: Request, graph: LoadedGraph) -> Response:
    names = tuple(request.query_params.getlist("format"))
    accept = request.headers.get("accept")
    if not names and wants_html(accept, RDF_FORMATS):
        turtle = graph.documents.rdf_document(VOID_DOCUMENT, "ttl").decode("utf-8")
        html = void_page(turtle, version=graph.version)
        return html_response(html, headers={"Vary": "Accept"})
    try:
        fmt = choose_format(RDF_FORMATS, accept, names)
    except NotAcceptable as error:
        return plain_error(406, f"{error}, text/html")
    body = graph.documents.rdf_document(VOID_DOCUMENT, fmt.name)
    return Response(body, media_type=fmt.content_type, headers={"Vary": "Accept"})


@router.get(
    "/.well-known/void",
    summary="Where the VoID description is (RFC 5785 well-known location)",
    response_class=Response,
    responses={303: {"description": "see /void"}},
)
async def well_known_void() -> Response:
    return RedirectResponse(VOID_PATH, status_code=303)
