"""A bounded load run on loopback: N clients, a fixed mix of good and bad requests.

A run is bounded by time (``seconds``: the benches, which measure how much gets done)
or by count (``rounds``: each client sends the whole mix that many times; the tests,
which check that every request sent gets the answer it must, whatever the machine's
speed). Used by ``tests/test_http_load.py`` (8 clients, one round each, in ``make
test``), by ``tests/benchmarks/test_endpoint_hardening_bench.py`` (32 clients for 20 s,
``make bench``) and, with only small good queries (:func:`small_query_mix`), by
``tests/test_http_throughput.py`` and ``tests/benchmarks/test_throughput_bench.py`` (1,
8, 32 clients, sgkg and ``oxigraph serve``). Each client is an ``httpx.AsyncClient``
with its own keep-alive connection, sending the mix in turn; every request's status is
checked against the one expected, and a request without an answer counts as lost.
"""

import asyncio
import itertools
import math
import statistics
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from urllib.parse import urlencode, urlsplit

import httpx

ID = "https://w3id.org/sgkg/id/"


@dataclass(frozen=True)
class Probe:
    """One request of the mix and the status it must get."""

    name: str
    method: str
    path: str
    params: dict[str, str] | None = None
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    expected: int = 200


#: One-row lookups for :func:`small_query_mix`: what a client resolving labels asks most.
LOOKUPS = (
    "ASK { ?s ?p ?o }",
    f"SELECT ?l WHERE {{ <{ID}component/3> <http://www.w3.org/2000/01/rdf-schema#label> ?l }}",
    f"SELECT ?o WHERE {{ <{ID}mechanism/special-commission> "
    "<https://w3id.org/sgkg/ontology#partOf> ?o }",
)


def small_query_mix(questions: list[str], path: str = "/sparql") -> list[Probe]:
    """Only good, small queries (the competency questions, each followed by a one-row
    lookup), by GET to ``path``, asking for SPARQL JSON: a throughput mix any SPARQL
    endpoint answers (``/sparql`` for sgkg, ``/query`` for ``oxigraph serve``)."""
    accept = {"Accept": "application/sparql-results+json"}
    mix = []
    for n, sparql in enumerate(questions):
        mix.append(Probe(f"cq{n + 1:02d}", "GET", path, {"query": sparql}, headers=accept))
        lookup = LOOKUPS[n % len(LOOKUPS)]
        mix.append(
            Probe(f"lookup{n % len(LOOKUPS)}", "GET", path, {"query": lookup}, headers=accept)
        )
    return mix


