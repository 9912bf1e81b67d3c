"""The command line: exit codes, stdout/stderr split, help, no tracebacks."""

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import Dataset, Graph

from api.build.pipeline import MANIFEST_FILE
from api.cli import COMMANDS, make_parser

from conftest import FIXTURES, REPO, CliRun, add_overlay

Sgkg = Callable[..., CliRun]
# The parties the data states (graph data): the build's reasoner also infers that every
# sg:State is a sg:Party, into graph inferred, which these output tests do not need.
PARTIES = (
    "SELECT ?s WHERE { GRAPH <https://w3id.org/sgkg/graph/data> "
    "{ ?s a <https://w3id.org/sgkg/ontology#Party> } }"
)


def tree_args(root: Path, build_dir: Path) -> list[str | Path]:
    return ["--root", root, "--build-dir", build_dir]


# --- build and validate --------------------------------------------------------------


def test_build_good_tree(sgkg: Sgkg, mini_tree: Path, build_dir: Path) -> None:
    run = sgkg(*tree_args(mini_tree, build_dir), "build")
    assert run.code == 0
    assert run.out == ""
    assert "built" in run.err
    assert (build_dir / MANIFEST_FILE).is_file()


def test_validate_good_tree(sgkg: Sgkg, mini_tree: Path, build_dir: Path) -> None:
    run = sgkg(*tree_args(mini_tree, build_dir), "validate")
    assert run.code == 0
    assert run.out.strip().endswith("conforms: 0 violation(s), 1 warning(s), 0 info(s)")
    assert not build_dir.exists()  # validating does not build


def test_violations_exit_1(sgkg: Sgkg, mini_tree: Path, build_dir: Path) -> None:
    add_overlay(mini_tree, "violation.ttl", "data/violation.ttl")
    run = sgkg(*tree_args(mini_tree, build_dir), "validate")
    assert run.code == 1
    assert "data/violation.ttl: sgid:mechanism/broken:" in run.out

    built = sgkg(*tree_args(mini_tree, build_dir), "build")
    assert built.code == 1
    assert built.out == ""
    assert "data/violation.ttl: sgid:mechanism/broken:" in built.err
    assert "build refused: 3 SHACL violation(s)" in built.err


@pytest.mark.parametrize("fmt", ["json", "turtle"])
def test_validate_machine_formats_parse(
    sgkg: Sgkg, mini_tree: Path, build_dir: Path, fmt: str
) -> None:
    add_overlay(mini_tree, "violation.ttl", "data/violation.ttl")
    run = sgkg(*tree_args(mini_tree, build_dir), "validate", "--format", fmt)
    assert run.code == 1
    if fmt == "json":
        assert json.loads(run.out)["violations"] == 3
    else:
        assert len(Graph().parse(data=run.out, format="turtle")) > 0


@pytest.mark.parametrize("command", ["build", "validate", "qc", "query"])
def test_unparseable_input_exits_2_naming_file_and_line(
    sgkg: Sgkg, mini_tree: Path, build_dir: Path, command: str
) -> None:
    add_overlay(mini_tree, "unparseable.ttl", "data/unparseable.ttl")
    extra = [PARTIES] if command == "query" else []
    run = sgkg(*tree_args(mini_tree, build_dir), command, *extra)
    assert run.code == 2
    assert run.out == ""
    assert f"sgkg {command}: data/unparseable.ttl:6:17: bad syntax" in run.err
    assert "Traceback" not in run.err


def test_invalid_shapes_exit_2(sgkg: Sgkg, mini_tree: Path, build_dir: Path) -> None:
    add_overlay(mini_tree, "invalid-shapes.ttl", "shapes/invalid-shapes.ttl")
    run = sgkg(*tree_args(mini_tree, build_dir), "validate")
    assert run.code == 2
    assert "not valid SHACL" in run.err


def test_missing_files_exit_2(sgkg: Sgkg, tmp_path: Path) -> None:
    run = sgkg("--root", tmp_path / "nowhere", "--build-dir", tmp_path / "b", "validate")
    assert run.code == 2
    assert "is not a directory" in run.err
    (tmp_path / "empty").mkdir()
    run = sgkg("--root", tmp_path / "empty", "--build-dir", tmp_path / "b", "build")
    assert run.code == 2
    assert "no Turtle files" in run.err


# --- query ---------------------------------------------------------------------------


def test_query_builds_when_missing_then_reuses(
    sgkg: Sgkg, mini_tree: Path, build_dir: Path
) -> None:
    first = sgkg(*tree_args(mini_tree, build_dir), "query", PARTIES)
    assert first.code == 0
    assert "built first" in first.err
    assert "sgid:party/coalition-of-the-willing" in first.out
    second = sgkg(*tree_args(mini_tree, build_dir), "query", PARTIES)
    assert second.code == 0
    assert "built first" not in second.err
    assert second.out == first.out


