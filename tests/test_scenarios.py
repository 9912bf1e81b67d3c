"""The scenario evaluator: truth table from the texts, errors, and its three interfaces.

How the expected answers below read the two texts
--------------------------------------------------
- Both texts: "we stand ready to commit to a system of politically and legally binding
  guarantees that will be activated once a ceasefire enters into force ... They will
  include the following components". So the system and everything in it (components 1
  to 5, their mechanisms, commitments and participations) needs a ceasefire in force,
  whatever else happens. A credible cessation of hostilities is not a ceasefire in
  force: neither text equates them, so without the ceasefire nothing of the system is
  active.
- Component 3: "these reassurance measures should be strictly implemented at Ukraine's
  request once a credible cessation of hostilities has taken place": the commitment to
  implement them needs both Ukraine's request and the cessation, on top of the
  ceasefire.
- Component 2: "defence depots which can deliver rapid additional support in the case of
  a future armed attack": needs a future armed attack. The data reads a future armed
  attack by Russia as one (``sg:entailsCondition``), so the named event
  ``armed-attack-by-russia`` activates it.
- Component 4: "binding commitments ... in the case of a future armed attack by Russia":
  needs ``armed-attack-by-russia``.
- Component 3, final text only: "with a US commitment to support the force in case of
  attack": any attack; an armed attack by Russia is a future armed attack, which is an
  attack (the data's entailment chain), so ``armed-attack-by-russia`` activates it.
- "We have further decided to establish a US/Ukraine/Coalition coordination cell at the
  Coalition Operational Headquarters": a decision of its own, outside the system, so
  the cell, the headquarters, the decision and the three participations in the cell are
  active whatever happens. So are the preamble's statements about the present: "we
  stand ready to commit to a system" (both texts), and, in the final text only, "Both
  the Coalition partners and the United States will play a vital and closely
  coordinated role" and "the confirmation that the United States is ready to support
  the Coalition".
- What differs between the versions: the press release has "a proposed US-led ...
  mechanism" and "the proposed support of the US"; the final text instead has the US
  lead ("led by the US with international participation"), the US support of component
  2, "supported by Coalition forces inside Ukraine and in the region", US participation
  "including US capabilities such as intelligence and logistics" and the US commitment
  in case of attack.
"""

import itertools
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import uvicorn
from fastapi import FastAPI
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import PROV, RDF

from api.build import build
from api.errors import SgkgError
from api.http_scenarios import router, scenario_store
from api.layout import discover_layout
from api.namespaces import GRAPH, ID, SG
from api.query import open_store
from api.reasoning import infer
from api.scenarios import ScenarioModel, ScenarioResult, UnknownScenarioInput, result_graph
from api.store import EmbeddedStore

from conftest import REPO

CEASEFIRE = "ceasefire-in-force"
CESSATION = "credible-cessation-of-hostilities"
REQUEST = "ukraine-request"
RUSSIA = "armed-attack-by-russia"
NAMED_EVENTS = (CEASEFIRE, CESSATION, REQUEST, RUSSIA)

FINAL = "paris-final"
PRESS = "paris-press-release"
BOTH = frozenset({FINAL, PRESS})
ONLY_FINAL = frozenset({FINAL})
ONLY_PRESS = frozenset({PRESS})

Rule = Callable[[frozenset[str]], bool]


def always(stated: frozenset[str]) -> bool:
    return True


def needs(*events: str) -> Rule:
    return lambda stated: all(event in stated for event in events)


