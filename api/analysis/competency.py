"""Competency questions: the questions the graph is built to answer, with their answers.

Each question is a ``.rq`` file in ``data/queries/``: a self-contained SPARQL query
preceded by a header of ``#+`` comment lines in YAML (the convention of grlc), so the
file runs as it is in any SPARQL client and still says what it is for::

    #+ title: Who leads the ceasefire monitoring and verification mechanism?
    #+ question: >
    #+   Which party leads the mechanism in each version of the text, and how firmly?
    #+ compare: [version, party, wording]
    #+ expected:
    #+   - {version: version/paris-final, party: party/united-states, wording: wording/will}
    SELECT ...

``expected`` is the answer written down from the source texts: a list of rows for
SELECT, ``true``/``false`` for ASK. ``compare`` names the columns checked (default: all
projected variables), so a query may also return labels or quotes for people. Rows are
compared as a set of distinct rows unless ``ordered: true``. In expected rows, an IRI in
``https://w3id.org/sgkg/id/`` is written without that prefix (``party/united-states``),
any other IRI in full, a literal as its lexical form.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from rdflib import Literal, URIRef

from api.core.errors import SgkgError
from api.core.layout import Layout
from api.core.namespaces import ID
from api.store.results import AskResult, QueryResult, SelectResult, Term

QUERIES_DIR = "data/queries"
HEADER_MARK = "#+"


class QuestionFileError(SgkgError):
    """A competency-question file whose ``#+`` header is missing or malformed."""


@dataclass(frozen=True)
class CompetencyQuestion:
    """One question: its file, its words, its query and the answer it must give."""

    path: Path
    #: file name without ``.rq``, e.g. ``cq03-monitoring-lead``
    name: str
    title: str
    question: str
    sparql: str
    #: list of rows (dicts column -> value) for SELECT, a bool for ASK
    expected: list[dict[str, str | None]] | bool
    compare: tuple[str, ...] | None
    ordered: bool


@dataclass(frozen=True)
class AnswerCheck:
    """The outcome of checking a question's result against its expected answer."""

    question: CompetencyQuestion
    passed: bool
    expected: Any
    actual: Any


def question_files(layout: Layout) -> list[Path]:
    """The ``.rq`` files of ``data/queries/``, in name order."""
    folder = layout.root / QUERIES_DIR
    return sorted(folder.glob("*.rq")) if folder.is_dir() else []


def load_questions(layout: Layout) -> list[CompetencyQuestion]:
    """Every competency question of the project, in file-name order."""
    return [read_question(path) for path in question_files(layout)]


def read_question(path: Path) -> CompetencyQuestion:
    """Parse one ``.rq`` file. Raises :class:`QuestionFileError` on a bad header."""
    text = path.read_text(encoding="utf-8")
    header = _parse_header(text, path)
    for key in ("title", "question", "expected"):
        if key not in header:
            raise QuestionFileError(f"{path.name}: the #+ header has no '{key}'")
    expected = header["expected"]
    if not isinstance(expected, bool):
        expected = [_expected_row(row, path) for row in expected or []]
    compare = header.get("compare")
    return CompetencyQuestion(
        path=path,
        name=path.stem,
        title=str(header["title"]).strip(),
        question=" ".join(str(header["question"]).split()),
        sparql=text,
        expected=expected,
        compare=tuple(compare) if compare else None,
        ordered=bool(header.get("ordered", False)),
    )


def check_answer(question: CompetencyQuestion, result: QueryResult) -> AnswerCheck:
    """Compare a query result with the question's expected answer."""
    if isinstance(question.expected, bool):
        actual: Any = result.value if isinstance(result, AskResult) else result
        return AnswerCheck(question, actual is question.expected, question.expected, actual)
    if not isinstance(result, SelectResult):
        return AnswerCheck(question, False, question.expected, result)
    columns = question.compare or result.variables
    missing = [column for column in columns if column not in result.variables]
    if missing:
        raise QuestionFileError(
            f"{question.path.name}: 'compare' names {missing}, which the query does not project"
        )
    indexes = [result.variables.index(column) for column in columns]
    rows = [
        {c: answer_value(row[i]) for c, i in zip(columns, indexes, strict=True)}
        for row in result.rows
    ]
    expected = [{c: row.get(c) for c in columns} for row in question.expected]
    if question.ordered:
        return AnswerCheck(question, rows == expected, expected, rows)
    actual_set = {tuple(sorted(row.items())) for row in rows}
    expected_set = {tuple(sorted(row.items())) for row in expected}
    return AnswerCheck(question, actual_set == expected_set, expected_set, actual_set)


def answer_value(term: Term | None) -> str | None:
    """How a result term is written in an expected answer (see the module docstring)."""
    if term is None:
        return None
    if isinstance(term, URIRef):
        iri = str(term)
        return iri[len(str(ID)) :] if iri.startswith(str(ID)) else iri
    if isinstance(term, Literal):
        return str(term)
    return f"_:{term}"


def _parse_header(text: str, path: Path) -> dict[str, Any]:
    lines = []
    for line in text.splitlines():
        if line.startswith(HEADER_MARK):
            lines.append(line[len(HEADER_MARK) :].removeprefix(" "))
    if not lines:
        raise QuestionFileError(f"{path.name}: no '#+' header (title, question, expected)")
    try:
        header = yaml.safe_load("\n".join(lines))
    except yaml.YAMLError as error:
        raise QuestionFileError(f"{path.name}: the #+ header is not valid YAML: {error}") from None
    if not isinstance(header, dict):
        raise QuestionFileError(f"{path.name}: the #+ header must be a YAML mapping")
    return header


def _expected_row(row: Any, path: Path) -> dict[str, str | None]:
    if not isinstance(row, dict):
        raise QuestionFileError(f"{path.name}: each expected row must be a mapping, got {row!r}")
    return {str(k): None if v is None else str(v) for k, v in row.items()}