def test_query_rebuilds_when_stale(sgkg: Sgkg, mini_tree: Path, build_dir: Path) -> None:
    assert sgkg(*tree_args(mini_tree, build_dir), "build").code == 0
    parties = mini_tree / "data" / "parties.ttl"
    parties.write_text(
        parties.read_text()
        + "\n<https://w3id.org/sgkg/id/party/ukraine> a sg:Party ;"
        + ' rdfs:label "Ukraine"@en ; skos:exactMatch wd:Q212 .\n'
    )
    run = sgkg(*tree_args(mini_tree, build_dir), "query", PARTIES, "--format", "csv")
    assert run.code == 0
    assert "built first (inputs changed: data/parties.ttl)" in run.err
    rows = list(csv.reader(io.StringIO(run.out)))
    assert ["https://w3id.org/sgkg/id/party/ukraine"] in rows


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "tsv"])
def test_query_formats(sgkg: Sgkg, mini_tree: Path, build_dir: Path, fmt: str) -> None:
    run = sgkg(*tree_args(mini_tree, build_dir), "query", PARTIES, "--format", fmt)
    assert run.code == 0
    iri = "https://w3id.org/sgkg/id/party/coalition-of-the-willing"
    if fmt == "json":
        bindings = json.loads(run.out)["results"]["bindings"]
        assert bindings == [{"s": {"type": "uri", "value": iri}}]
    elif fmt == "csv":
        assert run.out == f"s\r\n{iri}\r\n"
    elif fmt == "tsv":
        assert run.out == f"?s\n<{iri}>\n"
    else:
        assert run.out.splitlines()[2] == "sgid:party/coalition-of-the-willing"


def test_query_file_ask_and_construct(
    sgkg: Sgkg, mini_tree: Path, build_dir: Path, tmp_path: Path
) -> None:
    query_file = tmp_path / "ask.rq"
    query_file.write_text("ASK { ?s a <https://w3id.org/sgkg/ontology#Passage> }")
    run = sgkg(*tree_args(mini_tree, build_dir), "query", query_file)
    assert (run.code, run.out) == (0, "true\n")
    construct = (
        "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <https://w3id.org/sgkg/graph/sources> { ?s ?p ?o } }"
    )
    run = sgkg(*tree_args(mini_tree, build_dir), "query", construct)
    assert run.code == 0
    assert len(Graph().parse(data=run.out, format="turtle")) == 3


def test_query_syntax_error_exits_2(sgkg: Sgkg, mini_tree: Path, build_dir: Path) -> None:
    run = sgkg(*tree_args(mini_tree, build_dir), "query", "SELECT * WHERE {\n ?s ?p }")
    assert run.code == 2
    assert run.out == ""
    last_line = run.err.strip().splitlines()[-1]
    assert last_line.startswith("sgkg query: SPARQL syntax error at line 2, column ")


def test_missing_query_file_exits_2(sgkg: Sgkg, mini_tree: Path, build_dir: Path) -> None:
    run = sgkg(*tree_args(mini_tree, build_dir), "query", "missing.rq")
    assert run.code == 2
    assert "cannot read query file missing.rq" in run.err


# --- strict and interpreted answers ----------------------------------------------------

QUERIES = REPO / "data" / "queries"
ATTACK_READING = "https://w3id.org/sgkg/id/interpretation/attack-covers-future-armed-attack"


def test_query_is_strict_unless_asked_for_interpretations(sgkg: Sgkg, served_build: Path) -> None:
    question = QUERIES / "cq19-attack-triggers.rq"
    strict = sgkg("--build-dir", served_build, "query", question, "--format", "csv")
    assert strict.code == 0, strict.err
    assert "us-support-force-in-case-of-attack" not in strict.out
    assert strict.err.strip().splitlines()[-1] == (
        "answer: strict, from the words alone (--interpretations adds readings)"
    )
    args = ("--build-dir", served_build, "query", question, "--format", "csv")
    switches = [
        ["--interpretations"],  # no value: all
        ["--interpretations", "all"],
        ["--interpretations", "attack-covers-future-armed-attack,we-stand-ready-final"],
        ["--interpretations", ATTACK_READING],
    ]
    for names in switches:
        interpreted = sgkg(*args, *names)
        assert interpreted.code == 0, interpreted.err
        assert "commitment/us-support-force-in-case-of-attack" in interpreted.out
        summary = interpreted.err.strip().splitlines()[-1]
        assert summary.startswith("answer: interpreted (")
        assert summary.endswith("rests on attack-covers-future-armed-attack"), summary


def test_an_interpreted_answer_equal_to_the_strict_one_rests_on_none(
    sgkg: Sgkg, served_build: Path
) -> None:
    run = sgkg("--build-dir", served_build, "query", "ASK {}", "--interpretations", "all")
    assert (run.code, run.out) == (0, "true\n")
    assert "rests on none: the strict answer is the same" in run.err


