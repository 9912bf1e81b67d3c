"""Interpretations are kept apart from the words, checked, and named when an answer rests on one.

The model (ontology/README.md): every reading beyond the words is an ``sg:Interpretation``
whose triples live in the named graph its IRI names. These tests prove, on the shipped
data and on broken copies of it, that

- the build loads those graphs under their own names, and checks that each is described
  and names only terms the graph holds;
- a strict answer (the default) never sees them, in the store and over HTTP;
- strict and interpreted answers to the competency questions differ exactly where an
  interpretation applies, and agree everywhere else;
- an interpreted answer names the interpretations it rests on, including readings that
  only count together.
"""

import asyncio
import json
import shutil
from pathlib import Path

import httpx
import pytest
from rdflib import URIRef
from rdflib.namespace import RDF

from api.analysis.competency import answer_value, load_questions
from api.build.pipeline import build
from api.cli.query import open_store
from api.core.layout import discover_layout
from api.core.namespaces import SG
from api.load.dataset import SourceError, load_dataset
from api.store.interpretations import (
    DESCRIPTIONS_GRAPH,
    INTERPRETATION_NS,
    STRICT_GRAPHS,
    InterpretationError,
    Selection,
    UnknownInterpretation,
    rests_on,
    select,
)
from api.store.results import AskResult, SelectResult
from api.validate.shacl import validate_dataset

from conftest import REPO, RunningServer

LAYOUT = discover_layout(REPO)
QUESTIONS = {q.name: q for q in load_questions(LAYOUT)}
INTERPRETATIONS_FILE = "data/interpretations/paris-declaration.trig"
SPARQL_JSON = "application/sparql-results+json"

#: The questions whose answers an interpretation changes, read from the texts: who leads
#: or takes part in monitoring (the heading's mechanism and the sentence's system read as
#: one; the heading's "Participation" read as the Coalition members'), the roles in the
#: Multinational Force ("These elements" read as the force, "European-led" as the
#: Coalition's European members), who commits (an unresolved "we", "the Coalition
#: partners"), what a Russian attack sets off ("in case of attack" read as covering it),
#: what the system itself comes in addition to, and what Coalition forces support.
CHANGED_BY_INTERPRETATIONS = {
    "cq03-monitoring-lead",
    "cq04-monitoring-participants",
    "cq12-multinational-force-roles",
    "cq17-commitment-wording",
    "cq19-attack-triggers",
    "cq25-system-framing",
    "cq27-coalition-forces",
    "cq31-who-is-bound",
}


def interpretation(slug: str) -> str:
    return INTERPRETATION_NS + slug


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    layout = discover_layout(REPO, tmp_path_factory.mktemp("interpretations-build"))
    result = build(layout)
    return open_store(layout), tuple(result.manifest["interpretation_graphs"])


def rows(result) -> object:
    """A result as something that compares equal when the answers are the same."""
    if isinstance(result, AskResult):
        return result.value
    assert isinstance(result, SelectResult)
    return sorted(tuple(answer_value(term) or "" for term in row) for row in result.rows)


# --- loading and checking ---------------------------------------------------------------


def test_every_interpretation_graph_is_loaded_under_its_own_name() -> None:
    loaded = load_dataset(LAYOUT)
    graphs = loaded.interpretation_graphs()
    descriptions = loaded.graph("interpretations")
    described = {str(s) for s in descriptions.subjects(RDF.type, SG.Interpretation)}
    assert set(graphs) <= described
    assert len(described) >= 15
    assert interpretation("attack-covers-future-armed-attack") in graphs
    # open questions add nothing, so they have no graph
    assert interpretation("who-establishes-special-commission") not in graphs
    # nothing an interpretation adds is in the data graph
    for graph in graphs.values():
        for triple in graph:
            assert triple not in loaded.graph("data"), triple


def test_the_descriptions_pass_the_shapes_and_the_words_stay_apart() -> None:
    loaded = load_dataset(LAYOUT)
    assert validate_dataset(loaded).conforms
    data = loaded.graph("data")
    attack = URIRef("https://w3id.org/sgkg/id/condition/attack")
    armed = URIRef("https://w3id.org/sgkg/id/condition/future-armed-attack")
    assert (armed, SG.entailsCondition, attack) not in data


