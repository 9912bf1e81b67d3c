"""Synthetic agreements in the project's own ontology, for scale tests and benchmarks.

``sgkg synth --agreements N --seed S --out DIR`` writes a complete project tree that
``sgkg --root DIR build`` accepts: the ontology and shapes copied from the project, one
source text per text version, and for every agreement one Turtle file per layer::

    DIR/ontology/, DIR/shapes/                  copied byte for byte
    DIR/data/sources/synth-00001-final.txt      the generated text of each version
    DIR/data/text/synth/00001.ttl               work, versions, passages (graph sources)
    DIR/data/semantics/synth/00001.ttl          system, components, statements, conditions
    DIR/data/coding/synth/00001.ttl             analyst codings
    DIR/data/semantics/synth-parties.ttl        the real states (with Wikidata links),
                                                places and coders every agreement shares

Each agreement is built the way the Paris Declaration is encoded: a work with one or two
text versions; a guarantee system with components numbered from 1; mechanisms,
commitments, participations and affirmations with their wording class; event and
compound conditions (``sg:entailsCondition``, ``sg:operand``); enumerations; codings.
When there are two versions, some statements are worded differently in each: each
wording is its own statement with evidence in its version only, linked by
``sg:variantOf``, so the "what changed" queries have answers at every size. Every
passage's quote is the source text between its offsets (code points, end exclusive).

Nothing is random at run time: agreement ``n`` comes from its own generator seeded with
``(seed, n)``, so the same seed writes the same bytes, and a 1k corpus is the first 1k
agreements of the 10k corpus with the same seed. The generator writes Turtle text
directly (no rdflib), which keeps 10k agreements to seconds.

This module writes the tree; :mod:`api.synth.agreement` writes one agreement, in the
modules beside it: :mod:`~api.synth.draft` (an agreement being written),
:mod:`~api.synth.components` (the kinds of component), :mod:`~api.synth.text_layer`,
:mod:`~api.synth.turtle` (the Turtle text) and :mod:`~api.synth.vocabulary` (the
states, venues and coders agreements draw from).

IRIs follow the project's rule ``https://w3id.org/sgkg/id/{kind}/{slug}`` with slugs
``synth-{n:05d}-{name}``; the shared real states keep the project's slugs
(``id/party/ukraine``), so a synthetic tree can hold the real data beside it
(``--with-project-data``).
"""

import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from api.core.errors import SgkgError
from api.core.files import staging_folder
from api.core.layout import DATA_DIR, ONTOLOGY_DIR, SHAPES_DIR, SOURCE_TEXTS_DIR
from api.core.namespaces import ID
from api.synth.agreement import DEFAULT_SEED, generate_agreement
from api.synth.turtle import Turtle, en
from api.synth.vocabulary import CITIES, CODERS, STATES


class SynthError(SgkgError):
    """The synthetic corpus cannot be written where asked (bad size or folder)."""


@dataclass(frozen=True)
class SynthSummary:
    """What :func:`write_corpus` wrote."""

    root: Path
    agreements: int
    seed: int
    files: int
    triples: int


# --- shared parties and the tree ---------------------------------------------------------


def shared_parties(skip: Iterable[str] = ()) -> Turtle:
    """States, places and coders every synthetic agreement refers to.

    ``skip`` holds the IRIs the tree already describes (the project's own data, with
    ``--with-project-data``), so no party is described twice.
    """
    skip = set(skip)
    turtle = Turtle("Parties, places and coders shared by the synthetic agreements (sgkg synth)")
    for slug, label, entity, cls in STATES:
        if f"{ID}party/{slug}" not in skip:
            turtle.add(
                f"party:{slug}",
                ("a", f"sg:{cls}"),
                ("rdfs:label", en(label)),
                ("skos:exactMatch", f"wd:{entity}"),
            )
    for slug, name in CITIES:
        if f"{ID}place/{slug}" not in skip:
            turtle.add(f"place:{slug}", ("a", "sg:Place"), ("rdfs:label", en(name)))
    for coder in CODERS:
        turtle.add(
            f"agent:{coder}",
            ("a", "prov:Agent"),
            ("rdfs:label", en(f"Synthetic coder {coder.rsplit('-', 1)[1].upper()}")),
        )
    return turtle


