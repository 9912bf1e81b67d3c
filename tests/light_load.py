"""A light load client: N keep-alive connections sending pre-encoded GETs for T seconds.

Why another client beside :mod:`loadgen`: on a 2-core machine the client shares the
cores with the server it measures. ``loadgen``'s ``httpx.AsyncClient`` spends about
4 ms of CPU per request in one event loop, so it cannot send more than about 250
requests a second, whatever the server could do. This one writes each request as bytes
prepared once and reads the answer by its ``Content-Length`` (about 0.15 ms of CPU per
request), so the figure it reports is the server's.

Run it by hand against a running server::

    python tests/light_load.py http://127.0.0.1:8000 --clients 32 --seconds 20
"""

import argparse
import asyncio
import time
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

#: Small queries: what "small-query throughput" means in issue 6.
SMALL_QUERIES = (
    "ASK {}",
    "SELECT ?l WHERE { <https://w3id.org/sgkg/id/component/3> "
    "<http://www.w3.org/2000/01/rdf-schema#label> ?l }",
)
JSON = "application/sparql-results+json"


@dataclass
class LightReport:
    clients: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    #: answers whose status was not 200, by status
    errors: dict[int, int] = field(default_factory=dict)

    @property
    def answered(self) -> int:
        return len(self.latencies)

    @property
    def requests_per_second(self) -> float:
        return self.answered / self.seconds

    def percentile_ms(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(int(fraction * len(ordered)), len(ordered) - 1)] * 1000

    def summary(self) -> str:
        return (
            f"{self.clients} clients, {self.seconds:.1f} s: {self.answered} answered "
            f"({self.requests_per_second:.0f}/s), p50 {self.percentile_ms(0.5):.1f} ms, "
            f"p99 {self.percentile_ms(0.99):.1f} ms, errors {self.errors or 0}"
        )


def encode_requests(host: str, queries: tuple[str, ...]) -> list[bytes]:
    head = f"HTTP/1.1\r\nHost: {host}\r\nAccept: {JSON}\r\n\r\n"
    return [f"GET /sparql?query={quote(query)} {head}".encode() for query in queries]


async def _client(
    host: str, port: int, requests: list[bytes], offset: int, until: float, report: LightReport
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        index = offset
        while time.monotonic() < until:
            started = time.monotonic()
            writer.write(requests[index % len(requests)])
            index += 1
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n"):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
            report.latencies.append(time.monotonic() - started)
            if status != 200:
                report.errors[status] = report.errors.get(status, 0) + 1
    finally:
        writer.close()


def run_light_load(
    url: str, *, clients: int, seconds: float, queries: tuple[str, ...] = SMALL_QUERIES
) -> LightReport:
    """``clients`` connections for ``seconds`` (bounded: it stops by itself)."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    requests = encode_requests(host, queries)

    async def main() -> LightReport:
        report = LightReport(clients)
        started = time.monotonic()
        until = started + seconds
        await asyncio.gather(
            *(_client(host, port, requests, n, until, report) for n in range(clients))
        )
        report.seconds = time.monotonic() - started
        return report

    return asyncio.run(main())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=20.0)
    arguments = parser.parse_args()
    print(
        run_light_load(
            arguments.url, clients=arguments.clients, seconds=arguments.seconds
        ).summary()
    )
