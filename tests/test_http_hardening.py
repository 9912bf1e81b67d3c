"""The endpoint under bad input, at its limits, with browsers on other origins.

All against `sgkg serve` on loopback (the session server, or one started here with
small limits), with real clients: httpx, raw sockets where a client would refuse to
send what is tested, and SPARQLWrapper.
"""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from SPARQLWrapper import JSON, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from conftest import (
    REPO,
    RunningServer,
    free_port,
    raw_request,
    wait_for_workers,
    wait_until_ready,
)

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"


@pytest.fixture(scope="module")
def endpoint(server: RunningServer) -> str:
    return f"{server.url}/sparql"


@pytest.fixture(scope="module")
def small_server(served_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`sgkg serve` with tiny limits: one worker, no queue, 3 rows, short queries."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("small") / "serve.log"
    command = [sys.executable, "-m", "api.cli", "--build-dir", str(served_build), "serve"]
    command += ["--port", str(port), "--no-access-log", "--workers", "1", "--queue", "0"]
    command += ["--max-rows", "3", "--max-query-length", "200", "--max-body", "4000"]
    command += ["--timeout", "3"]
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_ready(url, 120, lambda: process.poll() is None)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=10)


# --- the bad-input table ----------------------------------------------------------------

BAD_INPUTS = [
    # (id, method, params, body, headers, status, words the message must contain)
    (
        "malformed-sparql",
        "GET",
        {"query": "SELECT * WHERE { ?s ?p }"},
        None,
        {},
        400,
        ["syntax error at line 1, column"],
    ),
    ("empty-query", "GET", {"query": ""}, None, {}, 400, ["empty"]),
    ("blank-query-post", "POST", {}, b"  \n ", {"Content-Type": SPARQL_QUERY}, 400, ["empty"]),
    (
        "binary-garbage",
        "POST",
        {},
        bytes(range(256)) * 4,
        {"Content-Type": SPARQL_QUERY},
        400,
        ["not valid UTF-8"],
    ),
    (
        "ten-megabyte-body",
        "POST",
        {},
        b"#" * 10_000_000,
        {"Content-Type": SPARQL_QUERY},
        413,
        ["larger than this server accepts"],
    ),
    (
        "unknown-accept",
        "GET",
        {"query": COUNT},
        None,
        {"Accept": "image/png"},
        406,
        ["Supported here", "application/sparql-results+json", "text/csv"],
    ),
    (
        "wrong-content-type",
        "POST",
        {},
        COUNT.encode(),
        {"Content-Type": "text/plain"},
        415,
        ["unsupported Content-Type", SPARQL_QUERY],
    ),
    (
        "update-via-query-parameter",
        "GET",
        {"query": "DROP ALL"},
        None,
        {},
        403,
        ["read-only", "DROP"],
    ),
    (
        "update-via-form",
        "POST",
        {},
        b"query=CLEAR%20DEFAULT",
        {"Content-Type": FORM},
        403,
        ["read-only", "CLEAR"],
    ),
    (
        "load-via-query",
        "GET",
        {"query": "LOAD <http://127.0.0.1:9/data.ttl>"},
        None,
        {},
        403,
        ["read-only", "LOAD"],
    ),
    (
        "invalid-utf8-direct",
        "POST",
        {},
        b'ASK { ?s ?p "\xff\xfe" }',
        {"Content-Type": SPARQL_QUERY},
        400,
        ["not valid UTF-8 (byte 13)"],
    ),
    (
        "invalid-utf8-form",
        "POST",
        {},
        b"query=ASK%20%7B%7D\xc3\x28",
        {"Content-Type": FORM},
        400,
        ["not valid UTF-8"],
    ),
    (
        "service",
        "GET",
        {"query": "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"},
        None,
        {},
        400,
        ["SERVICE", "no requests to other servers"],
    ),
    (
        "from-outside",
        "GET",
        {"query": "SELECT * FROM <http://127.0.0.1:9/g> { ?s ?p ?o }"},
        None,
        {},
        400,
        ["outside this dataset", "https://w3id.org/sgkg/graph/data"],
    ),
    (
        "from-file",
        "GET",
        {"query": "SELECT * FROM NAMED <file:///etc/passwd> { ?s ?p ?o }"},
        None,
        {},
        400,
        ["FROM NAMED <file:///etc/passwd>", "outside this dataset"],
    ),
    (
        "dataset-parameter-outside",
        "GET",
        {"query": COUNT, "default-graph-uri": "file:///etc/passwd"},
        None,
        {},
        400,
        ["default-graph-uri=file:///etc/passwd", "not a graph of this dataset"],
    ),
    ("two-queries", "GET", [("query", COUNT), ("query", COUNT)], None, {}, 400, ["exactly one"]),
    ("no-such-route", "GET", {}, None, {}, 404, ["nothing at /no/such/thing", "/docs"]),
    (
        "wrong-method",
        "PUT",
        {},
        COUNT.encode(),
        {"Content-Type": SPARQL_QUERY},
        405,
        ["PUT is not allowed at /sparql; use GET, HEAD, POST"],
    ),
]