#: Every element the evaluator reports: the versions it is in, and when it is active.
EXPECTED: dict[str, tuple[frozenset[str], Rule]] = {
    # outside the system: active whatever happens
    "mechanism/coordination-cell": (BOTH, always),
    "mechanism/coalition-operational-headquarters": (BOTH, always),
    "commitment/establish-coordination-cell": (BOTH, always),
    "participation/us-in-coordination-cell": (BOTH, always),
    "participation/ukraine-in-coordination-cell": (BOTH, always),
    "participation/coalition-in-coordination-cell": (BOTH, always),
    "commitment/stand-ready-to-commit-to-system": (BOTH, always),
    "commitment/vital-coordinated-role": (ONLY_FINAL, always),
    "commitment/us-ready-to-support-coalition": (ONLY_FINAL, always),
    # the system: everything needs the ceasefire
    "system/paris-declaration": (BOTH, needs(CEASEFIRE)),
    **{f"component/{n}": (BOTH, needs(CEASEFIRE)) for n in range(1, 6)},
    # component 1
    "mechanism/ceasefire-monitoring-and-verification": (BOTH, needs(CEASEFIRE)),
    "mechanism/special-commission": (BOTH, needs(CEASEFIRE)),
    "commitment/continuous-monitoring-system": (BOTH, needs(CEASEFIRE)),
    "commitment/establish-special-commission": (BOTH, needs(CEASEFIRE)),
    "participation/participants-in-monitoring": (BOTH, needs(CEASEFIRE)),
    "participation/coalition-members-contribute-to-monitoring": (BOTH, needs(CEASEFIRE)),
    "participation/coalition-represented-in-special-commission": (BOTH, needs(CEASEFIRE)),
    "participation/us-proposed-lead-of-monitoring": (ONLY_PRESS, needs(CEASEFIRE)),
    "participation/us-leads-monitoring": (ONLY_FINAL, needs(CEASEFIRE)),
    "participation/international-participation-in-monitoring": (ONLY_FINAL, needs(CEASEFIRE)),
    # component 2
    "mechanism/defence-depots": (BOTH, needs(CEASEFIRE)),
    "commitment/continue-military-assistance": (BOTH, needs(CEASEFIRE)),
    "commitment/depots-rapid-additional-support": (BOTH, needs(CEASEFIRE, RUSSIA)),
    "participation/us-supports-military-assistance": (ONLY_FINAL, needs(CEASEFIRE)),
    # component 3
    "mechanism/multinational-force-for-ukraine": (BOTH, needs(CEASEFIRE)),
    "commitment/multinational-force": (BOTH, needs(CEASEFIRE)),
    "commitment/implement-reassurance-measures": (BOTH, needs(CEASEFIRE, REQUEST, CESSATION)),
    "commitment/us-support-force-in-case-of-attack": (ONLY_FINAL, needs(CEASEFIRE, RUSSIA)),
    "participation/willing-nations-contribute-to-force": (BOTH, needs(CEASEFIRE)),
    "participation/european-lead-of-force": (BOTH, needs(CEASEFIRE)),
    "participation/non-european-members-in-force": (BOTH, needs(CEASEFIRE)),
    "participation/us-proposed-support-of-force": (ONLY_PRESS, needs(CEASEFIRE)),
    "participation/us-participation-in-force": (ONLY_FINAL, needs(CEASEFIRE)),
    "participation/coalition-forces-support-measures": (ONLY_FINAL, needs(CEASEFIRE)),
    # component 4
    "commitment/support-in-case-of-russian-attack": (BOTH, needs(CEASEFIRE, RUSSIA)),
    # component 5
    "commitment/deepen-defence-cooperation": (BOTH, needs(CEASEFIRE)),
}

COMBINATIONS = [
    frozenset(combo)
    for size in range(len(NAMED_EVENTS) + 1)
    for combo in itertools.combinations(NAMED_EVENTS, size)
]


