"""Start ``sgkg serve`` on this computer for a notebook or a script, and stop it after.

The researcher notebooks (``notebooks/*.ipynb``) talk to the graph over HTTP, as any
client of a deployed server would, so what they show works the same against a remote
server. When no server is running, :func:`start_local_server` starts one: it builds the
graph first if the build is missing or stale (as ``sgkg serve`` would, but here, so a
failed build shows its own message rather than "the server died"), picks a free port on
the loopback interface, runs ``sgkg serve`` in a child process and waits until
``/health`` says the graph is loaded. The child is stopped by :meth:`LocalServer.stop`,
at the end of a ``with`` block, or when the Python process exits, whichever comes first,
so a notebook that fails half-way does not leave a server behind::

    with start_local_server() as url:
        httpx.get(f"{url}/sparql", params={"query": "ASK {}"})
"""

import atexit
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

import httpx

from api.core.errors import SgkgError
from api.core.layout import Layout, discover_layout

LOOPBACK = "127.0.0.1"
HEALTH_PATH = "/health"
#: What ``/health`` says while the graph is still loading (api.server.state.LOADING).
LOADING = "loading"
#: Seconds to wait for ``/health`` once the child runs (the build is done before).
DEFAULT_READY_TIMEOUT = 60.0
#: Seconds a stopping server gets to finish before it is killed.
STOP_GRACE = 10.0
#: Lines of the server's log quoted when it fails to start.
LOG_TAIL_LINES = 20


class LocalServerError(SgkgError):
    """The local server could not be started, or did not become ready in time."""


class LocalServer:
    """A running ``sgkg serve`` child process and the URL it answers on.

    Also a context manager: ``with start_local_server() as url:`` yields the URL and
    stops the server when the block ends.
    """

    def __init__(self, url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
        self.url = url
        self.process = process
        self.log_path = log_path
        atexit.register(self.stop)

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after :data:`STOP_GRACE` s). Idempotent."""
        atexit.unregister(self.stop)
        if self.running:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_GRACE)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log_path.unlink(missing_ok=True)

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        """The last lines the server wrote (for error messages)."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def __enter__(self) -> str:
        return self.url

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<LocalServer {self.url} ({state}, pid {self.process.pid})>"


def start_local_server(
    root: str | Path | None = None,
    build_dir: str | Path | None = None,
    *,
    port: int | None = None,
    ready_timeout: float = DEFAULT_READY_TIMEOUT,
) -> LocalServer:
    """Build if needed, start ``sgkg serve`` on a free loopback port, wait until ready.

    ``root`` and ``build_dir`` default as for the ``sgkg`` command (this checkout and
    its ``build/``). Raises :class:`LocalServerError` with the end of the server's log
    if it stops or is not ready within ``ready_timeout`` seconds; build errors
    (:class:`~api.core.errors.SgkgError` subclasses) come through as they are.
    """
    layout = discover_layout(root, build_dir)
    ensure_fresh_build(layout)
    chosen_port = port if port is not None else free_port()
    url = f"http://{LOOPBACK}:{chosen_port}"
    descriptor, log_name = tempfile.mkstemp(prefix="sgkg-serve-", suffix=".log")
    log_path = Path(log_name)
    with os.fdopen(descriptor, "wb") as log:
        process = subprocess.Popen(
            serve_command(layout, chosen_port),
            cwd=layout.root,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = LocalServer(url, process, log_path)
    try:
        wait_until_ready(url, ready_timeout, alive=lambda: server.running)
    except LocalServerError as error:
        tail = server.log_tail()
        server.stop()
        raise LocalServerError(f"{error}\n--- end of the server's log ---\n{tail}") from None
    except BaseException:  # interrupted while waiting: leave no server behind
        server.stop()
        raise
    return server


def ensure_fresh_build(layout: Layout) -> None:
    """Build (with reasoning, as ``sgkg serve`` does) when the build is missing or stale."""
    from api.build.pipeline import build_status, ensure_build  # heavy imports, only when starting
    from api.reason.reasoning import reason

    status = build_status(layout)
    if not status.is_fresh:
        print(f"sgkg: building the graph first ({status.reason})", file=sys.stderr)
        ensure_build(layout, reason=reason)


def serve_command(layout: Layout, port: int) -> list[str]:
    """``sgkg serve`` for this layout and port, run by this Python interpreter."""
    return [
        sys.executable,
        "-m",
        "api.cli",
        "--root",
        str(layout.root),
        "--build-dir",
        str(layout.build_dir),
        "serve",
        "--host",
        LOOPBACK,
        "--port",
        str(port),
        "--no-access-log",
    ]


def free_port() -> int:
    """A loopback port nobody listens on (the operating system picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def is_ready(url: str) -> bool:
    """Does the server at ``url`` answer ``/health`` with 200 (graph loaded and valid)?"""
    return health(url)[0] == 200


def health(url: str) -> tuple[int | None, dict]:
    """``/health``'s status code and JSON body; ``(None, {})`` if nothing answers."""
    try:
        answer = httpx.get(url.rstrip("/") + HEALTH_PATH, timeout=2)
    except httpx.TransportError:
        return None, {}
    try:
        body = answer.json()
    except ValueError:
        body = {}
    return answer.status_code, body if isinstance(body, dict) else {}


def wait_until_ready(url: str, seconds: float, *, alive: Callable[[], bool] = lambda: True) -> None:
    """Poll ``/health`` until it answers 200. Raise :class:`LocalServerError` when the
    server stops (``alive()`` turns false), says it cannot serve the graph (a build that
    does not load or does not conform), or is not ready after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not alive():
            raise LocalServerError(f"the server at {url} stopped before it was ready")
        code, body = health(url)
        if code == 200:
            return
        if code is not None and body.get("status") not in (None, LOADING):
            problem = body.get("problem") or body
            raise LocalServerError(f"the server at {url} cannot serve the graph: {problem}")
        time.sleep(0.1)
    raise LocalServerError(f"the server at {url} was not ready after {seconds:g} s")
