"""``api.notebook_client`` against the session's real server, through SPARQLWrapper."""

import pytest

from api.competency import check_answer, load_questions
from api.layout import discover_layout
from api.notebook_client import (
    Connection,
    NotebookClientError,
    scenario_table,
    short_name,
    without_comment_lines,
)
from api.results import AskResult, SelectResult

from conftest import REPO, RunningServer

SG = "https://w3id.org/sgkg/ontology#"
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
    row = table.loc["commitment/us-support-force-in-case-of-attack"]
    assert row["kind"] == "commitment"
    assert (
        "An attack (attacker and target not named) (met; it follows from: "
        in (row["deciding conditions"])
    )
    assert "as part of: System of politically and legally binding" in row["deciding conditions"]
    assert row["evidence"] == (
        '"with a US commitment to support the force in case of attack" [3405-3464]'
    )
    inactive = scenario_table(answer, "inactive").set_index("element")
    reassurance = inactive.loc["commitment/implement-reassurance-measures"]
    assert "still missing: " in reassurance["deciding conditions"]
    assert "at Ukraine's request" in reassurance["evidence"]


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
