"""`make bench`: what each of the endpoint's speed-ups buys, and a pool from a library.

The server carries three pieces of code whose only reason is speed. Each is measured by
switching it off (``variant_server.py``) and comparing, side by side on this machine,
against the server as shipped, with ``oxigraph serve`` beside them as the limit:

- the route that skips FastAPI's routing for queries
  (:class:`api.server.routes.sparql.SparqlFastPath`);
- taking the worker freed last, whose caches are warm (:mod:`api.query.executor`);
- writing the static documents in the background, so that queries are answered
  before they are written (:mod:`api.server.served_graph`).

*Latency*: one keep-alive client asks every competency question (and ``ASK {}``) of
every server in turn, in a new random order each round, the same text each time
(``oxigraph serve`` keeps no parse cache, and sgkg has none). Two servers as shipped
run side by side, so the difference between them is the noise to beat. *Throughput*:
``tests/loadgen.py``'s light client, 8 clients, small queries, the servers in turn, twice.
*Start-up*: starts of the server as shipped and with the documents written first,
alternated: the first answered query and the first answered VoID document.

Last, the process pool of ``pebble`` (a per-task timeout, a worker restarted when its
task is stopped) against :class:`~api.query.executor.ProcessQueryExecutor`, in this
process on uvloop (the server's loop), both doing a worker's job (``pebble_pool.py``).

Reported, not asserted: timings on a shared machine are not a pass/fail matter. Written
to this module's own section of ``RESULTS.md``.
"""

import asyncio
import http.client
import multiprocessing
import os
import random
import statistics
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import uvloop
from pebble import ProcessPool

from api.analysis.competency import load_questions
from api.build.pipeline import NQUADS_FILE, read_manifest
from api.core.layout import discover_layout
from api.core.site import VOID_PATH
from api.query.executor import PoolLimits, ProcessQueryExecutor
from api.query.work import Answer, QueryRequest, QueryRules
from api.server.served_graph import graph_names
from api.store.backends import NQuadsStoreFactory

import pebble_pool
from bench_support import (
    JSON_RESULTS,
    Served,
    median_ms,
    oxigraph_post,
    oxigraph_serve,
    run_header,
    sgkg_serve,
    write_section,
)
from conftest import REPO
from loadgen import run_raw_load, small_query_mix

pytestmark = [pytest.mark.bench, pytest.mark.timeout(1800)]

SECTION = "speedups"
LAUNCHER = (str(Path(__file__).with_name("variant_server.py")),)
#: The server as shipped, twice (their difference is the noise), then one variant per
#: speed-up switched off (``documents-first`` only changes the start: see its test).
SHIPPED = ("all-on", "all-on (second)")
VARIANTS = ("no-fast-path", "oldest-worker")
OXIGRAPH_NAME = "oxigraph serve"
ROUNDS = int(os.environ.get("SGKG_BENCH_SPEEDUP_ROUNDS", "8"))
RUNS = 15
LOAD_SECONDS = float(os.environ.get("SGKG_BENCH_SPEEDUP_LOAD_SECONDS", "5"))
LOAD_CLIENTS = 8
STARTS = int(os.environ.get("SGKG_BENCH_SPEEDUP_STARTS", "5"))
POOL_WORKERS = 4
POOL_RUNS = 1000


@dataclass
class Findings:
    """What the tests measured; written as this module's section at the end."""

    #: server name -> question -> per-round medians (ms)
    latency: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    #: server name -> requests per second of each load run
    throughput: dict[str, list[float]] = field(default_factory=dict)
    #: variant -> (seconds to the first answered query, to the first VoID document)
    starts: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    #: pool -> query -> median ms; and pebble's network isolation
    pools: dict[str, dict[str, float]] = field(default_factory=dict)
    pebble_network: str = ""


@pytest.fixture(scope="module")
def findings() -> Iterator[Findings]:
    collected = Findings()
    yield collected
    lines = run_header("What the endpoint's speed-ups buy", Path(__file__).name)
    write_section(SECTION, lines + render(collected))


@pytest.fixture(scope="module")
def servers(served_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Served]]:
    """``oxigraph serve`` (in memory), the server as shipped twice, and each variant."""
    folder = tmp_path_factory.mktemp("speedups")
    with ExitStack() as stack:
        oxigraph = stack.enter_context(oxigraph_serve(folder / "oxigraph.log"))
        oxigraph_post(oxigraph, served_build / NQUADS_FILE)
        oxigraph.name = OXIGRAPH_NAME
        running = [oxigraph]
        for name in (*SHIPPED, *VARIANTS):
            variant = name.split(" ")[0]
            log = folder / f"{variant}-{len(running)}.log"
            served = sgkg_serve(REPO, served_build, log, name=name, launcher=(*LAUNCHER, variant))
            running.append(stack.enter_context(served))
        yield running


