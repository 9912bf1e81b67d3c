"""Build the graph: load -> validate -> reason (hook) -> write, all or nothing.

Outputs, in the build folder:

- ``sgkg.trig``: the named graphs (sgkg's six and one per interpretation), with
  prefixes (for people and rdflib);
- ``sgkg.nq``: sgkg's six graphs as N-Quads (for fast bulk loading into the store);
  their union is the strict default graph, so the store can use it as it is;
- ``sgkg-interpretations.nq``: the interpretation graphs (:mod:`api.store.interpretations`),
  loaded beside the six only for answers that include interpretations (empty if none);
- ``validation-report.ttl``: pyshacl's report graph;
- ``manifest.json``: sgkg version, build time, triples per graph, the sha256 of every
  input file, and the validation summary. ``build_status`` compares those hashes with
  the files on disk to tell whether the build is stale.

A build that fails (unparseable input, invalid shapes, SHACL violations, an error while
writing) leaves the previous build untouched: every output is written to a temporary
folder inside the build folder first, then moved into place with ``os.replace`` (an
atomic rename on one file system), the manifest last. The build folder is not swapped
as a whole so that later tools may keep their own outputs in it.

Reasoning plugs in through the ``reason`` argument (:data:`Reasoner`): a callable that
receives the validated graphs in a pyoxigraph store (:class:`ReasoningInput`), fills
``graph/inferred`` there, and returns what it did, which the manifest keeps under
``reasoning`` (the default is :func:`api.reason.reasoning.reason`). A build without it records
``reasoning: null``: its inferred graph is empty, and the server says so.

Two engines, chosen per build and recorded in the manifest (``validator``), with the
seconds each step took (``timings_s``):

- ``pyshacl``, the reference: rdflib loads (:mod:`api.load.dataset`), pyshacl validates
  (:mod:`api.validate.shacl`), rdflib writes. Exact, and slow on large inputs (about 1k
  triples a second to validate);
- ``sparql``, for large inputs: pyoxigraph loads (:mod:`api.load.bulkload`), the shapes
  compiled to SPARQL validate (:mod:`api.validate.compiler`, same results as pyshacl,
  proved by ``tests/test_shacl_sparql.py``), pyoxigraph writes.

``auto`` (the default) takes pyshacl below :data:`AUTO_SPARQL_BYTES` of RDF input and
the SPARQL validator above, so the shipped graph is always checked by the reference.
"""

import hashlib
import json
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Dataset

from api import __version__
from api.core.errors import EXIT_FAILED, SgkgError
from api.core.files import move_files, staging_folder
from api.core.layout import GRAPH_NAMES, INFERRED, Layout, graph_iri
from api.core.namespaces import PREFIXES, bind_prefixes
from api.load.bulkload import StoreDataset, load_store, oxigraph_term
from api.load.dataset import LoadedDataset, load_dataset
from api.reason.step import Reasoner, ReasoningInput
from api.store.base import rdflib_term
from api.store.interpretations import INTERPRETATIONS_NQUADS_FILE
from api.validate.shacl import ValidationReport, validate_dataset

TRIG_FILE = "sgkg.trig"
NQUADS_FILE = "sgkg.nq"
MANIFEST_FILE = "manifest.json"
REPORT_FILE = "validation-report.ttl"

#: Written in this order; the manifest last, so it only ever describes complete outputs.
OUTPUT_FILES = (TRIG_FILE, NQUADS_FILE, INTERPRETATIONS_NQUADS_FILE, REPORT_FILE, MANIFEST_FILE)


MISSING = "missing"
STALE = "stale"
FRESH = "fresh"

#: The validators (and with them the loading engines) a build can use.
PYSHACL = "pyshacl"
SPARQL = "sparql"
AUTO = "auto"
VALIDATORS = (AUTO, PYSHACL, SPARQL)
#: ``auto`` uses the SPARQL validator from this much RDF input (bytes of the files) on.
#: The shipped graph is about 0.5 MB; pyshacl needs about a second per 1,000 triples of
#: data there, so 4 MB (about 50k triples) is a minute with pyshacl and a second or two
#: with the SPARQL validator (tests/benchmarks/RESULTS.md).
AUTO_SPARQL_BYTES = 4_000_000


