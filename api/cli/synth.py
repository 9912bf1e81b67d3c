"""Synthesis: ``synth`` writes a synthetic corpus, a project tree for scale tests
(:mod:`api.synth.corpus`)."""

import argparse
from pathlib import Path

from api.cli.console import description, info
from api.core.errors import EXIT_OK
from api.core.layout import Layout
from api.synth.corpus import DEFAULT_SEED, write_corpus


def add_synth(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "synth",
        help="write a synthetic corpus of N agreements (a project tree) for scale tests",
        **description(
            "Write a complete project tree to DIR: the ontology and shapes of this "
            "project, and N synthetic agreements encoded like the Paris Declaration "
            "(versions, passages whose quotes are at their offsets in generated source "
            "texts, parties with Wikidata links, guarantee systems with components, "
            "mechanisms, commitments, participations, conditions, enumerations, codings, "
            "statements that differ between versions). The same seed writes the same "
            "bytes. DIR must be new or empty and outside the project's data/. Build it "
            "with `sgkg --root DIR build`; 10k agreements are about 2 million triples.\n\n"
            "examples:\n"
            "  sgkg synth --agreements 1000 --out /tmp/synth-1k\n"
            "  sgkg synth --agreements 10000 --seed 7 --out /tmp/synth-10k\n"
            "  sgkg --root /tmp/synth-10k build --no-reason"
        ),
    )
    parser.add_argument("--agreements", type=int, required=True, metavar="N")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="default %(default)s")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR")
    parser.add_argument(
        "--with-project-data",
        action="store_true",
        help="also copy this project's data/ (the Paris Declaration) into the tree",
    )
    parser.set_defaults(handler=run_synth)


def run_synth(args: argparse.Namespace, layout: Layout) -> int:
    summary = write_corpus(
        layout.root,
        args.out,
        args.agreements,
        seed=args.seed,
        with_project_data=args.with_project_data,
    )
    info(
        f"wrote {summary.root}: {summary.agreements} synthetic agreements (seed "
        f"{summary.seed}), {summary.files} files, {summary.triples} triples"
    )
    return EXIT_OK
