"""Running the app under uvicorn: what ``sgkg serve`` does once the build is ready.

uvicorn picks up httptools and uvloop (project dependencies) on its own: its fastest
HTTP parser and event loop, most of the per-request cost left after the query itself.

The listening socket is opened here, before the app starts: a port already in use is
then one clear error (exit 2) instead of an app that starts its workers, loads the
graph and is torn down half-way when uvicorn fails to bind.
"""

import errno
import logging
import socket
import sys
from collections.abc import Callable

import uvicorn

from api.core.errors import SgkgError
from api.server.app import create_app
from api.server.http_protocol import JsonErrorHttpProtocol
from api.server.settings import Settings

#: Seconds a stopping server gives the requests under way before it cancels them.
GRACEFUL_SHUTDOWN_SECONDS = 5


def run_server(settings: Settings, on_listening: Callable[[], None] = lambda: None) -> None:
    """Serve until interrupted. Blocks. ``on_listening`` runs once the port is open
    (``sgkg serve`` prints its URL then, so a URL it prints can be reached)."""
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    config = uvicorn.Config(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        access_log=settings.access_log,
        log_level="info",
        server_header=False,
        # requests that are not valid HTTP get the server's JSON errors, not uvicorn's text
        http=JsonErrorHttpProtocol,
        # on SIGTERM, requests still running get this long; then their workers are killed
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )
    listening = listen(settings.host, settings.port)
    on_listening()
    with listening:
        uvicorn.Server(config).run(sockets=[listening])


def listen(host: str, port: int) -> socket.socket:
    """A socket bound and listening on ``host:port``. Raises :class:`SgkgError` (exit 2)
    when that is not possible, with what to do about it."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listening = socket.socket(family, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listening.bind((host, port))
        listening.listen(2048)
    except OSError as error:
        listening.close()
        hint = (
            "address already in use: another server listens there; stop it or choose "
            "another port with --port"
            if error.errno == errno.EADDRINUSE
            else error.strerror
        )
        raise SgkgError(f"cannot listen on {host}:{port}: {hint}") from None
    return listening
