"""Exports: ``export`` (an RDF format, or the codebook with ``--codebook``), ``publish``
(to a triple store) and ``docs`` (the ontology's HTML documentation)."""

import argparse
from pathlib import Path

from api.analysis.codebook import FORMATS as CODEBOOK_FORMATS
from api.analysis.codebook import codebook_rows
from api.analysis.reading import ReadingRoom
from api.build.export import FORMATS, built_quads, export
from api.build.pipeline import read_manifest
from api.cli.building import build_first
from api.cli.console import description, info, write_stdout
from api.cli.query import open_store
from api.core.errors import EXIT_OK, SgkgError
from api.core.layout import GRAPH_NAMES, Layout
from api.html.docs import write_docs
from api.load.dataset import load_ontology


def add_export(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export",
        help="write the built graph in an RDF format, or the codebook",
        **description(
            "Serialise the built graph (building first if needed). Triple formats "
            "(ttl, nt, rdf, jsonld) are strict: the union of sgkg's six named graphs, "
            "the default graph of a strict query, or one graph with --graph. Quad "
            "formats (trig, nq) keep the named graphs: the six, and each "
            "interpretation's graph under its own name (the interpretation's IRI). "
            "With --codebook, write the statements as a table instead: one row per "
            "statement (csv, the default, or xlsx), the columns explained at /codebook "
            "and in the README. "
            "Writes to stdout unless -o is given.\n\n"
            "examples:\n"
            "  sgkg export --format ttl > sgkg.ttl\n"
            "  sgkg export --format nq -o sgkg.nq\n"
            "  sgkg export --format jsonld --graph data\n"
            "  sgkg export --codebook > codebook.csv\n"
            "  sgkg export --codebook xlsx -o codebook.xlsx\n"
            "  sgkg export --codebook --codebook-interpretations -o codebook-all.csv"
        ),
    )
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--format", choices=tuple(FORMATS))
    what.add_argument(
        "--codebook",
        nargs="?",
        const="csv",
        choices=tuple(CODEBOOK_FORMATS),
        help="the codebook, as csv (default) or xlsx",
    )
    parser.add_argument("--graph", choices=GRAPH_NAMES, help="export only this named graph")
    parser.add_argument(
        "--codebook-interpretations",
        action="store_true",
        help="add the statements only interpretations make (flagged 'interpreted')",
    )
    parser.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    parser.set_defaults(handler=run_export)


def run_export(args: argparse.Namespace, layout: Layout) -> int:
    build_first(layout)
    if args.codebook:
        payload = codebook_file(layout, args.codebook, interpreted=args.codebook_interpretations)
        what = f"codebook, {args.codebook}"
    else:
        payload = export(built_quads(layout), args.format, graph=args.graph)
        what = FORMATS[args.format].label
    if args.output is None:
        write_stdout(payload)
    else:
        try:
            args.output.write_bytes(payload)
        except OSError as error:
            raise SgkgError(f"cannot write {args.output}: {error.strerror}") from None
        info(f"wrote {args.output} ({what}, {len(payload)} bytes)")
    return EXIT_OK


def codebook_file(layout: Layout, fmt: str, *, interpreted: bool) -> bytes:
    """The codebook of the build in ``layout``, as ``csv`` or ``xlsx``."""
    manifest = read_manifest(layout.build_dir) or {}
    room = ReadingRoom(
        open_store(layout), layout.root, sorted(manifest.get("interpretation_graphs", {}))
    )
    _, write = CODEBOOK_FORMATS[fmt]
    return write(codebook_rows(room, interpreted=interpreted))


def add_publish(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "publish",
        help="upload the built graph to a triple store (SPARQL Graph Store Protocol)",
        **description(
            "Upload every named graph of the build (building first if it is missing or "
            "stale) to a triple store with the SPARQL 1.1 Graph Store HTTP Protocol: one "
            "PUT URL?graph=IRI per graph, which replaces that graph: the six sgkg graphs "
            "and each interpretation's graph, named by the interpretation's IRI (so "
            "--store remote answers with --interpretations too). URL is the store's "
            "Graph Store endpoint (oxigraph serve: http://HOST:7878/store; Fuseki: "
            "http://HOST:3030/DATASET/data; GraphDB: "
            "http://HOST:7200/repositories/REPO/rdf-graphs/service). Then serve it with "
            "`sgkg serve --store remote --store-url QUERY_URL`. Exit 1 if the store "
            "cannot be reached or refuses a graph, 2 if the URL or the build is unusable."
            "\n\n"
            "examples:\n"
            "  oxigraph serve --location /tmp/ox --bind 127.0.0.1:7878 &\n"
            "  sgkg publish --to http://127.0.0.1:7878/store\n"
            "  sgkg query --store remote --store-url http://127.0.0.1:7878/query 'ASK {}'"
        ),
    )
    parser.add_argument("--to", required=True, metavar="URL", help="the Graph Store endpoint")
    parser.set_defaults(handler=run_publish)


def run_publish(args: argparse.Namespace, layout: Layout) -> int:
    from api.build.publish import publish

    build_first(layout)
    for graph in publish(layout.build_dir, args.to):
        info(f"put <{graph.iri}>: {graph.triples} triples (HTTP {graph.status})")
    info(f"published {layout.build_dir} to {args.to}")
    return EXIT_OK


def add_docs(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "docs",
        help="write the ontology's HTML documentation",
        **description(
            "Generate the documentation of the ontology from ontology/ (both modules): "
            "the header, a diagram of the main classes, every class and property with "
            "its definition, axioms and links, every SKOS concept scheme with its "
            "concepts, and the reused external terms. Writes index.html (one "
            "self-contained page, the one the server shows at /ontology) and classes.svg "
            "(the diagram alone) into DIR, by default docs/ in the build folder. The "
            "diagram needs Graphviz (`dot`).\n\n"
            "examples:\n"
            "  sgkg docs\n"
            "  sgkg docs --out /tmp/sgkg-docs"
        ),
    )
    parser.add_argument(
        "--out", type=Path, metavar="DIR", help="folder to write (default: BUILD_DIR/docs)"
    )
    parser.set_defaults(handler=run_docs)


def run_docs(args: argparse.Namespace, layout: Layout) -> int:
    folder = args.out if args.out is not None else layout.build_dir / "docs"
    try:
        output = write_docs(load_ontology(layout), folder)
    except OSError as error:
        raise SgkgError(f"cannot write {folder}: {error.strerror}") from None
    for warning in output.warnings:
        info(f"warning: {warning}")
    info("wrote " + ", ".join(str(path) for path in output.files))
    return EXIT_OK
