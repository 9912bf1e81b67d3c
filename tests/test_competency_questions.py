"""The competency questions give, from the built graph, the answers written from the texts.

The project asks for at least 25 questions covering every component, mechanism and condition
and the differences between the versions; each is a ``.rq`` file in ``data/queries/``
with its expected answer in the header (see :mod:`api.analysis.competency`). The answers are
checked through the embedded store, the engine the endpoint serves, and through the
``sgkg questions`` command a researcher would use.
"""

from pathlib import Path

import pytest

from api.analysis.competency import check_answer, load_questions
from api.build.pipeline import build
from api.cli.query import open_store
from api.core.layout import discover_layout

from conftest import REPO

LAYOUT = discover_layout(REPO)
QUESTIONS = load_questions(LAYOUT)


@pytest.fixture(scope="module")
def project_store(tmp_path_factory: pytest.TempPathFactory):
    layout = discover_layout(REPO, tmp_path_factory.mktemp("cq-build"))
    build(layout)
    return open_store(layout)


def test_there_are_at_least_25_questions() -> None:
    assert len(QUESTIONS) >= 25


def test_questions_cover_components_mechanisms_conditions_and_versions() -> None:
    text = "\n".join(q.sparql for q in QUESTIONS)
    wanted = [
        *(f"component/{n}" for n in range(1, 6)),
        "mechanism/ceasefire-monitoring-and-verification",
        "mechanism/special-commission",
        "mechanism/multinational-force-for-ukraine",
        "mechanism/coordination-cell",
        "condition/armed-attack-by-russia",
        "version/paris-final",
        "version/paris-press-release",
        "sg:variantOf",
        "sg:activatedBy",
        "sg:operand",
        "sg:entailsCondition",
    ]
    expected_text = "\n".join(str(q.expected) for q in QUESTIONS)
    missing = [w for w in wanted if w not in text and w not in expected_text]
    assert missing == []


@pytest.mark.parametrize("question", QUESTIONS, ids=[q.name for q in QUESTIONS])
def test_question_gives_expected_answer(project_store, question) -> None:
    outcome = check_answer(question, project_store.query(question.sparql))
    assert outcome.passed, f"expected {outcome.expected}, got {outcome.actual}"


def test_sgkg_questions_check_passes(sgkg, tmp_path: Path) -> None:
    run = sgkg("--build-dir", tmp_path / "build", "questions", "--check")
    assert run.code == 0, run.out + run.err
    assert f"{len(QUESTIONS)} of {len(QUESTIONS)} competency questions" in run.err


def test_sgkg_questions_runs_one_by_number(sgkg, tmp_path: Path) -> None:
    run = sgkg("--build-dir", tmp_path / "build", "questions", "3", "--format", "csv")
    assert run.code == 0, run.err
    assert "Who leads ceasefire monitoring" in run.err
    assert "https://w3id.org/sgkg/id/wording/proposed" in run.out


def test_sgkg_questions_unknown_name_lists_the_valid_ones(sgkg, tmp_path: Path) -> None:
    run = sgkg("--build-dir", tmp_path / "build", "questions", "no-such-question")
    assert run.code == 2
    assert "cq01-meeting" in run.err


def test_wrong_expected_answer_is_reported(sgkg, tmp_path: Path) -> None:
    root = tmp_path / "tree"
    for folder in ("ontology", "shapes", "data"):
        import shutil

        shutil.copytree(REPO / folder, root / folder)
    question = root / "data" / "queries" / "cq03-monitoring-lead.rq"
    question.write_text(question.read_text().replace("wording/proposed}", "wording/will}", 1))
    run = sgkg("--root", root, "--build-dir", tmp_path / "build", "questions", "--check")
    assert run.code == 1
    assert "FAIL  cq03-monitoring-lead" in run.out
