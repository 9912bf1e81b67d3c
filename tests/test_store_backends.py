"""The same queries give the same answers on every store backend.

Three real servers answer over HTTP: the session's `sgkg serve` (``embedded``, the
default), `sgkg serve --store disk` and `sgkg serve --store remote` in front of a real
`oxigraph serve` (the PyPI ``oxigraph`` server, started here on loopback with an empty
``--location``, loaded with `sgkg publish --to`). Each runs all the competency
questions (their expected answers too) and a set of dataset queries (FROM, FROM NAMED,
GRAPH, the protocol's ``default-graph-uri`` / ``named-graph-uri``, CONSTRUCT); the
answers must equal the embedded store's, row for row. `sgkg query` and `sgkg questions
--check` do the same through the CLI. Then the failures: publishing to nowhere, a
remote that goes away while the server runs, a remote that never answers.
"""

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from api.analysis.competency import check_answer, load_questions
from api.build.pipeline import NQUADS_FILE
from api.core.layout import discover_layout
from api.store.backends import DISK, EMBEDDED, REMOTE, sgkg_graphs
from api.store.base import convert_result
from api.store.disk import COMPLETE_FILE, LOCK_FILE, build_digest, prepare_disk_store
from api.store.remote import RemoteStore, StoreUnavailable

from conftest import REPO, CliRun, RunningServer, free_port, stop_process, wait_until_ready

JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
GRAPH = "https://w3id.org/sgkg/graph/"
QUESTIONS = load_questions(discover_layout(REPO))
#: Queries on the dataset itself: (name, query, protocol parameters).
DATASET_QUERIES: list[tuple[str, str, dict[str, list[str]]]] = [
    (
        "triples per graph",
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
        {},
    ),
    ("the union default graph", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", {}),
    ("FROM one graph", f"SELECT (COUNT(*) AS ?n) FROM <{GRAPH}data> WHERE {{ ?s ?p ?o }}", {}),
    (
        "FROM NAMED and GRAPH",
        f"SELECT ?g (COUNT(*) AS ?n) FROM NAMED <{GRAPH}shapes> "
        "WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
        {},
    ),
    (
        "FROM without FROM NAMED: no named graph",
        f"SELECT (COUNT(*) AS ?n) FROM <{GRAPH}data> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        {},
    ),
    (
        "default-graph-uri",
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
        {"default-graph-uri": [f"{GRAPH}sources", f"{GRAPH}ontology"]},
    ),
    (
        "named-graph-uri",
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
        {"named-graph-uri": [f"{GRAPH}data"]},
    ),
    (
        "GRAPH with a fixed IRI",
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}inferred> {{ ?s ?p ?o }} }}",
        {},
    ),
    (
        "ASK",
        "ASK { <https://w3id.org/sgkg/id/component/3> ?p ?o }",
        {},
    ),
]
CONSTRUCT = (
    "CONSTRUCT { ?x ?p ?o } WHERE { VALUES ?x { <https://w3id.org/sgkg/id/component/3> "
    "<https://w3id.org/sgkg/id/mechanism/special-commission> } ?x ?p ?o }"
)


# --- the servers ------------------------------------------------------------------------


def oxigraph_command() -> str:
    """The `oxigraph` server installed with the test extra, beside this Python."""
    beside = Path(sys.executable).with_name("oxigraph")
    found = str(beside) if beside.is_file() else shutil.which("oxigraph")
    if found is None:
        pytest.fail("the oxigraph server is missing: pip install -e '.[test]'")
    return found


