"""The FastAPI application: the routers of each concern, assembled in one place.

:data:`ROUTERS` is the explicit list of what the server answers; adding a concern is
one import and one entry. The graph loads in a background thread when the app starts
(:mod:`api.server.state`), so the server answers ``/health`` at once and every other route
with 503 until the graph is ready.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.staticfiles import StaticFiles

from api import __version__
from api.core.site import STATIC_PATH
from api.server.http_errors import install_error_handlers
from api.server.middleware import RequestGuard
from api.server.reload import reload_graph
from api.server.routes import (
    admin as http_admin,
)
from api.server.routes import (
    downloads as http_downloads,
)
from api.server.routes import (
    health as http_health,
)
from api.server.routes import (
    linked_data as http_linked_data,
)
from api.server.routes import (
    reading as http_reading,
)
from api.server.routes import (
    scenarios as http_scenarios,
)
from api.server.routes import (
    sparql as http_sparql,
)
from api.server.routes import (
    ui as http_ui,
)
from api.server.settings import Settings
from api.server.state import AppState
from api.server.watch import FileWatcher
from api.store.interpretations import MODE_HEADER, RESTS_ON_HEADER

#: Every router of the server, in the order their routes are matched.
ROUTERS: list[APIRouter] = [
    http_health.router,
    http_sparql.router,
    http_scenarios.router,  # before linked data: it answers /id/scenario/... itself
    http_reading.router,
    http_linked_data.router,
    http_downloads.router,
    http_ui.router,
    http_admin.router,
]

#: The pages' stylesheet and scripts, shipped with the package, served at ``/static/``.
STATIC_DIR = Path(__file__).resolve().parent.parent / "html" / "static"

#: Response headers a page on another origin may read (CORS), among them whether an
#: answer is strict and which interpretations it rests on.
EXPOSED_HEADERS = [
    "X-Request-Id",
    "X-Sgkg-Truncated",
    "X-Sgkg-Row-Limit",
    "X-Sgkg-Byte-Limit",
    "Retry-After",
    MODE_HEADER,
    RESTS_ON_HEADER,
]

DESCRIPTION = """\
A read-only SPARQL 1.1 endpoint and linked-data server for the Security Guarantee
Knowledge Graph (the Paris Declaration of 6 January 2026).

- `/sparql`: SPARQL 1.1 Protocol (GET, POST form, POST `application/sparql-query`);
  answers are strict (the words of the texts) unless `interpretations=all` or
  `interpretations=NAME,...` adds interpretations; `SGKG-Answer-Mode` says which, and
  `SGKG-Interpretations` lists the interpretations the answer rests on;
- `/id/{kind}/{slug}`: every instance IRI `https://w3id.org/sgkg/id/...`, by content
  negotiation (HTML, Turtle, JSON-LD, RDF/XML, N-Triples);
- `/ontology`, `/shapes`: the ontology and the SHACL shapes;
- `/download/sgkg.{ttl,nt,rdf,jsonld,trig,nq}` and `/void`: export and VoID/DCAT;
- `/scenarios`: which guarantees a set of events activates, per text version, and why,
  strictly or with interpretations (each outcome naming those it rests on) (POST; GET is
  the page a person uses);
- `/read`, `/id/version/{slug}`, `/compare`, `/codebook`: the reading room: the texts
  as documents, side by side, and the statements as a codebook
  (`/download/codebook.csv`, `.xlsx`);
- `/`: the query UI; `/health`: readiness, the query workers, the last reload;
- `/admin/reload`: rebuild and swap in the new graph (needs the admin token).

Limits: every query runs in a worker process that is killed at the time limit (503);
queries, request bodies and answers have maximum sizes (413/414, `X-Sgkg-Truncated`);
when every worker is busy and the queue is full the answer is 429 with `Retry-After`.
Every error has a JSON body (`status`, `error`, `message`, `request_id`; plain text if
`Accept` prefers `text/plain`), and every answer an `X-Request-Id` header.
"""


def create_app(settings: Settings) -> FastAPI:
    """The application for these settings (the graph loads when it starts)."""
    state = AppState(settings)

    def load_then_watch() -> FileWatcher | None:
        state.load()
        if not settings.watch:
            return None
        return FileWatcher(
            settings.layout.root,
            settings.watch_interval,
            lambda changed: reload_graph(state, _watch_trigger(changed), wait=True),
        ).start()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        loading = asyncio.create_task(asyncio.to_thread(load_then_watch))
        try:
            yield
        finally:
            watcher = await loading
            if watcher is not None:
                watcher.stop()
            state.close()

    app = FastAPI(
        title="sgkg",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served by api.server.routes.ui from the locally installed Swagger UI
        redoc_url=None,
    )
    app.state.sgkg = state
    for router in ROUTERS:
        app.include_router(router)
    app.mount(STATIC_PATH, StaticFiles(directory=STATIC_DIR), name="static")
    install_error_handlers(app)
    app.add_middleware(http_sparql.SparqlFastPath)  # added first, so innermost
    app.add_middleware(RequestGuard, max_body_bytes=settings.max_body_bytes)
    if settings.cors:  # added last, so outermost: errors get CORS headers too
        app.add_middleware(
            CORSMiddleware,
            allow_origins=["*"],
            allow_methods=["GET", "HEAD", "POST"],
            allow_headers=["Accept", "Content-Type"],
            expose_headers=EXPOSED_HEADERS,
            allow_credentials=False,
        )
    return app


def _watch_trigger(changed: list[str]) -> str:
    shown = ", ".join(changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
    return f"watch: {shown}"