def path(iri: str) -> str:
    return iri.removeprefix(str(ID))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped project, built once for the module (no reasoning: not needed here)."""
    build_dir = tmp_path_factory.mktemp("scenarios") / "build"
    build(discover_layout(REPO, build_dir))
    return build_dir


@pytest.fixture(scope="module")
def store(built: Path) -> EmbeddedStore:
    return open_store(discover_layout(REPO, built))


@pytest.fixture(scope="module")
def model(store: EmbeddedStore) -> ScenarioModel:
    return ScenarioModel.from_store(store)


# --- the truth table ---------------------------------------------------------------------


@pytest.mark.parametrize("version", [FINAL, PRESS])
@pytest.mark.parametrize("stated", COMBINATIONS, ids=lambda s: "+".join(sorted(s)) or "none")
def test_truth_table(model: ScenarioModel, version: str, stated: frozenset[str]) -> None:
    result = model.evaluate(sorted(stated), version)
    in_version = {name for name, (versions, _) in EXPECTED.items() if version in versions}
    expected_active = {name for name in in_version if EXPECTED[name][1](stated)}
    assert {path(o.iri) for o in result.active} == expected_active
    assert {path(o.iri) for o in result.inactive} == in_version - expected_active
    assert {path(a.iri) for a in result.not_in_version} == set(EXPECTED) - in_version
    assert [event.slug for event in result.events] == sorted(stated)
    assert result.version.slug == version


def test_every_element_has_its_evidence_in_the_version(model: ScenarioModel) -> None:
    for version in (FINAL, PRESS):
        result = model.evaluate([CEASEFIRE], version)
        for outcome in [*result.active, *result.inactive]:
            assert outcome.evidence, outcome.iri
            for passage in outcome.evidence:
                assert passage.passage.startswith(str(ID[f"passage/{version}-"]))
                assert passage.quote and passage.end > passage.start


def test_deciding_conditions_and_explanations(model: ScenarioModel) -> None:
    result = model.evaluate([CEASEFIRE, RUSSIA], FINAL)
    by_path = {path(o.iri): o for o in [*result.active, *result.inactive]}
    attack = by_path["commitment/us-support-force-in-case-of-attack"]
    assert attack.active
    assert {(path(d.condition), path(d.via)) for d in attack.decided_by} == {
        ("condition/attack", "commitment/us-support-force-in-case-of-attack"),
        ("condition/ceasefire-in-force", "system/paris-declaration"),
    }
    assert "attack [entailed by armed-attack-by-russia]" in attack.explanation
    reassurance = by_path["commitment/implement-reassurance-measures"]
    assert not reassurance.active
    assert [path(d.condition) for d in reassurance.decided_by] == [
        "condition/ukraine-request-and-credible-cessation"
    ]
    assert "needs all of" in reassurance.explanation
    cell = by_path["mechanism/coordination-cell"]
    assert cell.active and cell.decided_by == []
    conditions = {c.slug: c for c in result.conditions}
    assert conditions["attack"].entailed_by == [str(ID["condition/armed-attack-by-russia"])]
    assert conditions["future-armed-attack"].met
    assert not conditions["ukraine-request-and-credible-cessation"].met


def test_without_ceasefire_the_unmet_ceasefire_decides(model: ScenarioModel) -> None:
    result = model.evaluate([RUSSIA, REQUEST, CESSATION], PRESS)
    for outcome in result.inactive:
        conditions = {path(d.condition) for d in outcome.decided_by}
        assert "condition/ceasefire-in-force" in conditions, outcome.iri
        assert all(not d.met for d in outcome.decided_by)


def test_entailment_goes_from_specific_to_general_only(model: ScenarioModel) -> None:
    """'An attack' is not 'an armed attack by Russia': stating it activates less."""
    active = {path(o.iri) for o in model.evaluate([CEASEFIRE, "attack"], FINAL).active}
    assert "commitment/us-support-force-in-case-of-attack" in active
    assert "commitment/depots-rapid-additional-support" not in active
    assert "commitment/support-in-case-of-russian-attack" not in active
    general = {path(o.iri) for o in model.evaluate([CEASEFIRE, "future-armed-attack"]).active}
    assert "commitment/depots-rapid-additional-support" in general
    assert "commitment/support-in-case-of-russian-attack" not in general


def test_default_version_full_iris_and_repeated_events(model: ScenarioModel) -> None:
    by_slug = model.evaluate([CEASEFIRE, CEASEFIRE])
    by_iri = model.evaluate(
        [str(ID["condition/ceasefire-in-force"])], str(ID["version/paris-final"])
    )
    assert by_slug.version.slug == FINAL
    assert by_slug == by_iri


# --- conditions are data: another agreement, other operators ------------------------------

OTHER_AGREEMENT = """
@prefix sg: <https://w3id.org/sgkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <https://w3id.org/sgkg/id/> .

ex:version\\/v1 a sg:TextVersion ; rdfs:label "v1"@en .
ex:passage\\/p1 a sg:Passage ; sg:inVersion ex:version\\/v1 ; sg:quote "words" ;
    sg:startOffset 0 ; sg:endOffset 5 .

ex:system\\/s a sg:GuaranteeSystem ; rdfs:label "system"@en ;
    sg:activatedBy ex:condition\\/truce-or-settlement ; sg:hasEvidence ex:passage\\/p1 .
ex:mechanism\\/m a sg:Mechanism ; rdfs:label "mechanism"@en ;
    sg:partOf ex:system\\/s ; sg:activatedBy ex:condition\\/invitation ;
    sg:hasEvidence ex:passage\\/p1 .
ex:participation\\/x a sg:Participation ; rdfs:label "a party in the mechanism"@en ;
    sg:participationIn ex:mechanism\\/m ; sg:hasEvidence ex:passage\\/p1 .

ex:condition\\/truce-or-settlement a sg:AnyOfCondition ; rdfs:label "truce or settlement"@en ;
    sg:operand ex:condition\\/truce, ex:condition\\/settlement-and-vote .
ex:condition\\/settlement-and-vote a sg:AllOfCondition ;
    sg:operand ex:condition\\/settlement, ex:condition\\/vote .
ex:condition\\/truce a sg:EventCondition .
ex:condition\\/settlement a sg:EventCondition .
ex:condition\\/vote a sg:EventCondition .
ex:condition\\/invitation a sg:EventCondition .
"""


def invented_store(extra: str = "") -> EmbeddedStore:
    """The project's ontology and the invented agreement (plus ``extra``) in a store."""
    raw = ox.Store()
    ontology = REPO / "ontology" / "sgkg.ttl"
    raw.load(path=str(ontology), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(GRAPH.ontology))
    data = OTHER_AGREEMENT + extra
    raw.load(data, format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(GRAPH.data))
    return EmbeddedStore(raw)


