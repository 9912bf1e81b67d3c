"""The SPARQL 1.1 Protocol at ``/sparql`` (read-only).

- query via GET (``?query=``), via URL-encoded POST, or via POST of
  ``application/sparql-query`` with the dataset parameters in the URL;
- ``default-graph-uri`` / ``named-graph-uri`` set the dataset (otherwise the default
  graph is the union of sgkg's six named graphs: an answer strictly from the words);
- ``interpretations`` adds interpretations (:mod:`api.store.interpretations`): ``all``, or
  their names; the answer then says which of them it rests on, in the
  ``SGKG-Interpretations`` header and, for SPARQL JSON results, in ``head.link``.
  ``SGKG-Answer-Mode`` says ``strict`` or ``interpreted``;
- the answer's format follows Accept (with q-values), or ``format`` / ``output``;
- SPARQL Update, in any form (the ``update`` parameter, ``application/sparql-update``,
  or update text in ``query``), is refused with 403: the graph is rebuilt from the
  repository's files, never changed over HTTP;
- SERVICE, and FROM or dataset parameters naming graphs outside the dataset, are
  refused with 400 (:mod:`api.sparql.guard`); queries longer than the limit with 413
  (414 in a URL); an answer with more rows than the limit is cut and says so in
  ``X-Sgkg-Truncated: true`` and ``X-Sgkg-Row-Limit``, one with more bytes than the
  limit in ``X-Sgkg-Truncated: true`` and ``X-Sgkg-Byte-Limit``;
- ``/sparql`` with no query gives the service description to RDF clients and the
  query UI to browsers.

This is the hot path, so it skips FastAPI's machinery where it costs: parameters are
read straight from the request (the OpenAPI description lists them by hand), and the
loaded graph is fetched by a direct call rather than a dependency (one that does not
wait for the static documents, which a query does not need). :class:`SparqlFastPath`
goes further: a query reaches the route functions below without FastAPI's routing,
dependency solving and exception middleware, which cost more per request than a small
query takes to run (the routes stay, for everything else and for the OpenAPI page).
Without it, small queries take 11 to 14% longer and 8 clients get 11 to 18% fewer
answers a second (``tests/benchmarks/test_speedups_bench.py``).
"""

import json
import re
from dataclasses import replace

from fastapi import APIRouter, Request
from starlette.responses import Response

from api.core.errors import SgkgError
from api.core.site import SPARQL_PATH
from api.formats.negotiation import NotAcceptable, choose_format, wants_html
from api.formats.wire_formats import RDF_FORMATS, RESULT_FORMATS
from api.query.executor import QueryRequest
from api.server.http_errors import error_response, error_responses, query_error_response
from api.server.middleware import ASGIApp, Receive, Scope, Send
from api.server.routes.ui import ui_page
from api.server.served_graph import ServedGraph
from api.server.sparql_protocol import (
    BYTE_LIMIT_HEADER,
    FORM,
    FORM_SCHEMA,
    PARAMETERS,
    RESULT_MEDIA,
    ROW_LIMIT_HEADER,
    SPARQL_QUERY,
    SPARQL_UPDATE,
    TRUNCATED_HEADER,
    ProtocolParameters,
    content_type,
    parse_form,
    url_parameters,
)
from api.server.state import app_state, query_graph, served_graph
from api.server.static_documents import SERVICE_DOCUMENT
from api.sparql.guard import READ_ONLY
from api.store.interpretations import (
    MODE_HEADER,
    RESTS_ON_HEADER,
    Selection,
    UnknownInterpretation,
    rests_on,
    select,
)

router = APIRouter(tags=["SPARQL"])

_RESPONSES = {
    200: {
        "description": "the answer: SPARQL results for SELECT and ASK, RDF for CONSTRUCT and "
        "DESCRIBE; with no query, the service description or the UI page",
        "content": {**RESULT_MEDIA, "text/html": {}},
    },
    **error_responses(400, 403, 406, 413, 414, 415, 429, 500, 503),
}


