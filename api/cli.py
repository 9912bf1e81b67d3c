"""The ``sgkg`` command line.

Each subcommand is one ``add_*`` function that declares its arguments and sets its
handler; :data:`COMMANDS` lists them. A later command (reason, scenario, serve, synth,
publish, docs) is one more function and one more entry.

Conventions: data (reports, results, exports) go to stdout, messages to stderr. Exit
codes: 0 success, 1 the input was read but fails (SHACL violations, QC errors), 2 the
input cannot be used (parse error, missing files, invalid shapes, bad query). Expected
errors print one readable message, never a traceback.
"""

import argparse
import os
import sys
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path

from api import __version__
from api.build import (
    ValidationFailed,
    build,
    build_status,
    ensure_build,
    load_built_dataset,
)
from api.competency import check_answer, load_questions
from api.dataset import load_dataset
from api.errors import EXIT_FAILED, EXIT_OK, EXIT_UNUSABLE, SgkgError
from api.export import FORMATS, export
from api.layout import GRAPH_NAMES, Layout, discover_layout
from api.qc import QC_FORMATS, has_errors, qc_input, render_issues, run_qc
from api.query import open_store, query_to_text, read_query
from api.results import SELECT_FORMATS
from api.validation import REPORT_FORMATS, render_report, render_text, validate_dataset

Handler = Callable[[argparse.Namespace, Layout], int]


def _info(message: str) -> None:
    print(message, file=sys.stderr)


def _write_stdout(text: str | bytes) -> None:
    if isinstance(text, bytes):
        sys.stdout.flush()
        sys.stdout.buffer.write(text)
        sys.stdout.buffer.flush()
    else:
        sys.stdout.write(text)


def _description(text: str) -> dict[str, object]:
    """Wrap the prose of a ``--help`` text to 88 columns, keep the examples as written."""
    paragraphs = [
        paragraph if paragraph.startswith("example") else textwrap.fill(paragraph, width=88)
        for paragraph in text.split("\n\n")
    ]
    return {
        "description": "\n\n".join(paragraphs),
        "formatter_class": argparse.RawDescriptionHelpFormatter,
    }


# --- build ---------------------------------------------------------------------------


def add_build(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "build",
        help="load, validate and write the graph to the build folder",
        **_description(
            "Load ontology/, shapes/ and data/ into five named graphs, validate the data "
            "against the SHACL shapes, and write build/sgkg.trig, build/sgkg.nq, "
            "build/validation-report.ttl and build/manifest.json. The outputs are "
            "replaced only when everything succeeded, so a failed build leaves the "
            "previous one in place. Exit 0 on success, 1 on SHACL violations, 2 on "
            "unusable input.\n\n"
            "examples:\n"
            "  sgkg build\n"
            "  sgkg --root tests/fixtures/mini --build-dir /tmp/sgkg-build build"
        ),
    )
    parser.set_defaults(handler=run_build)


def run_build(args: argparse.Namespace, layout: Layout) -> int:
    result = build(layout)
    manifest = result.manifest
    summary = manifest["validation"]
    _info(
        f"built {layout.build_dir}: {manifest['total_triples']} triples "
        f"({summary['warnings']} SHACL warning(s), {summary['infos']} info(s))"
    )
    return EXIT_OK


# --- validate ------------------------------------------------------------------------


def add_validate(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="validate the data against the SHACL shapes",
        **_description(
            "Validate data/ (data and text layers) against shapes/, with the ontology's "
            "class hierarchy, and print the report: one line per result naming the "
            "file that describes the focus node (text), a JSON document (json), or "
            "pyshacl's report graph (turtle). The shapes are first checked against "
            "SHACL-SHACL. Exit 0 if the data conforms (warnings allowed), 1 on "
            "violations, 2 on unusable input (parse error, missing files, invalid "
            "shapes).\n\n"
            "examples:\n"
            "  sgkg validate\n"
            "  sgkg validate --format json > report.json"
        ),
    )
    parser.add_argument("--format", choices=REPORT_FORMATS, default="text")
    parser.set_defaults(handler=run_validate)


def run_validate(args: argparse.Namespace, layout: Layout) -> int:
    report = validate_dataset(load_dataset(layout))
    _write_stdout(render_report(report, args.format))
    return EXIT_OK if report.conforms else EXIT_FAILED


# --- query ---------------------------------------------------------------------------