def small_queries() -> dict[str, str]:
    questions = {q.name[:4]: q.sparql for q in load_questions(discover_layout(REPO))}
    return {"ASK {}": "ASK {}", **questions}


def test_latency_with_each_speed_up_off(servers: list[Served], findings: Findings) -> None:
    queries = small_queries()
    clients = {served.name: served.client() for served in servers}
    order = random.Random(20260106)
    try:
        for _ in range(ROUNDS):
            for name, sparql in queries.items():
                for server in order.sample(list(clients), len(clients)):
                    client = clients[server]
                    for _ in range(2):
                        client.query(sparql)
                    timings = [client.query(sparql)[0] for _ in range(RUNS)]
                    per_question = findings.latency.setdefault(server, {})
                    per_question.setdefault(name, []).append(median_ms(timings))
    finally:
        for client in clients.values():
            client.close()


def test_throughput_with_each_speed_up_off(servers: list[Served], findings: Findings) -> None:
    questions = [q.sparql for q in load_questions(discover_layout(REPO))]
    for _ in range(2):
        for served in servers:
            mix = small_query_mix(questions, served.path)
            report = run_raw_load(served.url, mix, clients=LOAD_CLIENTS, seconds=LOAD_SECONDS)
            assert report.lost == 0 and report.server_errors == 0, served.name
            findings.throughput.setdefault(served.name, []).append(report.requests_per_second)


def test_start_up_with_documents_written_first(
    served_build: Path, tmp_path: Path, findings: Findings
) -> None:
    for start in range(STARTS):
        for variant in ("all-on", "documents-first"):
            log = tmp_path / f"{variant}-{start}.log"
            launcher = (*LAUNCHER, variant)
            with sgkg_serve(REPO, served_build, log, name=variant, launcher=launcher) as served:
                documents = _seconds_to_document(served, VOID_PATH)
            findings.starts.setdefault(variant, []).append((served.ready_s, documents))


def _seconds_to_document(served: Served, path: str) -> float:
    """Seconds from the server's start (``ready_s`` ago) until ``path`` answers 200."""
    waited = time.perf_counter()
    parts = urlsplit(served.url)
    while time.perf_counter() - waited < 120:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        connection.request("GET", path, headers={"Accept": "text/turtle"})
        answer = connection.getresponse()
        answer.read()
        connection.close()
        if answer.status == 200:
            return served.ready_s + time.perf_counter() - waited
        time.sleep(0.01)
    pytest.fail(f"{path} did not answer 200 within 120 s of the first query")


def test_worker_pool_against_pebble(served_build: Path, findings: Findings) -> None:
    factory = NQuadsStoreFactory(served_build / NQUADS_FILE)
    manifest = read_manifest(served_build)
    assert manifest is not None, f"no build in {served_build}"
    graphs = graph_names(manifest)
    limits = PoolLimits(workers=POOL_WORKERS, timeout=10, queue=16, max_rows=10_000)
    rules = QueryRules(graphs, limits.max_rows, limits.max_bytes)
    queries = small_queries()
    measured = {name: queries[name] for name in ("ASK {}", "cq19", "cq30")}
    executor = ProcessQueryExecutor(factory, graphs, limits).start()
    pool = ProcessPool(
        max_workers=POOL_WORKERS,
        initializer=pebble_pool.set_up,
        initargs=(factory, rules),
        context=multiprocessing.get_context("spawn"),
    )
    try:
        findings.pebble_network = pool.schedule(pebble_pool.network).result(timeout=300)
        findings.pools = uvloop.run(_time_pools(executor, pool, measured))
    finally:
        executor.close()
        pool.stop()
        pool.join()


async def _time_pools(
    executor: ProcessQueryExecutor, pool: ProcessPool, queries: dict[str, str]
) -> dict[str, dict[str, float]]:
    async def ours(request: QueryRequest) -> None:
        await executor.execute(request)

    async def pebble(request: QueryRequest) -> None:
        future = pool.schedule(pebble_pool.answer, args=(request,), timeout=10)
        assert isinstance(await asyncio.wrap_future(future), Answer)

    timings: dict[str, dict[str, float]] = {}
    for name, sparql in queries.items():
        request = QueryRequest(sparql, accept=JSON_RESULTS)
        for label, ask in (("ProcessQueryExecutor", ours), ("pebble ProcessPool", pebble)):
            for _ in range(50):
                await ask(request)
            seconds = []
            for _ in range(POOL_RUNS):
                started = time.perf_counter()
                await ask(request)
                seconds.append(time.perf_counter() - started)
            timings.setdefault(label, {})[name] = median_ms(seconds)
    return timings


# --- RESULTS.md --------------------------------------------------------------------------


def render(findings: Findings) -> list[str]:
    return [
        *_render_latency(findings),
        *_render_throughput(findings),
        *_render_starts(findings),
        *_render_pools(findings),
    ]


