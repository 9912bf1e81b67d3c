"""Error responses: a message a person can act on, as JSON (or plain text, if preferred).

Every 4xx and 5xx answer of the server has a body like::

    {"status": 400, "error": "Bad Request",
     "message": "SPARQL syntax error at line 3, column 1: expected ...",
     "request_id": "3f9c2e1d0a7b4c55", "line": 3, "column": 1}

with fields that depend on the error (``line``/``column`` for syntax errors,
``supported`` for 406, ``retry_after`` for 429/503). A client that prefers
``text/plain`` to JSON in its Accept header gets the message alone. Linked-data pages
answer browsers with HTML pages instead (their own concern).

The request id is the one :mod:`api.server.middleware` gives each request (also in the
``X-Request-Id`` header); every error is logged with it, so a person can quote the id
and an operator find the line. No stack trace is ever sent to a client.
"""

import logging
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import HTTPException, RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, PlainTextResponse, Response

from api.core.errors import SgkgError
from api.formats.negotiation import NotAcceptable, parse_accept, quality
from api.query.executor import NoWorker, QueryTimeout, QueueFull
from api.query.work import BadDataset, QueryFailed
from api.sparql.guard import QueryRefused, UpdateRefused
from api.store.base import QuerySyntaxError

log = logging.getLogger("sgkg")

JSON = "application/json"
TEXT = "text/plain"

#: What each error status means on this server (for the OpenAPI description).
ERROR_MEANINGS: dict[int, str] = {
    400: "malformed request: not valid HTTP, a SPARQL syntax error (with line and column), an "
    "empty query, several queries, a body that is not UTF-8, a federated query (SERVICE is "
    "not run), FROM or a dataset parameter naming a graph outside the dataset, a query "
    "nested too deep or with too many keywords and operators",
    401: "missing or wrong admin token",
    403: "SPARQL Update refused: the endpoint is read-only; or an admin route that is disabled",
    404: "nothing with this IRI in the graph",
    405: "method not allowed here",
    406: "none of the accepted formats can be produced; the body lists the supported ones",
    409: "a reload is already running",
    413: "the request body, or the query, is larger than the server accepts",
    414: "the query in the URL is longer than the server accepts (or the URL longer than "
    "65,535 bytes)",
    415: "unsupported request Content-Type",
    422: "the reload was refused: the edited files do not build, validate or reason",
    429: "all query workers are busy and the queue is full; retry after Retry-After seconds",
    500: "the query failed while running",
    503: "the graph is loading or failed to load, the query ran past the time limit, or no "
    "query worker became free in time",
}

#: The JSON error body, for the OpenAPI description.
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["status", "error", "message"],
    "properties": {
        "status": {"type": "integer"},
        "error": {"type": "string", "description": "the status's reason phrase"},
        "message": {"type": "string", "description": "what went wrong, for a person"},
        "request_id": {"type": "string", "description": "also in the X-Request-Id header"},
        "line": {"type": "integer"},
        "column": {"type": "integer"},
        "supported": {"type": "array", "items": {"type": "string"}},
        "retry_after": {"type": "integer"},
    },
}


@dataclass(frozen=True)
class RequestContext:
    """What error responses need to know of the request being answered."""

    request_id: str
    method: str
    path: str
    accept: str | None


#: The request being answered (set by :class:`api.server.middleware.RequestGuard`).
CURRENT_REQUEST: ContextVar[RequestContext | None] = ContextVar("sgkg_request", default=None)


def error_response(
    status: int, message: str, headers: Mapping[str, str] | None = None, **details: Any
) -> Response:
    """The error answer for the current request: JSON, or text if the client prefers it.
    Logged with the request id (5xx as errors, 4xx as information)."""
    context = CURRENT_REQUEST.get()
    message = message.rstrip()
    log_error(status, message, context)
    if context is not None and _prefers_text(context.accept):
        return PlainTextResponse(message + "\n", status_code=status, headers=headers)
    body = error_payload(status, message, context.request_id if context else None, **details)
    return JSONResponse(body, status_code=status, headers=headers)


