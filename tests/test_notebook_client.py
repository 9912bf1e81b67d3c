"""``api.notebook.client`` against the session's real server, through SPARQLWrapper."""

import pytest

from api.analysis.competency import check_answer, load_questions
from api.core.layout import discover_layout
from api.notebook.client import (
    Connection,
    NotebookClientError,
    scenario_table,
    short_name,
    without_comment_lines,
)
from api.store.results import AskResult, SelectResult

from conftest import REPO, RunningServer

SG = "https://w3id.org/sgkg/ontology#"
ID = "https://w3id.org/sgkg/id/"
US = "https://w3id.org/sgkg/id/party/united-states"


@pytest.fixture(scope="module")
def kg(server: RunningServer) -> Connection:
    return Connection(server.url)


def test_every_competency_question_answers_as_written(kg: Connection) -> None:
    # the header comments of some questions trip SPARQLWrapper's query-type guess
    # (cq30 would be sent as an ADD update); the client strips them
    failed = [
        question.name
        for question in load_questions(discover_layout(REPO))
        if not check_answer(question, kg.query(question.sparql)).passed
    ]
    assert failed == []


def test_table_shortens_iris_and_adds_their_labels(kg: Connection) -> None:
    table = kg.table(
        f"SELECT ?party ?n WHERE {{ BIND (<{US}> AS ?party) BIND (3 AS ?n) }}",
    )
    assert list(table.columns) == ["party", "partyLabel", "n"]
    assert table.loc[0, "party"] == "party/united-states"
    assert table.loc[0, "partyLabel"] == "United States"
    assert table.loc[0, "n"] == 3


def test_table_keeps_a_label_column_the_query_already_has(kg: Connection) -> None:
    table = kg.table(
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        f"SELECT ?party ?partyLabel WHERE {{ BIND (<{US}> AS ?party) "
        "?party rdfs:label ?partyLabel }"
    )
    assert list(table.columns) == ["party", "partyLabel"]


def test_table_without_labels(kg: Connection) -> None:
    table = kg.table(f"SELECT ?party WHERE {{ BIND (<{US}> AS ?party) }}", labels=False)
    assert list(table.columns) == ["party"]


def test_ask_and_query(kg: Connection) -> None:
    assert kg.ask(f"ASK {{ <{US}> ?p ?o }}") is True
    assert isinstance(kg.query("ASK { ?s ?p ?o }"), AskResult)
    assert isinstance(kg.query("SELECT * WHERE { ?s ?p ?o } LIMIT 1"), SelectResult)
    with pytest.raises(NotebookClientError, match="use ask"):
        kg.table("ASK { ?s ?p ?o }")
    with pytest.raises(NotebookClientError, match="use table"):
        kg.ask("SELECT * WHERE { ?s ?p ?o } LIMIT 1")


def test_a_bad_query_gets_the_servers_message(kg: Connection) -> None:
    with pytest.raises(NotebookClientError, match=r"(?i)syntax error at line 1"):
        kg.table("SELECT ?x WHERE { ?x ?y }")


def test_scenario_table_says_why(kg: Connection) -> None:
    answer = kg.scenario(["ceasefire-in-force", "armed-attack-by-russia"], "paris-final")
    table = scenario_table(answer).set_index("element")
    depots = table.loc["capacity/depots-rapid-additional-support"]
    assert depots["kind"] == "capacity"
    assert (
        "A future armed attack (attacker not named) (met; it follows from: "
        in (depots["deciding conditions"])
    )
    assert "as part of: System of politically and legally binding" in depots["deciding conditions"]
    assert "rests on" not in table.columns  # a strict answer rests on no interpretation
    inactive = scenario_table(answer, "inactive").set_index("element")
    commitment = inactive.loc["commitment/us-support-force-in-case-of-attack"]
    assert (
        commitment["deciding conditions"] == "An attack (attacker and target not named) (not met)"
    )
    assert commitment["evidence"] == (
        '"with a US commitment to support the force in case of attack" [3405-3464]'
    )
    reassurance = inactive.loc["recommendation/implement-reassurance-measures"]
    assert "still missing: " in reassurance["deciding conditions"]
    assert "at Ukraine's request" in reassurance["evidence"]


