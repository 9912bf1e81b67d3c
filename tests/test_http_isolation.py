"""Queries make the server reach nothing outside, observed, not assumed.

Two witnesses watch a real `sgkg serve` while queries try every way to reach out:

- a listening socket on loopback that counts connection attempts: it must see none;
- ``strace -f -e trace=openat,connect`` around the server and every worker process it
  starts: no ``connect`` to that port, no ``open`` of the file the queries name.

Controls show the witnesses work: pyoxigraph itself, asked directly, does connect to the
listener (so a SERVICE query that got through would be seen), and strace does see the
workers open their own N-Quads file (so the trace follows the workers).
"""

import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from attacks import Listener, listening
from conftest import REPO, free_port, wait_until_ready


@pytest.fixture
def listener() -> Iterator[Listener]:
    with listening() as listener:
        yield listener


def test_control_pyoxigraph_really_connects_for_service(listener: Listener) -> None:
    """Without the server's checks, the engine sends the request: the danger is real,
    and the listener sees it. (Also the run-together spelling SERVICE:x.)"""
    store = ox.Store()
    target = f"http://127.0.0.1:{listener.port}/sparql"
    for query in (
        f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"PREFIX : <{target}#> SELECT * WHERE {{ SERVICE:x {{ ?s ?p ?o }} }}",
    ):
        before = listener.connections
        with pytest.raises(OSError):
            list(store.query(query))
        assert listener.settle() == before + 1


def stop_traced(strace: subprocess.Popen[bytes]) -> None:
    """Stop the server strace runs (SIGTERM to it, not to strace, which would detach
    and leave it running); strace exits when the server and its workers have."""
    children = Path(f"/proc/{strace.pid}/task/{strace.pid}/children")
    try:
        pids = [int(pid) for pid in children.read_text().split()]
    except OSError:
        pids = []
    for pid in pids:
        os.kill(pid, signal.SIGTERM)
    try:
        strace.wait(timeout=60)
    except subprocess.TimeoutExpired:
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        strace.wait(timeout=30)


def attempts(port: int, secret: Path) -> list[tuple[str, dict[str, str] | None, str | None]]:
    """(method, params, body) of requests that try to reach the listener or the file."""
    url = f"http://127.0.0.1:{port}/x"
    file_iri = secret.as_uri()
    queries = [
        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
        f"PREFIX : <{url}#> SELECT * WHERE {{ SERVICE:x {{ ?s ?p ?o }} }}",
        f"PREFIX service: <{url}#> SELECT * WHERE {{ service:x {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICESILENT<{url}>{{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE <{file_iri}> {{ ?s ?p ?o }} }}",
        f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{file_iri}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"PREFIX : <{url}#> SELECT * FROM:g WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM <{file_iri}> WHERE {{ ?s ?p ?o }}",
        f"LOAD <{url}>",
        f"LOAD <{file_iri}> INTO GRAPH <urn:x>",
    ]
    requests: list[tuple[str, dict[str, str] | None, str | None]] = [
        ("GET", {"query": q}, None) for q in queries
    ]
    requests += [("POST", None, q) for q in queries]
    requests += [
        ("GET", {"query": "ASK { ?s ?p ?o }", "default-graph-uri": url}, None),
        ("GET", {"query": "ASK { ?s ?p ?o }", "named-graph-uri": file_iri}, None),
        ("GET", {"update": f"LOAD <{url}>"}, None),
        ("GET", {"update": f"LOAD <{file_iri}>"}, None),
    ]
    return requests


def test_no_query_reaches_a_socket_or_a_file(
    served_build: Path, tmp_path: Path, listener: Listener
) -> None:
    strace = shutil.which("strace")
    if strace is None:
        pytest.fail("strace is missing: run `make system-deps` (.ci/install-system-deps)")
    secret = tmp_path / "secret.ttl"
    secret.write_text("<urn:a> <urn:b> <urn:c> .\n")
    trace = tmp_path / "strace.log"
    port = free_port()
    command = [strace, "-f", "-qq", "-e", "trace=openat,connect", "-o", str(trace)]
    command += [sys.executable, "-m", "api.cli", "--build-dir", str(served_build), "serve"]
    command += ["--port", str(port), "--no-access-log", "--workers", "2"]
    log_path = tmp_path / "serve.log"
    answers = []
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_ready(url, 180, lambda: process.poll() is None)
            for method, params, body in attempts(listener.port, secret):
                headers = {"Content-Type": "application/sparql-query"} if body else {}
                answers.append(
                    httpx.request(
                        method, f"{url}/sparql", params=params, content=body, headers=headers
                    )
                )
            # a resource description and a DESCRIBE of an outside IRI fetch nothing either
            describe = f"DESCRIBE <http://127.0.0.1:{listener.port}/thing>"
            answers.append(httpx.get(f"{url}/sparql", params={"query": describe}))
            answers.append(httpx.get(f"{url}/id/component/3", headers={"Accept": "text/turtle"}))
        finally:
            stop_traced(process)
    reached = listener.settle()  # the server has ended: every connection it made is counted
    statuses = [a.status_code for a in answers]
    assert all(status in (400, 403) for status in statuses[:-2]), statuses
    assert statuses[-2:] == [200, 200]
    assert reached == 0

    lines = trace.read_text().splitlines()
    connects = [line for line in lines if f"htons({listener.port})" in line]
    assert connects == []
    opened = [line for line in lines if "openat(" in line and secret.name in line]
    assert opened == []
    # the control: the trace follows the workers, which open their own copy of the graph
    main_pid = lines[0].split()[0]
    worker_opens = {
        line.split()[0]
        for line in lines
        if re.search(r'openat\(.*\.serving-[^"]*/sgkg\.nq"', line) and line.split()[0] != main_pid
    }
    assert len(worker_opens) >= 2, "strace did not see the worker processes"