class ValidationFailed(SgkgError):
    """The data does not conform to the shapes; the build is refused (exit code 1)."""

    exit_code = EXIT_FAILED

    def __init__(self, report: ValidationReport) -> None:
        self.report = report
        violations = report.count("Violation")
        super().__init__(
            f"build refused: {violations} SHACL violation(s); run `sgkg validate` for the report"
        )


@dataclass(frozen=True)
class BuildResult:
    """What a successful build wrote and found."""

    build_dir: Path
    manifest: dict[str, Any]
    report: ValidationReport


@dataclass(frozen=True)
class ValidatorChoice:
    """Which validator a build uses, and why (both go into the manifest)."""

    name: str  # PYSHACL or SPARQL
    reason: str


def choose_validator(layout: Layout, requested: str = AUTO) -> ValidatorChoice:
    """The validator for ``requested`` (``auto``, ``pyshacl`` or ``sparql``)."""
    if requested in (PYSHACL, SPARQL):
        return ValidatorChoice(requested, f"--validator {requested}")
    if requested != AUTO:
        raise SgkgError(f"unknown validator {requested!r}; expected one of {VALIDATORS}")
    size = sum(path.stat().st_size for path, _ in layout.rdf_files())
    megabytes, limit = size / 1e6, AUTO_SPARQL_BYTES / 1e6
    if size < AUTO_SPARQL_BYTES:
        return ValidatorChoice(PYSHACL, f"auto: {megabytes:.1f} MB of RDF, under {limit:g} MB")
    return ValidatorChoice(SPARQL, f"auto: {megabytes:.1f} MB of RDF, {limit:g} MB or more")


@dataclass(frozen=True)
class _Validated:
    """A loaded, validated and reasoned graph, whichever engine loaded it."""

    report: ValidationReport
    counts: dict[str, int]
    #: writes sgkg.trig and sgkg.nq into the given folder
    write_graphs: Callable[[Path], None]
    #: triples per interpretation graph, by graph IRI
    interpretation_counts: dict[str, int]
    #: what the reasoning step returned (None: no reasoning)
    reasoning: dict[str, Any] | None = None


@dataclass(frozen=True)
class BuildStatus:
    """Whether the build folder holds a build of the current inputs, and why not."""

    state: str  # MISSING, STALE or FRESH
    reason: str

    @property
    def is_fresh(self) -> bool:
        return self.state == FRESH


def build(layout: Layout, *, reason: Reasoner | None = None, validator: str = AUTO) -> BuildResult:
    """Load, validate, reason (if a reasoner is given) and write the build atomically.

    ``validator`` chooses the engine (:func:`choose_validator`). Raises
    :class:`api.load.dataset.SourceError`, :class:`api.core.errors.MissingInputError` or
    :class:`api.validate.shacl.ShapesError` on unusable input and :class:`ValidationFailed`
    on SHACL violations; in every such case nothing in the build folder changes.
    """
    timings: dict[str, float] = {}
    with _timed(timings, "hash"):
        stats = input_stats(layout)
        hashes = input_hashes(layout)
    choice = choose_validator(layout, validator)
    pipeline = _with_rdflib if choice.name == PYSHACL else _with_store
    validated = pipeline(layout, reason, timings)
    manifest = _manifest(validated, hashes, stats, choice, timings)
    _write_outputs(layout.build_dir, validated.write_graphs, validated.report, manifest)
    return BuildResult(build_dir=layout.build_dir, manifest=manifest, report=validated.report)


def _with_rdflib(layout: Layout, reason: Reasoner | None, timings: dict[str, float]) -> _Validated:
    """The reference pipeline: rdflib loads and writes, pyshacl validates."""
    with _timed(timings, "load"):
        loaded = load_dataset(layout)
    with _timed(timings, "validate"):
        report = validate_dataset(loaded)
    if not report.conforms:
        raise ValidationFailed(report)
    reasoning = None
    if reason is not None:
        with _timed(timings, "reason"):
            reasoning = _reason_in_rdflib(loaded, reason)

    def write_graphs(folder: Path) -> None:
        loaded.dataset.serialize(destination=folder / TRIG_FILE, format="trig", encoding="utf-8")
        interpreted = set(loaded.interpretation_graphs())
        strict, readings = Dataset(), Dataset()
        for s, p, o, g in loaded.dataset.quads((None, None, None, None)):
            (readings if str(g) in interpreted else strict).add((s, p, o, g))
        strict.serialize(destination=folder / NQUADS_FILE, format="nquads", encoding="utf-8")
        readings.serialize(
            destination=folder / INTERPRETATIONS_NQUADS_FILE, format="nquads", encoding="utf-8"
        )

    interpreted = {iri: len(graph) for iri, graph in loaded.interpretation_graphs().items()}
    return _Validated(report, loaded.triple_counts(), write_graphs, interpreted, reasoning)