def start_oxigraph(location: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`oxigraph serve` on a free loopback port, ready; returns it and its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [oxigraph_command(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/query", params={"query": "ASK {}"}).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.05)
    process.kill()
    pytest.fail("oxigraph serve did not start within 30 s")


def run_sgkg(*args: str | Path) -> CliRun:
    """`sgkg ARGS` as a separate process (as a person runs it)."""
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", *map(str, args)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return CliRun(done.returncode, done.stdout, done.stderr)


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory, served_build: Path) -> Iterator[str]:
    """A real `oxigraph serve`, loaded with `sgkg publish --to`; yields its base URL."""
    process, url = start_oxigraph(tmp_path_factory.mktemp("oxigraph") / "data")
    try:
        published = run_sgkg("--build-dir", served_build, "publish", "--to", f"{url}/store")
        assert published.code == 0, published.err
        yield url
    finally:
        stop_process(process)


def start_sgkg(build_dir: Path, *store: str, timeout: float = 10) -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = [sys.executable, "-m", "api.cli", "--build-dir", str(build_dir), "serve"]
    command += ["--port", str(port), "--no-access-log", "--workers", "2", "--timeout", str(timeout)]
    process = subprocess.Popen(
        [*command, *store], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(url, 120, lambda: process.poll() is None)
    except BaseException:
        stop_process(process)
        raise
    return process, url


@pytest.fixture(scope="module")
def servers(
    server: RunningServer, served_build: Path, oxigraph: str, tmp_path_factory
) -> Iterator[dict[str, str]]:
    """The URL of a running `sgkg serve` per backend."""
    store_dir = tmp_path_factory.mktemp("disk-stores")
    disk, disk_url = start_sgkg(served_build, "--store", DISK, "--store-dir", str(store_dir))
    try:
        remote, remote_url = start_sgkg(
            served_build, "--store", REMOTE, "--store-url", f"{oxigraph}/query"
        )
    except BaseException:
        stop_process(disk)
        raise
    try:
        yield {EMBEDDED: server.url, DISK: disk_url, REMOTE: remote_url}
    finally:
        stop_process(remote)
        stop_process(disk)


# --- answers, normalised ----------------------------------------------------------------


def solutions(body: bytes) -> object:
    """A SPARQL JSON answer as something comparable: a boolean or sorted rows."""
    parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    if isinstance(parsed, ox.QueryBoolean):
        return bool(parsed)
    names = [v.value for v in parsed.variables]
    return sorted(
        tuple((name, str(row[name]) if row[name] is not None else None) for name in names)
        for row in parsed
    )


def in_any_order(body: bytes) -> object:
    """:func:`solutions`, each value as the multiset of its words: GROUP_CONCAT joins
    values in whatever order an engine reads them, which the interpreted store (loaded
    from other files) need not share with the strict one."""
    found = solutions(body)
    if isinstance(found, bool):
        return found
    return sorted(
        tuple((name, sorted(value.strip('"').split()) if value else value) for name, value in row)
        for row in found
    )


def ask(url: str, sparql: str, params: dict[str, list[str]] | None = None, **headers: str):
    answer = httpx.post(
        f"{url}/sparql",
        data={"query": sparql, **(params or {})},
        headers={"Accept": JSON, **headers},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return answer


@pytest.mark.parametrize("backend", [DISK, REMOTE])
def test_competency_questions_over_http_match_the_embedded_store(
    servers: dict[str, str], backend: str
) -> None:
    for question in QUESTIONS:
        body = ask(servers[backend], question.sparql).content
        expected = ask(servers[EMBEDDED], question.sparql).content
        assert solutions(body) == solutions(expected), question.name
        result = convert_result(ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON))
        assert check_answer(question, result).passed, question.name


@pytest.mark.parametrize("backend", [DISK, REMOTE])
@pytest.mark.parametrize(("name", "sparql", "params"), DATASET_QUERIES, ids=lambda v: str(v)[:30])
def test_dataset_queries_over_http_match_the_embedded_store(
    servers: dict[str, str], backend: str, name: str, sparql: str, params: dict
) -> None:
    got = solutions(ask(servers[backend], sparql, params).content)
    assert got == solutions(ask(servers[EMBEDDED], sparql, params).content), name


@pytest.mark.parametrize("backend", [DISK, REMOTE])
def test_construct_gives_the_same_triples(servers: dict[str, str], backend: str) -> None:
    def triples(url: str) -> set[str]:
        answer = httpx.post(
            f"{url}/sparql", data={"query": CONSTRUCT}, headers={"Accept": N_TRIPLES}
        )
        assert answer.status_code == 200, answer.text
        return set(answer.text.splitlines())

    got = triples(servers[backend])
    assert len(got) > 10
    assert got == triples(servers[EMBEDDED])


@pytest.mark.parametrize("backend", [DISK, REMOTE])
def test_errors_are_the_same_on_every_backend(servers: dict[str, str], backend: str) -> None:
    for sparql, status in [
        ("SELECT * WHERE { ?s ?p", 400),
        ("SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", 400),
        ("DROP ALL", 403),
    ]:
        got = httpx.post(f"{servers[backend]}/sparql", data={"query": sparql})
        expected = httpx.post(f"{servers[EMBEDDED]}/sparql", data={"query": sparql})
        assert got.status_code == expected.status_code == status
        assert {k: v for k, v in got.json().items() if k != "request_id"} == {
            k: v for k, v in expected.json().items() if k != "request_id"
        }


@pytest.mark.parametrize("backend", [DISK, REMOTE])
def test_interpreted_answers_are_the_same_on_every_backend(
    servers: dict[str, str], backend: str
) -> None:
    """`sgkg publish` sends the interpretation graphs too, so a remote store answers
    with interpretations, and names the same ones, as the embedded store does."""
    rested_on = set()
    for question in QUESTIONS:
        params = {"interpretations": ["all"]}
        got = ask(servers[backend], question.sparql, params)
        expected = ask(servers[EMBEDDED], question.sparql, params)
        assert in_any_order(got.content) == in_any_order(expected.content), question.name
        header = "sgkg-interpretations"
        assert got.headers[header] == expected.headers[header], question.name
        assert got.headers["sgkg-answer-mode"] == "interpreted"
        rested_on |= set(got.headers[header].split(", ")) - {"none"}
    assert len(rested_on) > 3
    body = {"events": ["ceasefire-in-force", "armed-attack-by-russia"], "interpretations": "all"}
    scenarios = [httpx.post(f"{servers[b]}/scenarios", json=body) for b in (backend, EMBEDDED)]
    assert scenarios[0].status_code == 200, scenarios[0].text
    assert scenarios[0].json() == scenarios[1].json()
    assert scenarios[0].json()["interpretations_used"]


def test_health_names_the_backend(servers: dict[str, str], oxigraph: str) -> None:
    stores = {backend: httpx.get(f"{url}/health").json() for backend, url in servers.items()}
    assert {backend: body["store"] for backend, body in stores.items()} == {
        EMBEDDED: EMBEDDED,
        DISK: DISK,
        REMOTE: REMOTE,
    }
    assert stores[REMOTE]["store_location"] == f"{oxigraph}/query"
    assert (Path(stores[DISK]["store_location"]) / COMPLETE_FILE).is_file()
    assert stores[EMBEDDED]["query_workers"]["network"] == "isolated"
    assert stores[DISK]["query_workers"]["network"] == "isolated"
    assert stores[REMOTE]["query_workers"]["network"] == "isolated"  # through the relay
    totals = {body["quads_in_store"] for body in stores.values()}
    assert totals == {stores[EMBEDDED]["total_triples"]}


# --- the CLI ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cli_options(served_build: Path, oxigraph: str, tmp_path_factory) -> dict[str, list[str]]:
    store_dir = tmp_path_factory.mktemp("cli-disk-stores")
    return {
        EMBEDDED: [],
        DISK: ["--store", DISK, "--store-dir", str(store_dir)],
        REMOTE: ["--store", REMOTE, "--store-url", f"{oxigraph}/query"],
    }


@pytest.mark.parametrize("backend", [EMBEDDED, DISK, REMOTE])
def test_questions_check_passes_on_every_backend(
    served_build: Path, cli_options: dict[str, list[str]], backend: str
) -> None:
    done = run_sgkg("--build-dir", served_build, "questions", "--check", *cli_options[backend])
    assert done.code == 0, done.err + done.out
    assert f"{len(QUESTIONS)} of {len(QUESTIONS)} competency questions" in done.err


def test_query_prints_the_same_on_every_backend(
    served_build: Path, cli_options: dict[str, list[str]]
) -> None:
    queries = [sparql for _, sparql, params in DATASET_QUERIES if not params] + [CONSTRUCT]
    for sparql in queries:
        printed = {
            backend: run_sgkg("--build-dir", served_build, "query", sparql, *options)
            for backend, options in cli_options.items()
        }
        assert {run.code for run in printed.values()} == {0}, printed
        outputs = {backend: sorted(run.out.splitlines()) for backend, run in printed.items()}
        assert outputs[DISK] == outputs[EMBEDDED] == outputs[REMOTE], sparql


def test_interpreted_query_prints_the_same_on_every_backend(
    served_build: Path, cli_options: dict[str, list[str]]
) -> None:
    question = REPO / "data" / "queries" / "cq31-who-is-bound.rq"
    printed = {
        backend: run_sgkg(
            "--build-dir", served_build, "query", question, "--interpretations", "all", *options
        )
        for backend, options in cli_options.items()
    }
    assert {run.code for run in printed.values()} == {0}, printed
    outputs = {backend: sorted(run.out.splitlines()) for backend, run in printed.items()}
    assert outputs[DISK] == outputs[EMBEDDED] == outputs[REMOTE]
    summaries = {backend: run.err.strip().splitlines()[-1] for backend, run in printed.items()}
    assert summaries[DISK] == summaries[EMBEDDED] == summaries[REMOTE]
    assert summaries[REMOTE].startswith("answer: interpreted (13 interpretation(s) included); ")
    assert "we-finalise-binding-commitments" in summaries[REMOTE]


def test_query_syntax_error_is_the_same_on_the_remote(
    served_build: Path, cli_options: dict[str, list[str]]
) -> None:
    bad = "SELECT * WHERE {\n  ?s ?p"
    local = run_sgkg("--build-dir", served_build, "query", bad)
    remote = run_sgkg("--build-dir", served_build, "query", bad, *cli_options[REMOTE])
    assert local.code == remote.code == 2
    assert local.err == remote.err
    assert "line 2" in remote.err


def test_remote_without_url_is_a_clear_error(sgkg: Callable[..., CliRun]) -> None:
    done = sgkg("query", "--store", REMOTE, "ASK {}")
    assert done.code == 2
    assert "--store-url" in done.err


# --- the disk store ----------------------------------------------------------------------


def test_disk_store_is_written_once_and_old_builds_are_removed(
    served_build: Path, tmp_path: Path
) -> None:
    nquads = served_build / NQUADS_FILE
    folder = prepare_disk_store(nquads, tmp_path)
    assert folder.name == build_digest(nquads)
    written = (folder / COMPLETE_FILE).stat().st_mtime_ns
    unused = tmp_path / "0123456789abcdef"
    unused.mkdir()
    (unused / LOCK_FILE).touch()
    in_use = tmp_path / "fedcba9876543210"
    in_use.mkdir()
    (in_use / LOCK_FILE).touch()
    reader = ["flock", "--no-fork", "--shared", str(in_use / LOCK_FILE)]
    reader += ["sh", "-c", "echo locked; exec sleep 30"]
    # another process reading that store: holds its lock
    with subprocess.Popen(reader, stdout=subprocess.PIPE) as holder:
        try:
            assert holder.stdout is not None
            assert holder.stdout.readline() == b"locked\n"  # flock holds the lock now
            assert prepare_disk_store(nquads, tmp_path) == folder
            assert (folder / COMPLETE_FILE).stat().st_mtime_ns == written  # reused
            assert not unused.exists()
            assert in_use.exists()
        finally:
            holder.kill()


# --- failures -----------------------------------------------------------------------------


def test_publish_to_an_unreachable_store_is_a_clear_error(served_build: Path) -> None:
    done = run_sgkg("--build-dir", served_build, "publish", "--to", "http://127.0.0.1:9/store")
    assert done.code == 1
    assert "cannot reach the store at http://127.0.0.1:9/store" in done.err
    assert "Traceback" not in done.err


def test_publish_to_a_wrong_url_is_a_clear_error(served_build: Path, oxigraph: str) -> None:
    not_http = run_sgkg("--build-dir", served_build, "publish", "--to", "ftp://example.org/")
    assert not_http.code == 2
    assert "not an http:// or https:// URL" in not_http.err
    query_url = run_sgkg("--build-dir", served_build, "publish", "--to", f"{oxigraph}/query")
    assert query_url.code == 1
    assert "refused <https://w3id.org/sgkg/graph/" in query_url.err
    assert "HTTP 404" in query_url.err or "HTTP 405" in query_url.err
    assert "Traceback" not in query_url.err


def test_remote_down_while_serving_is_a_clear_503(served_build: Path, tmp_path: Path) -> None:
    oxigraph, url = start_oxigraph(tmp_path / "data")
    try:
        assert run_sgkg("--build-dir", served_build, "publish", "--to", f"{url}/store").code == 0
        sgkg, sgkg_url = start_sgkg(
            served_build, "--store", REMOTE, "--store-url", f"{url}/query", timeout=3
        )
    finally:
        stop_process(oxigraph)
    try:
        answer = httpx.post(f"{sgkg_url}/sparql", data={"query": "ASK { ?s ?p ?o }"}, timeout=30)
        assert answer.status_code == 503
        assert answer.headers["Retry-After"]
        body = answer.json()
        assert f"the remote store at {url}/query cannot be reached" in body["message"]
        assert body["request_id"]
    finally:
        stop_process(sgkg)


def test_a_remote_that_never_answers_times_out() -> None:
    with socket.socket() as silent:  # accepts connections (the backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/query"
        store = RemoteStore(url, sgkg_graphs(), timeout=1)
        with pytest.raises(StoreUnavailable, match="did not answer within 1 s"):
            store.query("ASK { ?s ?p ?o }")


def test_auto_serves_large_builds_from_disk(
    served_build: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The default store is ``auto``: in memory for a small build, the shared on-disk
    store from AUTO_DISK_BYTES of N-Quads on (one copy for every worker, opened at once)."""
    from api.store import backends as store_backends
    from api.store.backends import AUTO, DiskStoreFactory, NQuadsStoreFactory, StoreChoice

    nquads = served_build / NQUADS_FILE
    choice = StoreChoice()
    assert choice.backend == AUTO
    assert isinstance(choice.factory(nquads, tmp_path), NQuadsStoreFactory)
    monkeypatch.setattr(store_backends, "AUTO_DISK_BYTES", 1)
    factory = choice.factory(nquads, tmp_path)
    assert isinstance(factory, DiskStoreFactory)
    assert factory().quad_count() == quads_in(nquads)


def test_sgkg_build_writes_the_disk_store_the_server_will_use(
    sgkg: Callable[..., CliRun], mini_tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.store import backends as store_backends

    monkeypatch.delenv("SGKG_STORE", raising=False)
    monkeypatch.delenv("SGKG_STORE_DIR", raising=False)
    small = sgkg("--root", mini_tree, "--build-dir", tmp_path / "small", "build", "--no-reason")
    assert small.code == 0 and not (tmp_path / "small" / "oxigraph").exists()
    monkeypatch.setattr(store_backends, "AUTO_DISK_BYTES", 1)
    large = sgkg("--root", mini_tree, "--build-dir", tmp_path / "large", "build", "--no-reason")
    assert large.code == 0, large.err
    assert "wrote the on-disk query store" in large.err
    digest = build_digest(tmp_path / "large" / NQUADS_FILE)
    assert (tmp_path / "large" / "oxigraph" / digest / COMPLETE_FILE).is_file()


def quads_in(nquads: Path) -> int:
    store = ox.Store()
    store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    return len(store)


def test_a_prepared_store_is_found_again_without_hashing(
    served_build: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.store import disk as store_disk

    nquads = tmp_path / NQUADS_FILE
    shutil.copyfile(served_build / NQUADS_FILE, nquads)
    folder = prepare_disk_store(nquads, tmp_path / "stores")

    def no_hashing(path: Path) -> str:
        raise AssertionError("hashed again")

    monkeypatch.setattr(store_disk, "build_digest", no_hashing)
    assert prepare_disk_store(nquads, tmp_path / "stores") == folder
    nquads.write_bytes(nquads.read_bytes() + b"\n")  # another file: hashed, a new store
    with pytest.raises(AssertionError, match="hashed again"):
        prepare_disk_store(nquads, tmp_path / "stores")