@pytest.mark.parametrize(
    ("method", "params", "body", "headers", "status", "words"),
    [case[1:] for case in BAD_INPUTS],
    ids=[case[0] for case in BAD_INPUTS],
)
def test_bad_input_gets_its_status_and_a_message(
    endpoint: str, method: str, params, body, headers, status: int, words: list[str]
) -> None:
    url = endpoint if status != 404 else endpoint.replace("/sparql", "/no/such/thing")
    answer = httpx.request(method, url, params=params, content=body, headers=headers, timeout=30)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/json"
    error = answer.json()
    assert error["status"] == status
    assert error["request_id"] == answer.headers["x-request-id"]
    for word in words:
        assert word in error["message"], error
    assert "Traceback" not in answer.text


def test_the_server_still_answers_after_the_bad_inputs(endpoint: str) -> None:
    answer = httpx.get(endpoint, params={"query": COUNT})
    assert answer.status_code == 200
    assert int(answer.json()["results"]["bindings"][0]["n"]["value"]) > 1000


def test_chunked_body_past_the_limit_is_413(endpoint: str) -> None:
    """No Content-Length: the guard counts the bytes as they come."""

    def chunks() -> Iterator[bytes]:
        for _ in range(20):
            yield b"#" * 100_000

    answer = httpx.post(
        endpoint, content=chunks(), headers={"Content-Type": SPARQL_QUERY}, timeout=30
    )
    assert answer.status_code == 413
    assert "larger than this server accepts" in answer.json()["message"]


def test_lying_content_length_is_refused(endpoint: str) -> None:
    status, _, body = raw_request(
        endpoint.removesuffix("/sparql"),
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        b"Content-Length: abc\r\nConnection: close\r\n\r\nASK {}",
        timeout=10,
    )
    assert status == 400, body


def test_syntax_errors_reach_sparqlwrapper_with_line_and_column(endpoint: str) -> None:
    client = SPARQLWrapper(endpoint)
    client.setQuery("SELECT ?s WHERE {\n  ?s ?p ?o\n  FILTER(\n}")
    client.setReturnFormat(JSON)
    with pytest.raises(QueryBadFormed) as raised:
        client.query()
    assert '"line":4' in str(raised.value)  # the JSON body SPARQLWrapper shows
    assert "syntax error at line 4, column" in str(raised.value)


def test_every_answer_has_a_request_id_and_a_client_id_is_kept(endpoint: str) -> None:
    plain = httpx.get(endpoint, params={"query": "ASK {}"})
    assert len(plain.headers["x-request-id"]) == 16
    mine = httpx.get(endpoint, params={"query": "ASK {"}, headers={"X-Request-Id": "trace-42"})
    assert mine.headers["x-request-id"] == "trace-42"
    assert mine.json()["request_id"] == "trace-42"
    odd = httpx.get(endpoint, params={"query": "ASK {}"}, headers={"X-Request-Id": "a b<c>"})
    assert odd.headers["x-request-id"] != "a b<c>"


def test_errors_are_logged_with_the_request_id(served_build: Path, tmp_path: Path) -> None:
    """The server's log has the id the client got, with the message."""
    port = free_port()
    log_path = tmp_path / "serve.log"
    command = [sys.executable, "-m", "api.cli", "--build-dir", str(served_build), "serve"]
    command += ["--port", str(port), "--no-access-log", "--workers", "1"]
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_ready(url, 120, lambda: process.poll() is None)
            answer = httpx.get(f"{url}/sparql", params={"query": "SELECT ?x {"})
        finally:
            process.terminate()
            process.wait(timeout=10)
    request_id = answer.headers["x-request-id"]
    lines = [line for line in log_path.read_text().splitlines() if request_id in line]
    assert lines and "400" in lines[0] and "syntax error" in lines[0]


# --- HEAD ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/health",
        "/sparql?query=ASK%20%7B%7D",
        "/id/component/3",
        "/ontology",
        "/void",
        "/download/sgkg.ttl",
        "/",
        "/docs",
        "/openapi.json",
    ],
)
def test_head_is_answered_wherever_get_is(server: RunningServer, path: str) -> None:
    got = httpx.get(server.url + path)
    head = httpx.head(server.url + path)
    assert head.status_code == got.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers["content-length"] == got.headers["content-length"]


# --- limits -------------------------------------------------------------------------------