def _per_question(findings: Findings, server: str) -> dict[str, float]:
    """Each question's median over the rounds' medians."""
    return {name: statistics.median(runs) for name, runs in findings.latency[server].items()}


def _geomean_ratio(findings: Findings, server: str, reference: str) -> float:
    ours, theirs = _per_question(findings, server), _per_question(findings, reference)
    return statistics.geometric_mean(ours[name] / theirs[name] for name in ours)


def _render_latency(findings: Findings) -> list[str]:
    if not findings.latency:
        return []
    shipped = SHIPPED[0]
    asks = len(findings.latency[shipped])
    lines = [
        "## Latency, one client, with each speed-up switched off",
        "",
        f"{asks} queries (the competency questions and `ASK {{}}`), {ROUNDS} rounds, "
        f"{RUNS} runs each after two warm-up runs, the servers in a new random order for "
        "every query and round; each query's figure is the median of its rounds' medians. "
        "Ratios are geometric means over the queries.",
        "",
        "| server | median of the queries (ms) | / oxigraph serve | / sgkg as shipped |",
        "|---|---:|---:|---:|",
    ]
    for server in findings.latency:
        median = statistics.median(_per_question(findings, server).values())
        to_oxigraph = _geomean_ratio(findings, server, OXIGRAPH_NAME)
        to_shipped = _geomean_ratio(findings, server, shipped)
        lines.append(f"| {server} | {median:.3f} | {to_oxigraph:.2f}x | {to_shipped:.3f}x |")
    noise = abs(_geomean_ratio(findings, SHIPPED[1], shipped) - 1)
    lines += [
        "",
        f"Noise: the two servers as shipped differ by {noise:.1%}. A speed-up matters when "
        f"switching it off costs clearly more than that (here: more than {_bar(noise):.1%}):",
        "",
    ]
    for variant in VARIANTS:
        cost = _geomean_ratio(findings, variant, shipped) - 1
        verdict = "matters" if cost > _bar(noise) else "does **not** matter"
        lines.append(f"- {variant}: {cost:+.1%}, {verdict}")
    return [*lines, ""]


def _bar(noise: float) -> float:
    """What a speed-up must buy to count: twice the noise, and at least 3%."""
    return max(2 * noise, 0.03)


def _render_throughput(findings: Findings) -> list[str]:
    if not findings.throughput:
        return []
    shipped = statistics.mean(findings.throughput[SHIPPED[0]])
    lines = [
        f"## Throughput, {LOAD_CLIENTS} clients, small queries",
        "",
        f"Two runs of {LOAD_SECONDS:g} s per server, the servers in turn; no request lost "
        "and no server error in any run.",
        "",
        "| server | requests/s (each run) | mean / sgkg as shipped |",
        "|---|---|---:|",
    ]
    for server, runs in findings.throughput.items():
        shown = ", ".join(f"{rate:.0f}" for rate in runs)
        lines.append(f"| {server} | {shown} | {statistics.mean(runs) / shipped:.2f}x |")
    return [*lines, ""]


def _render_starts(findings: Findings) -> list[str]:
    if not findings.starts:
        return []
    lines = [
        "## Start-up: the static documents in the background, or first",
        "",
        f"{STARTS} starts of each, alternated, on the shipped graph (4 workers): seconds "
        "from the process start to the first answered query and to the first answered "
        "VoID document (a static document), polled every 10 ms.",
        "",
        "| start | first query (median, s) | each start | VoID document (median, s) |",
        "|---|---:|---|---:|",
    ]
    for variant, starts in findings.starts.items():
        ready = [first for first, _ in starts]
        documents = [document for _, document in starts]
        shown = ", ".join(f"{seconds:.2f}" for seconds in ready)
        lines.append(
            f"| {variant} | {statistics.median(ready):.2f} | {shown} | "
            f"{statistics.median(documents):.2f} |"
        )
    return [*lines, ""]


def _render_pools(findings: Findings) -> list[str]:
    if not findings.pools:
        return []
    queries = list(next(iter(findings.pools.values())))
    lines = [
        "## The worker pool against pebble's process pool",
        "",
        f"{POOL_WORKERS} workers each, the same store and the same work per query "
        f"(`answer_query`), one query at a time from a uvloop event loop, {POOL_RUNS} runs "
        "after 50 warm-up runs; median ms per query, the whole hop (send, work, answer "
        f"back on the loop). pebble's workers left the network in its initializer: "
        f"{findings.pebble_network}.",
        "",
        "| pool | " + " | ".join(queries) + " |",
        "|---|" + "---:|" * len(queries),
    ]
    for pool, timings in findings.pools.items():
        lines.append(f"| {pool} | " + " | ".join(f"{timings[q]:.3f}" for q in queries) + " |")
    return [*lines, ""]
