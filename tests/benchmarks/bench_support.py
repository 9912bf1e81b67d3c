"""What the scale, throughput and memory benches share: servers, a client, /proc, RESULTS.md.

- :func:`sgkg_serve` and :func:`oxigraph_serve` start a server on a free loopback port in
  its own process, time it from start to its first answered query (the *ready time*),
  and sample the resident memory of its whole process tree meanwhile;
- :class:`SparqlClient` is the one client both servers get: one keep-alive
  ``http.client`` connection, GET with ``?query=``, the lightest there is, so the
  figures are the servers';
- :class:`ProcessTreeMemory` reads ``/proc`` (no psutil): the server and its worker
  processes, their resident memory summed, sampled every 50 ms, and each process's
  own high-water mark (``VmHWM``);
- :func:`write_section` replaces one bench's marked section of ``RESULTS.md``, and
  :func:`run_header` opens it with the date, the machine, the load and the versions.
"""

import http.client
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import api

from conftest import REPO, free_port, stop_process

RESULTS = Path(__file__).with_name("RESULTS.md")
JSON_RESULTS = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
#: The ``oxigraph`` server binary from PyPI (the ``test`` extra), beside this Python.
OXIGRAPH = Path(sys.executable).with_name("oxigraph")
READY_QUERY = "ASK { ?s ?p ?o }"


# --- RESULTS.md ----------------------------------------------------------------------------


def write_section(name: str, lines: list[str]) -> None:
    """Replace the section between ``<!-- name: start -->`` and ``<!-- name: end -->``
    (or append it); every other section of RESULTS.md is left as it is."""
    start, end = f"<!-- {name}: start -->", f"<!-- {name}: end -->"
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.is_file() else ""
    block = "\n".join([start, *lines, end])
    if start in text and end in text:
        before, _, rest = text.partition(start)
        _, _, after = rest.partition(end)
        text = before + block + after
    else:
        text = text.rstrip("\n") + ("\n\n" if text else "") + block + "\n"
    RESULTS.write_text(text, encoding="utf-8")


def oxigraph_version() -> str:
    done = subprocess.run([str(OXIGRAPH), "--version"], capture_output=True, text=True)
    return done.stdout.strip().removeprefix("oxigraph ") or "unknown"


def run_header(title: str, module: str) -> list[str]:
    """Title, date, machine, load average at the start, versions."""
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return [
        f"# {title}",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `tests/benchmarks/{module}` (this "
        f"section only). Machine: {platform.platform()}, {cpu_name()}, {os.cpu_count()} cores; "
        f"load average at the start {load} (1, 5, 15 min; other work shares the machine). "
        f"Versions: sgkg {api.__version__}, pyoxigraph {version('pyoxigraph')}, oxigraph "
        f"server {oxigraph_version()}, rdflib {version('rdflib')}, Python "
        f"{platform.python_version()}.",
        "",
    ]


def cpu_name() -> str:
    """The processor's model name, for the machine line of each section."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


# --- memory from /proc ---------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(c) for c in (task / "children").read_text().split()]
    except OSError:
        pass
    return found


def process_tree(pid: int) -> list[int]:
    """``pid`` and every process below it (workers, their children)."""
    tree, queue = [], [pid]
    while queue:
        current = queue.pop()
        tree.append(current)
        queue += _children(current)
    return tree


def _pss_kb(pid: int) -> int:
    """Proportional set size: resident pages, each shared one divided among its sharers."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _status_kb(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class ProcessTreeMemory:
    """Samples the summed RSS of a process tree in a thread, until :meth:`stop`.

    Two figures, because sampling can miss a short spike: the peak of the sampled sum,
    and the sum of each process's own peak (``VmHWM``, kept by the kernel), an upper
    bound (the processes need not peak at the same moment). Also the peak of the summed
    PSS (``smaps_rollup``), which counts a page several processes share (an on-disk
    store's cache, the interpreter's code) once instead of once per process.
    """

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.pid = pid
        self.interval = interval
        self.peak_kb = 0
        self.pss_peak_kb = 0
        self.hwm_kb: dict[int, int] = {}
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._done.is_set():
            self.sample()
            self._done.wait(self.interval)

    def sample(self) -> None:
        total = proportional = 0
        for pid in process_tree(self.pid):
            total += _status_kb(pid, "VmRSS")
            proportional += _pss_kb(pid)
            self.hwm_kb[pid] = max(self.hwm_kb.get(pid, 0), _status_kb(pid, "VmHWM"))
        self.peak_kb = max(self.peak_kb, total)
        self.pss_peak_kb = max(self.pss_peak_kb, proportional)

    def stop(self) -> None:
        """Take a last sample (while the processes still run) and stop sampling."""
        self.sample()
        self._done.set()
        self._thread.join()

    @property
    def peak_mb(self) -> float:
        return self.peak_kb / 1024

    @property
    def pss_peak_mb(self) -> float:
        return self.pss_peak_kb / 1024

    @property
    def hwm_sum_mb(self) -> float:
        return sum(self.hwm_kb.values()) / 1024

    @property
    def processes(self) -> int:
        return len(self.hwm_kb)


# --- the client ----------------------------------------------------------------------------


class SparqlClient:
    """One keep-alive connection; GET ``path?query=...``; (seconds, body) per query."""

    def __init__(self, url: str, path: str) -> None:
        parts = urlsplit(url)
        self.path = path
        self._connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)

    def query(self, sparql: str, graph: bool = False) -> tuple[float, bytes]:
        """One timed GET. A connection the server closed while idle (uvicorn's keep-alive
        is 5 s; the bench waits on other servers between queries) is reopened once, as
        any HTTP client does; warm-up runs absorb that."""
        try:
            return self._query(sparql, graph)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            self._connection.close()
            return self._query(sparql, graph)

    def _query(self, sparql: str, graph: bool) -> tuple[float, bytes]:
        target = self.path + "?" + urlencode({"query": sparql})
        accept = N_TRIPLES if graph else JSON_RESULTS
        started = time.perf_counter()
        self._connection.request("GET", target, headers={"Accept": accept})
        answer = self._connection.getresponse()
        body = answer.read()
        elapsed = time.perf_counter() - started
        if answer.status != 200:
            raise AssertionError(f"HTTP {answer.status} for {sparql[:200]!r}: {body[:500]!r}")
        return elapsed, body

    def close(self) -> None:
        self._connection.close()


