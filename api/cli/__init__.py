"""The ``sgkg`` command line.

Each subcommand is one ``add_*`` function that declares its arguments and sets its
handler; :data:`COMMANDS` lists them. A later command (reason, scenario, serve, synth,
publish, docs) is one more function and one more entry.

Conventions: data (reports, results, exports) go to stdout, messages to stderr. Exit
codes: 0 success, 1 the input was read but fails (SHACL violations, QC errors), 2 the
input cannot be used (parse error, missing files, invalid shapes, bad query). Expected
errors print one readable message, never a traceback.

The top layer: it may import every other.
"""

import argparse
import json
import os
import sys
import textwrap
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from api import __version__
from api.analysis.codebook import FORMATS as CODEBOOK_FORMATS
from api.analysis.codebook import codebook_rows
from api.analysis.competency import check_answer, load_questions
from api.analysis.reading import ReadingRoom
from api.analysis.scenarios import SCENARIO_FORMATS, ScenarioModel, render
from api.build.export import FORMATS, export
from api.build.pipeline import (
    AUTO,
    NQUADS_FILE,
    VALIDATORS,
    ValidationFailed,
    build,
    build_status,
    ensure_build,
    load_built_dataset,
    read_manifest,
    validate_layout,
)
from api.cli.query import answer_query, open_store, read_query
from api.core.errors import EXIT_FAILED, EXIT_OK, SgkgError
from api.core.layout import GRAPH_NAMES, Layout, discover_layout
from api.formats.result_text import SELECT_FORMATS, format_result
from api.html.docs import write_docs
from api.load.dataset import load_dataset, load_ontology
from api.server.settings import (
    ADMIN_TOKEN_ENV,
    DEFAULT_HOST,
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_QUERY_LENGTH,
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RESULT_ROWS,
    DEFAULT_PORT,
    DEFAULT_QUERY_QUEUE,
    DEFAULT_QUERY_TIMEOUT,
    DEFAULT_QUERY_WORKERS,
    Settings,
)
from api.store.backends import (
    AUTO as STORE_AUTO,
)
from api.store.backends import (
    AUTO_DISK_BYTES,
    DISK,
    EMBEDDED,
    REMOTE,
    STORE_DIR_ENV,
    STORE_ENV,
    STORE_URL_ENV,
    STORES,
    StoreChoice,
)
from api.store.interpretations import ALL as ALL_INTERPRETATIONS
from api.synth.corpus import DEFAULT_SEED, write_corpus
from api.validate.qc import QC_FORMATS, has_errors, qc_input, render_issues, run_qc
from api.validate.shacl import REPORT_FORMATS, render_report, render_text

Handler = Callable[[argparse.Namespace, Layout], int]


def reason(*args, **kwargs):
    """The build's reasoning step (:func:`api.reason.reasoning.reason`: OWL 2 RL rules, HermiT
    for consistency), imported only when a build reasons: owlready2 is slow to import,
    and most runs (a fresh build) never need it."""
    from api.reason.reasoning import reason as reason_step

    return reason_step(*args, **kwargs)


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
            "against the SHACL shapes, reason (OWL 2 RL rules write the inferred triples "
            "into the graph inferred; HermiT checks consistency), and write "
            "build/sgkg.trig, build/sgkg.nq, "
            "build/validation-report.ttl and build/manifest.json. The outputs are "
            "replaced only when everything succeeded, so a failed build leaves the "
            "previous one in place. Exit 0 on success, 1 on SHACL violations or an "
            "inconsistent ontology, 2 on unusable input.\n\n"
            "examples:\n"
            "  sgkg build\n"
            "  sgkg build --no-reason\n"
            "  sgkg --root /tmp/synth-10k build --no-reason --validator sparql\n"
            "  sgkg --root tests/fixtures/mini --build-dir /tmp/sgkg-build build"
        ),
    )
    parser.add_argument(
        "--no-reason",
        action="store_true",
        help="skip reasoning (faster; the graph inferred stays empty, and the server "
        "says so in /health and its VoID description)",
    )
    _add_validator_option(parser)
    parser.set_defaults(handler=run_build)