def standard_mix(questions: list[str], attacks: Sequence[Probe] = ()) -> list[Probe]:
    """Good queries (the competency questions, linked data) and bad ones, interleaved: one
    bad request after every two good ones, each bad one (``attacks`` too) at least once."""
    good = [
        Probe(f"cq{n + 1:02d}", "GET", "/sparql", {"query": sparql})
        for n, sparql in enumerate(questions)
    ]
    good += [
        Probe("describe", "GET", "/id/component/3", headers={"Accept": "text/turtle"}),
        Probe(
            "post-direct",
            "POST",
            "/sparql",
            body=b"ASK { ?s ?p ?o }",
            headers={"Content-Type": "application/sparql-query"},
        ),
    ]
    bad = [
        Probe("syntax-error", "GET", "/sparql", {"query": "SELECT * WHERE { ?s ?p"}, expected=400),
        Probe("empty-query", "GET", "/sparql", {"query": ""}, expected=400),
        Probe(
            "service",
            "GET",
            "/sparql",
            {"query": "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"},
            expected=400,
        ),
        Probe(
            "from-file",
            "GET",
            "/sparql",
            {"query": "SELECT * FROM <file:///etc/passwd> { ?s ?p ?o }"},
            expected=400,
        ),
        Probe("update", "GET", "/sparql", {"query": "DROP ALL"}, expected=403),
        Probe(
            "unknown-accept",
            "GET",
            "/sparql",
            {"query": "ASK {}"},
            headers={"Accept": "image/png"},
            expected=406,
        ),
        Probe(
            "wrong-content-type",
            "POST",
            "/sparql",
            body=b"ASK {}",
            headers={"Content-Type": "text/plain"},
            expected=415,
        ),
        Probe(
            "not-utf8",
            "POST",
            "/sparql",
            body=b"ASK { ?s ?p '\xff' }",
            headers={"Content-Type": "application/sparql-query"},
            expected=400,
        ),
        Probe("unknown-iri", "GET", "/id/mechanism/nothing", expected=404),
    ]
    bad += attacks
    mix: list[Probe] = []
    for turn in range(max(len(good) // 2, len(bad))):
        mix += [good[2 * turn % len(good)], good[(2 * turn + 1) % len(good)]]
        mix.append(bad[turn % len(bad)])
    return mix


@dataclass(frozen=True)
class Bound:
    """When each client stops: after ``requests`` requests, or at ``until`` (monotonic
    clock), whichever comes first."""

    requests: float = math.inf
    until: float = math.inf

    @classmethod
    def of(cls, mix: list[Probe], seconds: float | None, rounds: int | None) -> "Bound":
        if (seconds is None) == (rounds is None):
            raise ValueError("a load run is bounded by seconds or by rounds, one of the two")
        if rounds is not None:
            return cls(requests=rounds * len(mix))
        return cls(until=time.monotonic() + seconds)

    def reached(self, sent: int) -> bool:
        return sent >= self.requests or time.monotonic() >= self.until


@dataclass
class LoadReport:
    clients: int
    #: how long the run took (measured: a count-bounded run's figure is only reported)
    seconds: float
    statuses: Counter[int] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    lost: int = 0
    #: (probe name, status got) for answers whose status was not the expected one
    unexpected: Counter[tuple[str, int]] = field(default_factory=Counter)

    @property
    def answered(self) -> int:
        return sum(self.statuses.values())

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    @property
    def requests_per_second(self) -> float:
        return self.answered / self.seconds

    def percentile_ms(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(int(fraction * len(ordered)), len(ordered) - 1)] * 1000

    def summary(self) -> str:
        return (
            f"{self.clients} clients, {self.seconds:.1f} s: {self.answered} answered "
            f"({self.requests_per_second:.0f}/s), lost {self.lost}, 5xx {self.server_errors}, "
            f"p50 {self.percentile_ms(0.5):.1f} ms, p99 {self.percentile_ms(0.99):.1f} ms, "
            f"median {statistics.median(self.latencies) * 1000:.1f} ms; "
            f"statuses {dict(sorted(self.statuses.items()))}"
        )


async def _client(url: str, mix: list[Probe], offset: int, bound: Bound, report: LoadReport):
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        for sent in itertools.count():
            if bound.reached(sent):
                break
            probe = mix[(offset + sent) % len(mix)]
            started = time.monotonic()
            try:
                answer = await client.request(
                    probe.method,
                    probe.path,
                    params=probe.params,
                    content=probe.body,
                    headers=probe.headers,
                )
            except httpx.HTTPError:
                report.lost += 1
                continue
            report.latencies.append(time.monotonic() - started)
            report.statuses[answer.status_code] += 1
            if answer.status_code != probe.expected:
                report.unexpected[(probe.name, answer.status_code)] += 1


def run_load(
    url: str,
    mix: list[Probe],
    *,
    clients: int,
    seconds: float | None = None,
    rounds: int | None = None,
) -> LoadReport:
    """Run ``clients`` clients for ``seconds``, or each through the mix ``rounds`` times
    (bounded either way: it stops by itself)."""
    return asyncio.run(
        _run_clients(mix, clients, Bound.of(mix, seconds, rounds), partial(_client, url, mix))
    )


async def _run_clients(
    mix: list[Probe],
    clients: int,
    bound: Bound,
    client: Callable[[int, Bound, LoadReport], Awaitable[None]],
) -> LoadReport:
    """``clients`` clients at once, each starting at its own place in the mix."""
    report = LoadReport(clients, 0.0)
    started = time.monotonic()
    offsets = [n * len(mix) // clients for n in range(clients)]
    await asyncio.gather(*(client(offset, bound, report) for offset in offsets))
    report.seconds = time.monotonic() - started
    return report


# --- a light client for throughput: raw HTTP/1.1 on asyncio streams ----------------------
#
# httpx costs about 2 ms of CPU per request here; on a 2-core machine the load generator
# then sets the ceiling, not the server. This client sends pre-encoded GET requests on
# keep-alive connections and reads just the status, the length (or the chunks) and the
# body: tens of microseconds per request. For good GET probes only (throughput runs).


def _encoded_get(probe: Probe, host: str) -> bytes:
    target = probe.path + ("?" + urlencode(probe.params) if probe.params else "")
    headers = {"Host": host, **probe.headers}
    lines = [f"GET {target} HTTP/1.1", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")


async def _read_answer(reader: asyncio.StreamReader) -> int:
    """Read one response (Content-Length or chunked body); its status."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    fields = {}
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        fields[name.strip().lower()] = value.strip()
    if b"content-length" in fields:
        await reader.readexactly(int(fields[b"content-length"]))
    elif fields.get(b"transfer-encoding", b"").lower() == b"chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)  # the chunk and its CRLF
            if size == 0:
                break
    return status


async def _raw_client(
    host: str,
    port: int,
    requests: list[tuple[Probe, bytes]],
    offset: int,
    bound: Bound,
    report: LoadReport,
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        for sent in itertools.count():
            if bound.reached(sent):
                break
            probe, request = requests[(offset + sent) % len(requests)]
            started = time.monotonic()
            try:
                writer.write(request)
                status = await _read_answer(reader)
            except (OSError, asyncio.IncompleteReadError, ValueError):
                report.lost += 1
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
                continue
            report.latencies.append(time.monotonic() - started)
            report.statuses[status] += 1
            if status != probe.expected:
                report.unexpected[(probe.name, status)] += 1
    finally:
        writer.close()


def run_raw_load(
    url: str,
    mix: list[Probe],
    *,
    clients: int,
    seconds: float | None = None,
    rounds: int | None = None,
) -> LoadReport:
    """Like :func:`run_load`, with the light client (GET probes only), on uvloop when
    installed (it is the server's loop too)."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    requests = [(probe, _encoded_get(probe, parts.netloc)) for probe in mix]
    assert all(probe.method == "GET" and probe.body is None for probe in mix)

    running = _run_clients(
        mix, clients, Bound.of(mix, seconds, rounds), partial(_raw_client, host, port, requests)
    )
    try:
        import uvloop
    except ImportError:
        return asyncio.run(running)
    return uvloop.run(running)
