"""The scenario evaluator: truth table from the texts, errors, and its three interfaces.

How the expected answers below read the two texts
--------------------------------------------------
What is evaluated. Guarantee elements (the system, its components, mechanisms) and the
statements that can take effect: undertakings ("agreed to", "decided", "will"),
provisions ("there will be", "will be established", "will remain", "will include"),
capacities ("can deliver"), recommendations ("should be implemented") and
participations. Not: readiness ("stand ready to commit", "is ready to"), the meeting's
affirmations ("we confirmed", "welcomed", "stressed"), reports ("planning has been
conducted") and possibilities ("may include"): no event puts them in effect.

Strictly, from the words:

- Both texts: "we stand ready to commit to a system of politically and legally binding
  guarantees that will be activated once a ceasefire enters into force ... They will
  include the following components". So the system and everything in it (components 1
  to 5, their mechanisms, undertakings, provisions, capacities, recommendations and
  participations) needs a ceasefire in force, whatever else happens. A credible
  cessation of hostilities is not a ceasefire in force: neither text equates them, so
  without the ceasefire nothing of the system is active.
- Component 3: "these reassurance measures should be strictly implemented at Ukraine's
  request once a credible cessation of hostilities has taken place": the recommendation
  needs both Ukraine's request and the cessation, on top of the ceasefire.
- Component 2: "defence depots which can deliver rapid additional support in the case of
  a future armed attack": the capacity needs a future armed attack. A future armed
  attack by Russia is, by the words, a future armed attack, so ``armed-attack-by-russia``
  meets it.
- Component 4, headed "Binding commitments to support Ukraine in the case of a future
  armed attack by Russia": the component, and the undertaking it holds ("We agreed to
  finalise binding commitments ..."), need ``armed-attack-by-russia``.
- Component 3, final text only: "with a US commitment to support the force in case of
  attack". "Attack" names neither attacker nor target; by the words alone only a stated
  attack meets it, so none of the four named events does. Whether a future armed attack
  (by Russia) is such an attack is the interpretation attack-covers-future-armed-attack:
  with it, ``armed-attack-by-russia`` activates the commitment, and the answer says it
  rests on that interpretation.
- "We have further decided to establish a US/Ukraine/Coalition coordination cell at the
  Coalition Operational Headquarters": a decision of its own, outside the system, so
  the cell, the headquarters, the decision and the three participations in the cell are
  active whatever happens. So are the provisions about a settlement and the peace
  agreement ("shall be an integral part of a peace agreement", "any settlement will
  have to be backed up by robust security guarantees"), the provision that the
  guarantees "will include the following components", and, in the final text only,
  "Both the Coalition partners and the United States will play a vital and closely
  coordinated role": none is said to wait for an event, and none is part of the system.
- What differs between the versions: the press release has "a proposed US-led ...
  mechanism" and "the proposed support of the US"; the final text instead has the US
  lead ("US-led", "This will be led by the US with international participation"), the
  US support of component 2, "supported by Coalition forces inside Ukraine and in the
  region", US participation "including US capabilities such as intelligence and
  logistics" and the US commitment in case of attack.

With every interpretation included, two answers change: the US commitment needs the
ceasefire and an armed attack by Russia (attack-covers-future-armed-attack), and the
heading of component 1, "Participation in a ... monitoring and verification mechanism",
read as the Coalition members' participation (heading-participation-component-1), adds
that participation, active with the ceasefire. The other readings add links that change
no activation (the elements of component 3 read as the force, which has no condition of
its own), so no answer names them.
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

from api.analysis.scenarios.model import ScenarioModel
from api.analysis.scenarios.naming import UnknownScenarioInput
from api.analysis.scenarios.rendering import result_graph
from api.analysis.scenarios.results import ScenarioResult
from api.build.pipeline import build
from api.cli.query import open_store
from api.core.errors import SgkgError
from api.core.layout import discover_layout
from api.core.namespaces import GRAPH, ID, SG
from api.reason.hermit import infer
from api.server.routes.scenarios import router, scenario_store
from api.store.embedded import EmbeddedStore
from api.store.interpretations import UnknownInterpretation

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

ATTACK_READING = str(ID["interpretation/attack-covers-future-armed-attack"])
HEADING_READING = str(ID["interpretation/heading-participation-component-1"])
US_COMMITMENT = "commitment/us-support-force-in-case-of-attack"
HEADING_PARTICIPATION = "participation/coalition-members-participate-in-monitoring"

Rule = Callable[[frozenset[str]], bool]


def always(stated: frozenset[str]) -> bool:
    return True


def never(stated: frozenset[str]) -> bool:
    return False


def needs(*events: str) -> Rule:
    return lambda stated: all(event in stated for event in events)


#: Every element the evaluator reports strictly: the versions it is in, when it is active.
EXPECTED: dict[str, tuple[frozenset[str], Rule]] = {
    # outside the system: active whatever happens
    "mechanism/coordination-cell": (BOTH, always),
    "mechanism/coalition-operational-headquarters": (BOTH, always),
    "commitment/establish-coordination-cell": (BOTH, always),
    "participation/us-in-coordination-cell": (BOTH, always),
    "participation/ukraine-in-coordination-cell": (BOTH, always),
    "participation/coalition-in-coordination-cell": (BOTH, always),
    "provision/sovereignty-part-of-peace-agreement": (BOTH, always),
    "provision/settlement-backed-by-guarantees": (BOTH, always),
    "provision/guarantees-include-components": (BOTH, always),
    "commitment/vital-coordinated-role": (ONLY_FINAL, always),
    # the system: everything needs the ceasefire
    "system/paris-declaration": (BOTH, needs(CEASEFIRE)),
    **{f"component/{n}": (BOTH, needs(CEASEFIRE)) for n in (1, 2, 3, 5)},
    # component 1
    "mechanism/ceasefire-monitoring-and-verification": (BOTH, needs(CEASEFIRE)),
    "mechanism/ceasefire-monitoring-system": (BOTH, needs(CEASEFIRE)),
    "mechanism/special-commission": (BOTH, needs(CEASEFIRE)),
    "provision/continuous-monitoring-system": (BOTH, needs(CEASEFIRE)),
    "provision/establish-special-commission": (BOTH, needs(CEASEFIRE)),
    "participation/coalition-members-contribute-to-monitoring": (BOTH, needs(CEASEFIRE)),
    "participation/coalition-represented-in-special-commission": (BOTH, needs(CEASEFIRE)),
    "participation/us-proposed-lead-of-monitoring": (ONLY_PRESS, needs(CEASEFIRE)),
    "participation/us-leads-monitoring": (ONLY_FINAL, needs(CEASEFIRE)),
    "participation/us-leads-monitoring-system": (ONLY_FINAL, needs(CEASEFIRE)),
    "participation/international-participation-in-monitoring": (ONLY_FINAL, needs(CEASEFIRE)),
    # component 2
    "mechanism/defence-depots": (BOTH, needs(CEASEFIRE)),
    "commitment/continue-military-assistance": (BOTH, needs(CEASEFIRE)),
    "provision/afu-first-line-of-defence": (BOTH, needs(CEASEFIRE)),
    "capacity/depots-rapid-additional-support": (BOTH, needs(CEASEFIRE, RUSSIA)),
    "participation/us-supports-military-assistance": (ONLY_FINAL, needs(CEASEFIRE)),
    # component 3
    "mechanism/multinational-force-for-ukraine": (BOTH, needs(CEASEFIRE)),
    "recommendation/implement-reassurance-measures": (
        BOTH,
        needs(CEASEFIRE, REQUEST, CESSATION),
    ),
    US_COMMITMENT: (ONLY_FINAL, never),
    "participation/willing-nations-contribute-to-force": (BOTH, needs(CEASEFIRE)),
    "participation/european-lead-of-component-3": (BOTH, needs(CEASEFIRE)),
    "participation/non-european-members-in-component-3": (BOTH, needs(CEASEFIRE)),
    "participation/us-proposed-support-of-component-3": (ONLY_PRESS, needs(CEASEFIRE)),
    "participation/us-participation-in-component-3": (ONLY_FINAL, needs(CEASEFIRE)),
    "participation/coalition-forces-support": (ONLY_FINAL, needs(CEASEFIRE)),
    # component 4
    "component/4": (BOTH, needs(CEASEFIRE, RUSSIA)),
    "commitment/finalise-binding-commitments": (BOTH, needs(CEASEFIRE, RUSSIA)),
    # component 5
    "commitment/deepen-defence-cooperation": (BOTH, needs(CEASEFIRE)),
}

#: With every interpretation included: what changes, and what each change rests on.
INTERPRETED: dict[str, tuple[frozenset[str], Rule]] = {
    **EXPECTED,
    US_COMMITMENT: (ONLY_FINAL, needs(CEASEFIRE, RUSSIA)),
    HEADING_PARTICIPATION: (BOTH, needs(CEASEFIRE)),
}
RESTS_ON: dict[str, list[str]] = {
    US_COMMITMENT: [ATTACK_READING],
    HEADING_PARTICIPATION: [HEADING_READING],
}

#: Kinds no event puts in effect: never among the results.
UNEVALUATED_PREFIXES = ("readiness/", "affirmation/", "report/", "possibility/")

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


def check_against(
    expected: dict[str, tuple[frozenset[str], Rule]],
    result: ScenarioResult,
    version: str,
    stated: frozenset[str],
) -> None:
    in_version = {name for name, (versions, _) in expected.items() if version in versions}
    expected_active = {name for name in in_version if expected[name][1](stated)}
    assert {path(o.iri) for o in result.active} == expected_active
    assert {path(o.iri) for o in result.inactive} == in_version - expected_active
    assert {path(a.iri) for a in result.not_in_version} == set(expected) - in_version
    assert [event.slug for event in result.events] == sorted(stated)
    assert result.version.slug == version


@pytest.mark.parametrize("version", [FINAL, PRESS])
@pytest.mark.parametrize("stated", COMBINATIONS, ids=lambda s: "+".join(sorted(s)) or "none")
def test_truth_table(model: ScenarioModel, version: str, stated: frozenset[str]) -> None:
    result = model.evaluate(sorted(stated), version)
    check_against(EXPECTED, result, version, stated)
    assert result.mode == "strict"
    assert result.interpretations_included == result.interpretations_used == []
    everything = [*result.active, *result.inactive, *result.not_in_version, *result.conditions]
    assert all(item.interpretations == [] for item in everything)


@pytest.mark.parametrize("version", [FINAL, PRESS])
@pytest.mark.parametrize("stated", COMBINATIONS, ids=lambda s: "+".join(sorted(s)) or "none")
def test_truth_table_with_every_interpretation(
    model: ScenarioModel, version: str, stated: frozenset[str]
) -> None:
    result = model.evaluate(sorted(stated), version, ["all"])
    check_against(INTERPRETED, result, version, stated)
    assert result.mode == "interpreted"
    assert result.interpretations_included == sorted(model.interpretations)
    for outcome in [*result.active, *result.inactive]:
        rests_on = RESTS_ON.get(path(outcome.iri), [])
        if path(outcome.iri) == US_COMMITMENT and not outcome.active:
            rests_on = []  # inactive for want of the ceasefire or the attack: no reading used
        assert outcome.interpretations == rests_on, outcome.iri
    used = {iri for outcome in result.active + result.inactive for iri in outcome.interpretations}
    attack_met = {c.slug: c for c in result.conditions}["attack"].met
    assert set(result.interpretations_used) == used | ({ATTACK_READING} if attack_met else set())


def test_unevaluated_kinds_are_left_out(model: ScenarioModel) -> None:
    result = model.evaluate(list(NAMED_EVENTS), FINAL, ["all"])
    reported = [path(o.iri) for o in [*result.active, *result.inactive, *result.not_in_version]]
    assert not [name for name in reported if name.startswith(UNEVALUATED_PREFIXES)]
    assert {o.kind for o in result.active} == {
        "system",
        "component",
        "mechanism",
        "commitment",
        "provision",
        "capacity",
        "recommendation",
        "participation",
    }


def test_every_element_has_its_evidence_in_the_version(model: ScenarioModel) -> None:
    for version in (FINAL, PRESS):
        result = model.evaluate([CEASEFIRE], version, ["all"])
        for outcome in [*result.active, *result.inactive]:
            assert outcome.evidence, outcome.iri
            for passage in outcome.evidence:
                assert passage.passage.startswith(str(ID[f"passage/{version}-"]))
                assert passage.quote and passage.end > passage.start


def test_deciding_conditions_and_explanations(model: ScenarioModel) -> None:
    result = model.evaluate([CEASEFIRE, RUSSIA], FINAL)
    by_path = {path(o.iri): o for o in [*result.active, *result.inactive]}
    attack = by_path[US_COMMITMENT]
    assert not attack.active
    assert [(path(d.condition), path(d.via)) for d in attack.decided_by] == [
        ("condition/attack", US_COMMITMENT)
    ]
    assert attack.explanation == "inactive: not met: attack"
    depots = by_path["capacity/depots-rapid-additional-support"]
    assert depots.active
    assert {(path(d.condition), path(d.via)) for d in depots.decided_by} == {
        ("condition/future-armed-attack", "capacity/depots-rapid-additional-support"),
        ("condition/ceasefire-in-force", "system/paris-declaration"),
    }
    assert "future-armed-attack [entailed by armed-attack-by-russia]" in depots.explanation
    reassurance = by_path["recommendation/implement-reassurance-measures"]
    assert not reassurance.active
    assert [path(d.condition) for d in reassurance.decided_by] == [
        "condition/ukraine-request-and-credible-cessation"
    ]
    assert "needs all of" in reassurance.explanation
    cell = by_path["mechanism/coordination-cell"]
    assert cell.active and cell.decided_by == []
    conditions = {c.slug: c for c in result.conditions}
    assert conditions["future-armed-attack"].entailed_by == [str(ID[f"condition/{RUSSIA}"])]
    assert not conditions["attack"].met and conditions["attack"].entailed_by == []
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
    assert US_COMMITMENT in active
    assert "capacity/depots-rapid-additional-support" not in active
    assert "commitment/finalise-binding-commitments" not in active
    general = {path(o.iri) for o in model.evaluate([CEASEFIRE, "future-armed-attack"]).active}
    assert "capacity/depots-rapid-additional-support" in general
    assert "commitment/finalise-binding-commitments" not in general
    assert US_COMMITMENT not in general


# --- activations that rest on an interpretation, and say so -------------------------------


def test_an_attack_by_russia_activates_the_us_commitment_only_by_interpretation(
    model: ScenarioModel,
) -> None:
    strict = model.evaluate([RUSSIA, CEASEFIRE], FINAL)
    assert US_COMMITMENT not in {path(o.iri) for o in strict.active}
    interpreted = model.evaluate([RUSSIA, CEASEFIRE], FINAL, ["attack-covers-future-armed-attack"])
    assert interpreted.mode == "interpreted"
    assert interpreted.interpretations_included == [ATTACK_READING]
    assert interpreted.interpretations_used == [ATTACK_READING]
    by_path = {path(o.iri): o for o in interpreted.active}
    commitment = by_path[US_COMMITMENT]
    assert commitment.interpretations == [ATTACK_READING]
    deciding = {path(d.condition): d for d in commitment.decided_by}
    assert deciding["condition/attack"].interpretations == [ATTACK_READING]
    assert deciding["condition/ceasefire-in-force"].interpretations == []
    assert (
        "attack [entailed by armed-attack-by-russia through interpretation(s) "
        "attack-covers-future-armed-attack]"
    ) in commitment.explanation
    attack = {c.slug: c for c in interpreted.conditions}["attack"]
    assert attack.met and attack.interpretations == [ATTACK_READING]
    assert attack.entailed_by == [str(ID[f"condition/{RUSSIA}"])]
    assert "through interpretation(s) attack-covers-future-armed-attack" in attack.explanation
    # everything the words alone activate rests on nothing
    others = [o for o in interpreted.active if path(o.iri) != US_COMMITMENT]
    assert others and all(o.interpretations == [] for o in others)
    assert {path(o.iri) for o in others} == {path(o.iri) for o in strict.active}


def test_the_words_win_over_an_interpretation_that_repeats_them(model: ScenarioModel) -> None:
    """A stated attack meets 'in case of attack' by the words: the reading is not used."""
    result = model.evaluate([CEASEFIRE, "attack", RUSSIA], FINAL, ["all"])
    commitment = next(o for o in result.active if path(o.iri) == US_COMMITMENT)
    assert commitment.interpretations == []
    attack = {c.slug: c for c in result.conditions}["attack"]
    assert attack.explanation == "stated" and attack.interpretations == []
    # linked to the force as well, by a reading: the force adds no condition, so no flag
    result = model.evaluate([CEASEFIRE], FINAL, ["these-elements-are-the-force"])
    assert result.mode == "interpreted" and result.interpretations_used == []


def test_an_element_that_exists_by_interpretation_says_so(model: ScenarioModel) -> None:
    strict = model.evaluate([CEASEFIRE], PRESS)
    names = {path(o.iri) for o in [*strict.active, *strict.inactive, *strict.not_in_version]}
    assert HEADING_PARTICIPATION not in names
    result = model.evaluate([CEASEFIRE], PRESS, ["heading-participation-component-1"])
    participation = next(o for o in result.active if path(o.iri) == HEADING_PARTICIPATION)
    assert participation.interpretations == [HEADING_READING]
    assert [p.passage for p in participation.evidence] == [
        str(ID["passage/paris-press-release-c1-heading"])
    ]
    assert result.interpretations_used == [HEADING_READING]


def test_interpretations_by_name_iri_list_and_unknown(model: ScenarioModel) -> None:
    by_slug = model.evaluate([CEASEFIRE], FINAL, ["attack-covers-future-armed-attack"])
    by_iri = model.evaluate([CEASEFIRE], FINAL, [ATTACK_READING])
    assert by_slug == by_iri
    listed = model.evaluate(
        [CEASEFIRE], FINAL, ["attack-covers-future-armed-attack,heading-participation-component-1"]
    )
    assert listed.interpretations_included == [ATTACK_READING, HEADING_READING]
    assert model.evaluate([CEASEFIRE], FINAL, ["none"]).mode == "strict"
    with pytest.raises(UnknownInterpretation, match=r"unknown interpretation\(s\): 'a-guess'"):
        model.evaluate([CEASEFIRE], FINAL, ["a-guess"])
    open_questions = {"who-provides-monitoring-system", "who-implements-reassurance-measures"}
    assert not open_questions & {ref.slug for ref in model.catalogue().interpretations}


def test_scenario_iris_name_the_interpretations(model: ScenarioModel) -> None:
    strict = model.evaluate([RUSSIA, CEASEFIRE], FINAL)
    assert strict.scenario == str(
        ID["scenario/paris-final/armed-attack-by-russia+ceasefire-in-force"]
    )
    every = model.evaluate([RUSSIA, CEASEFIRE], FINAL, ["all"])
    assert every.scenario == strict.scenario + "/interpretations/all"
    some = model.evaluate(
        [], FINAL, ["heading-participation-component-1", "attack-covers-future-armed-attack"]
    )
    assert some.scenario == str(
        ID[
            "scenario/paris-final/no-events/interpretations/"
            "attack-covers-future-armed-attack+heading-participation-component-1"
        ]
    )


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


def invented_quads(extra: str = "") -> ox.Store:
    """The project's ontology and the invented agreement (plus ``extra``), as quads."""
    raw = ox.Store()
    ontology = REPO / "ontology" / "sgkg.ttl"
    raw.load(path=str(ontology), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(GRAPH.ontology))
    data = OTHER_AGREEMENT + extra
    raw.load(data, format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(GRAPH.data))
    return raw


