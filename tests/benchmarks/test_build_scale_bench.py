"""`make bench`: the synthetic corpus, and builds at scale against rdflib as the baseline.

Measured, never asserted (this is a shared 2-core machine): each figure comes from a
fresh process (``build_probe.py``) so caches and memory of one step stay out of the
next. Written to this module's own section of ``tests/benchmarks/RESULTS.md`` (between
markers, replaced on each run).

- generation: ``api.synth.corpus.write_corpus`` for 1k and 10k agreements;
- builds without reasoning (``sgkg build --no-reason``), steps as the manifest records
  them (hash, load, validate, write) plus making the query store the server's default
  uses, and peak memory: the shipped graph with each validator, 1k and 10k agreements
  with the SPARQL validator; and 1k and 10k with reasoning (the OWL 2 RL rules);
- the baseline: the same inputs parsed into rdflib (the first step of a pyshacl build),
  and pyshacl's validation, measured on the shipped graph and on 100 agreements, and
  extrapolated per triple to 1k and 10k (a measured run would take hours).

Reasoning is measured by ``test_reasoning_scenarios_bench.py``. Bounded: about four
minutes on the reference machine.
"""

import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import pytest

from api.build.pipeline import PYSHACL, SPARQL
from api.synth.corpus import write_corpus

from bench_support import write_section
from conftest import REPO

#: Past the default 300 s: the module fixtures build 10k agreements among others.
pytestmark = [pytest.mark.bench, pytest.mark.timeout(1800)]

PROBE = Path(__file__).with_name("build_probe.py")
#: This module's section of RESULTS.md.
SECTION = "build-at-scale"
PROBE_TIMEOUT = 900
SIZES = (100, 1000, 10000)
#: The row label of builds with reasoning (the SPARQL validator, and the rules).
REASONED = "sparql, reasoning"
TARGET_S = 45.0


