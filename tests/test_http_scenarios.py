"""Scenarios through the real server: ``sgkg serve`` answers ``/scenarios`` end to end.

The evaluator and its router are tested in depth in ``test_scenarios.py``; this proves
the router is wired into the served application, reads the graph the server loaded, and
is described in the server's OpenAPI document.
"""

import httpx
from rdflib import Graph, URIRef

from conftest import RunningServer

US_COMMITMENT = "https://w3id.org/sgkg/id/commitment/us-support-force-in-case-of-attack"
ATTACK_READING = "https://w3id.org/sgkg/id/interpretation/attack-covers-future-armed-attack"
ATTACK = ["ceasefire-in-force", "armed-attack-by-russia"]


def _active(answer: httpx.Response) -> set[str]:
    assert answer.status_code == 200, answer.text
    return {element["iri"] for element in answer.json()["active"]}


def test_attack_by_russia_activates_the_us_commitment_only_by_interpretation(
    server: RunningServer,
) -> None:
    """'In case of attack' is met by a Russian attack only if the reading that it covers
    a future armed attack is included, and the answer then says it rests on it."""
    strict = httpx.post(
        f"{server.url}/scenarios", json={"events": ATTACK, "version": "paris-final"}
    )
    assert US_COMMITMENT not in _active(strict)
    assert strict.json()["mode"] == "strict"
    body = {"events": ATTACK, "version": "paris-final", "interpretations": "all"}
    final = httpx.post(f"{server.url}/scenarios", json=body)
    assert US_COMMITMENT in _active(final)
    commitment = next(e for e in final.json()["active"] if e["iri"] == US_COMMITMENT)
    assert commitment["interpretations"] == [ATTACK_READING]
    assert ATTACK_READING in final.json()["interpretations_used"]
    press = httpx.post(f"{server.url}/scenarios", json={**body, "version": "paris-press-release"})
    assert US_COMMITMENT not in _active(press)
    absent = {element["iri"] for element in press.json()["not_in_version"]}
    assert US_COMMITMENT in absent


def test_nothing_in_the_system_is_active_without_a_ceasefire(server: RunningServer) -> None:
    answer = httpx.post(f"{server.url}/scenarios", json={"events": ["armed-attack-by-russia"]})
    active = _active(answer)
    assert "https://w3id.org/sgkg/id/system/paris-declaration" not in active
    assert "https://w3id.org/sgkg/id/mechanism/coordination-cell" in active


def test_unknown_event_is_refused_with_the_valid_ones(server: RunningServer) -> None:
    answer = httpx.post(f"{server.url}/scenarios", json={"events": ["alien-invasion"]})
    assert answer.status_code == 422
    assert "ceasefire-in-force" in answer.text


def test_events_list_and_turtle_results(server: RunningServer) -> None:
    events = httpx.get(f"{server.url}/scenarios/events")
    assert events.status_code == 200
    assert "ukraine-request" in events.text
    turtle = httpx.post(
        f"{server.url}/scenarios", json={"events": ATTACK}, headers={"Accept": "text/turtle"}
    )
    assert turtle.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=turtle.text, format="turtle")
    assert any(URIRef(US_COMMITMENT) in triple for triple in graph)


def test_openapi_describes_the_scenario_routes(server: RunningServer) -> None:
    paths = httpx.get(f"{server.url}/openapi.json").json()["paths"]
    assert "post" in paths["/scenarios"]
    assert "get" in paths["/scenarios/events"]


def test_scenario_iris_dereference_in_every_format(server: RunningServer) -> None:
    """The IRI a scenario answer names is itself served: page, RDF and JSON."""
    posted = httpx.post(f"{server.url}/scenarios", json={"events": ATTACK}).json()
    iri = posted["scenario"]
    path = iri.removeprefix("https://w3id.org/sgkg")
    assert path.startswith("/id/scenario/paris-final/")
    as_turtle = httpx.get(server.url + path, headers={"Accept": "text/turtle"})
    assert as_turtle.status_code == 200, as_turtle.text
    graph = Graph().parse(data=as_turtle.text, format="turtle")
    assert (URIRef(iri), None, None) in graph
    as_json = httpx.get(f"{server.url}{path}.json").json()
    assert {element["iri"] for element in as_json["active"]} == _active(
        httpx.post(f"{server.url}/scenarios", json={"events": ATTACK})
    )
    page = httpx.get(server.url + path, headers={"Accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html")
    assert "armed-attack-by-russia" in page.text
    as_jsonld = httpx.get(f"{server.url}{path}.jsonld")
    assert Graph().parse(data=as_jsonld.text, format="json-ld").isomorphic(graph)
    nothing = httpx.get(f"{server.url}/id/scenario/paris-final/no-events.ttl")
    assert nothing.status_code == 200


def test_interpreted_scenario_iris_dereference(server: RunningServer) -> None:
    body = {"events": ATTACK, "interpretations": ["attack-covers-future-armed-attack"]}
    posted = httpx.post(f"{server.url}/scenarios", json=body).json()
    iri = posted["scenario"]
    assert iri.endswith("/interpretations/attack-covers-future-armed-attack")
    path = iri.removeprefix("https://w3id.org/sgkg")
    as_json = httpx.get(f"{server.url}{path}.json").json()
    assert as_json == posted
    as_turtle = httpx.get(server.url + path, headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=as_turtle.text, format="turtle")
    rests_on = URIRef("https://w3id.org/sgkg/ontology#restsOnInterpretation")
    assert (URIRef(iri), rests_on, URIRef(ATTACK_READING)) in graph
    page = httpx.get(server.url + path, headers={"Accept": "text/html"}).text
    assert "interpreted: the words and the interpretations" in page
    assert "Relies on readings beyond the words" in page
    assert 'href="/id/interpretation/attack-covers-future-armed-attack"' in page
    every = httpx.get(f"{server.url}/id/scenario/paris-final/no-events/interpretations/all.json")
    assert every.status_code == 200 and every.json()["mode"] == "interpreted"
    unknown = httpx.get(f"{server.url}/id/scenario/paris-final/no-events/interpretations/x")
    assert unknown.status_code == 404
    assert "unknown interpretation(s): 'x'" in unknown.text


def test_unknown_scenario_iri_is_404(server: RunningServer) -> None:
    answer = httpx.get(f"{server.url}/id/scenario/paris-final/alien-invasion")
    assert answer.status_code == 404
    assert "ceasefire-in-force" in answer.text