@pytest.fixture(scope="module")
def other_model() -> ScenarioModel:
    """An invented agreement: any-of over all-of, and a participation in a mechanism."""
    return ScenarioModel.from_store(invented_store())


@pytest.mark.parametrize(
    ("events", "active"),
    [
        ([], set()),
        (["truce"], {"system/s"}),
        (["settlement"], set()),
        (["settlement", "vote"], {"system/s"}),
        (["invitation"], set()),
        (["truce", "invitation"], {"system/s", "mechanism/m", "participation/x"}),
        (["settlement", "vote", "invitation"], {"system/s", "mechanism/m", "participation/x"}),
    ],
)
def test_any_of_all_of_and_participation_in(
    other_model: ScenarioModel, events: list[str], active: set[str]
) -> None:
    result = other_model.evaluate(events, "v1")  # the only version: "paris-final" is absent
    assert {path(o.iri) for o in result.active} == active
    assert len(result.active) + len(result.inactive) == 3
    assert other_model.default_version() == "v1"


def test_two_events_with_one_name_are_refused() -> None:
    store = invented_store("<https://w3id.org/sgkg/id/other/truce> a sg:EventCondition .\n")
    with pytest.raises(SgkgError, match=r"event conditions must end in distinct names.*truce"):
        ScenarioModel.from_store(store)


# --- unknown input -----------------------------------------------------------------------


def test_unknown_event_and_version_list_the_valid_ones(model: ScenarioModel) -> None:
    with pytest.raises(UnknownScenarioInput) as caught:
        model.evaluate(["meteor-strike", CEASEFIRE], "paris-draft")
    error = caught.value
    assert error.exit_code == 2
    assert error.unknown_events == ["meteor-strike"]
    assert error.unknown_version == "paris-draft"
    assert set(NAMED_EVENTS) <= set(error.valid_events)
    assert error.valid_versions == [FINAL, PRESS]
    assert "unknown event(s): meteor-strike; valid events: armed-attack-by-russia" in str(error)
    assert "valid versions: paris-final, paris-press-release" in str(error)


def test_cli_unknown_input_exits_2(sgkg, built: Path) -> None:
    run = sgkg("--build-dir", built, "scenario", "--event", "meteor-strike")
    assert run.code == 2
    assert "unknown event(s): meteor-strike" in run.err
    assert CEASEFIRE in run.err and run.out == ""
    run = sgkg("--build-dir", built, "scenario", "--version", "paris-draft")
    assert run.code == 2
    assert "valid versions: paris-final, paris-press-release" in run.err


# --- CLI, JSON and RDF agree -------------------------------------------------------------


def active_in_graph(graph: Graph) -> dict[str, bool]:
    rows = graph.query(
        f"""SELECT ?entity ?active WHERE {{
              ?scenario <{SG.hasActivationResult}> ?result .
              ?result <{SG.evaluatedEntity}> ?entity ; <{SG.isActive}> ?active }}"""
    )
    return {path(str(row[0])): bool(row[1].toPython()) for row in rows}


def decided_in_graph(graph: Graph, entity: str) -> set[str]:
    result = graph.value(predicate=SG.evaluatedEntity, object=URIRef(ID[entity]))
    return {path(str(c)) for c in graph.objects(result, SG.decidedBy)}


def test_cli_json_rdf_and_text_agree(sgkg, built: Path, model: ScenarioModel) -> None:
    args = ("--build-dir", built, "scenario", "--event", CEASEFIRE, "--event", REQUEST)
    as_json = sgkg(*args, "--format", "json")
    assert as_json.code == 0, as_json.err
    result = ScenarioResult.model_validate_json(as_json.out)
    assert result == model.evaluate([CEASEFIRE, REQUEST], FINAL)

    as_turtle = sgkg(*args, "--format", "turtle")
    graph = Graph().parse(data=as_turtle.out, format="turtle")
    assert isomorphic(graph, result_graph(result))
    states = active_in_graph(graph)
    assert {k for k, v in states.items() if v} == {path(o.iri) for o in result.active}
    assert {k for k, v in states.items() if not v} == {path(o.iri) for o in result.inactive}
    for outcome in result.inactive:
        expected = {path(d.condition) for d in outcome.decided_by}
        assert decided_in_graph(graph, path(outcome.iri)) == expected
    scenario = URIRef(result.scenario)
    assert {path(str(e)) for e in graph.objects(scenario, SG.statedEvent)} == {
        f"condition/{CEASEFIRE}",
        f"condition/{REQUEST}",
    }
    assert (scenario, SG.scenarioVersion, URIRef(ID["version/paris-final"])) in graph

    as_text = sgkg(*args)
    active_part, _, rest = as_text.out.partition("\ninactive (")
    assert f"active ({len(result.active)}):" in active_part
    for outcome in result.active:
        assert f"sgid:{path(outcome.iri)} " in active_part
    for outcome in result.inactive:
        assert f"sgid:{path(outcome.iri)} " in rest


