"""`make bench`: reasoning time, and scenario evaluation time, each beside a peer.

- Reasoning on the shipped graph: :func:`api.reasoning.reason_with_hermit` against the
  peer the design names, owlready2's ``sync_reasoner_hermit`` in a fresh World on the
  same triples (both run HermiT in Java). The run also checks that everything the peer
  infers is in sgkg's inferred graph (or asserted). Then reasoning on a synthetic corpus
  (``api.synth``, 100 agreements) for how it scales.
- Scenario evaluation on the shipped graph: in-process (one evaluation, and reading the
  model from the store), beside one competency query through the same store; and over
  HTTP, ``POST /scenarios`` beside ``GET /scenarios/events`` on the same uvicorn server
  (the router's HTTP and JSON overhead with next to no work). The target is under 50 ms
  per request; it is the one figure asserted here.

Figures go to this file's own section of ``tests/benchmarks/RESULTS.md`` (between
markers, replaced on each run; the rest of the file is left as it is).
"""

import io
import itertools
import os
import platform
import socket
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import httpx
import owlready2
import pytest
import uvicorn
from fastapi import FastAPI
from rdflib import Graph
from rdflib.namespace import OWL, RDF

from api.build import build
from api.competency import load_questions
from api.dataset import load_dataset
from api.http_scenarios import router, scenario_store
from api.layout import discover_layout
from api.query import open_store
from api.reasoning import reason_with_hermit, reasoning_input
from api.scenarios import ScenarioModel
from api.store import EmbeddedStore
from api.synth import write_corpus

from bench_support import write_section
from conftest import REPO

pytestmark = pytest.mark.bench

#: This module's section of RESULTS.md.
SECTION = "reasoning-and-scenarios"
TARGET_MS = 50.0
EVENTS = ("ceasefire-in-force", "credible-cessation-of-hostilities", "ukraine-request",
          "armed-attack-by-russia")  # fmt: skip
SCENARIOS = [
    (list(combo), version)
    for size in range(len(EVENTS) + 1)
    for combo in itertools.combinations(EVENTS, size)
    for version in ("paris-final", "paris-press-release")
]
SYNTH_AGREEMENTS = 100


def timed(run: Callable[[], object], repeat: int) -> list[float]:
    """Seconds per call, ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return times


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}"


@pytest.fixture(scope="module")
def lines() -> Iterator[list[str]]:
    """The Markdown lines of this section, written to RESULTS.md when the module ends."""
    collected: list[str] = []
    yield collected
    load = ", ".join(f"{value:.2f}" for value in _load_average())
    header = [
        "# Reasoning and scenario evaluation (`make bench`)",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by "
        "`tests/benchmarks/test_reasoning_scenarios_bench.py`; written by the run itself.",
        f"Machine: {platform.platform()}, {_cores()} cores, load average at the end {load}; "
        f"Python {platform.python_version()}, owlready2 {version('owlready2')}, "
        f"pyoxigraph {version('pyoxigraph')}, fastapi {version('fastapi')}, "
        f"uvicorn {version('uvicorn')}.",
        "",
    ]
    write_section(SECTION, [*header, *collected])


@pytest.fixture(scope="module")
def shipped_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    build_dir = tmp_path_factory.mktemp("bench-scenarios") / "build"
    build(discover_layout(REPO, build_dir))
    return build_dir


@pytest.fixture(scope="module")
def store(shipped_build: Path) -> EmbeddedStore:
    return open_store(discover_layout(REPO, shipped_build))


# --- reasoning -------------------------------------------------------------------------


def owlready2_peer(asserted: Graph) -> Graph:
    """owlready2's own way: a fresh World, sync_reasoner_hermit, its inferred ontology."""
    world = owlready2.World()
    data = asserted.serialize(format="nt", encoding="utf-8")
    world.get_ontology("http://sgkg.invalid/input/").load(
        fileobj=io.BytesIO(data), format="ntriples"
    )
    owlready2.sync_reasoner_hermit(world, infer_property_values=True, debug=0)
    inferred = world.as_rdflib_graph().get_context(world.get_ontology("http://inferrences/"))
    result = Graph()
    for triple in inferred.triples((None, None, None)):
        result.add(triple)
    return result


def test_reasoning_on_the_shipped_graph(lines: list[str]) -> None:
    loaded = load_dataset(discover_layout(REPO))
    asserted = reasoning_input(loaded)
    ours: list[Graph] = []
    ours_times = timed(lambda: ours.append(reason_with_hermit(loaded)), repeat=3)
    peers: list[Graph] = []
    peer_times = timed(lambda: peers.append(owlready2_peer(asserted)), repeat=2)

    trivial = {(RDF.type, OWL.Thing), (RDF.type, OWL.Ontology)}
    missing = [
        t
        for t in peers[0]
        if t not in ours[0] and t not in asserted and (t[1], t[2]) not in trivial
    ]
    assert missing == [], missing[:5]

    ours_s, peer_s = statistics.median(ours_times), statistics.median(peer_times)
    lines.extend(
        [
            "## Reasoning (HermiT) on the shipped graph",
            "",
            f"{len(asserted)} asserted triples (ontology, data, text layer). Median of "
            f"{len(ours_times)} runs (sgkg) and {len(peer_times)} runs (peer), wall clock, "
            "each a fresh Java process.",
            "",
            "| reasoner | seconds | inferred triples | ratio |",
            "|---|---:|---:|---:|",
            f"| sgkg `reason_with_hermit` (HermiT `-c -I -Y`, C1 JVM) | {ours_s:.2f} | "
            f"{len(ours[0])} | 1x |",
            f"| owlready2 `sync_reasoner_hermit` (fresh World) | {peer_s:.2f} | "
            f"{len(peers[0])} | {peer_s / ours_s:.1f}x slower |",
            "",
            "Everything owlready2 infers is in sgkg's inferred graph or asserted (checked "
            "by the run, `owl:Thing` memberships aside); owlready2 keeps a property value "
            "only once per inverse pair and only the most specific types, hence fewer "
            "triples.",
            "",
        ]
    )


