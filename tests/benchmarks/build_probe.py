"""One measured step of a build, in a fresh process, for ``test_build_scale_bench.py``.

Run as ``python tests/benchmarks/build_probe.py MODE ROOT BUILD_DIR``; prints one JSON
object: the seconds of each step, the triples, and the peak resident memory of this
process (and of the literal-audit process it started, if any). A fresh process per
measurement keeps one step's memory and caches out of the next one's figures.

Modes:

- ``build-pyshacl`` / ``build-sparql``: ``api.build.pipeline.build`` without reasoning, with that
  validator (timings from the manifest), then making the query store the server's
  default (``auto``) uses for it (``query-store``): the on-disk store for a large build
  (as ``sgkg build`` writes it), loading the N-Quads into memory for a small one;
- ``reason-sparql``: the same build with reasoning (:func:`api.reason.reasoning.reason`), the
  manifest's reasoning record with it;
- ``load-rdflib``: parse every input into rdflib (``api.load.dataset.load_dataset``), the
  baseline a build without pyoxigraph would start from;
- ``validate-pyshacl``: rdflib load, then pyshacl (``api.validate.shacl.validate_dataset``);
- ``reason``: rdflib load, then HermiT (``api.reason.reasoning.reason_with_hermit``).
"""

import json
import resource
import sys
import time
from pathlib import Path

from api.build.pipeline import build, read_manifest
from api.core.layout import discover_layout
from api.load.dataset import load_dataset
from api.store.backends import DISK, auto_backend
from api.store.disk import DEFAULT_STORE_DIR_NAME, prepare_disk_store
from api.store.embedded import EmbeddedStore


def _peak_mb(who: int) -> float:
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)  # kilobytes on Linux


def main(mode: str, root: str, build_dir: str) -> dict:
    layout = discover_layout(root, build_dir)
    figures: dict = {"mode": mode}
    if mode.startswith(("build-", "reason-")):
        kind, validator = mode.split("-", 1)
        reasoner = None
        if kind == "reason":
            from api.reason.reasoning import reason as reasoner
        build(layout, validator=validator, reason=reasoner)
        manifest = read_manifest(layout.build_dir) or {}
        figures["timings_s"] = manifest["timings_s"]
        figures["triples"] = manifest["total_triples"]
        figures["reasoning"] = manifest["reasoning"]
        nquads = Path(build_dir) / "sgkg.nq"
        started = time.perf_counter()
        if auto_backend(nquads) == DISK:
            prepare_disk_store(nquads, Path(build_dir) / DEFAULT_STORE_DIR_NAME)
            figures["query_store"] = "on disk"
        else:
            EmbeddedStore.from_nquads(nquads)
            figures["query_store"] = "in memory"
        figures["timings_s"]["query-store"] = round(time.perf_counter() - started, 3)
    else:
        started = time.perf_counter()
        loaded = load_dataset(layout)
        figures["timings_s"] = {"load": round(time.perf_counter() - started, 3)}
        figures["triples"] = sum(loaded.triple_counts().values())
        if mode == "validate-pyshacl":
            from api.validate.shacl import validate_dataset

            started = time.perf_counter()
            report = validate_dataset(loaded)
            figures["timings_s"]["validate"] = round(time.perf_counter() - started, 3)
            figures["conforms"] = report.conforms
        elif mode == "reason":
            from api.reason.reasoning import reason_with_hermit

            started = time.perf_counter()
            inferred = reason_with_hermit(loaded)
            figures["timings_s"]["reason"] = round(time.perf_counter() - started, 3)
            figures["inferred"] = len(inferred)
    figures["peak_mb"] = _peak_mb(resource.RUSAGE_SELF)
    figures["children_peak_mb"] = _peak_mb(resource.RUSAGE_CHILDREN)
    return figures


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:4])))
