"""Running the app under uvicorn: what ``sgkg serve`` does once the build is ready.

uvicorn picks up httptools and uvloop (project dependencies) on its own: its fastest
HTTP parser and event loop, most of the per-request cost left after the query itself.
"""

import logging
import sys

import uvicorn

from api.app import create_app
from api.settings import Settings

#: Seconds a stopping server gives the requests under way before it cancels them.
GRACEFUL_SHUTDOWN_SECONDS = 5


def run_server(settings: Settings) -> None:
    """Serve until interrupted. Blocks."""
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    config = uvicorn.Config(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        access_log=settings.access_log,
        log_level="info",
        server_header=False,
        # on SIGTERM, requests still running get this long; then their workers are killed
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )
    uvicorn.Server(config).run()
