"""Building and checking: ``build``, ``validate``, ``qc``, ``reason`` and ``status``.

Also the step every command that reads the built graph takes first
(:func:`build_first`), and the reasoning step it passes to the build.
"""

import argparse
import json
import time

from api.build.pipeline import (
    AUTO,
    NQUADS_FILE,
    VALIDATORS,
    build,
    build_status,
    ensure_build,
    validate_layout,
)
from api.cli.console import description, info, write_stdout
from api.cli.query import open_store
from api.core.errors import EXIT_FAILED, EXIT_OK
from api.core.layout import Layout
from api.load.dataset import load_dataset
from api.store.backends import REMOTE, StoreChoice
from api.validate.qc import QC_FORMATS, has_errors, qc_input, render_issues, run_qc
from api.validate.shacl import REPORT_FORMATS, render_report


def reason(*args, **kwargs):
    """The build's reasoning step (:func:`api.reason.reasoning.reason`: OWL 2 RL rules, HermiT
    for consistency), imported only when a build reasons: owlready2 is slow to import,
    and most runs (a fresh build) never need it."""
    from api.reason.reasoning import reason as reason_step

    return reason_step(*args, **kwargs)


def build_first(layout: Layout) -> None:
    """Build (with reasoning) when the build is missing or older than the inputs, and say
    so on stderr: a command that reads the built graph never reads a stale one."""
    status = ensure_build(layout, reason=reason)
    if not status.is_fresh:
        info(f"built first ({status.reason})")


def add_build(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "build",
        help="load, validate and write the graph to the build folder",
        **description(
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
    add_validator_option(parser)
    parser.set_defaults(handler=run_build)


def add_validator_option(parser: argparse.ArgumentParser) -> None:
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
    info(
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
    info(f"wrote the on-disk query store {folder} in {time.perf_counter() - started:.1f} s")


def add_validate(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="validate the data against the SHACL shapes",
        **description(
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
    add_validator_option(parser)
    parser.set_defaults(handler=run_validate)


def run_validate(args: argparse.Namespace, layout: Layout) -> int:
    report, choice = validate_layout(layout, args.validator)
    info(f"validated with {choice.name} ({choice.reason})")
    write_stdout(render_report(report, args.format))
    return EXIT_OK if report.conforms else EXIT_FAILED


def add_qc(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "qc",
        help="ontology quality report (labels, definitions, header, declarations)",
        **description(
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
    write_stdout(render_issues(issues, args.format))
    return EXIT_FAILED if has_errors(issues) else EXIT_OK


def add_reason(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "reason",
        help="reason (OWL 2 RL rules, HermiT for consistency) and print what was inferred",
        **description(
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
        write_stdout(json.dumps(summary.to_json(), indent=2) + "\n")
    else:
        write_stdout(summary.to_text())
    info(f"wrote the inferred graph into {layout.build_dir}")
    return EXIT_OK


def add_status(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "status",
        help="tell whether the build is missing, stale or fresh",
        **description(
            "Compare build/manifest.json with the input files. Prints fresh, stale or "
            "missing and the reason. Exit 0 if fresh, 1 otherwise.\n\n"
            "example:\n"
            "  sgkg status"
        ),
    )
    parser.set_defaults(handler=run_status)


def run_status(args: argparse.Namespace, layout: Layout) -> int:
    status = build_status(layout)
    write_stdout(f"{status.state}: {status.reason}\n")
    return EXIT_OK if status.is_fresh else EXIT_FAILED