def _add_validator_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--validator",
        choices=VALIDATORS,
        default=AUTO,
        help="pyshacl (the reference, rdflib), sparql (the shapes compiled to SPARQL on "
        "pyoxigraph, for large graphs) or auto (pyshacl below 4 MB of RDF; the default)",
    )


def run_build(args: argparse.Namespace, layout: Layout) -> int:
    result = build(layout, reason=None if args.no_reason else reason, validator=args.validator)
    manifest = result.manifest
    summary = manifest["validation"]
    _info(
        f"built {layout.build_dir}: {manifest['total_triples']} triples, "
        f"{manifest['graphs']['inferred']['triples']} of them inferred "
        f"({summary['warnings']} SHACL warning(s), {summary['infos']} info(s)); "
        f"validated with {manifest['validator']['name']} ({manifest['validator']['why']})"
    )
    _prepare_query_store(layout)
    return EXIT_OK


def _prepare_query_store(layout: Layout) -> None:
    """Write the on-disk query store now when ``sgkg serve`` (default store) would serve
    this build from disk, so the server is ready within seconds, not after a bulk load."""
    choice = StoreChoice.from_options(None, None, None)
    nquads = layout.build_dir / NQUADS_FILE
    if choice.backend == REMOTE or not choice.serves_from_disk(nquads):
        return
    from api.store.disk import prepare_disk_store

    started = time.perf_counter()
    folder = prepare_disk_store(nquads, choice.store_dir(layout.build_dir))
    _info(f"wrote the on-disk query store {folder} in {time.perf_counter() - started:.1f} s")


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
            "  sgkg validate --format json > report.json\n"
            "  sgkg validate --validator sparql"
        ),
    )
    parser.add_argument("--format", choices=REPORT_FORMATS, default="text")
    _add_validator_option(parser)
    parser.set_defaults(handler=run_validate)


def run_validate(args: argparse.Namespace, layout: Layout) -> int:
    report, choice = validate_layout(layout, args.validator)
    _info(f"validated with {choice.name} ({choice.reason})")
    _write_stdout(render_report(report, args.format))
    return EXIT_OK if report.conforms else EXIT_FAILED


# --- query ---------------------------------------------------------------------------


def add_query(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "query",
        help="run a SPARQL query against the built graph",
        **_description(
            "Run a SPARQL query (given as text, or as a .rq file) against the built "
            "graph. The answer is strict by default: the default graph is the union of "
            "sgkg's six named graphs, the words of the texts and what is built from them. "
            "--interpretations adds interpretation graphs (all, or names): readings that "
            "go beyond the words, each attributed and argued; stderr then says which of "
            "them the answer rests on (none when it equals the strict answer). Builds "
            "first if the build is missing or older than the inputs. SELECT results "
            "print as an aligned table or as SPARQL JSON, CSV or TSV; ASK prints "
            "true or false; CONSTRUCT and DESCRIBE print Turtle. Exit 2 on a syntax "
            "error, with its line and column, or on an unknown interpretation.\n\n"
            "examples:\n"
            "  sgkg query 'SELECT ?s WHERE { ?s a <https://w3id.org/sgkg/ontology#Party> }'\n"
            "  sgkg query data/queries/cq01-meeting.rq --format csv\n"
            "  sgkg query data/queries/cq31-who-is-bound.rq --interpretations all\n"
            "  sgkg query data/queries/cq19-attack-triggers.rq "
            "--interpretations attack-covers-future-armed-attack"
        ),
    )
    parser.add_argument("query", metavar="QUERY_OR_FILE", help="SPARQL text or a .rq file")
    parser.add_argument("--format", choices=SELECT_FORMATS, default="table")
    add_interpretations_option(parser)
    add_store_options(parser)
    parser.set_defaults(handler=run_query_command)


def run_query_command(args: argparse.Namespace, layout: Layout) -> int:
    sparql = read_query(args.query)
    answer = answer_query(chosen_store(args, layout), sparql, args.interpretations)
    _write_stdout(format_result(answer.result, args.format))
    _info(answer.summary())
    return EXIT_OK