def invented_store(extra: str = "") -> EmbeddedStore:
    """The project's ontology and the invented agreement (plus ``extra``) in a store."""
    return EmbeddedStore(invented_quads(extra))


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


READING = "https://w3id.org/sgkg/id/interpretation/loner-in-the-mechanism"
#: An interpretation of the invented agreement: a participation the words leave on its own
#: is read as one in the mechanism, which brings the mechanism's conditions upon it.
INVENTED_READING = f"""
<{GRAPH.interpretations}> {{
    <{READING}> a <{SG.Interpretation}> ;
        <http://www.w3.org/2000/01/rdf-schema#label> "the loner is in the mechanism"@en .
}}
<{READING}> {{
    <{ID["participation/loner"]}> <{SG.participationIn}> <{ID["mechanism/m"]}> .
}}
"""


def test_an_interpreted_link_can_make_an_element_inactive_and_says_so(tmp_path: Path) -> None:
    """Conditions an interpretation brings upon an element are named with it, and so
    is the interpretation, when they are what keeps it inactive."""
    raw = invented_quads(
        'ex:participation\\/loner a sg:Participation ; rdfs:label "a party alone"@en ;\n'
        "    sg:hasEvidence ex:passage\\/p1 .\n"
    )
    readings = ox.Store()
    readings.load(INVENTED_READING, format=ox.RdfFormat.TRIG)
    descriptions = ox.NamedNode(str(GRAPH.interpretations))
    raw.extend(quad for quad in readings if quad.graph_name == descriptions)
    readings.remove_graph(descriptions)
    words, reading = tmp_path / "words.nq", tmp_path / "readings.nq"
    words.write_bytes(raw.dump(format=ox.RdfFormat.N_QUADS))
    reading.write_bytes(readings.dump(format=ox.RdfFormat.N_QUADS))
    model = ScenarioModel.from_store(EmbeddedStore.from_nquads(words, reading))
    assert [ref.label for ref in model.catalogue().interpretations] == [
        "the loner is in the mechanism"
    ]
    strict = model.evaluate(["truce"], "v1")
    assert "participation/loner" in {path(o.iri) for o in strict.active}
    interpreted = model.evaluate(["truce"], "v1", ["all"])
    loner = next(o for o in interpreted.inactive if path(o.iri) == "participation/loner")
    assert [(path(d.condition), path(d.via), d.interpretations) for d in loner.decided_by] == [
        ("condition/invitation", "mechanism/m", [READING])
    ]
    assert loner.interpretations == [READING]
    assert interpreted.interpretations_used == [READING]
    assert interpreted.scenario.endswith("/scenario/v1/truce/interpretations/all")


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