def _reason_in_rdflib(loaded: LoadedDataset, reason: Reasoner) -> dict[str, Any]:
    """Reason over a copy of the (small) rdflib dataset in a pyoxigraph store, and take
    the inferred graph back."""
    store = ox.Store()
    store.extend(
        ox.Quad(oxigraph_term(s), oxigraph_term(p), oxigraph_term(o), oxigraph_term(g))
        for s, p, o, g in loaded.dataset.quads((None, None, None, None))
        if g is not None
    )
    record = reason(ReasoningInput(store, loaded.files_describing))
    inferred = loaded.graph(INFERRED)
    graph = ox.NamedNode(str(graph_iri(INFERRED)))
    for quad in store.quads_for_pattern(None, None, None, graph):
        inferred.add(
            (rdflib_term(quad.subject), rdflib_term(quad.predicate), rdflib_term(quad.object))
        )
    return record


def _with_store(layout: Layout, reason: Reasoner | None, timings: dict[str, float]) -> _Validated:
    """The large-input pipeline: pyoxigraph loads and writes, SHACL runs as SPARQL."""
    with _timed(timings, "load"):
        data = load_store(layout)
    with _timed(timings, "validate"):
        report = _validate_store(data)
    if not report.conforms:
        raise ValidationFailed(report)
    reasoning = None
    if reason is not None:
        with _timed(timings, "reason"):
            reasoning = reason(ReasoningInput(data.store, data.files_describing))

    interpreted = data.interpretation_counts()

    def write_graphs(folder: Path) -> None:
        prefixes = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
        if interpreted:  # the TriG keeps every graph: write it before taking them out
            data.store.dump(folder / TRIG_FILE, format=ox.RdfFormat.TRIG, prefixes=prefixes)
            readings = _split_interpretations(data.store, interpreted)
            readings.dump(folder / INTERPRETATIONS_NQUADS_FILE, format=ox.RdfFormat.N_QUADS)
            data.store.dump(folder / NQUADS_FILE, format=ox.RdfFormat.N_QUADS)
            return
        (folder / INTERPRETATIONS_NQUADS_FILE).write_bytes(b"")
        # pyoxigraph lets go of the GIL while it writes: both files at once on two cores
        with ThreadPoolExecutor(max_workers=2) as pool:
            trig = pool.submit(
                data.store.dump, folder / TRIG_FILE, format=ox.RdfFormat.TRIG, prefixes=prefixes
            )
            nquads = pool.submit(data.store.dump, folder / NQUADS_FILE, format=ox.RdfFormat.N_QUADS)
            trig.result(), nquads.result()

    return _Validated(report, data.triple_counts(), write_graphs, interpreted, reasoning)


def _split_interpretations(store: ox.Store, graphs: dict[str, int]) -> ox.Store:
    """Move the interpretation graphs out of ``store`` into a store of their own, so that
    ``sgkg.nq`` holds sgkg's six graphs only."""
    readings = ox.Store()
    for iri in graphs:
        graph = ox.NamedNode(iri)
        quads = list(store.quads_for_pattern(None, None, None, graph))
        readings.extend(quads)
        for quad in quads:
            store.remove(quad)
    return readings


def validate_layout(
    layout: Layout, validator: str = AUTO
) -> tuple[ValidationReport, ValidatorChoice]:
    """Load and validate the tree with the chosen validator, without building."""
    choice = choose_validator(layout, validator)
    if choice.name == PYSHACL:
        return validate_dataset(load_dataset(layout)), choice
    return _validate_store(load_store(layout)), choice


def _validate_store(data: StoreDataset) -> ValidationReport:
    """The SPARQL validator, imported when used: it brings pyshacl and rdflib's SPARQL
    engine (a third of a second), which the server and most commands never need."""
    from api.validate.store_validator import validate_store

    return validate_store(data)