def add_interpretations_option(parser: argparse.ArgumentParser) -> None:
    """``--interpretations [all|NAME,...]``: answer with interpretations as well."""
    parser.add_argument(
        "--interpretations",
        nargs="?",
        const=ALL_INTERPRETATIONS,
        action="append",
        default=[],
        metavar="all|NAME,...",
        help="include interpretations besides the words: all (also when no value is "
        "given), or names (the last segment of the interpretation's IRI; comma-separated "
        "or repeated). Default: none, a strict answer from the words alone",
    )


# --- store backends: --store on serve, query, questions; publish ---


def add_store_options(parser: argparse.ArgumentParser) -> None:
    """``--store``, ``--store-dir``, ``--store-url`` (see the README's "Store backends")."""
    group = parser.add_argument_group("store")
    group.add_argument(
        "--store",
        choices=STORES,
        default=None,
        help=f"the engine: {EMBEDDED} (pyoxigraph in memory, a copy per worker), {DISK} "
        f"(pyoxigraph on disk, read-only, one copy for all workers), {REMOTE} (a SPARQL 1.1 "
        f"endpoint loaded with `sgkg publish`) or {STORE_AUTO} ({EMBEDDED} for small builds, "
        f"{DISK} from {AUTO_DISK_BYTES // 1_000_000} MB of N-Quads on) "
        f"(default: env {STORE_ENV}, else {STORE_AUTO})",
    )
    group.add_argument(
        "--store-dir",
        metavar="DIR",
        default=None,
        help=f"{DISK} and {STORE_AUTO}: where the on-disk stores are written, once per build "
        f"(default: env {STORE_DIR_ENV}, else BUILD_DIR/oxigraph)",
    )
    group.add_argument(
        "--store-url",
        metavar="URL",
        default=None,
        help=f"{REMOTE}: the SPARQL query endpoint, e.g. http://127.0.0.1:7878/query "
        f"(default: env {STORE_URL_ENV})",
    )


def store_choice(args: argparse.Namespace) -> StoreChoice:
    return StoreChoice.from_options(args.store, args.store_dir, args.store_url)


def chosen_store(args: argparse.Namespace, layout: Layout):
    """The store ``--store`` names, building first for the local backends."""
    choice = store_choice(args)
    if choice.backend != REMOTE:  # a remote store holds what was published
        status = ensure_build(layout, reason=reason)
        if not status.is_fresh:
            _info(f"built first ({status.reason})")
    return choice.factory(layout.build_dir / NQUADS_FILE, layout.build_dir)()