def write_corpus(
    project_root: Path,
    out: Path,
    agreements: int,
    *,
    seed: int = DEFAULT_SEED,
    with_project_data: bool = False,
) -> SynthSummary:
    """Write a synthetic project tree of ``agreements`` agreements to ``out``.

    The tree is written into a temporary folder beside ``out`` and renamed into place at
    the end, so a failure leaves nothing half-written. ``out`` must not exist or be an
    empty folder, and must not lie inside the project's ``data/`` (synthetic data never
    mixes with the real encoding).
    """
    if agreements < 1:
        raise SynthError(f"--agreements must be at least 1, not {agreements}")
    out = out.resolve()
    _check_destination(project_root.resolve(), out)
    with staging_folder(out.parent, f".{out.name}.") as staging:
        files, triples = _write_tree(project_root, staging, agreements, seed, with_project_data)
        if out.exists():
            out.rmdir()  # empty, checked above
        os.replace(staging, out)  # the folder itself becomes the tree
    return SynthSummary(root=out, agreements=agreements, seed=seed, files=files, triples=triples)


def _check_destination(project_root: Path, out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise SynthError(f"{out} exists and is not an empty folder; choose a new --out folder")
    data = project_root / DATA_DIR
    if out in (project_root, data) or data in out.parents:
        raise SynthError(f"refusing to write synthetic data into the project tree ({out})")
    for folder in (ONTOLOGY_DIR, SHAPES_DIR):
        source = project_root / folder
        if not source.is_dir() or not any(source.glob("*.ttl")):
            raise SynthError(f"no Turtle files in {source}/ to copy into the synthetic tree")


def _write_tree(
    project_root: Path, root: Path, agreements: int, seed: int, with_project_data: bool
) -> tuple[int, int]:
    """Write every file under ``root``; return (files written, triples generated)."""
    files = 0
    for folder in (ONTOLOGY_DIR, SHAPES_DIR):
        shutil.copytree(project_root / folder, root / folder)
        files += sum(1 for p in (root / folder).iterdir() if p.is_file())
    skip: set[str] = set()
    if with_project_data:
        shutil.copytree(project_root / DATA_DIR, root / DATA_DIR)
        files += sum(1 for p in (root / DATA_DIR).rglob("*") if p.is_file())
        skip = _described_subjects(root / DATA_DIR)
    folders = {
        layer: root / DATA_DIR / layer / "synth" for layer in ("text", "semantics", "coding")
    }
    for folder in (*folders.values(), root / SOURCE_TEXTS_DIR):
        folder.mkdir(parents=True, exist_ok=True)
    parties = shared_parties(skip)
    _write(root / DATA_DIR / "semantics" / "synth-parties.ttl", parties.text())
    files, triples = files + 1, parties.triples
    for number in range(1, agreements + 1):
        generated = generate_agreement(number, seed)
        name = f"{number:05d}.ttl"
        _write(folders["text"] / name, generated.text_layer)
        _write(folders["semantics"] / name, generated.semantics)
        _write(folders["coding"] / name, generated.coding)
        for file_name, text in generated.sources.items():
            _write(root / SOURCE_TEXTS_DIR / file_name, text)
        files += 3 + len(generated.sources)
        triples += generated.triples
    return files, triples


def _described_subjects(data: Path) -> set[str]:
    """IRIs that the project's own data files describe (subjects of ``rdf:type``)."""
    from rdflib import RDF, Graph  # the project data is small; rdflib is fine here

    subjects: set[str] = set()
    for path in sorted(data.rglob("*.ttl")):
        graph = Graph().parse(path, format="turtle")
        subjects.update(str(s) for s in graph.subjects(RDF.type, None))
    return subjects


def _write(path: Path, text: str) -> None:
    # newline="" keeps "\n" on every platform: the offsets count code points of that text
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(text)