@contextmanager
def _timed(timings: dict[str, float], step: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        timings[step] = round(time.perf_counter() - started, 3)


def input_hashes(layout: Layout) -> dict[str, str]:
    """sha256 of every input file, keyed by its path relative to the root."""
    return {layout.relative(path): _sha256(path) for path in layout.input_files()}


def input_stats(layout: Layout) -> dict[str, list[int]]:
    """Size and modification time (ns) of every input file: when none of them changed
    since the build, :func:`build_status` need not hash them again."""
    stats = {}
    for path in layout.input_files():
        status = path.stat()
        stats[layout.relative(path)] = [status.st_size, status.st_mtime_ns]
    return stats


def read_manifest(build_dir: Path) -> dict[str, Any] | None:
    """The manifest of the build in ``build_dir``, or None if there is none (or unreadable)."""
    try:
        manifest = json.loads((build_dir / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def build_status(layout: Layout) -> BuildStatus:
    """Compare the existing build with the inputs on disk (and this sgkg version)."""
    manifest = read_manifest(layout.build_dir)
    if manifest is None:
        return BuildStatus(MISSING, f"no build in {layout.build_dir}")
    absent = [name for name in OUTPUT_FILES if not (layout.build_dir / name).is_file()]
    if absent:
        return BuildStatus(MISSING, f"build output missing: {', '.join(absent)}")
    if manifest.get("sgkg_version") != __version__:
        return BuildStatus(STALE, f"built by sgkg {manifest.get('sgkg_version')}")
    if "reasoning" not in manifest:
        return BuildStatus(STALE, "built by an earlier sgkg (no record of its reasoning)")
    old = manifest.get("inputs", {})
    if manifest.get("input_stats") == input_stats(layout) and old:
        return BuildStatus(FRESH, "build is up to date")
    new = input_hashes(layout)
    changed = sorted(name for name in old.keys() & new.keys() if old[name] != new[name])
    added = sorted(new.keys() - old.keys())
    removed = sorted(old.keys() - new.keys())
    if changed or added or removed:
        parts = [
            f"{label}: {', '.join(names)}"
            for label, names in (("changed", changed), ("added", added), ("removed", removed))
            if names
        ]
        return BuildStatus(STALE, "inputs " + "; ".join(parts))
    return BuildStatus(FRESH, "build is up to date")


def ensure_build(
    layout: Layout, *, reason: Reasoner | None = None, validator: str = AUTO
) -> BuildStatus:
    """Build if the build is missing or stale; return the status found before building."""
    status = build_status(layout)
    if not status.is_fresh:
        build(layout, reason=reason, validator=validator)
    return status


def _manifest(
    validated: _Validated,
    hashes: dict[str, str],
    stats: dict[str, list[int]],
    choice: ValidatorChoice,
    timings: dict[str, float],
) -> dict[str, Any]:
    counts = validated.counts
    return {
        "sgkg_version": __version__,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "graphs": {
            name: {"iri": str(graph_iri(name)), "triples": counts[name]} for name in GRAPH_NAMES
        },
        "total_triples": sum(counts.values()),
        # beside "graphs" (whose triples make "total_triples", the default graph), the
        # interpretation graphs, which only answers that ask for interpretations read
        "interpretation_graphs": validated.interpretation_counts,
        "inputs": hashes,
        "input_stats": stats,
        "validation": validated.report.summary(),
        "validator": {"name": choice.name, "why": choice.reason},
        "reasoning": validated.reasoning,
        "timings_s": timings,
        "outputs": list(OUTPUT_FILES),
    }


def _write_outputs(
    build_dir: Path,
    write_graphs: Callable[[Path], None],
    report: ValidationReport,
    manifest: dict[str, Any],
) -> None:
    """Write every output into a staging folder, then move them into ``build_dir``."""
    with staging_folder(build_dir, ".staging-") as staging:
        with _timed(manifest["timings_s"], "write"):
            write_graphs(staging)
            report.graph.serialize(destination=staging / REPORT_FILE, format="turtle")
        (staging / MANIFEST_FILE).write_text(
            json.dumps(manifest, indent=2, sort_keys=False) + "\n", encoding="utf-8"
        )
        move_files(staging, build_dir, OUTPUT_FILES)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()