def test_rows_past_the_limit_are_cut_and_the_answer_says_so(small_server: str) -> None:
    endpoint = f"{small_server}/sparql"
    every = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    answer = httpx.get(endpoint, params={"query": every})
    assert answer.status_code == 200
    assert answer.headers["x-sgkg-truncated"] == "true"
    assert answer.headers["x-sgkg-row-limit"] == "3"
    assert len(answer.json()["results"]["bindings"]) == 3
    as_xml = httpx.get(endpoint, params={"query": every, "format": "xml"})
    assert b"<!-- truncated: the answer has more than the server's limit of 3 rows -->" in (
        as_xml.content
    )
    graph = httpx.get(endpoint, params={"query": "CONSTRUCT WHERE { ?s ?p ?o }", "format": "nt"})
    assert graph.headers["x-sgkg-truncated"] == "true"
    comment, *triples = graph.text.splitlines()
    assert comment.startswith("# truncated")
    assert len(triples) == 3
    small = httpx.get(endpoint, params={"query": f"{every} LIMIT 3"})
    assert "x-sgkg-truncated" not in small.headers


def test_long_queries_are_refused(small_server: str) -> None:
    long_query = "ASK {}" + " " * 300
    in_url = httpx.get(f"{small_server}/sparql", params={"query": long_query})
    assert in_url.status_code == 414
    assert "at most 200" in in_url.json()["message"]
    in_body = httpx.post(
        f"{small_server}/sparql",
        content=long_query,
        headers={"Content-Type": SPARQL_QUERY},
    )
    assert in_body.status_code == 413
    assert in_body.json()["limit"] == 200


def test_full_queue_is_429_with_retry_after(small_server: str) -> None:
    """One worker, no queue: while a slow query runs, another request gets 429.

    The probe goes once /health shows the worker taken by the slow query (and, before
    the slow query goes, the worker idle: one killed by an earlier test is replaced)."""
    import threading
    import time

    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    answers: list[httpx.Response] = []
    runner = threading.Thread(
        target=lambda: answers.append(
            httpx.post(f"{small_server}/sparql", data={"query": slow}, timeout=60)
        )
    )
    wait_for_workers(small_server, 1)
    runner.start()
    while httpx.get(f"{small_server}/health").json()["query_workers"]["idle"] == 1:
        assert runner.is_alive(), "the slow query was answered before it was seen running"
        time.sleep(0.01)
    refused = httpx.get(f"{small_server}/sparql", params={"query": "ASK {}"})
    runner.join(timeout=60)
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "1"
    assert refused.json()["retry_after"] == 1
    assert "busy" in refused.json()["message"]
    assert answers and answers[0].status_code == 503  # the slow one: past the time limit


# --- CORS and page headers ------------------------------------------------------------------


def test_cors_for_browsers_without_credentials(endpoint: str) -> None:
    origin = {"Origin": "https://example.org"}
    simple = httpx.get(endpoint, params={"query": "ASK {}"}, headers=origin)
    assert simple.headers["access-control-allow-origin"] == "*"
    assert "x-request-id" in simple.headers["access-control-expose-headers"].lower()
    assert "access-control-allow-credentials" not in simple.headers
    preflight = httpx.options(
        endpoint,
        headers={
            **origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]
    error = httpx.get(endpoint, params={"query": "ASK {"}, headers=origin)
    assert error.status_code == 400
    assert error.headers["access-control-allow-origin"] == "*"  # errors readable too
    admin = httpx.options(
        endpoint.replace("/sparql", "/admin/reload"),
        headers={
            **origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert admin.status_code == 400  # no Authorization header from other origins


@pytest.mark.parametrize("path", ["/", "/id/component/3", "/ontology", "/download/"])
def test_pages_carry_security_headers(server: RunningServer, path: str) -> None:
    page = httpx.get(server.url + path, headers={"Accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["referrer-policy"] == "no-referrer"


def test_admin_reload_is_disabled_without_a_token(server: RunningServer) -> None:
    answer = httpx.post(f"{server.url}/admin/reload")
    assert answer.status_code == 403
    assert "--admin-token" in answer.json()["message"]


def test_workers_are_cut_off_from_the_network(server: RunningServer) -> None:
    """Defence in depth: each worker has a network namespace of its own (Linux, root or
    user namespaces), so even a query that slipped past the checks could reach nothing."""
    workers = httpx.get(f"{server.url}/health").json()["query_workers"]
    if os.geteuid() != 0 and workers["network"] != "isolated":
        pytest.skip(f"no network namespaces for this user: {workers['network']}")
    assert workers["network"] == "isolated"


def test_large_answers_come_through_whole(endpoint: str) -> None:
    """A multi-megabyte answer crosses the worker's pipe in many pieces."""
    total = int(
        httpx.get(endpoint, params={"query": COUNT}).json()["results"]["bindings"][0]["n"]["value"]
    )
    every = "CONSTRUCT WHERE { ?s ?p ?o }"
    answer = httpx.get(endpoint, params={"query": every, "format": "nt"}, timeout=60)
    assert answer.status_code == 200
    assert len(answer.content) > 500_000
    assert len(answer.text.splitlines()) == total
    rows = httpx.get(endpoint, params={"query": "SELECT * WHERE { ?s ?p ?o }"}, timeout=60)
    assert len(rows.json()["results"]["bindings"]) == total
