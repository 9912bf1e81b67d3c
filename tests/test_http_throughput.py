"""Many small queries at once, through a client light enough to load the server.

The figure (requests per second on this machine) is reported by `make bench`, never
asserted here; this test proves what must hold whatever the machine: 32 connections at
once against the session's `sgkg serve`, each sending the mix four times, every request
answered with a 200.
"""

from conftest import RunningServer
from loadgen import LOOKUPS, run_raw_load, small_query_mix


def test_32_clients_of_small_queries_get_only_200s(server: RunningServer) -> None:
    mix = small_query_mix(["ASK {}", *LOOKUPS])
    report = run_raw_load(server.url, mix, clients=32, rounds=4)
    print("\n" + report.summary())
    assert report.lost == 0
    assert dict(report.statuses) == {200: 32 * 4 * len(mix)}
    assert not report.unexpected