def test_scenario_table_with_interpretations_says_what_it_rests_on(kg: Connection) -> None:
    events = ["ceasefire-in-force", "armed-attack-by-russia"]
    answer = kg.scenario(events, interpretations=["attack-covers-future-armed-attack"])
    assert answer["mode"] == "interpreted"
    table = scenario_table(answer).set_index("element")
    commitment = table.loc["commitment/us-support-force-in-case-of-attack"]
    assert commitment["rests on"] == "interpretation/attack-covers-future-armed-attack"
    assert (
        "(met; it follows from: A future armed attack by Russia; by interpretation: "
        "interpretation/attack-covers-future-armed-attack)"
    ) in commitment["deciding conditions"]
    assert table.loc["capacity/depots-rapid-additional-support", "rests on"] == ""


def test_strict_and_interpreted_tables(kg: Connection) -> None:
    question = REPO / "data" / "queries" / "cq31-who-is-bound.rq"
    sparql = question.read_text(encoding="utf-8")
    strict = kg.table(sparql)
    assert strict.attrs == {"mode": "strict", "rests_on": []}
    assert "party/coalition-members" not in set(strict["party"])
    interpreted = kg.table(sparql, interpretations="all")
    assert interpreted.attrs["mode"] == "interpreted"
    assert "interpretation/we-finalise-binding-commitments" in interpreted.attrs["rests_on"]
    one = kg.answer(sparql, interpretations=["we-deepen-defence-cooperation"])
    assert one.mode == "interpreted"
    assert one.rests_on == (f"{ID}interpretation/we-deepen-defence-cooperation",)
    same = kg.answer("ASK { ?s ?p ?o }", interpretations="all")
    assert same.mode == "interpreted" and same.rests_on == ()
    with pytest.raises(NotebookClientError, match="unknown interpretation"):
        kg.table(sparql, interpretations="a-guess")


def test_compare_sets_the_two_answers_side_by_side(kg: Connection) -> None:
    sparql = (REPO / "data" / "queries" / "cq31-who-is-bound.rq").read_text(encoding="utf-8")
    both = kg.compare(sparql)
    assert set(both["in answer"]) == {"both", "interpreted only"}
    added = both[both["in answer"] == "interpreted only"]
    assert set(added["party"]) == {"party/coalition-members"}
    assert "commitment/finalise-binding-commitments" in set(added["commitment"])
    assert len(both[both["in answer"] == "both"]) == len(kg.table(sparql))
    assert "interpretation/we-finalise-binding-commitments" in both.attrs["rests_on"]


def test_interpretations_table(kg: Connection) -> None:
    every = kg.interpretations()
    assert len(every) == 16
    one = kg.interpretations("attack-covers-future-armed-attack").iloc[0]
    assert one["kind"] == "interpretation-kind/entailment"
    assert one["question"].startswith("Does the United States' commitment")
    assert "Only an attack on the Multinational Force itself" in one["alternatives"]
    assert one["attributedToLabel"] == "sgkg editors"


def test_scenario_errors_are_readable(kg: Connection) -> None:
    with pytest.raises(NotebookClientError, match="unknown event"):
        kg.scenario(["an-invasion-from-mars"])
    catalogue = kg.scenario_catalogue()
    assert "ceasefire-in-force" in {event["slug"] for event in catalogue["events"]}


def test_short_names_and_pages(kg: Connection) -> None:
    assert short_name(US) == "party/united-states"
    assert short_name(SG + "Commitment") == "sg:Commitment"
    assert short_name("http://www.w3.org/2000/01/rdf-schema#label") == "rdfs:label"
    assert short_name("http://example.org/x") == "http://example.org/x"
    assert kg.page(US) == kg.url + "/id/party/united-states"


def test_comment_lines_go_but_hashes_in_iris_stay() -> None:
    query = "#+ title: adds\n# ADD\nPREFIX sg: <https://w3id.org/sgkg/ontology#>\n  # x\nASK {}"
    assert without_comment_lines(query) == "PREFIX sg: <https://w3id.org/sgkg/ontology#>\nASK {}"