@router.get(
    SPARQL_PATH,
    summary="SPARQL query via GET",
    response_class=Response,
    responses=_RESPONSES,
    openapi_extra={"parameters": PARAMETERS},
)
async def sparql_get(request: Request) -> Response:
    graph = query_graph(request)
    parameters = ProtocolParameters.from_lists(url_parameters(request))
    if not parameters.queries and not parameters.updates:
        return _no_query(request, await served_graph(request), parameters)
    return await _answer(request, graph, parameters)


@router.post(
    SPARQL_PATH,
    summary="SPARQL query via POST (URL-encoded form, or application/sparql-query)",
    response_class=Response,
    responses=_RESPONSES,
    openapi_extra={
        "parameters": PARAMETERS[1:],
        "requestBody": {
            "required": True,
            "content": {
                FORM: {"schema": FORM_SCHEMA},
                SPARQL_QUERY: {"schema": {"type": "string"}},
            },
        },
    },
)
async def sparql_post(request: Request) -> Response:
    graph = query_graph(request)
    media_type, charset = content_type(request.headers.get("content-type"))
    url = url_parameters(request)
    body = await request.body()
    if media_type == SPARQL_UPDATE:
        return error_response(403, READ_ONLY)
    if charset not in (None, "utf-8", "utf8"):
        return error_response(415, f"the request body must be UTF-8, not {charset}")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        return error_response(400, f"the request body is not valid UTF-8 (byte {error.start})")
    if media_type == FORM:
        form = parse_form(text)
        parameters = ProtocolParameters.from_lists(url, form)
    elif media_type == SPARQL_QUERY:
        if url.get("query"):
            return error_response(400, "a direct POST carries its query in the body, not the URL")
        parameters = ProtocolParameters.from_lists(url, {"query": [text]})
    else:
        shown = media_type or "none"
        return error_response(
            415, f"unsupported Content-Type ({shown}); send {FORM} or {SPARQL_QUERY}"
        )
    if not parameters.queries and not parameters.updates:
        return error_response(400, "no query: send the SPARQL text in the 'query' parameter")
    return await _answer(request, graph, parameters)


async def _answer(request: Request, graph: ServedGraph, parameters: ProtocolParameters) -> Response:
    if parameters.updates:
        return error_response(403, READ_ONLY)
    if len(parameters.queries) > 1:
        return error_response(400, f"{len(parameters.queries)} queries given; send exactly one")
    sparql = parameters.queries[0]
    if not sparql.strip():
        return error_response(400, "the query is empty: send the SPARQL text as 'query'")
    limit = app_state(request).settings.max_query_length
    if len(sparql) > limit:
        in_url = request.method in ("GET", "HEAD")
        return error_response(
            414 if in_url else 413,
            f"the query has {len(sparql):,} characters; this endpoint accepts at most {limit:,}",
            limit=limit,
        )
    available = tuple(graph.manifest.get("interpretation_graphs", {}))
    try:
        selection = select(parameters.interpretations, available)
    except UnknownInterpretation as error:
        return error_response(400, str(error))
    query = QueryRequest(
        sparql=sparql,
        default_graph_uris=parameters.default_graphs or None,
        named_graph_uris=parameters.named_graphs or None,
        accept=request.headers.get("accept"),
        format_names=parameters.format_names,
        interpretations=selection.graphs,
    )
    try:
        answer = await graph.executor.execute(query)
        resting = await _rests_on(graph, query, answer.format.name, selection)
    except SgkgError as error:
        return query_error_response(error)
    headers = {"Vary": "Accept", MODE_HEADER: selection.mode}
    body = answer.body
    if selection.graphs:
        headers[RESTS_ON_HEADER] = ", ".join(resting) or "none"
        if resting and answer.format.name == "json":
            body = _with_links(body, resting)
    if answer.truncated:
        settings = app_state(request).settings
        headers[TRUNCATED_HEADER] = "true"
        if answer.byte_limited:
            headers[BYTE_LIMIT_HEADER] = str(settings.max_response_bytes)
        else:
            headers[ROW_LIMIT_HEADER] = str(settings.max_result_rows)
    return Response(body, media_type=answer.format.content_type, headers=headers)