def answer_size(body: bytes, graph: bool) -> int:
    """Rows of a SPARQL JSON answer, or triples (lines) of an N-Triples answer."""
    if graph:
        return sum(1 for line in body.splitlines() if line.strip())
    answer = json.loads(body)
    if "results" in answer:
        return len(answer["results"]["bindings"])
    return int(answer["boolean"])


def median_ms(seconds: list[float]) -> float:
    return statistics.median(seconds) * 1000


# --- the servers ---------------------------------------------------------------------------


@dataclass
class Served:
    """A server process the bench talks to."""

    name: str
    url: str
    path: str  # where queries go: /sparql (sgkg) or /query (oxigraph)
    process: subprocess.Popen[bytes]
    ready_s: float
    memory: ProcessTreeMemory
    extra: dict[str, float] = field(default_factory=dict)

    def client(self) -> SparqlClient:
        return SparqlClient(self.url, self.path)


def _wait_for_first_answer(url: str, path: str, process: subprocess.Popen, seconds: float):
    """Poll with a real query (every 10 ms) until it gets 200; fail if the process dies."""
    deadline = time.monotonic() + seconds
    last = "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server at {url} exited ({process.returncode}): {last}")
        client = SparqlClient(url, path)
        try:
            client.query(READY_QUERY)
            return
        except (OSError, http.client.HTTPException, AssertionError) as error:
            last = str(error)[:300]
        finally:
            client.close()
        time.sleep(0.01)
    raise RuntimeError(f"the server at {url} did not answer within {seconds} s: {last}")


@contextmanager
def _started(name: str, command: list[str], path: str, port: int, log: Path) -> Iterator[Served]:
    url = f"http://127.0.0.1:{port}"
    with log.open("wb") as output:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=REPO, stdout=output, stderr=subprocess.STDOUT)
        memory = ProcessTreeMemory(process.pid)
        try:
            _wait_for_first_answer(url, path, process, 600)
            ready = time.perf_counter() - started
            yield Served(name, url, path, process, ready, memory)
        finally:
            memory.stop()
            stop_process(process, 20)


@contextmanager
def sgkg_serve(
    root: Path,
    build_dir: Path,
    log: Path,
    *options: str,
    name: str = "sgkg serve",
    launcher: tuple[str, ...] = ("-m", "api.cli"),
) -> Iterator[Served]:
    """``sgkg --root ROOT --build-dir BUILD serve`` (its defaults, or ``options``) on a
    free port; ``name`` is how the figures call it, ``launcher`` what Python runs with
    sgkg's arguments (a script that changes the server first, say)."""
    port = free_port()
    command = [sys.executable, *launcher, "--root", str(root), "--build-dir"]
    command += [str(build_dir), "serve", "--port", str(port), "--no-access-log", *options]
    with _started(name, command, "/sparql", port, log) as served:
        yield served


def oxigraph_load(nquads: Path, location: Path) -> float:
    """``oxigraph load`` the build's N-Quads into a new on-disk store; seconds taken."""
    if location.exists():
        shutil.rmtree(location)
    started = time.perf_counter()
    subprocess.run(
        [str(OXIGRAPH), "load", "--location", str(location), "--file", str(nquads)],
        check=True,
        capture_output=True,
        timeout=1200,
    )
    return time.perf_counter() - started


@contextmanager
def oxigraph_serve(log: Path, location: Path | None = None) -> Iterator[Served]:
    """``oxigraph serve``, union default graph (as sgkg's): on a store ``oxigraph load``
    wrote to ``location``, or in memory (empty: :func:`oxigraph_post` loads it)."""
    port = free_port()
    command = [str(OXIGRAPH), "serve", "--bind", f"127.0.0.1:{port}", "--union-default-graph"]
    name = "oxigraph serve (in memory)"
    if location is not None:
        command += ["--location", str(location)]
        name = "oxigraph serve (on disk)"
    with _started(name, command, "/query", port, log) as served:
        yield served


def oxigraph_post(served: Served, nquads: Path) -> float:
    """Load N-Quads into a running ``oxigraph serve`` (Graph Store Protocol, POST
    /store, streamed from the file); seconds taken."""
    parts = urlsplit(served.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=1800)
    started = time.perf_counter()
    with nquads.open("rb") as body:
        connection.request(
            "POST",
            "/store",
            body=body,
            headers={
                "Content-Type": "application/n-quads",
                "Content-Length": str(nquads.stat().st_size),
            },
        )
        answer = connection.getresponse()
        text = answer.read()
    connection.close()
    if answer.status not in (200, 201, 204):
        raise RuntimeError(f"oxigraph refused the N-Quads: {answer.status} {text[:300]!r}")
    return time.perf_counter() - started
