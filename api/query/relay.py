"""The one way out of a query worker of the remote store: a relay to the remote's address.

Every query worker lives in a network namespace of its own, with no network at all
(:mod:`api.query.worker`), so that a query that slipped past the checks still could
not reach anything. A worker of the remote store (:mod:`api.store.remote`) must still
reach that store. So the server process, which keeps the network, runs a
:class:`RemoteRelay`: a Unix socket in a private folder (a file, which a worker opens
across network namespaces) whose every connection it joins to the remote's host and
port, and nowhere else. In the worker, :func:`route_through_relay` makes the
standard library's URL opener (which SPARQLWrapper uses) connect through that socket,
and refuse any other host. TLS, when the URL is ``https``, runs end to end between the
worker and the remote, through the relay.

pyoxigraph's own HTTP client (SERVICE) opens sockets of its own, in the worker's empty
namespace: it reaches nothing.
"""

import contextlib
import http.client
import logging
import shutil
import socket
import tempfile
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

log = logging.getLogger("sgkg")

RELAY_FILE = "relay.sock"
_CHUNK = 1 << 16


def address_of(url: str) -> tuple[str, int]:
    """The host and port an http(s) URL names (the scheme's default port if none)."""
    parts = urlsplit(url)
    default = 443 if parts.scheme == "https" else 80
    return parts.hostname or "", parts.port or default


class RemoteRelay:
    """A Unix socket whose connections are joined to one host and port (threads)."""

    def __init__(self, url: str, timeout: float) -> None:
        self.target = address_of(url)
        self.timeout = timeout
        self._folder = Path(tempfile.mkdtemp(prefix="sgkg-relay-"))  # mode 0700
        self.path = str(self._folder / RELAY_FILE)
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(self.path)
        self._listener.listen(64)
        self._closed = False
        threading.Thread(target=self._accept, name="sgkg-relay", daemon=True).start()

    def close(self) -> None:
        self._closed = True
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        shutil.rmtree(self._folder, ignore_errors=True)

    def _accept(self) -> None:
        while not self._closed:
            try:
                inner, _ = self._listener.accept()
            except OSError:
                return  # closed
            threading.Thread(
                target=self._join, args=(inner,), name="sgkg-relay-connection", daemon=True
            ).start()

    def _join(self, inner: socket.socket) -> None:
        try:
            outer = socket.create_connection(self.target, timeout=self.timeout)
        except OSError as error:
            log.warning("sgkg: the relay cannot reach %s:%d: %s", *self.target, error)
            inner.close()
            return
        outer.settimeout(None)
        back = threading.Thread(target=_copy, args=(outer, inner), daemon=True)
        back.start()
        _copy(inner, outer)
        back.join()
        inner.close()
        outer.close()


def _copy(source: socket.socket, sink: socket.socket) -> None:
    """Bytes from ``source`` to ``sink`` until ``source`` ends; then end ``sink``'s side."""
    try:
        while chunk := source.recv(_CHUNK):
            sink.sendall(chunk)
    except OSError:
        pass
    with contextlib.suppress(OSError):
        sink.shutdown(socket.SHUT_WR)


# --- in the worker -------------------------------------------------------------------------


def route_through_relay(relay_path: str, url: str) -> None:
    """Make ``urllib.request.urlopen`` reach ``url``'s host and port through the relay at
    ``relay_path``, and refuse every other host (no proxies, no redirects elsewhere)."""
    allowed = address_of(url)
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({}),
        _RelayHTTPHandler(relay_path, allowed),
        _RelayHTTPSHandler(relay_path, allowed),
    )
    urllib.request.install_opener(opener)


class _RelayedHTTPConnection(http.client.HTTPConnection):
    """HTTP over the relay's Unix socket (whatever host the URL names)."""

    relay_path = ""

    def connect(self) -> None:
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        if isinstance(self.timeout, int | float):
            connection.settimeout(self.timeout)
        connection.connect(self.relay_path)
        self.sock = connection


class _RelayedHTTPSConnection(http.client.HTTPSConnection, _RelayedHTTPConnection):
    """HTTPS over the relay: ``HTTPSConnection.connect`` wraps the relayed socket in TLS
    (its ``super().connect()`` is :meth:`_RelayedHTTPConnection.connect`)."""


def _through(connection_class: type[http.client.HTTPConnection], relay_path: str) -> Any:
    """What ``do_open`` calls to make a connection: one that goes through the relay."""

    def connection(*args: Any, **kwargs: Any) -> http.client.HTTPConnection:
        made = connection_class(*args, **kwargs)
        made.relay_path = relay_path  # type: ignore[attr-defined]
        return made

    return connection


def _check(request: urllib.request.Request, allowed: tuple[str, int]) -> None:
    if address_of(request.full_url) != allowed:
        raise urllib.error.URLError(
            f"{request.host} is not the remote store's address ({allowed[0]}:{allowed[1]}); "
            "a query worker reaches nothing else"
        )


class _RelayHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, relay_path: str, allowed: tuple[str, int]) -> None:
        super().__init__()
        self.relay_path = relay_path
        self.allowed = allowed

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        _check(req, self.allowed)
        return self.do_open(_through(_RelayedHTTPConnection, self.relay_path), req)


class _RelayHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, relay_path: str, allowed: tuple[str, int]) -> None:
        super().__init__()
        self.relay_path = relay_path
        self.allowed = allowed

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        _check(req, self.allowed)
        connection = _through(_RelayedHTTPSConnection, self.relay_path)
        return self.do_open(connection, req, context=self._context)
