"""Querying: ``query``, ``questions`` (the competency questions) and ``scenario``.

Each answers from the built graph, building first when it is missing or stale; the
query itself runs through :mod:`api.cli.query`, as the endpoint would run it.
"""

import argparse

from api.analysis.competency import check_answer, load_questions
from api.analysis.scenarios.model import ScenarioModel
from api.analysis.scenarios.rendering import SCENARIO_FORMATS, render
from api.cli.building import build_first
from api.cli.console import description, info, write_stdout
from api.cli.options import add_interpretations_option, add_store_options, chosen_store
from api.cli.query import answer_query, open_store, read_query
from api.core.errors import EXIT_FAILED, EXIT_OK, SgkgError
from api.core.layout import Layout
from api.formats.result_text import SELECT_FORMATS, format_result
from api.store.base import Store


def add_query(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "query",
        help="run a SPARQL query against the built graph",
        **description(
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
    return _print_answer(chosen_store(args, layout), sparql, args)


def _print_answer(store: Store, sparql: str, args: argparse.Namespace) -> int:
    """Answer with the interpretations ``args`` names: the result on stdout, on stderr
    whether it is strict or which interpretations it rests on."""
    answer = answer_query(store, sparql, args.interpretations)
    write_stdout(format_result(answer.result, args.format))
    info(answer.summary())
    return EXIT_OK


def add_questions(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "questions",
        help="list, run or check the competency questions in data/queries/",
        **description(
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
            write_stdout(f"{question.name:<36} {question.title}\n")
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
    info(f"{question.title}\n{question.question}\n")
    return _print_answer(store, question.sparql, args)


def _find_question(questions: list, name: str):
    wanted = f"cq{int(name):02d}-" if name.isdigit() else name.removesuffix(".rq")
    for question in questions:
        if question.name == wanted or question.name.startswith(wanted):
            return question
    names = ", ".join(q.name for q in questions)
    raise SgkgError(f"no competency question {name!r}; there are: {names}")


def _check_questions(questions: list, store: Store) -> int:
    failed = 0
    for question in questions:
        outcome = check_answer(question, store.query(question.sparql))
        write_stdout(f"{'PASS' if outcome.passed else 'FAIL'}  {question.name}  {question.title}\n")
        if not outcome.passed:
            failed += 1
            write_stdout(f"      expected: {sorted(map(str, _as_list(outcome.expected)))}\n")
            write_stdout(f"      actual:   {sorted(map(str, _as_list(outcome.actual)))}\n")
    info(f"{len(questions) - failed} of {len(questions)} competency questions answered as expected")
    return EXIT_FAILED if failed else EXIT_OK


def _as_list(value: object) -> list:
    return list(value) if isinstance(value, list | set | tuple) else [value]


def add_scenario(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "scenario",
        help="which guarantees a set of events activates, and why",
        **description(
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
    build_first(layout)
    model = ScenarioModel.from_store(open_store(layout))
    result = model.evaluate(args.event, args.version, args.interpretations)
    write_stdout(render(result, args.format, model.interpretation_labels()))
    return EXIT_OK
