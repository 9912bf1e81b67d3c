"""``POST /admin/reload``: rebuild from the files and serve the result if it all passes.

Disabled (403) unless the server was started with an admin token (``--admin-token`` or
``SGKG_ADMIN_TOKEN``); the request must carry it as ``Authorization: Bearer <token>``,
compared in constant time (:func:`hmac.compare_digest`), else 401. The reload itself is
:func:`api.server.reload.reload_graph`; the request waits for it (seconds to a minute: HermiT
runs) and gets its record: 200 when the new graph is served, 422 when it was refused
(the reason says why; the old graph is still served), 409 when a reload is running.
"""

import asyncio
import hmac

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from api.server.http_errors import error_response, error_responses
from api.server.reload import reload_graph
from api.server.state import app_state

router = APIRouter(tags=["administration"])

RELOAD_PATH = "/admin/reload"
_BEARER = "bearer "


@router.post(
    RELOAD_PATH,
    summary="Rebuild, validate, reason and swap in the new graph (token required)",
    description="Rebuilds from ontology/, shapes/ and data/ into a staging folder, "
    "validates against the shapes, reasons, loads the result with new query "
    "workers, and only then serves it; on any failure the current graph stays served and "
    "the answer (and `/health`) says why. Needs `Authorization: Bearer <admin token>`; "
    "disabled when the server has no admin token.",
    response_class=Response,
    responses={
        200: {
            "description": "the new graph is served",
            "content": {
                "application/json": {
                    "example": {
                        "trigger": "admin",
                        "at": "2026-01-06T12:00:00+00:00",
                        "seconds": 12.3,
                        "outcome": "reloaded",
                        "reason": "serving 12000 triples built from 40 input files",
                    }
                }
            },
        },
        **error_responses(401, 403, 409, 422),
    },
)
async def reload(request: Request) -> Response:
    state = app_state(request)
    token = state.settings.admin_token
    if token is None:
        return error_response(
            403,
            "reloading over HTTP is disabled on this server; start it with --admin-token "
            "(or the SGKG_ADMIN_TOKEN environment variable) to enable it",
        )
    if not _authorised(request.headers.get("authorization"), token):
        return error_response(
            401,
            "this route needs the admin token: send `Authorization: Bearer <token>`",
            {"WWW-Authenticate": 'Bearer realm="sgkg admin"'},
        )
    record = await asyncio.to_thread(reload_graph, state, "admin")
    if record is None:
        return error_response(409, "a reload is already running; see /health for its result")
    if not record.reloaded:
        return error_response(422, f"reload refused: {record.reason}", reload=record.as_dict())
    return JSONResponse(record.as_dict(), headers={"Cache-Control": "no-store"})


def _authorised(header: str | None, token: str) -> bool:
    if header is None or not header.lower().startswith(_BEARER):
        return False
    offered = header[len(_BEARER) :].strip()
    return hmac.compare_digest(offered.encode("utf-8"), token.encode("utf-8"))