def add_query(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "query",
        help="run a SPARQL query against the built graph",
        **_description(
            "Run a SPARQL query (given as text, or as a .rq file) against the built "
            "graph, where the default graph is the union of all named graphs. Builds "
            "first if the build is missing or older than the inputs. SELECT results "
            "print as an aligned table or as SPARQL JSON, CSV or TSV; ASK prints "
            "true or false; CONSTRUCT and DESCRIBE print Turtle. Exit 2 on a syntax "
            "error, with its line and column.\n\n"
            "examples:\n"
            "  sgkg query 'SELECT ?s WHERE { ?s a <https://w3id.org/sgkg/ontology#Party> }'\n"
            "  sgkg query data/queries/cq01-meeting.rq --format csv"
        ),
    )
    parser.add_argument("query", metavar="QUERY_OR_FILE", help="SPARQL text or a .rq file")
    parser.add_argument("--format", choices=SELECT_FORMATS, default="table")
    parser.set_defaults(handler=run_query_command)


def run_query_command(args: argparse.Namespace, layout: Layout) -> int:
    sparql = read_query(args.query)
    status = ensure_build(layout)
    if not status.is_fresh:
        _info(f"built first ({status.reason})")
    _write_stdout(query_to_text(open_store(layout), sparql, args.format))
    return EXIT_OK


# --- questions -----------------------------------------------------------------------


def add_questions(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "questions",
        help="list, run or check the competency questions in data/queries/",
        **_description(
            "The competency questions are the questions the graph is built to answer, "
            "each a .rq file in data/queries/ with its title, the question in words and "
            "the answer expected from the texts. With no argument, list them. With a "
            "NAME (or its number, e.g. 3 for cq03-...), print the question and run it. "
            "With --check, run every question against the built graph and compare its "
            "answer with the expected one; exit 1 if any differs.\n\n"
            "examples:\n"
            "  sgkg questions\n"
            "  sgkg questions 3\n"
            "  sgkg questions cq14-final-only --format csv\n"
            "  sgkg questions --check"
        ),
    )
    parser.add_argument("name", nargs="?", metavar="NAME", help="question file name or number")
    parser.add_argument("--check", action="store_true", help="check every expected answer")
    parser.add_argument("--format", choices=SELECT_FORMATS, default="table")
    parser.set_defaults(handler=run_questions)


def run_questions(args: argparse.Namespace, layout: Layout) -> int:
    questions = load_questions(layout)
    if not questions:
        raise SgkgError(f"no competency questions in {layout.root / 'data' / 'queries'}/")
    if args.name is None and not args.check:
        for question in questions:
            _write_stdout(f"{question.name:<36} {question.title}\n")
        return EXIT_OK
    status = ensure_build(layout)
    if not status.is_fresh:
        _info(f"built first ({status.reason})")
    store = open_store(layout)
    if args.check:
        return _check_questions(questions, store)
    question = _find_question(questions, args.name)
    _info(f"{question.title}\n{question.question}\n")
    _write_stdout(query_to_text(store, question.sparql, args.format))
    return EXIT_OK


def _find_question(questions: list, name: str):
    wanted = f"cq{int(name):02d}-" if name.isdigit() else name.removesuffix(".rq")
    for question in questions:
        if question.name == wanted or question.name.startswith(wanted):
            return question
    names = ", ".join(q.name for q in questions)
    raise SgkgError(f"no competency question {name!r}; there are: {names}")


def _check_questions(questions: list, store) -> int:
    failed = 0
    for question in questions:
        outcome = check_answer(question, store.query(question.sparql))
        _write_stdout(
            f"{'PASS' if outcome.passed else 'FAIL'}  {question.name}  {question.title}\n"
        )
        if not outcome.passed:
            failed += 1
            _write_stdout(f"      expected: {sorted(map(str, _as_list(outcome.expected)))}\n")
            _write_stdout(f"      actual:   {sorted(map(str, _as_list(outcome.actual)))}\n")
    _info(
        f"{len(questions) - failed} of {len(questions)} competency questions answered as expected"
    )
    return EXIT_FAILED if failed else EXIT_OK


def _as_list(value: object) -> list:
    return list(value) if isinstance(value, list | set | tuple) else [value]


# --- export --------------------------------------------------------------------------


def add_export(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export",
        help="write the built graph in an RDF format",
        **_description(
            "Serialise the built graph (building first if needed). Triple formats "
            "(ttl, nt, rdf, jsonld) hold the union of all graphs, or one graph with "
            "--graph; quad formats (trig, nq) keep the named graphs. Writes to stdout "
            "unless -o is given.\n\n"
            "examples:\n"
            "  sgkg export --format ttl > sgkg.ttl\n"
            "  sgkg export --format nq -o sgkg.nq\n"
            "  sgkg export --format jsonld --graph data"
        ),
    )
    parser.add_argument("--format", choices=tuple(FORMATS), required=True)
    parser.add_argument("--graph", choices=GRAPH_NAMES, help="export only this named graph")
    parser.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    parser.set_defaults(handler=run_export)