def test_cli_unknown_interpretation_exits_2(sgkg, built: Path) -> None:
    run = sgkg("--build-dir", built, "scenario", "--event", CEASEFIRE, "--interpretations", "x")
    assert run.code == 2 and run.out == ""
    assert "unknown interpretation(s): 'x'" in run.err
    assert "attack-covers-future-armed-attack" in run.err


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


def test_cli_interpreted_answer_says_what_it_rests_on(
    sgkg, built: Path, model: ScenarioModel
) -> None:
    args = ("--build-dir", built, "scenario", "--event", CEASEFIRE, "--event", RUSSIA)
    args += ("--interpretations", "attack-covers-future-armed-attack")
    as_json = sgkg(*args, "--format", "json")
    assert as_json.code == 0, as_json.err
    result = ScenarioResult.model_validate_json(as_json.out)
    assert result == model.evaluate([CEASEFIRE, RUSSIA], FINAL, [ATTACK_READING])

    graph = Graph().parse(data=sgkg(*args, "--format", "turtle").out, format="turtle")
    labels = model.interpretation_labels()
    assert isomorphic(graph, result_graph(result, labels))
    scenario, reading = URIRef(result.scenario), URIRef(ATTACK_READING)
    assert (scenario, SG.includesInterpretation, reading) in graph
    assert (scenario, SG.restsOnInterpretation, reading) in graph
    assert (reading, RDF.type, SG.Interpretation) in graph
    node = graph.value(predicate=SG.evaluatedEntity, object=URIRef(ID[US_COMMITMENT]))
    assert list(graph.objects(node, SG.restsOnInterpretation)) == [reading]
    others = graph.subjects(SG.restsOnInterpretation, reading)
    assert set(others) == {scenario, node}

    text = sgkg(*args).out
    assert "answer:   interpreted: 1 interpretation(s) included; the answer rests on: " in text
    commitment = text[text.index(f"sgid:{US_COMMITMENT}") :].splitlines()[:3]
    assert "rests on interpretation(s): attack-covers-future-armed-attack" in commitment[2]
    assert "answer:   strict: from the words alone" in sgkg(*args[:-2]).out