async def _rests_on(
    graph: ServedGraph, query: QueryRequest, answer_format: str, selection: Selection
) -> list[str]:
    """Which chosen interpretations the answer rests on
    (:func:`api.store.interpretations.rests_on`), by running the query again over other
    default graphs and comparing the answers.

    Every run names its dataset and keeps the chosen interpretations, so all of them,
    the strict one included, run on the same (interpreted) store: an answer whose rows
    come in an engine's own order (GROUP_CONCAT) then compares equal to itself, whatever
    store the strict answers are served from (the disk backend's is another)."""
    if not selection.graphs or query.default_graph_uris or query.named_graph_uris:
        return []
    comparable = "json" if answer_format in _RESULT_FORMAT_NAMES else "nt"

    async def run(default_graphs: list[str]) -> object:
        variant = replace(
            query,
            accept=None,
            format_names=(comparable,),
            default_graph_uris=tuple(default_graphs),
            named_graph_uris=tuple(default_graphs),
            interpretations=selection.graphs,
        )
        answer = await graph.executor.execute(variant)
        return _canonical(answer.body, comparable)

    return await rests_on(run, selection)


_RESULT_FORMAT_NAMES = frozenset(fmt.name for fmt in RESULT_FORMATS)
_BLANK_LABEL = re.compile(r"_:[A-Za-z0-9_.-]+")


def _canonical(body: bytes, fmt: str) -> object:
    """An answer in a form that compares equal when the answers are the same: a boolean,
    or the sorted rows (or triples), blank node labels set aside."""
    if fmt == "nt":
        lines = body.decode("utf-8").splitlines()
        return tuple(sorted(_BLANK_LABEL.sub("_:", line) for line in lines if line.strip()))
    results = json.loads(body)
    if "boolean" in results:
        return bool(results["boolean"])
    rows = []
    for binding in results.get("results", {}).get("bindings", []):
        row = []
        for name, term in sorted(binding.items()):
            value = "_:" if term.get("type") == "bnode" else term.get("value")
            row.append((name, term.get("type"), value, term.get("datatype"), term.get("xml:lang")))
        rows.append(tuple(row))
    return tuple(sorted(rows, key=repr))


def _with_links(body: bytes, links: list[str]) -> bytes:
    """SPARQL JSON results with ``head.link`` listing the interpretations relied on
    (the SPARQL 1.1 JSON results format's place for links to metadata)."""
    results = json.loads(body)
    results.setdefault("head", {}).setdefault("link", []).extend(links)
    return json.dumps(results, ensure_ascii=False).encode("utf-8")


def _no_query(request: Request, graph: ServedGraph, parameters: ProtocolParameters) -> Response:
    """The service description for RDF clients, the query UI for browsers."""
    accept = request.headers.get("accept")
    if not parameters.format_names and wants_html(accept, RDF_FORMATS):
        return ui_page(request, graph)
    try:
        fmt = choose_format(RDF_FORMATS, accept, parameters.format_names)
    except NotAcceptable as error:
        return error_response(406, f"{error}, text/html")
    body = graph.documents.rdf_document(SERVICE_DOCUMENT, fmt.name)
    return Response(body, media_type=fmt.content_type, headers={"Vary": "Accept"})


class SparqlFastPath:
    """ASGI middleware: answers SPARQL queries at ``/sparql`` straight from the route
    functions, without FastAPI's routing, dependency solving and exception middleware.

    Installed innermost, inside :class:`api.server.middleware.RequestGuard` (request id,
    body limit, HEAD, last-resort 500) and CORS, so its answers carry their headers like
    every other. It passes on to the app, whose routes then answer the same way, every
    request that is not a query: ``/sparql`` without ``query`` or ``update`` (the UI
    page, the service description), and any request before the graph has loaded (503).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if is_query_request(scope) and scope["app"].state.sgkg.graph is not None:
            request = Request(scope, receive)
            answer = sparql_post if scope["method"] == "POST" else sparql_get
            response = await answer(request)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def is_query_request(scope: Scope) -> bool:
    """Whether this request asks ``/sparql`` a query (or an update, to be refused)."""
    if scope["type"] != "http" or scope["path"] != SPARQL_PATH:
        return False
    if scope["method"] == "POST":
        return True
    if scope["method"] != "GET":
        return False
    names = {pair.split(b"=", 1)[0] for pair in scope.get("query_string", b"").split(b"&")}
    return b"query" in names or b"update" in names