def copy_tree(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    for folder in ("ontology", "shapes", "data"):
        shutil.copytree(REPO / folder, root / folder)
    return root


def edit_interpretations(root: Path, old: str, new: str) -> None:
    path = root / INTERPRETATIONS_FILE
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_reading_of_a_term_nobody_defined_fails_the_build(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    edit_interpretations(
        root,
        "commitment:finalise-binding-commitments sg:committedBy party:coalition-members .",
        "commitment:finalise-binding-commitments sg:committedBy party:coalition-membres .",
    )
    with pytest.raises(InterpretationError, match="coalition-membres"):
        validate_dataset(load_dataset(discover_layout(root)))


def test_a_graph_without_a_description_fails_the_build(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    edit_interpretations(
        root,
        "interpretation:we-deepen-defence-cooperation {",
        "interpretation:undescribed-reading {",
    )
    with pytest.raises(InterpretationError) as caught:
        validate_dataset(load_dataset(discover_layout(root)))
    message = str(caught.value)
    assert "undescribed-reading" in message and "no sg:Interpretation" in message
    assert "we-deepen-defence-cooperation> adopts a reading but has no graph" in message


def test_a_graph_named_outside_the_interpretations_is_refused(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    edit_interpretations(
        root,
        "interpretation:we-deepen-defence-cooperation {",
        "<https://w3id.org/sgkg/graph/data> {",
    )
    with pytest.raises(SourceError, match="neither"):
        load_dataset(discover_layout(root))


# --- choosing interpretations -----------------------------------------------------------


def test_selection_by_name_iri_or_all() -> None:
    available = (interpretation("a"), interpretation("b"))
    assert select([], available) == Selection()
    assert select(["none"], available) == Selection()
    assert select(["all"], available).graphs == available
    assert select(["b, a", "b"], available).graphs == (interpretation("b"), interpretation("a"))
    assert select([interpretation("a")], available).graphs == (interpretation("a"),)
    with pytest.raises(UnknownInterpretation, match=r"'c'.*one of: a, b"):
        select(["a,c"], available)


# --- strict and interpreted answers -----------------------------------------------------


def test_a_strict_answer_never_sees_an_interpretation_graph(store) -> None:
    embedded, graphs = store
    names = embedded.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert isinstance(names, SelectResult)
    assert {str(row[0]) for row in names.rows} == set(STRICT_GRAPHS) - {
        "https://w3id.org/sgkg/graph/inferred"  # empty without the reasoner
    }
    assert DESCRIPTIONS_GRAPH in STRICT_GRAPHS
    assert graphs and not set(graphs) & set(STRICT_GRAPHS)


@pytest.mark.parametrize("name", sorted(QUESTIONS))
def test_strict_and_interpreted_answers_differ_where_they_should(store, name: str) -> None:
    embedded, graphs = store
    sparql = QUESTIONS[name].sparql
    strict = rows(embedded.query(sparql))
    interpreted = rows(embedded.query(sparql, interpretations=graphs))
    if name in CHANGED_BY_INTERPRETATIONS:
        assert interpreted != strict
    else:
        assert interpreted == strict


def test_interpretations_add_to_the_strict_answer_and_take_nothing_away(store) -> None:
    embedded, graphs = store
    question = QUESTIONS["cq31-who-is-bound"]
    strict = set(rows(embedded.query(question.sparql)))  # type: ignore[arg-type]
    interpreted = set(rows(embedded.query(question.sparql, interpretations=graphs)))  # type: ignore[arg-type]
    assert strict < interpreted
    added = {(row[0], row[2]) for row in interpreted - strict}
    members = "party/coalition-members"
    assert added == {
        (members, "commitment/vital-coordinated-role"),
        (members, "commitment/finalise-binding-commitments"),
        (members, "commitment/deepen-defence-cooperation"),
    }


def test_an_answer_rests_on_readings_that_only_count_together(store) -> None:
    embedded, graphs = store
    sparql = """PREFIX sg: <https://w3id.org/sgkg/ontology#>
        PREFIX mechanism: <https://w3id.org/sgkg/id/mechanism/>
        SELECT ?party WHERE {
          ?p sg:participationIn mechanism:multinational-force-for-ukraine ;
             sg:role <https://w3id.org/sgkg/id/role/leads> ; sg:participant ?party }"""

    async def run(default_graphs: list[str]) -> object:
        chosen = [g for g in default_graphs if g not in STRICT_GRAPHS]
        return rows(embedded.query(sparql, interpretations=chosen))

    found = asyncio.run(rests_on(run, Selection(graphs)))
    assert found == [
        interpretation("european-led-by-coalition-members"),
        interpretation("these-elements-are-the-force"),
    ]
    assert asyncio.run(rests_on(run, Selection())) == []


# --- over HTTP --------------------------------------------------------------------------

WHO_IS_BOUND = QUESTIONS["cq31-who-is-bound"].sparql


def test_the_endpoint_answers_strictly_by_default(server: RunningServer) -> None:
    answer = httpx.get(
        f"{server.url}/sparql", params={"query": WHO_IS_BOUND}, headers={"Accept": SPARQL_JSON}
    )
    assert answer.status_code == 200
    assert answer.headers["sgkg-answer-mode"] == "strict"
    assert "sgkg-interpretations" not in answer.headers
    assert "link" not in answer.json()["head"]
    parties = {b["party"]["value"] for b in answer.json()["results"]["bindings"]}
    assert "https://w3id.org/sgkg/id/party/coalition-members" not in parties


def test_the_endpoint_names_the_interpretations_an_answer_rests_on(server: RunningServer) -> None:
    answer = httpx.post(
        f"{server.url}/sparql",
        data={"query": WHO_IS_BOUND, "interpretations": "all"},
        headers={"Accept": SPARQL_JSON},
    )
    assert answer.status_code == 200
    assert answer.headers["sgkg-answer-mode"] == "interpreted"
    expected = [
        interpretation("coalition-partners-are-members"),
        interpretation("we-deepen-defence-cooperation"),
        interpretation("we-finalise-binding-commitments"),
    ]
    assert answer.headers["sgkg-interpretations"].split(", ") == expected
    results = answer.json()
    assert results["head"]["link"] == expected
    parties = {b["party"]["value"] for b in results["results"]["bindings"]}
    assert "https://w3id.org/sgkg/id/party/coalition-members" in parties


def test_an_interpreted_answer_that_no_reading_changes_rests_on_none(
    server: RunningServer,
) -> None:
    query = QUESTIONS["cq02-components"].sparql
    answer = httpx.get(
        f"{server.url}/sparql",
        params={"query": query, "interpretations": "all", "format": "csv"},
    )
    assert answer.status_code == 200
    assert answer.headers["sgkg-answer-mode"] == "interpreted"
    assert answer.headers["sgkg-interpretations"] == "none"


def test_one_interpretation_by_name(server: RunningServer) -> None:
    query = QUESTIONS["cq19-attack-triggers"].sparql
    params = {"query": query, "interpretations": "attack-covers-future-armed-attack"}
    answer = httpx.get(f"{server.url}/sparql", params=params, headers={"Accept": SPARQL_JSON})
    assert answer.headers["sgkg-interpretations"] == interpretation(
        "attack-covers-future-armed-attack"
    )
    things = {b["thing"]["value"] for b in answer.json()["results"]["bindings"]}
    assert "https://w3id.org/sgkg/id/commitment/us-support-force-in-case-of-attack" in things


def test_an_unknown_interpretation_is_a_clear_400(server: RunningServer) -> None:
    answer = httpx.get(
        f"{server.url}/sparql", params={"query": "ASK {}", "interpretations": "no-such-reading"}
    )
    assert answer.status_code == 400
    body = answer.json()
    assert "unknown interpretation" in body["message"] and "no-such-reading" in body["message"]
    assert "attack-covers-future-armed-attack" in body["message"]
    assert body["request_id"]


def test_construct_answers_are_compared_as_triples(server: RunningServer) -> None:
    query = """PREFIX sg: <https://w3id.org/sgkg/ontology#>
        CONSTRUCT { ?c sg:entailsCondition ?d } WHERE { ?c sg:entailsCondition ?d }"""
    answer = httpx.get(
        f"{server.url}/sparql",
        params={"query": query, "interpretations": "all"},
        headers={"Accept": "application/n-triples"},
    )
    assert answer.status_code == 200
    assert answer.headers["sgkg-interpretations"] == interpretation(
        "attack-covers-future-armed-attack"
    )
    assert json.dumps(answer.text).count("sgkg/id/condition/attack") == 1
