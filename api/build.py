"""Build the graph: load -> validate -> reason (hook) -> write, all or nothing.

Outputs, in the build folder:

- ``sgkg.trig``: the five named graphs, with prefixes (for people and rdflib);
- ``sgkg.nq``: the same quads as N-Quads (for fast bulk loading into the store);
- ``validation-report.ttl``: pyshacl's report graph;
- ``manifest.json``: sgkg version, build time, triples per graph, the sha256 of every
  input file, and the validation summary. ``build_status`` compares those hashes with
  the files on disk to tell whether the build is stale.

A build that fails (unparseable input, invalid shapes, SHACL violations, an error while
writing) leaves the previous build untouched: every output is written to a temporary
folder inside the build folder first, then moved into place with ``os.replace`` (an
atomic rename on one file system), the manifest last. The build folder is not swapped
as a whole so that later tools may keep their own outputs in it.

Reasoning plugs in through the ``reason`` argument: a callable that receives the loaded,
validated dataset and returns the inferred triples, which go into ``graph/inferred``.
"""

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph

from api import __version__
from api.dataset import LoadedDataset, load_dataset
from api.errors import EXIT_FAILED, SgkgError
from api.layout import GRAPH_NAMES, INFERRED, Layout, graph_iri
from api.namespaces import bind_prefixes
from api.validation import ValidationReport, validate_dataset

TRIG_FILE = "sgkg.trig"
NQUADS_FILE = "sgkg.nq"
MANIFEST_FILE = "manifest.json"
REPORT_FILE = "validation-report.ttl"

#: Written in this order; the manifest last, so it only ever describes complete outputs.
OUTPUT_FILES = (TRIG_FILE, NQUADS_FILE, REPORT_FILE, MANIFEST_FILE)

#: The reasoning hook: loaded dataset in, inferred triples out (for graph/inferred).
Reasoner = Callable[[LoadedDataset], Graph]

MISSING = "missing"
STALE = "stale"
FRESH = "fresh"


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
class BuildStatus:
    """Whether the build folder holds a build of the current inputs, and why not."""

    state: str  # MISSING, STALE or FRESH
    reason: str

    @property
    def is_fresh(self) -> bool:
        return self.state == FRESH


def build(layout: Layout, *, reason: Reasoner | None = None) -> BuildResult:
    """Load, validate, reason (if a reasoner is given) and write the build atomically.

    Raises :class:`api.dataset.SourceError`, :class:`api.errors.MissingInputError` or
    :class:`api.validation.ShapesError` on unusable input and :class:`ValidationFailed`
    on SHACL violations; in every such case nothing in the build folder changes.
    """
    hashes = input_hashes(layout)
    loaded = load_dataset(layout)
    report = validate_dataset(loaded)
    if not report.conforms:
        raise ValidationFailed(report)
    if reason is not None:
        inferred = loaded.graph(INFERRED)
        for triple in reason(loaded):
            inferred.add(triple)
    manifest = _manifest(loaded, hashes, report, reason)
    _write_outputs(layout.build_dir, loaded.dataset, report, manifest)
    return BuildResult(build_dir=layout.build_dir, manifest=manifest, report=report)


def input_hashes(layout: Layout) -> dict[str, str]:
    """sha256 of every input file, keyed by its path relative to the root."""
    return {layout.relative(path): _sha256(path) for path in layout.input_files()}


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
    old = manifest.get("inputs", {})
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


def ensure_build(layout: Layout, *, reason: Reasoner | None = None) -> BuildStatus:
    """Build if the build is missing or stale; return the status found before building."""
    status = build_status(layout)
    if not status.is_fresh:
        build(layout, reason=reason)
    return status


def load_built_dataset(layout: Layout) -> Dataset:
    """The built dataset, read back from ``sgkg.trig`` (the graphs and their prefixes)."""
    dataset = Dataset(default_union=True)
    dataset.parse(layout.build_dir / TRIG_FILE, format="trig")
    bind_prefixes(dataset)
    return dataset


def _manifest(
    loaded: LoadedDataset,
    hashes: dict[str, str],
    report: ValidationReport,
    reason: Reasoner | None,
) -> dict[str, Any]:
    counts = loaded.triple_counts()
    return {
        "sgkg_version": __version__,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "graphs": {
            name: {"iri": str(graph_iri(name)), "triples": counts[name]} for name in GRAPH_NAMES
        },
        "total_triples": sum(counts.values()),
        "inputs": hashes,
        "validation": report.summary(),
        "reasoner": _reasoner_name(reason),
        "outputs": list(OUTPUT_FILES),
    }


def _reasoner_name(reason: Reasoner | None) -> str | None:
    if reason is None:
        return None
    return getattr(reason, "__qualname__", None) or type(reason).__name__


def _write_outputs(
    build_dir: Path, dataset: Dataset, report: ValidationReport, manifest: dict[str, Any]
) -> None:
    """Write every output into a temporary folder, then move them into ``build_dir``."""
    build_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=build_dir))
    try:
        dataset.serialize(destination=staging / TRIG_FILE, format="trig", encoding="utf-8")
        dataset.serialize(destination=staging / NQUADS_FILE, format="nquads", encoding="utf-8")
        report.graph.serialize(destination=staging / REPORT_FILE, format="turtle")
        (staging / MANIFEST_FILE).write_text(
            json.dumps(manifest, indent=2, sort_keys=False) + "\n", encoding="utf-8"
        )
        for name in OUTPUT_FILES:
            os.replace(staging / name, build_dir / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()
