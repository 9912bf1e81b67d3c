"""The query UI (YASGUI) at ``/``, the API docs (Swagger UI) at ``/docs``, and their assets.

Both front ends are npm packages that ``make ui`` installs into the git-ignored
``vendor-ui/`` folder; the server hands their files out under ``/assets/`` and never
points a browser at a CDN. The pages load no inline script (the Content-Security-Policy
allows scripts from this origin only): their start-up scripts are static files
(``api/html/static/query-ui.js``, ``api-docs.js``), and the query UI's configuration
travels as a JSON block its script reads. When the packages are missing, the pages say
how to install them instead of failing silently.
"""

import json
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path

from fastapi import APIRouter, Request
from starlette.responses import FileResponse, Response

from api.core.site import BASE, SPARQL_PATH
from api.html.pages import html_response, message_page
from api.html.templating import render
from api.server.http_errors import error_response
from api.server.served_graph import ServedGraph
from api.server.settings import UI_INSTALL_COMMAND, Settings
from api.server.state import LoadedGraph, app_state

router = APIRouter(tags=["user interface"])


@dataclass(frozen=True)
class VendorPackage:
    """An npm package whose files the server hands out under ``/assets/{name}/``."""

    name: str
    npm_name: str
    #: folder of the files inside ``vendor-ui/node_modules/<npm_name>/``
    folder: str
    #: the file whose presence says the package is installed
    entry: str

    def directory(self, settings: Settings) -> Path:
        return settings.ui_dir / "node_modules" / self.npm_name / self.folder

    def installed(self, settings: Settings) -> bool:
        return (self.directory(settings) / self.entry).is_file()


YASGUI = VendorPackage("yasgui", "@zazuko/yasgui", "build", "yasgui.min.js")
SWAGGER_UI = VendorPackage("swagger-ui", "swagger-ui-dist", "", "swagger-ui-bundle.js")
PACKAGES = {package.name: package for package in (YASGUI, SWAGGER_UI)}
#: The only files handed out from a package folder.
ASSET_SUFFIXES = (".js", ".css", ".map", ".png")


def missing_assets_page(
    title: str, package: VendorPackage, settings: Settings, *, version: str | None = None
) -> str:
    """A page that says which files are missing and the command that installs them."""
    return message_page(
        title,
        [f"The {package.npm_name} files are not installed in {package.directory(settings)}."],
        command=UI_INSTALL_COMMAND,
        openapi=package is SWAGGER_UI,
        version=version,
    )


def ui_page(request: Request, graph: ServedGraph) -> Response:
    """The YASGUI page with the competency questions as example tabs."""
    settings = app_state(request).settings
    if not YASGUI.installed(settings):
        html = missing_assets_page(
            "Query UI not installed", YASGUI, settings, version=graph.version
        )
        return html_response(html, headers={"Vary": "Accept"})
    examples = [{"name": q.title, "query": q.sparql} for q in graph.questions]
    fingerprint = sha256(json.dumps(examples).encode()).hexdigest()[:12]
    config = {
        "endpoint": SPARQL_PATH,
        "iriBase": BASE,
        "examples": examples,
        "persistenceId": f"sgkg-{graph.version}-{fingerprint}",
    }
    html = render(
        "query.html",
        config=config,
        question_count=len(examples),
        yasgui=YASGUI,
        version=graph.version,
        current="/",
    )
    return html_response(html, headers={"Vary": "Accept"})


@router.get(
    "/",
    summary="Query UI",
    description="YASGUI, preloaded with the competency questions as example tabs. "
    "If the UI files are not installed, a page says how to install them.",
    response_class=Response,
    responses={
        200: {"description": "the query page", "content": {"text/html": {}}},
        503: {"description": "the graph is still loading", "content": {"text/plain": {}}},
    },
)
async def index(request: Request, graph: LoadedGraph) -> Response:
    return ui_page(request, graph)


@router.get(
    "/favicon.ico",
    summary="No favicon (204), so browsers do not log a missing file",
    response_class=Response,
    responses={204: {"description": "nothing"}},
)
async def favicon() -> Response:
    return Response(status_code=204)


@router.get(
    "/assets/{package}/{name}",
    summary="A file of an installed UI package (YASGUI, Swagger UI)",
    response_class=Response,
    responses={
        200: {
            "description": "the file",
            "content": {"text/javascript": {}, "text/css": {}, "application/json": {}},
        },
        404: {"description": "no such package or file", "content": {"text/plain": {}}},
    },
)
async def asset(package: str, name: str, request: Request) -> Response:
    settings = app_state(request).settings
    vendor = PACKAGES.get(package)
    if vendor is None or not name.endswith(ASSET_SUFFIXES) or name.startswith("."):
        return error_response(404, f"no asset {package}/{name}")
    path = vendor.directory(settings) / name
    if not path.is_file():
        hint = "" if vendor.installed(settings) else f"; install the UI with `{UI_INSTALL_COMMAND}`"
        return error_response(404, f"no asset {package}/{name}{hint}")
    return FileResponse(path, headers={"Cache-Control": "public, max-age=3600"})


@router.get(
    "/docs",
    summary="API documentation (Swagger UI)",
    response_class=Response,
    responses={200: {"description": "the page", "content": {"text/html": {}}}},
)
async def docs(request: Request) -> Response:
    settings = app_state(request).settings
    if not SWAGGER_UI.installed(settings):
        return html_response(missing_assets_page("API docs UI not installed", SWAGGER_UI, settings))
    return html_response(render("api_docs.html", swagger=SWAGGER_UI, current="/docs"))