def test_results_graph_is_consistent_with_the_ontology(model: ScenarioModel) -> None:
    """HermiT accepts the results graph with the ontology: the new terms fit together."""
    result = model.evaluate([CEASEFIRE, RUSSIA], FINAL, ["all"])
    graph = result_graph(result, model.interpretation_labels())
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


def test_http_post_with_interpretations(server: str, model: ScenarioModel) -> None:
    for interpretations in ("attack-covers-future-armed-attack", [ATTACK_READING]):
        body = {"events": [CEASEFIRE, RUSSIA], "interpretations": interpretations}
        response = httpx.post(f"{server}/scenarios", json=body)
        assert response.status_code == 200, response.text
        answer = response.json()
        assert answer["mode"] == "interpreted"
        assert answer["interpretations_used"] == [ATTACK_READING]
        commitment = next(e for e in answer["active"] if path(e["iri"]) == US_COMMITMENT)
        assert commitment["interpretations"] == [ATTACK_READING]
        assert ScenarioResult.model_validate(answer) == model.evaluate(
            [CEASEFIRE, RUSSIA], FINAL, [ATTACK_READING]
        )
    every = httpx.post(f"{server}/scenarios", json={"events": [], "interpretations": "all"})
    assert every.json()["interpretations_included"] == sorted(model.interpretations)
    strict = httpx.post(f"{server}/scenarios", json={"events": [CEASEFIRE, RUSSIA]}).json()
    assert strict["mode"] == "strict" and strict["interpretations_used"] == []
    unknown = httpx.post(f"{server}/scenarios", json={"events": [], "interpretations": ["x"]})
    assert unknown.status_code == 422
    assert "unknown interpretation(s): 'x'" in unknown.text


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
    readings = {reading["slug"]: reading for reading in catalogue["interpretations"]}
    assert readings["attack-covers-future-armed-attack"]["iri"] == ATTACK_READING
    assert readings["attack-covers-future-armed-attack"]["label"].startswith("'In case of attack'")


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
    assert {"mode", "interpretations_included", "interpretations_used"} <= set(result_fields)
    outcome_fields = spec["components"]["schemas"]["ElementOutcome"]["properties"]
    assert "interpretations" in outcome_fields
    request_fields = spec["components"]["schemas"]["ScenarioRequest"]["properties"]
    assert {"events", "version", "interpretations"} <= set(request_fields)
    assert json.dumps(spec)  # serialisable as served