def test_unknown_interpretation_exits_2_and_lists_the_known(sgkg: Sgkg, served_build: Path) -> None:
    run = sgkg("--build-dir", served_build, "query", "ASK {}", "--interpretations", "a-guess")
    assert run.code == 2 and run.out == ""
    assert "unknown interpretation(s): 'a-guess'; use 'all', 'none' or one of: " in run.err
    assert "we-stand-ready-final" in run.err


def test_questions_with_interpretations(sgkg: Sgkg, served_build: Path) -> None:
    strict = sgkg("--build-dir", served_build, "questions", "31", "--format", "csv")
    interpreted = sgkg(
        "--build-dir", served_build, "questions", "31", "--format", "csv", "--interpretations"
    )
    assert "party/coalition-members" not in strict.out
    assert "party/coalition-members" in interpreted.out
    assert "we-finalise-binding-commitments" in interpreted.err.strip().splitlines()[-1]
    refused = sgkg("--build-dir", served_build, "questions", "--check", "--interpretations")
    assert refused.code == 2
    assert "--check compares strict answers with the expected ones" in refused.err


def test_export_triple_formats_are_strict_quad_formats_keep_the_interpretations(
    sgkg: Sgkg, served_build: Path, tmp_path: Path
) -> None:
    turtle = sgkg("--build-dir", served_build, "export", "--format", "nt")
    assert turtle.code == 0
    entails = "<https://w3id.org/sgkg/ontology#entailsCondition>"
    attack = "<https://w3id.org/sgkg/id/condition/attack>"
    assert not [line for line in turtle.out.splitlines() if entails in line and attack in line]
    quads = sgkg("--build-dir", served_build, "export", "--format", "nq")
    assert f"{entails} {attack} <{ATTACK_READING}> ." in quads.out


# --- export, qc, status, serve -------------------------------------------------------


def test_export_to_stdout_and_file(
    sgkg: Sgkg, mini_tree: Path, build_dir: Path, tmp_path: Path
) -> None:
    run = sgkg(*tree_args(mini_tree, build_dir), "export", "--format", "ttl", "--graph", "sources")
    assert run.code == 0
    assert len(Graph().parse(data=run.out, format="turtle")) == 3
    target = tmp_path / "out.nq"
    run = sgkg(*tree_args(mini_tree, build_dir), "export", "--format", "nq", "-o", target)
    assert run.code == 0
    assert run.out == ""
    assert f"wrote {target}" in run.err
    dataset = Dataset().parse(target, format="nquads")
    assert len(list(dataset.graphs())) >= 4


def test_qc_exit_codes(sgkg: Sgkg, mini_tree: Path, build_dir: Path) -> None:
    good = sgkg(*tree_args(mini_tree, build_dir), "qc")
    assert good.code == 0
    assert good.out.splitlines()[0].split() == ["LEVEL", "RULE", "SUBJECT", "DETAIL"]
    bad = sgkg(*tree_args(FIXTURES / "qc-bad", build_dir), "qc", "--format", "json")
    assert bad.code == 1
    assert json.loads(bad.out)["counts"]["ERROR"] == 13


def test_status(sgkg: Sgkg, mini_tree: Path, build_dir: Path) -> None:
    assert sgkg(*tree_args(mini_tree, build_dir), "status").code == 1
    sgkg(*tree_args(mini_tree, build_dir), "build")
    run = sgkg(*tree_args(mini_tree, build_dir), "status")
    assert (run.code, run.out) == (0, "fresh: build is up to date\n")


def test_serve_refuses_a_bad_port(sgkg: Sgkg, mini_tree: Path, build_dir: Path) -> None:
    # serving itself is tested over HTTP (tests/test_http_server_state.py)
    run = sgkg(*tree_args(mini_tree, build_dir), "serve", "--port", "70000")
    assert run.code == 2
    assert "port 70000 is not between 0 and 65535" in run.err
    assert not build_dir.exists()  # refused before building


# --- help and the installed command ---------------------------------------------------


def subcommands() -> list[str]:
    parser = make_parser()
    actions = [a for a in parser._actions if a.dest == "command"]
    return list(actions[0].choices)


def test_every_subcommand_is_registered() -> None:
    assert len(subcommands()) == len(COMMANDS)
    assert set(subcommands()) >= {"build", "validate", "query", "export", "qc", "serve"}


@pytest.mark.parametrize("command", subcommands())
def test_help_has_description_and_examples(command: str, capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exit_info:
        make_parser().parse_args([command, "--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    assert f"usage: sgkg {command}" in text
    assert "example" in text


def test_installed_console_script_runs_without_traceback(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "sgkg"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "api.cli"]
    env = {**os.environ, "SGKG_ROOT": str(tmp_path / "missing")}
    done = subprocess.run(
        [*command, "validate"], capture_output=True, text=True, env=env, cwd=REPO, check=False
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("sgkg validate: ")
    version = subprocess.run(
        [*command, "--version"], capture_output=True, text=True, cwd=REPO, check=False
    )
    assert version.stdout.strip() == "sgkg 0.2.0"
