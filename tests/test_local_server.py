"""``api.notebook.local_server``: a real ``sgkg serve`` child process, started, used and stopped.

The servers here read the session's build (``served_build``), never the repository's
``build/``; the build is fresh, so nothing is rebuilt.
"""

import socket
from pathlib import Path

import httpx
import pytest

from api.notebook.client import connect
from api.notebook.local_server import LOOPBACK, LocalServerError, is_ready, start_local_server


def refuses_connections(url: str) -> bool:
    try:
        httpx.get(url + "/health", timeout=2)
    except httpx.TransportError:
        return True
    return False


def test_a_server_that_cannot_start_is_reported_with_its_log(served_build: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind((LOOPBACK, 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(LocalServerError) as failure:
            start_local_server(build_dir=served_build, port=port)
    message = str(failure.value)
    assert "stopped before it was ready" in message
    assert "end of the server's log" in message
    assert "address already in use" in message.lower()


def test_connect_without_url_starts_a_local_server_that_stops_after(
    served_build: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a notebook does when its SGKG_URL cell is left at None, then kg.close()."""
    monkeypatch.setenv("SGKG_BUILD_DIR", str(served_build))
    kg = connect(None)
    server = kg.server
    assert server is not None and server.running
    assert "started by this notebook" in repr(kg)
    with server as url:  # also a context manager: the end of the block stops it
        assert url == kg.url and url.startswith(f"http://{LOOPBACK}:")
        assert is_ready(url)
        table = kg.table(
            "SELECT ?n WHERE { ?c <https://w3id.org/sgkg/ontology#componentNumber> ?n } ORDER BY ?n"
        )
        assert table["n"].tolist() == [1, 2, 3, 4, 5]
    assert not server.running
    assert server.process.returncode is not None
    assert refuses_connections(url)
    assert not server.log_path.exists()
    kg.close()  # stopping again is harmless


def test_connect_with_url_starts_nothing(server) -> None:
    kg = connect(server.url + "/")
    assert kg.server is None and kg.url == server.url
    kg.close()  # nothing to stop; the session server keeps running
    assert is_ready(server.url)
