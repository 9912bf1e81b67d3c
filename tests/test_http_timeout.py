"""A runaway query is stopped at the time limit, for real, and nothing else waits.

`sgkg serve --timeout 2 --workers 2` on loopback. Each pathological query (a cartesian
product, a deep property path, a REGEX over a product) must come back as 503 once the
limit has passed and well before three times the limit (the suite's one timed bound
besides the 100 KB query's, with a margin for a busy machine); small queries sent while
it runs must be answered before it is; afterwards the process table must show the
killed worker gone and exactly two live workers.
"""

import contextlib
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from conftest import PATHOLOGICAL, REPO, free_port, wait_until_ready

LIMIT = 2.0
WORKERS = 2


@dataclass(frozen=True)
class Served:
    url: str
    pid: int


@pytest.fixture(scope="module")
def slow_limit_server(
    served_build: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    port = free_port()
    log_path = tmp_path_factory.mktemp("timeout") / "serve.log"
    command = [sys.executable, "-m", "api.cli", "--build-dir", str(served_build), "serve"]
    command += ["--port", str(port), "--no-access-log"]
    command += ["--timeout", str(LIMIT), "--workers", str(WORKERS)]
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_ready(url, 120, lambda: process.poll() is None)
            yield Served(url, process.pid)
        finally:
            process.terminate()
            process.wait(timeout=20)


def workers_of(pid: int) -> set[int]:
    """Live (not zombie) query worker processes whose parent is ``pid``, from /proc."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        fields = dict(line.split(":\t", 1) for line in status.splitlines() if ":\t" in line)
        if (
            fields.get("PPid", "").strip() == str(pid)
            and b"api.query.worker" in command
            and not fields.get("State", "").startswith("Z")
        ):
            found.add(int(entry.name))
    return found


def process_alive(pid: int) -> bool:
    """Whether ``pid`` is a running process (a zombie waiting to be reaped is not)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def wait_for_busy_worker(url: str, sender: threading.Thread) -> None:
    """Until /health shows a worker taken (by the query ``sender`` sends)."""
    while True:
        workers = httpx.get(f"{url}/health").json()["query_workers"]
        if workers["idle"] < workers["running"]:
            return
        assert sender.is_alive(), "the query was answered before a worker was seen busy"
        time.sleep(0.01)


def wait_for_full_pool(served: Served) -> set[int]:
    """The worker pids once the pool is whole (a replacement may still be starting),
    as both the process table and /health see them."""
    deadline = time.monotonic() + 30
    while True:
        health = httpx.get(f"{served.url}/health").json()["query_workers"]
        workers = workers_of(served.pid)
        if health["running"] == WORKERS and set(health["pids"]) == workers:
            return workers
        assert time.monotonic() < deadline, f"pool not whole: {health}, processes {workers}"
        time.sleep(0.1)


@pytest.mark.parametrize("name", list(PATHOLOGICAL))
def test_runaway_query_is_stopped_and_others_are_answered(
    slow_limit_server: Served, name: str
) -> None:
    url = slow_limit_server.url
    before = wait_for_full_pool(slow_limit_server)

    outcome: dict[str, object] = {}

    def run_pathological() -> None:
        started = time.monotonic()
        answer = httpx.post(f"{url}/sparql", data={"query": PATHOLOGICAL[name]}, timeout=60)
        outcome["seconds"] = time.monotonic() - started
        outcome["answer"] = answer

    runner = threading.Thread(target=run_pathological)
    runner.start()
    wait_for_busy_worker(url, runner)
    answered_meanwhile = 0
    small: list[float] = []
    with httpx.Client(timeout=30) as client:
        while runner.is_alive():
            started = time.monotonic()
            answer = client.get(f"{url}/sparql", params={"query": "ASK { ?s ?p ?o }"})
            small.append(time.monotonic() - started)
            assert answer.status_code == 200
            if runner.is_alive():
                answered_meanwhile += 1
            time.sleep(0.05)
    runner.join()

    answer = outcome["answer"]
    assert isinstance(answer, httpx.Response)
    assert answer.status_code == 503
    assert f"limit of {LIMIT:g} s" in answer.json()["message"]
    assert LIMIT - 0.1 < outcome["seconds"] < 3 * LIMIT
    # small queries answered while the runaway one ran: it held one worker, not the server
    assert answered_meanwhile >= 1
    print(
        f"\n{name}: 503 after {outcome['seconds']:.2f} s (limit {LIMIT:g} s); "
        f"{answered_meanwhile} small queries answered meanwhile, median "
        f"{statistics.median(small) * 1000:.1f} ms, max {max(small) * 1000:.1f} ms"
    )

    # the worker that ran it is gone from the process table, and a new one replaced it
    after = wait_for_full_pool(slow_limit_server)
    killed = before - after
    assert len(killed) == 1 and len(after - before) == 1
    assert not any(Path(f"/proc/{pid}").exists() for pid in killed)  # killed and reaped
    assert httpx.get(f"{url}/health").json()["query_workers"]["timeouts"] >= 1


def test_no_worker_outlives_the_server(served_build: Path, tmp_path: Path) -> None:
    """Stopping the server (SIGTERM), or killing it (SIGKILL) in the middle of a
    runaway query, leaves no worker process behind."""
    for stop in ("terminate", "kill"):
        workers = start_busy_server_and_stop(served_build, stop)
        deadline = time.monotonic() + 10
        while any(process_alive(pid) for pid in workers):
            assert time.monotonic() < deadline, f"workers left after {stop}: {workers}"
            time.sleep(0.1)


def start_busy_server_and_stop(served_build: Path, stop: str) -> set[int]:
    """Start a server, give one worker a runaway query, stop the server; its workers."""
    port = free_port()
    command = [sys.executable, "-m", "api.cli", "--build-dir", str(served_build), "serve"]
    command += ["--port", str(port), "--no-access-log", "--workers", "2", "--timeout", "30"]
    process = subprocess.Popen(
        command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"

    def runaway() -> None:
        with contextlib.suppress(httpx.HTTPError):  # the server goes away mid-request
            httpx.post(f"{url}/sparql", data={"query": PATHOLOGICAL["cartesian product"]})

    try:
        wait_until_ready(url, 120, lambda: process.poll() is None)
        workers = workers_of(process.pid)
        assert len(workers) == 2
        sender = threading.Thread(target=runaway, daemon=True)
        sender.start()
        wait_for_busy_worker(url, sender)  # the query runs in a worker now
    finally:
        getattr(process, stop)()
        process.wait(timeout=20)
    return workers