def error_payload(
    status: int, message: str, request_id: str | None, **details: Any
) -> dict[str, Any]:
    """The JSON body of an error answer (:data:`ERROR_SCHEMA`)."""
    return {
        "status": status,
        "error": _phrase(status),
        "message": message,
        "request_id": request_id,
        **details,
    }


#: The name the routes written before errors were JSON use; the same function.
plain_error = error_response


def query_error_response(error: SgkgError) -> Response:
    """The answer for an error raised while checking or running a query."""
    if isinstance(error, QuerySyntaxError):
        return error_response(400, str(error), line=error.line, column=error.column)
    if isinstance(error, NotAcceptable):
        supported = sorted({fmt.media_type for fmt in error.supported})
        return error_response(406, str(error), supported=supported)
    if isinstance(error, UpdateRefused):
        return error_response(403, str(error))
    if isinstance(error, QueryRefused | BadDataset):
        return error_response(400, str(error))
    if isinstance(error, QueryTimeout):
        return error_response(503, str(error), timeout_s=error.seconds)
    if isinstance(error, QueueFull | NoWorker):
        status = 429 if isinstance(error, QueueFull) else 503
        retry = {"Retry-After": str(error.retry_after)}
        return error_response(status, str(error), retry, retry_after=error.retry_after)
    if isinstance(error, QueryFailed):
        return error_response(500, str(error))
    return error_response(500, f"the request could not be answered: {error}")


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for these error statuses (JSON or plain text)."""
    return {
        status: {
            "description": ERROR_MEANINGS[status],
            "content": {JSON: {"schema": ERROR_SCHEMA}, TEXT: {}},
        }
        for status in statuses
    }


def install_error_handlers(app: FastAPI) -> None:
    """Make FastAPI's own errors (404 route, 405 method, 503 loading, invalid bodies) and
    query errors raised in any route answer like every other error."""

    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        headers = dict(getattr(error, "headers", None) or {})
        if error.status_code == 405:
            headers["Allow"] = ", ".join(_allowed_methods(request))
        return error_response(error.status_code, _explained(request, error), headers)

    async def validation_error(request: Request, error: RequestValidationError) -> Response:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in error.errors()
        )
        return error_response(400, f"invalid request: {problems}")

    async def query_error(request: Request, error: SgkgError) -> Response:
        return query_error_response(error)

    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(SgkgError, query_error)


def _explained(request: Request, error: StarletteHTTPException) -> str:
    """Starlette's bare "Not Found" / "Method Not Allowed", said so a person can act."""
    detail = str(error.detail)
    path = request.url.path
    if error.status_code == 404 and detail == "Not Found":
        return f"nothing at {path}; /docs lists what this server answers"
    if error.status_code == 405 and detail == "Method Not Allowed":
        return f"{request.method} is not allowed at {path}; use " + ", ".join(
            _allowed_methods(request)
        )
    return detail


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route answers at this path (HEAD wherever GET is)."""
    methods: set[str] = set()
    for route in _leaf_routes(request.app.routes):
        pattern = getattr(route, "path_regex", None)
        if pattern is not None and pattern.match(request.url.path):
            methods.update(getattr(route, "methods", None) or ())
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


def _leaf_routes(routes: Iterable[Any]) -> Iterator[Any]:
    """The routes of the app, those of included routers too."""
    for route in routes:
        inner = getattr(route, "routes", None)
        if inner is None and hasattr(route, "original_router"):  # FastAPI's included router
            inner = route.original_router.routes
        if inner is not None:
            yield from _leaf_routes(inner)
        else:
            yield route


def _prefers_text(accept: str | None) -> bool:
    if not accept:
        return False
    ranges = parse_accept(accept)
    return quality(ranges, TEXT) > quality(ranges, JSON)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def log_error(status: int, message: str, context: RequestContext | None) -> None:
    """One log line for an error answer, with the request id (5xx as errors)."""
    where = f"{context.method} {context.path}" if context else "-"
    request_id = context.request_id if context else "-"
    level = logging.ERROR if status >= 500 else logging.INFO
    log.log(level, "sgkg: [%s] %s -> %d: %s", request_id, where, status, message)