def probe(mode: str, root: Path, build_dir: Path) -> dict:
    """Run one measured step in a fresh Python process; its JSON figures."""
    done = subprocess.run(
        [sys.executable, str(PROBE), mode, str(root), str(build_dir)],
        capture_output=True,
        text=True,
        timeout=PROBE_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def lines() -> Iterator[list[str]]:
    collected: list[str] = []
    yield collected
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    header = [
        "# Build at scale (`make bench`)",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by "
        "`tests/benchmarks/test_build_scale_bench.py`; written by the run itself.",
        f"Machine: {platform.platform()}, {os.cpu_count()} cores, load average at the end "
        f"{load} (other work shares the machine); Python {platform.python_version()}, "
        f"pyoxigraph {version('pyoxigraph')}, rdflib {version('rdflib')}, "
        f"pyshacl {version('pyshacl')}, owlready2 {version('owlready2')}.",
        "",
    ]
    write_section(SECTION, [*header, *collected])


@pytest.fixture(scope="module")
def corpora(tmp_path_factory: pytest.TempPathFactory, lines: list[str]) -> dict[int, Path]:
    """The synthetic corpora, written once, timed."""
    folder = tmp_path_factory.mktemp("bench-scale")
    rows = []
    trees = {}
    for size in SIZES:
        started = time.perf_counter()
        summary = write_corpus(REPO, folder / f"synth-{size}", size)
        elapsed = time.perf_counter() - started
        megabytes = sum(p.stat().st_size for p in summary.root.rglob("*") if p.is_file()) / 1e6
        rows.append(
            f"| {size} | {elapsed:.1f} | {summary.triples} | {summary.files} | {megabytes:.0f} |"
        )
        trees[size] = summary.root
    lines.extend(
        [
            "## Generating the corpus (`sgkg synth`)",
            "",
            "| agreements | seconds | triples generated | files | MB |",
            "|---:|---:|---:|---:|---:|",
            *rows,
            "",
        ]
    )
    return trees


@pytest.fixture(scope="module")
def measured(
    corpora: dict[int, Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[tuple[str, str], dict]:
    """Every build, each in a fresh process: (input, validator) -> figures."""
    folder = tmp_path_factory.mktemp("bench-builds")
    runs = [
        ("shipped graph", REPO, PYSHACL),
        ("shipped graph", REPO, SPARQL),
        ("100 agreements", corpora[100], PYSHACL),
        ("100 agreements", corpora[100], SPARQL),
        ("1k agreements", corpora[1000], SPARQL),
        ("10k agreements", corpora[10000], SPARQL),
        ("1k agreements", corpora[1000], REASONED),
        ("10k agreements", corpora[10000], REASONED),
    ]
    return {
        (label, validator): probe(
            "reason-sparql" if validator == REASONED else f"build-{validator}",
            root,
            folder / f"{label}-{validator}".replace(" ", "-"),
        )
        for label, root, validator in runs
    }


def test_builds(measured: dict[tuple[str, str], dict], lines: list[str]) -> None:
    rows = []
    for (label, validator), figures in measured.items():
        t = figures["timings_s"]
        rows.append(
            f"| {label} | {validator} | {figures['triples']} | {t['hash']:.1f} | "
            f"{t['load']:.1f} | {t['validate']:.1f} | {t.get('reason', 0):.1f} | "
            f"{t['write']:.1f} | **{build_seconds(figures):.1f}** | "
            f"{t['query-store']:.1f} ({figures['query_store']}) | "
            f"{figures['peak_mb']:.0f} | {figures['children_peak_mb']:.0f} |"
        )
    ten_k = measured[("10k agreements", SPARQL)]
    reasoned = measured[("10k agreements", REASONED)]
    verdict = "met" if build_seconds(ten_k) < TARGET_S else "**NOT met**"
    lines.extend(
        [
            "## Builds (`sgkg build --no-reason --validator ...`, and with reasoning)",
            "",
            "Seconds per step as the build's manifest records them (hash the inputs, "
            "load = parse, validate, reason, write the outputs); *build* is their sum; "
            "*query store* is making the store `sgkg serve` answers from by default: the "
            "on-disk store from 100 MB of N-Quads on (`sgkg build` writes it after the "
            "outputs, so the server opens it at once), else loading the N-Quads into "
            "memory (each server process does, at its start). Peak memory in MB of the "
            "build process, and of the processes it starts (the literal audit on large "
            "inputs, HermiT; 0: none).",
            "",
            "| input | validator | triples | hash | load | validate | reason | write | "
            "build | query store | peak MB | children MB |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            *rows,
            "",
            f"- Target, build of 10k agreements under {TARGET_S:.0f} s: "
            f"{build_seconds(ten_k):.1f} s, {verdict}; writing the on-disk query store "
            f"takes another {ten_k['timings_s']['query-store']:.1f} s.",
            f"- With reasoning (the OWL 2 RL rules, and HermiT on the schema): "
            f"{build_seconds(reasoned):.1f} s, of which reasoning "
            f"{reasoned['timings_s']['reason']:.1f} s "
            f"(the rules {reasoned['reasoning']['rules_seconds']:.1f} s, "
            f"{reasoned['reasoning']['inferred_triples']} inferred triples).",
            "",
        ]
    )


def test_against_rdflib_and_pyshacl(
    measured: dict[tuple[str, str], dict], lines: list[str]
) -> None:
    """The pyshacl builds' load (rdflib) and validate steps are the baseline; beyond
    100 agreements they are extrapolated per triple (a measured run takes hours)."""
    sample = measured[("100 agreements", PYSHACL)]
    per_triple = {
        step: sample["timings_s"][step] / sample["triples"] for step in ("load", "validate")
    }
    rows = []
    for label in ("shipped graph", "100 agreements", "1k agreements", "10k agreements"):
        fast = measured[(label, SPARQL)]
        reference = measured.get((label, PYSHACL))
        if reference is not None:
            slow = {step: reference["timings_s"][step] for step in per_triple}
            how = "measured"
        else:
            slow = {step: per_triple[step] * fast["triples"] for step in per_triple}
            how = "extrapolated"
        quick = {step: fast["timings_s"][step] for step in per_triple}
        rows.append(
            f"| {label} | {fast['triples']} | {how} | {slow['load']:.1f} | "
            f"{slow['validate']:.1f} | {quick['load']:.1f} | {quick['validate']:.1f} | "
            f"{slow['load'] / quick['load']:.1f}x | {slow['validate'] / quick['validate']:.0f}x |"
        )
    lines.extend(
        [
            "## Against the baseline: rdflib parsing and pyshacl",
            "",
            "Baseline: the pyshacl build's steps (every input parsed into an rdflib "
            "Dataset by `api.load.dataset`, then `pyshacl` through `api.validate.shacl`). Fast "
            "path: the SPARQL-validator build's steps (pyoxigraph parsing into its store, "
            "the shapes compiled to SPARQL). Both validators give the same results "
            "(`tests/test_shapes.py`, `tests/test_shacl_sparql.py`).",
            "",
            "| input | triples | baseline | rdflib parse s | pyshacl s | pyoxigraph parse s | "
            "SPARQL validator s | parse ratio | validate ratio |",
            "|---|---:|---|---:|---:|---:|---:|---:|---:|",
            *rows,
            "",
        ]
    )


def build_seconds(figures: dict) -> float:
    steps = ("hash", "load", "validate", "reason", "write")
    return sum(figures["timings_s"].get(step, 0.0) for step in steps)
