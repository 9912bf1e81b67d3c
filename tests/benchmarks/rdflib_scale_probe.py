"""The rdflib baseline of the scale query mix, in its own process, each query time-capped.

Run as ``python tests/benchmarks/rdflib_scale_probe.py NQUADS CAP RUNS BUDGET``; prints
one JSON object: the load time, the peak memory, and for each query of
:data:`scale_queries.MIX` the seconds of each run and the size of the answer, or
``capped`` when its first run reached the cap (CAP seconds). A query is run again, up to
RUNS times, while one more run fits in BUDGET seconds for that query.

The N-Quads of the build go into an rdflib ``Dataset`` whose default graph is the union
of its named graphs, as sgkg and ``oxigraph serve --union-default-graph`` answer. Queries
run in this process (no HTTP, no serialisation of the answer: rdflib's best case); the
answer is materialised (every row, or every triple of a CONSTRUCT), since rdflib
evaluates lazily.

The cap: rdflib evaluates in Python, so an interval timer's signal handler can stop a
query between two bytecodes (``SIGALRM`` raises :class:`CapReached` in the main thread).
A capped query is not run again; the next query starts on the same loaded data. A fresh
process keeps rdflib's gigabytes out of the benchmark's own process.
"""

import json
import resource
import signal
import sys
import time
from types import FrameType

from rdflib import Dataset

from scale_queries import MIX  # the script's folder is on sys.path when run as a script


class CapReached(Exception):
    """The query ran longer than the cap."""


def _stop(signum: int, frame: FrameType | None) -> None:
    raise CapReached


def run_capped(dataset: Dataset, sparql: str, graph: bool, cap: float) -> tuple[float, int]:
    """Seconds and answer size of one run; raises :class:`CapReached` past ``cap``."""
    signal.setitimer(signal.ITIMER_REAL, cap)
    try:
        started = time.perf_counter()
        result = dataset.query(sparql)
        size = len(result.graph) if graph else sum(1 for _ in result)
        return time.perf_counter() - started, size
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def main(nquads: str, cap: float, runs: int, budget: float) -> dict:
    signal.signal(signal.SIGALRM, _stop)
    started = time.perf_counter()
    dataset = Dataset(default_union=True)
    dataset.parse(nquads, format="nquads")
    figures: dict = {"load_s": round(time.perf_counter() - started, 3), "queries": {}}
    for query in MIX:
        times: list[float] = []
        entry: dict = {"times": times, "capped": False, "answer": None}
        while len(times) < runs:
            try:
                seconds, size = run_capped(dataset, query.sparql, query.graph, cap)
            except CapReached:
                entry["capped"] = not times  # a capped repeat keeps the runs before it
                break
            times.append(seconds)
            entry["answer"] = size
            if sum(times) + seconds > budget:  # one more run would overrun: enough runs
                break
        figures["queries"][query.name] = entry
    figures["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return figures


if __name__ == "__main__":
    nquads, cap, runs, budget = sys.argv[1:5]
    print(json.dumps(main(nquads, float(cap), int(runs), float(budget))))
