"""The project's own ontology, shapes and data go through the same tools as the fixtures.

Builds into a temporary folder, never into build/.
"""

from pathlib import Path

import pytest

from api.build.pipeline import build
from api.cli.query import open_store, read_query, run_query
from api.core.layout import discover_layout
from api.load.dataset import load_dataset
from api.store.results import SelectResult
from api.validate.qc import ERROR, qc_input, run_qc

from conftest import REPO

QUERIES = sorted((REPO / "data" / "queries").glob("*.rq"))


def test_project_inputs_are_all_there() -> None:
    assert discover_layout(REPO).missing_inputs() == []
    assert QUERIES, "no queries in data/queries/"  # else the parametrised test is skipped


@pytest.fixture(scope="module")
def built_project(tmp_path_factory: pytest.TempPathFactory):
    layout = discover_layout(REPO, tmp_path_factory.mktemp("project-build"))
    build(layout)
    return layout


def test_project_builds_and_conforms(built_project) -> None:
    manifest = (built_project.build_dir / "manifest.json").read_text()
    assert '"conforms": true' in manifest


def test_project_ontology_has_no_qc_errors() -> None:
    issues = run_qc(qc_input(load_dataset(discover_layout(REPO))))
    errors = [f"{i.rule}: {i.subject}: {i.detail}" for i in issues if i.level == ERROR]
    assert errors == []


@pytest.mark.parametrize("query_file", QUERIES, ids=[q.name for q in QUERIES])
def test_project_queries_run(built_project, query_file: Path) -> None:
    result = run_query(open_store(built_project), read_query(str(query_file)))
    if isinstance(result, SelectResult):
        assert result.rows, f"{query_file.name} returned no rows"
