"""The researcher notebooks (``notebooks/*.ipynb``) run top to bottom and say what they should.

Each notebook is executed with nbclient in a real ``python3`` kernel against the session's
``sgkg serve`` (conftest ``server``): the test inserts ``SGKG_URL = "<its URL>"`` after the
cell tagged ``parameters`` (the papermill convention), runs every cell, fails on any
error, and checks a few outputs that carry the notebook's point. The executed copies go
to a temporary folder; the stored notebooks stay without outputs, which a test checks
too. What a notebook does with no URL (start its own server) is tested on
:func:`api.notebook.client.connect` in ``tests/test_local_server.py``.
"""

import json
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell

from api.analysis.competency import load_questions
from api.core.layout import discover_layout

from conftest import REPO, RunningServer

NOTEBOOKS_DIR = REPO / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
EXPECTED = ["01-querying", "02-versions", "03-network", "04-scenarios", "05-interpretations"]
PARAMETERS_TAG = "parameters"
URL_LINE = "SGKG_URL = None"
#: Seconds one cell may take (each takes well under one).
CELL_TIMEOUT = 120
#: Printed before the probe's JSON, so the test finds it among the outputs.
PROBE_MARK = "PROBE:"


def read(path: Path) -> NotebookNode:
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    return notebook


def code_cells(notebook: NotebookNode) -> list[NotebookNode]:
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def parameters_index(notebook: NotebookNode) -> int:
    tagged = [
        index
        for index, cell in enumerate(notebook.cells)
        if PARAMETERS_TAG in cell.metadata.get("tags", [])
    ]
    assert len(tagged) == 1, f"expected one cell tagged {PARAMETERS_TAG!r}, found {len(tagged)}"
    return tagged[0]


def execute(
    path: Path, workdir: Path, *, url: str | None, probe: str | None = None
) -> NotebookNode:
    """Run a copy of the notebook in a fresh kernel; write the executed copy to workdir.

    ``url`` is injected after the parameters cell (None: leave the notebook's own
    default, which starts a local server). ``probe`` is an expression evaluated in the
    kernel after the last cell; its value comes back as JSON (see :func:`probe_value`).
    """
    notebook = read(path)
    if url is not None:
        injected = new_code_cell(f"SGKG_URL = {url!r}  # injected by tests/test_notebooks.py")
        injected.id = "injected-parameters"
        notebook.cells.insert(parameters_index(notebook) + 1, injected)
    if probe is not None:
        check = new_code_cell(f"import json\nprint({PROBE_MARK!r} + json.dumps({probe}))")
        check.id = "test-probe"
        notebook.cells.append(check)
    client = NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=CELL_TIMEOUT,
        resources={"metadata": {"path": str(workdir)}},
    )
    try:
        client.execute()
    finally:
        nbformat.write(notebook, workdir / path.name)
    return notebook


def stream_text(notebook: NotebookNode) -> str:
    """Everything the cells printed."""
    return "".join(
        output.get("text", "")
        for cell in code_cells(notebook)
        for output in cell.outputs
        if output.output_type == "stream"
    )


def probe_value(notebook: NotebookNode) -> Any:
    for line in stream_text(notebook).splitlines():
        if line.startswith(PROBE_MARK):
            return json.loads(line[len(PROBE_MARK) :])
    raise AssertionError("the probe cell printed nothing")


def result_of(notebook: NotebookNode, source_fragment: str) -> str:
    """The text/plain result of the one code cell whose source holds the fragment."""
    cells = [cell for cell in code_cells(notebook) if source_fragment in cell.source]
    assert len(cells) == 1, f"expected one cell with {source_fragment!r}, found {len(cells)}"
    results = [o for o in cells[0].outputs if o.output_type == "execute_result"]
    assert results, f"the cell with {source_fragment!r} has no result"
    return results[0].data["text/plain"]