def test_reasoning_on_a_synthetic_corpus(
    lines: list[str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    root = tmp_path_factory.mktemp("bench-synth") / "tree"
    summary = write_corpus(REPO, root, SYNTH_AGREEMENTS)
    loaded = load_dataset(discover_layout(root, root / "build"))
    asserted = len(reasoning_input(loaded))
    inferred: list[Graph] = []
    (seconds,) = timed(lambda: inferred.append(reason_with_hermit(loaded)), repeat=1)
    lines.extend(
        [
            "## Reasoning on the synthetic corpus",
            "",
            "| corpus | asserted triples | seconds | inferred triples |",
            "|---|---:|---:|---:|",
            f"| `api.synth`, {summary.agreements} agreements | {asserted} | {seconds:.1f} | "
            f"{len(inferred[0])} |",
            "",
        ]
    )


# --- scenario evaluation ---------------------------------------------------------------


def test_scenario_evaluation_in_process(lines: list[str], store: EmbeddedStore) -> None:
    load_times = timed(lambda: ScenarioModel.from_store(store), repeat=20)
    model = ScenarioModel.from_store(store)
    cycle = itertools.cycle(SCENARIOS)

    def evaluate_next() -> None:
        events, version_slug = next(cycle)
        model.evaluate(events, version_slug)

    timed(evaluate_next, repeat=32)  # warm-up
    eval_times = timed(evaluate_next, repeat=320)
    question = next(q for q in load_questions(discover_layout(REPO)) if "cq06" in q.name)
    query_times = timed(lambda: store.query(question.sparql), repeat=200)

    evaluation, loading = statistics.median(eval_times), statistics.median(load_times)
    query = statistics.median(query_times)
    assert evaluation * 1000 < TARGET_MS
    lines.extend(
        [
            "## Scenario evaluation, in-process",
            "",
            "Median over every combination of the four named events in both versions "
            f"({len(SCENARIOS)} scenarios, {len(eval_times)} evaluations).",
            "",
            "| operation | ms | ratio to the peer |",
            "|---|---:|---:|",
            f"| evaluate one scenario (model in memory) | {ms(evaluation)} | "
            f"{evaluation / query:.1f}x |",
            f"| read the model from the store (5 SPARQL queries, once per store) | "
            f"{ms(loading)} | {loading / query:.1f}x |",
            f"| peer: competency question {question.name} through the same store | "
            f"{ms(query)} | 1x |",
            "",
        ]
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(store: EmbeddedStore) -> Iterator[str]:
    app = FastAPI()
    app.include_router(router)
    app.dependency_overrides[scenario_store] = lambda: store
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    uvicorn_server = uvicorn.Server(config)
    thread = threading.Thread(target=uvicorn_server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uvicorn_server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    uvicorn_server.should_exit = True
    thread.join(timeout=10)


def test_scenario_evaluation_over_http(lines: list[str], server: str) -> None:
    cycle = itertools.cycle(SCENARIOS)
    with httpx.Client(base_url=server) as client:

        def post_next() -> None:
            events, version_slug = next(cycle)
            response = client.post("/scenarios", json={"events": events, "version": version_slug})
            assert response.status_code == 200

        def get_events() -> None:
            assert client.get("/scenarios/events").status_code == 200

        timed(post_next, repeat=32)  # warm-up, and the model is read once
        post_times = timed(post_next, repeat=320)
        get_times = timed(get_events, repeat=320)
    post, listing = statistics.median(post_times), statistics.median(get_times)
    assert post * 1000 < TARGET_MS
    lines.extend(
        [
            "## Scenario evaluation over HTTP",
            "",
            "uvicorn on 127.0.0.1 serving the scenario router; one keep-alive httpx client; "
            f"median of {len(post_times)} requests each.",
            "",
            "| request | ms | ratio to the peer |",
            "|---|---:|---:|",
            f"| `POST /scenarios` (JSON, about 40 elements with evidence) | {ms(post)} | "
            f"{post / listing:.1f}x |",
            f"| peer: `GET /scenarios/events` (same server, no evaluation) | {ms(listing)} | 1x |",
            f"| 95th percentile of `POST /scenarios` | "
            f"{ms(statistics.quantiles(post_times, n=20)[-1])} | |",
            "",
            f"Target: under {TARGET_MS:.0f} ms per request on the shipped graph: "
            f"{'met' if post * 1000 < TARGET_MS else 'NOT met'}.",
            "",
        ]
    )


# --- RESULTS.md ----------------------------------------------------------------------


def _load_average() -> tuple[float, ...]:
    try:
        return os.getloadavg()
    except OSError:
        return ()


def _cores() -> int:
    return os.cpu_count() or 0