def add_publish(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "publish",
        help="upload the built graph to a triple store (SPARQL Graph Store Protocol)",
        **_description(
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

    status = ensure_build(layout, reason=reason)
    if not status.is_fresh:
        _info(f"built first ({status.reason})")
    for graph in publish(layout.build_dir, args.to):
        _info(f"put <{graph.iri}>: {graph.triples} triples (HTTP {graph.status})")
    _info(f"published {layout.build_dir} to {args.to}")
    return EXIT_OK


# --- end store backends ---


# --- questions -----------------------------------------------------------------------


def add_questions(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "questions",
        help="list, run or check the competency questions in data/queries/",
        **_description(
            "The competency questions are the questions the graph is built to answer, "
            "each a .rq file in data/queries/ with its title, the question in words and "
            "the answer expected from the texts. With no argument, list them. With a "
            "NAME (or its number, e.g. 3 for cq03-...), print the question and run it: "
            "strictly, from the words alone, unless --interpretations includes "
            "interpretations (stderr then says which the answer rests on). With --check, "
            "run every question strictly against the built graph and compare its answer "
            "with the expected one, written from the words; exit 1 if any differs.\n\n"
            "examples:\n"
            "  sgkg questions\n"
            "  sgkg questions 3\n"
            "  sgkg questions 3 --interpretations all\n"
            "  sgkg questions cq14-final-only --format csv\n"
            "  sgkg questions --check"
        ),
    )
    parser.add_argument("name", nargs="?", metavar="NAME", help="question file name or number")
    parser.add_argument("--check", action="store_true", help="check every expected answer")
    parser.add_argument("--format", choices=SELECT_FORMATS, default="table")
    add_interpretations_option(parser)
    add_store_options(parser)
    parser.set_defaults(handler=run_questions)


def run_questions(args: argparse.Namespace, layout: Layout) -> int:
    questions = load_questions(layout)
    if not questions:
        raise SgkgError(f"no competency questions in {layout.root / 'data' / 'queries'}/")
    if args.name is None and not args.check:
        for question in questions:
            _write_stdout(f"{question.name:<36} {question.title}\n")
        return EXIT_OK
    if args.check and args.interpretations:
        raise SgkgError(
            "--check compares strict answers with the expected ones, which are written "
            "from the words; run one question with --interpretations to see its "
            "interpreted answer"
        )
    store = chosen_store(args, layout)
    if args.check:
        return _check_questions(questions, store)
    question = _find_question(questions, args.name)
    _info(f"{question.title}\n{question.question}\n")
    answer = answer_query(store, question.sparql, args.interpretations)
    _write_stdout(format_result(answer.result, args.format))
    _info(answer.summary())
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
        help="write the built graph in an RDF format, or the codebook",
        **_description(
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
    status = ensure_build(layout, reason=reason)
    if not status.is_fresh:
        _info(f"built first ({status.reason})")
    if args.codebook:
        payload = codebook_file(layout, args.codebook, interpreted=args.codebook_interpretations)
        what = f"codebook, {args.codebook}"
    else:
        payload = export(load_built_dataset(layout), args.format, graph=args.graph)
        what = FORMATS[args.format].label
    if args.output is None:
        _write_stdout(payload)
    else:
        try:
            args.output.write_bytes(payload)
        except OSError as error:
            raise SgkgError(f"cannot write {args.output}: {error.strerror}") from None
        _info(f"wrote {args.output} ({what}, {len(payload)} bytes)")
    return EXIT_OK


def codebook_file(layout: Layout, fmt: str, *, interpreted: bool) -> bytes:
    """The codebook of the build in ``layout``, as ``csv`` or ``xlsx``."""
    manifest = read_manifest(layout.build_dir) or {}
    room = ReadingRoom(
        open_store(layout), layout.root, sorted(manifest.get("interpretation_graphs", {}))
    )
    _, write = CODEBOOK_FORMATS[fmt]
    return write(codebook_rows(room, interpreted=interpreted))


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


# --- serve (SPARQL endpoint, linked data, export) -------------------------------------


def add_serve(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="serve the graph: SPARQL endpoint, linked data, downloads, query UI",
        **_description(
            "Serve the built graph over HTTP (building first if the build is missing or "
            "stale): the SPARQL 1.1 endpoint at /sparql, every https://w3id.org/sgkg/ IRI "
            "at /id/..., /ontology and /shapes, downloads at /download/, VoID at /void, "
            "the query UI at / and the API description at /docs. Prints the URL and "
            "serves until interrupted. The query UI needs `make ui` (YASGUI from npm).\n\n"
            "examples:\n"
            "  sgkg serve\n"
            "  sgkg serve --port 8080\n"
            "  sgkg serve --host 0.0.0.0 --no-access-log\n"
            "  sgkg serve --timeout 5 --workers 2 --max-rows 10000\n"
            "  sgkg serve --store disk\n"
            "  sgkg serve --store remote --store-url http://127.0.0.1:7878/query\n"
            "  SGKG_ADMIN_TOKEN=... sgkg serve --watch"
        ),
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address (default {DEFAULT_HOST})")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})"
    )
    parser.add_argument(
        "--no-access-log", action="store_true", help="do not log one line per request"
    )
    _add_serve_limits(parser)
    add_store_options(parser)
    parser.set_defaults(handler=run_serve)


# --- serve: limits, reload, watch ---


def _add_serve_limits(parser: argparse.ArgumentParser) -> None:
    """The endpoint's limits and reload options (see the README's server section)."""
    limits = parser.add_argument_group("limits")
    limits.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_QUERY_TIMEOUT,
        metavar="SECONDS",
        help="a query running longer is stopped (its worker process killed), 503 "
        f"(default {DEFAULT_QUERY_TIMEOUT:g})",
    )
    limits.add_argument(
        "--workers",
        type=int,
        default=DEFAULT_QUERY_WORKERS,
        metavar="N",
        help="query worker processes (with the store in memory, each holds a copy) "
        f"(default {DEFAULT_QUERY_WORKERS})",
    )
    limits.add_argument(
        "--queue",
        type=int,
        default=DEFAULT_QUERY_QUEUE,
        metavar="N",
        help="requests that may wait for a busy worker; more get 429 with Retry-After "
        f"(default {DEFAULT_QUERY_QUEUE})",
    )
    limits.add_argument(
        "--max-query-length",
        type=int,
        default=DEFAULT_MAX_QUERY_LENGTH,
        metavar="CHARS",
        help=f"longest query accepted, 413/414 (default {DEFAULT_MAX_QUERY_LENGTH})",
    )
    limits.add_argument(
        "--max-body",
        type=int,
        default=DEFAULT_MAX_BODY_BYTES,
        metavar="BYTES",
        help=f"largest request body accepted, 413 (default {DEFAULT_MAX_BODY_BYTES})",
    )
    limits.add_argument(
        "--max-rows",
        type=int,
        default=DEFAULT_MAX_RESULT_ROWS,
        metavar="N",
        help="rows or triples an answer may have; more are cut, with the header "
        f"X-Sgkg-Truncated: true (default {DEFAULT_MAX_RESULT_ROWS})",
    )
    limits.add_argument(
        "--max-response-bytes",
        type=int,
        default=DEFAULT_MAX_RESPONSE_BYTES,
        metavar="BYTES",
        help="bytes an answer may have; rows or triples past it are cut, with the headers "
        f"X-Sgkg-Truncated: true and X-Sgkg-Byte-Limit (default {DEFAULT_MAX_RESPONSE_BYTES})",
    )
    reload = parser.add_argument_group("reload")
    reload.add_argument(
        "--admin-token",
        default=os.environ.get(ADMIN_TOKEN_ENV) or None,
        metavar="TOKEN",
        help="enable POST /admin/reload for requests with `Authorization: Bearer TOKEN` "
        f"(at least 16 characters; default: env {ADMIN_TOKEN_ENV}; none: disabled)",
    )
    reload.add_argument(
        "--watch",
        action="store_true",
        help="rebuild, validate and reason when a file under ontology/, shapes/ or data/ "
        "changes, and serve the result only if all of it passes",
    )
    reload.add_argument(
        "--no-reason-on-reload",
        action="store_true",
        help="skip reasoning when rebuilding for a reload (faster; graph inferred empty)",
    )


def _serve_settings(args: argparse.Namespace, layout: Layout) -> Settings:
    return Settings(
        layout=layout,
        host=args.host,
        port=args.port,
        access_log=not args.no_access_log,
        query_timeout=args.timeout,
        query_workers=args.workers,
        query_queue=args.queue,
        max_query_length=args.max_query_length,
        max_body_bytes=args.max_body,
        max_result_rows=args.max_rows,
        max_response_bytes=args.max_response_bytes,
        admin_token=args.admin_token,
        watch=args.watch,
        reason=not args.no_reason_on_reload,
        store=store_choice(args),
    )


# --- end serve: limits, reload, watch ---


def run_serve(args: argparse.Namespace, layout: Layout) -> int:
    settings = _serve_settings(args, layout)
    status = ensure_build(layout, reason=reason)
    if not status.is_fresh:
        _info(f"built first ({status.reason})")
    from api.server.run import (
        run_server,  # here: the web stack is slow to import for other commands
    )

    run_server(
        settings,
        on_listening=lambda: _info(
            f"sgkg: serving {layout.build_dir} at {settings.base_url}/ (SPARQL at /sparql)"
        ),
    )
    return EXIT_OK


# --- docs (ontology documentation) ---------------------------------------------------


def add_docs(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "docs",
        help="write the ontology's HTML documentation",
        **_description(
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
        _info(f"warning: {warning}")
    _info("wrote " + ", ".join(str(path) for path in output.files))
    return EXIT_OK


# --- reason and scenario (OWL reasoning, activation scenarios) -----------------------


def add_reason(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "reason",
        help="reason (OWL 2 RL rules, HermiT for consistency) and print what was inferred",
        **_description(
            "Build the graph with reasoning: OWL 2 RL rules infer class memberships "
            "(including defined classes such as sg:ConditionalCommitment and "
            "sg:LedElement) and property assertions (inverses, transitive sg:partOf, "
            "sg:involves), the same HermiT infers, into the named graph inferred of the "
            "build; HermiT checks that the ontology, data and text layer are consistent "
            "(on large graphs: the schema, and the rules the data). Prints how many "
            "triples were inferred, "
            "by class and by property. An inconsistency names the clashing individuals "
            "and axioms and exits 1, leaving the previous build in place.\n\n"
            "examples:\n"
            "  sgkg reason\n"
            "  sgkg reason --format json"
        ),
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(handler=run_reason)


def run_reason(args: argparse.Namespace, layout: Layout) -> int:
    from api.reason.reasoning import inferred_summary

    result = build(layout, reason=reason)
    summary = inferred_summary(open_store(layout), result.manifest["reasoning"])
    if args.format == "json":
        _write_stdout(json.dumps(summary.to_json(), indent=2) + "\n")
    else:
        _write_stdout(summary.to_text())
    _info(f"wrote the inferred graph into {layout.build_dir}")
    return EXIT_OK


def add_scenario(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "scenario",
        help="which guarantees a set of events activates, and why",
        **_description(
            "State which events have happened (event conditions of the graph, by the last "
            "segment of their IRI) and get which components, mechanisms, commitments, "
            "provisions, capacities, recommendations and participations are active in "
            "one text version, which are not, the conditions that decided each and the "
            "passages behind it. An element is active when its own activation conditions "
            "and those of everything it is part of are met; an event is met when stated "
            "or entailed by a stated event. Strict by default: from the words alone. "
            "--interpretations (all, or names) reads interpretation graphs too, and every "
            "condition and element then names the interpretations its outcome rests on. "
            "With no --event, nothing has happened. Unknown events, versions or "
            "interpretations exit 2 and list the valid ones.\n\n"
            "examples:\n"
            "  sgkg scenario --event ceasefire-in-force\n"
            "  sgkg scenario --event ceasefire-in-force --event armed-attack-by-russia "
            "--version paris-press-release\n"
            "  sgkg scenario --event ceasefire-in-force --event armed-attack-by-russia "
            "--interpretations attack-covers-future-armed-attack\n"
            "  sgkg scenario --event ceasefire-in-force --format turtle"
        ),
    )
    parser.add_argument(
        "--event", action="append", default=[], metavar="EVENT", help="an event that happened"
    )
    parser.add_argument("--version", metavar="VERSION", help="text version (default: paris-final)")
    parser.add_argument("--format", choices=SCENARIO_FORMATS, default="text")
    add_interpretations_option(parser)
    parser.set_defaults(handler=run_scenario)


def run_scenario(args: argparse.Namespace, layout: Layout) -> int:
    status = ensure_build(layout, reason=reason)
    if not status.is_fresh:
        _info(f"built first ({status.reason})")
    model = ScenarioModel.from_store(open_store(layout))
    result = model.evaluate(args.event, args.version, args.interpretations)
    _write_stdout(render(result, args.format, model.interpretation_labels()))
    return EXIT_OK


# --- synth (synthetic corpus for scale tests; api.synth.corpus) ------------------------------


def add_synth(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "synth",
        help="write a synthetic corpus of N agreements (a project tree) for scale tests",
        **_description(
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
    _info(
        f"wrote {summary.root}: {summary.agreements} synthetic agreements (seed "
        f"{summary.seed}), {summary.files} files, {summary.triples} triples"
    )
    return EXIT_OK


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
    add_docs,
    add_reason,
    add_scenario,
    add_status,
    add_serve,
    add_synth,
    add_publish,
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