@pytest.fixture
def kernel_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The kernel inherits this: matplotlib draws into the notebook (no window)."""
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")


# --- the stored notebooks ----------------------------------------------------------------


def test_the_five_notebooks_are_there() -> None:
    assert [path.stem for path in NOTEBOOKS] == EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_notebook_is_stored_without_outputs(path: Path) -> None:
    notebook = read(path)
    assert notebook.metadata.kernelspec.name == "python3"
    with_outputs = [
        cell.id for cell in code_cells(notebook) if cell.outputs or cell.execution_count is not None
    ]
    assert with_outputs == [], (
        f"{path.name}: clear the outputs before committing (in Jupyter: Edit > Clear "
        f"Outputs of All Cells, then save); cells with outputs: {with_outputs}"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_notebook_has_one_marked_url_cell_near_the_top(path: Path) -> None:
    notebook = read(path)
    index = parameters_index(notebook)
    assert URL_LINE in notebook.cells[index].source.splitlines()
    assert index < 5, "the URL cell should come right after the introduction"
    # every notebook explains itself first and stops its server last
    assert notebook.cells[0].cell_type == "markdown"
    assert code_cells(notebook)[-1].source.strip() == "kg.close()"


# --- running them against the session server ---------------------------------------------


def test_01_querying(server: RunningServer, tmp_path: Path, kernel_environment: None) -> None:
    notebook = execute(NOTEBOOKS_DIR / "01-querying.ipynb", tmp_path, url=server.url)
    printed = stream_text(notebook)
    questions = len(load_questions(discover_layout(REPO)))
    assert f"{questions} of {questions} answers match" in printed
    # the quote found through the graph is at its offsets in the source file
    assert result_of(notebook, 'text[row["start"] : row["end"]]') == "True"
    assert (
        '"with a US commitment to support the force in case of attack" (Paris Declaration, '
        "final text of 6 January 2026, characters 3405-3464; "
        "https://w3id.org/sgkg/id/passage/paris-final-c3-s4-us-commitment)"
    ) in printed
    # the first question's table is labelled, not only IRIs
    first = result_of(notebook, "kg.table(monitoring_lead)")
    assert "United States" in first and "proposed" in first
    # strictly nobody leads the force; the interpretations give it leaders, and say so
    assert "Empty DataFrame" in result_of(notebook, "kg.table(force_lead)")
    assert (
        "rests on: interpretation/european-led-by-coalition-members, "
        "interpretation/these-elements-are-the-force"
    ) in printed
    assert "European members of the Coalition" in result_of(notebook, "interpreted_force_lead")


def test_02_versions(server: RunningServer, tmp_path: Path, kernel_environment: None) -> None:
    probe = (
        '{"one_version_only": one_version_only[["version", "statement"]].values.tolist(), '
        '"us_role": us_role.reset_index().values.tolist()}'
    )
    notebook = execute(NOTEBOOKS_DIR / "02-versions.ipynb", tmp_path, url=server.url, probe=probe)
    found = probe_value(notebook)
    only_in = {statement: version for version, statement in found["one_version_only"]}
    assert only_in["commitment/us-support-force-in-case-of-attack"] == "version/paris-final"
    assert only_in["readiness/us-ready-to-support-coalition"] == "version/paris-final"
    assert only_in["participation/us-proposed-support-of-component-3"] == (
        "version/paris-press-release"
    )
    # the same words, another speaker: "we stand ready to commit" is two statements
    assert only_in["readiness/stand-ready-to-commit-to-system"] == "version/paris-press-release"
    assert only_in["readiness/stand-ready-to-commit-to-system-final"] == "version/paris-final"
    assert sorted(only_in.values()).count("version/paris-final") == 12
    assert len(only_in) == 16
    us_role = {(role, what): (press, final) for role, what, press, final in found["us_role"]}
    commitment = ("commits", "A US commitment to support the force in case of attack")
    assert us_role[commitment] == ("—", "will")
    ready = (
        "is ready to",
        "The United States is ready to support the Coalition in ensuring the future "
        "security of Ukraine",
    )
    assert us_role[ready] == ("—", "ready to")
    lead = ("leads", "Ceasefire monitoring and verification mechanism")
    assert us_role[lead] == ("proposed", "named without verb")
    assert us_role[("leads", "Continuous, reliable ceasefire monitoring system")] == ("—", "will")
    # the word-by-word comparison marks the words the final text dropped and added
    printed = stream_text(notebook)
    assert "Participation in a [-proposed-] US-led ceasefire monitoring" in printed
    assert "{+with US participation, including US capabilities such as intelligence+}" in printed


def test_03_network(server: RunningServer, tmp_path: Path, kernel_environment: None) -> None:
    probe = (
        '{"roles": sorted([p, t, e["role"]] for p, t, e in roles_network.edges(data=True)), '
        '"conditions": sorted([s, t, e["link"]] '
        "for s, t, e in conditions_network.edges(data=True)), "
        '"columns": columns}'
    )
    notebook = execute(NOTEBOOKS_DIR / "03-network.ipynb", tmp_path, url=server.url, probe=probe)
    pictures = [
        output
        for cell in code_cells(notebook)
        for output in cell.outputs
        if "image/png" in output.get("data", {})
    ]
    assert len(pictures) == 2
    found = probe_value(notebook)
    us = "party/united-states"
    component = "component/3"  # "these elements": the words do not say the force's
    assert [us, component, "participates"] in found["roles"]
    assert [us, component, "supports"] in found["roles"]
    assert ["party/european-parties", component, "leads"] in found["roles"]
    assert not [
        r for r in found["roles"] if r[1:] == ["mechanism/multinational-force-for-ukraine", "leads"]
    ]
    conditions = found["conditions"]
    # the entailment chain step by step, from the data graph (not the reasoner's shortcut)
    assert ["condition/armed-attack-by-russia", "condition/future-armed-attack", "entails"] in (
        conditions
    )
    # the one link that is an interpretation, marked as one
    assert ["condition/future-armed-attack", "condition/attack", "entails"] not in conditions
    assert [
        "condition/future-armed-attack",
        "condition/attack",
        "entails (by interpretation)",
    ] in conditions
    assert [
        "condition/ukraine-request",
        "condition/ukraine-request-and-credible-cessation",
        "needed for",
    ] in conditions
    assert [
        "condition/attack",
        "commitment/us-support-force-in-case-of-attack",
        "activates",
    ] in conditions
    assert [
        "condition/ukraine-request-and-credible-cessation",
        "recommendation/implement-reassurance-measures",
        "activates",
    ] in conditions
    # events on the left, the guarantees and statements in the last column
    assert "condition/ceasefire-in-force" in found["columns"][0]
    assert "commitment/us-support-force-in-case-of-attack" in found["columns"][-1]


def test_04_scenarios(server: RunningServer, tmp_path: Path, kernel_environment: None) -> None:
    probe = (
        '{"rows": combinations.to_dict("records"), "attack": attack.values.tolist(), '
        '"interpreted": interpreted_attack.values.tolist()}'
    )
    notebook = execute(NOTEBOOKS_DIR / "04-scenarios.ipynb", tmp_path, url=server.url, probe=probe)
    found = probe_value(notebook)
    rows = found["rows"]
    assert len(rows) == 16
    us = "commitment/us-support-force-in-case-of-attack"
    for row in rows:
        ceasefire, attack = row["ceasefire"] == "yes", row["attack by Russia"] == "yes"
        both = row["Ukraine's request"] == "yes" and row["credible cessation"] == "yes"
        assert row[us] == "—", row  # strictly, no named event is "an attack"
        assert row[f"{us} (with interpretations)"] == (
            "final text only" if ceasefire and attack else "—"
        ), row
        assert row["component/4"] == ("both texts" if ceasefire and attack else "—"), row
        assert row["capacity/depots-rapid-additional-support"] == (
            "both texts" if ceasefire and attack else "—"
        ), row
        assert row["recommendation/implement-reassurance-measures"] == (
            "both texts" if ceasefire and both else "—"
        ), row
        assert row["system/paris-declaration"] == ("both texts" if ceasefire else "—"), row
        assert row["active (final text)"] > row["active (press release)"]
    # what the attack by Russia adds, and why, in the final text: strictly and interpreted
    added = {(version, element): why for version, _, element, _, why, _ in found["attack"]}
    depots = ("final text", "capacity/depots-rapid-additional-support")
    assert "it follows from: A future armed attack by Russia" in added[depots]
    assert ("final text", us) not in added
    interpreted = {(row[0], row[2]): row[-1] for row in found["interpreted"]}
    assert interpreted[("final text", us)] == "interpretation/attack-covers-future-armed-attack"
    assert ("press release", us) not in interpreted
    assert interpreted[depots] == ""


def test_05_interpretations(
    server: RunningServer, tmp_path: Path, kernel_environment: None
) -> None:
    probe = (
        '{"bound": bound[["party", "commitment", "in answer"]].values.tolist(), '
        '"rests_on": bound.attrs["rests_on"], '
        '"lead": lead[["party", "in answer"]].values.tolist(), '
        '"side_by_side": side_by_side.reset_index().values.tolist(), '
        '"resting": resting[resting["rests on"] != ""].index.tolist(), '
        '"readings": len(readings)}'
    )
    notebook = execute(
        NOTEBOOKS_DIR / "05-interpretations.ipynb", tmp_path, url=server.url, probe=probe
    )
    found = probe_value(notebook)
    assert found["readings"] == 16
    # who is bound: the interpretations add the Coalition's members, and nothing goes
    added = {tuple(row[:2]) for row in found["bound"] if row[2] == "interpreted only"}
    assert ("party/coalition-members", "commitment/finalise-binding-commitments") in added
    assert ("party/coalition-members", "commitment/deepen-defence-cooperation") in added
    assert {row[2] for row in found["bound"]} == {"both", "interpreted only"}
    assert "interpretation/we-finalise-binding-commitments" in found["rests_on"]
    # nobody leads the force by the words; with the readings, European parties do
    assert {party for party, where in found["lead"]} == {
        "party/european-parties",
        "party/european-coalition-members",
    }
    assert {where for _, where in found["lead"]} == {"interpreted only"}
    # the scenario, both ways, and what the interpreted activation rests on
    states = {answer: (state, rests) for answer, state, _, rests in found["side_by_side"]}
    assert states["strict"] == ("inactive", "")
    assert states["interpreted"] == (
        "active",
        "interpretation/attack-covers-future-armed-attack",
    )
    # the questions whose interpreted answer differs from the strict one
    assert found["resting"] == [
        "cq03", "cq04", "cq12", "cq17", "cq19", "cq25", "cq27", "cq31"
    ]  # fmt: skip
    printed = stream_text(notebook)
    assert "alternative:  The members of the Coalition and the United States" in printed