def run_export(args: argparse.Namespace, layout: Layout) -> int:
    status = ensure_build(layout)
    if not status.is_fresh:
        _info(f"built first ({status.reason})")
    payload = export(load_built_dataset(layout), args.format, graph=args.graph)
    if args.output is None:
        _write_stdout(payload)
    else:
        try:
            args.output.write_bytes(payload)
        except OSError as error:
            raise SgkgError(f"cannot write {args.output}: {error.strerror}") from None
        _info(f"wrote {args.output} ({FORMATS[args.format].label}, {len(payload)} bytes)")
    return EXIT_OK


# --- qc ------------------------------------------------------------------------------


def add_qc(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "qc",
        help="ontology quality report (labels, definitions, header, declarations)",
        **_description(
            "Check the ontology against the project's quality bar, in the spirit of "
            "ROBOT report: labels and definitions of every term, the ontology header, "
            "domains and ranges, undeclared sg: terms in data or shapes, illegal "
            "punning, SKOS concepts outside a scheme. Prints a table (or JSON) of "
            "ERROR, WARN and INFO issues. Exit 1 if there is any ERROR.\n\n"
            "examples:\n"
            "  sgkg qc\n"
            "  sgkg qc --format json"
        ),
    )
    parser.add_argument("--format", choices=QC_FORMATS, default="table")
    parser.set_defaults(handler=run_qc_command)


def run_qc_command(args: argparse.Namespace, layout: Layout) -> int:
    issues = run_qc(qc_input(load_dataset(layout)))
    _write_stdout(render_issues(issues, args.format))
    return EXIT_FAILED if has_errors(issues) else EXIT_OK


# --- serve ---------------------------------------------------------------------------


def add_serve(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="SPARQL endpoint and linked-data server (not implemented yet)",
        **_description(
            "Serve the built graph over HTTP: SPARQL 1.1 endpoint, IRI dereferencing "
            "and export. Not implemented yet: tracked by the endpoint issue. Exits 2.\n\n"
            "example:\n"
            "  sgkg serve"
        ),
    )
    parser.set_defaults(handler=run_serve)


def run_serve(args: argparse.Namespace, layout: Layout) -> int:
    _info(
        "sgkg serve: the SPARQL endpoint is not implemented yet (tracked by the "
        "endpoint issue). Meanwhile use `sgkg query` and `sgkg export`."
    )
    return EXIT_UNUSABLE


# --- status (small helper for people and scripts) ------------------------------------


def add_status(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "status",
        help="tell whether the build is missing, stale or fresh",
        **_description(
            "Compare build/manifest.json with the input files. Prints fresh, stale or "
            "missing and the reason. Exit 0 if fresh, 1 otherwise.\n\n"
            "example:\n"
            "  sgkg status"
        ),
    )
    parser.set_defaults(handler=run_status)


def run_status(args: argparse.Namespace, layout: Layout) -> int:
    status = build_status(layout)
    _write_stdout(f"{status.state}: {status.reason}\n")
    return EXIT_OK if status.is_fresh else EXIT_FAILED


#: One entry per subcommand, in ``--help`` order.
COMMANDS: tuple[Callable[[argparse._SubParsersAction], None], ...] = (
    add_build,
    add_validate,
    add_query,
    add_questions,
    add_export,
    add_qc,
    add_status,
    add_serve,
)


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sgkg",
        **_description(
            "sgkg: a knowledge graph of the Paris Declaration of 6 January 2026 on "
            "security guarantees for Ukraine. Build, validate, query, export and check "
            "the graph. `sgkg COMMAND --help` describes each command.\n\n"
            "examples:\n"
            "  sgkg build\n"
            "  sgkg query 'SELECT * WHERE { ?s ?p ?o } LIMIT 5'\n"
            "  sgkg --root tests/fixtures/mini validate --format json"
        ),
    )
    parser.add_argument("--version", action="version", version=f"sgkg {__version__}")
    parser.add_argument(
        "--root",
        metavar="DIR",
        help="project tree with ontology/, shapes/, data/ (default: this checkout; env SGKG_ROOT)",
    )
    parser.add_argument(
        "--build-dir",
        metavar="DIR",
        help="where builds are written (default: ROOT/build; env SGKG_BUILD_DIR)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add_command in COMMANDS:
        add_command(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    try:
        layout = discover_layout(args.root, args.build_dir)
        return handler(args, layout)
    except ValidationFailed as error:
        sys.stderr.write(render_text(error.report))
        _info(f"sgkg {args.command}: {error}")
        return error.exit_code
    except SgkgError as error:
        _info(f"sgkg {args.command}: {error}")
        return error.exit_code
    except BrokenPipeError:  # `sgkg export ... | head`: not an error worth a traceback
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the exit-time flush does not fail again
        return EXIT_OK
    except KeyboardInterrupt:
        _info("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
