"""Issue 6: many small queries at once, through a client light enough to load the server.

The figure (requests per second on this machine) is reported by hand runs and `make
bench`, never asserted here; this test proves what must hold whatever the machine:
32 connections for 2 seconds against the session's `sgkg serve`, every answer a 200.
"""

from light_load import run_light_load

from conftest import RunningServer


def test_32_clients_of_small_queries_get_only_200s(server: RunningServer) -> None:
    report = run_light_load(server.url, clients=32, seconds=2)
    print("\n" + report.summary())
    assert report.errors == {}
    assert report.answered > 32