def test_results_graph_is_consistent_with_the_ontology(model: ScenarioModel) -> None:
    """HermiT accepts the results graph with the ontology: the new terms fit together."""
    graph = result_graph(model.evaluate([CEASEFIRE, RUSSIA], FINAL))
    for file in sorted((REPO / "ontology").glob("*.ttl")):
        graph.parse(file, format="turtle")
    inferred = infer(graph)
    some_result = next(iter(graph.subjects(SG.evaluatedEntity, None)))
    assert (some_result, RDF.type, PROV.Entity) in inferred


# --- HTTP: the router on a real uvicorn server -------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(store: EmbeddedStore) -> Iterator[str]:
    """The scenario router alone on a FastAPI app, served by uvicorn on loopback.

    The lead's app provides the served store through :func:`served_graph`; this app
    provides the store built above through the router's own ``scenario_store``
    dependency, the seam meant for it.
    """
    app = FastAPI()
    app.include_router(router)
    app.dependency_overrides[scenario_store] = lambda: store
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    uvicorn_server = uvicorn.Server(config)
    thread = threading.Thread(target=uvicorn_server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uvicorn_server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    uvicorn_server.should_exit = True
    thread.join(timeout=10)


def test_http_post_matches_the_evaluator(server: str, model: ScenarioModel) -> None:
    body = {"events": [CEASEFIRE, RUSSIA], "version": PRESS}
    response = httpx.post(f"{server}/scenarios", json=body)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert ScenarioResult.model_validate(response.json()) == model.evaluate(
        [CEASEFIRE, RUSSIA], PRESS
    )


def test_http_turtle_is_the_results_graph(server: str, model: ScenarioModel) -> None:
    response = httpx.post(
        f"{server}/scenarios",
        json={"events": [CEASEFIRE]},
        headers={"Accept": "text/turtle, application/json;q=0.5"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=response.text, format="turtle")
    assert isomorphic(graph, result_graph(model.evaluate([CEASEFIRE])))


def test_http_events_catalogue(server: str) -> None:
    response = httpx.get(f"{server}/scenarios/events")
    assert response.status_code == 200
    catalogue = response.json()
    slugs = [event["slug"] for event in catalogue["events"]]
    assert set(NAMED_EVENTS) | {"attack", "future-armed-attack"} == set(slugs)
    assert [v["slug"] for v in catalogue["versions"]] == [FINAL, PRESS]
    assert catalogue["default_version"] == FINAL


def test_http_errors(server: str) -> None:
    unknown = httpx.post(f"{server}/scenarios", json={"events": ["meteor-strike"]})
    assert unknown.status_code == 422
    assert "unknown event(s): meteor-strike; valid events:" in unknown.text
    assert CEASEFIRE in unknown.text
    version = httpx.post(f"{server}/scenarios", json={"events": [], "version": "x"})
    assert version.status_code == 422
    assert "valid versions: paris-final, paris-press-release" in version.text
    refused = httpx.post(
        f"{server}/scenarios", json={"events": [CEASEFIRE]}, headers={"Accept": "image/png"}
    )
    assert refused.status_code == 406
    malformed = httpx.post(f"{server}/scenarios", json={"events": "ceasefire-in-force"})
    assert malformed.status_code in (400, 422)


def test_openapi_documents_the_routes(server: str) -> None:
    spec = httpx.get(f"{server}/openapi.json").json()
    post = spec["paths"]["/scenarios"]["post"]
    request_schema = post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert request_schema.endswith("/ScenarioRequest")
    responses = post["responses"]
    assert responses["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ScenarioResult"
    )
    assert "text/turtle" in responses["200"]["content"]
    assert {"406", "422"} <= set(responses)
    assert "/scenarios/events" in spec["paths"]
    result_fields = spec["components"]["schemas"]["ScenarioResult"]["properties"]
    assert {"active", "inactive", "not_in_version", "conditions"} <= set(result_fields)
    assert json.dumps(spec)  # serialisable as served
