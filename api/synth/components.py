"""The kinds of component an agreement may have, each with its own sentence and the
entities, conditions and statements that sentence states."""

from collections.abc import Callable

from api.synth.draft import Draft
from api.synth.turtle import en


def monitoring(draft: Draft, number: int) -> None:
    """A ceasefire monitoring mission led by the first partner, the second taking part; a
    draft may only propose the lead."""
    lead, second = draft.lead[1], draft.second[1]
    final = (
        f"There will be a ceasefire monitoring mission led by {lead}, "
        f"with the participation of {second}."
    )
    texts = draft.everywhere(final)
    varies = draft.varies()
    if varies:
        texts["draft"] = (
            f"There will be a ceasefire monitoring mission, proposed to be led by {lead}, "
            f"with the participation of {second}."
        )
    component, key = draft.component(number, "Ceasefire monitoring", texts)
    mission = draft.iri("mechanism", "monitoring-mission")
    draft.semantics.add(
        mission,
        ("a", "sg:MonitoringMechanism"),
        ("rdfs:label", en(f"Ceasefire monitoring mission ({draft.title})")),
        ("sg:partOf", component),
        (
            "sg:hasFunction",
            ["function:ceasefire-monitoring", "function:ceasefire-verification"],
        ),
        ("sg:hasEvidence", draft.passages(key)),
    )
    leads = draft.iri("participation", "lead-of-monitoring")
    proposed = draft.iri("participation", "proposed-lead-of-monitoring")
    draft.participation(
        leads, draft.lead, "leads", mission, "will", key, ["final"] if varies else None
    )
    if varies:
        draft.participation(
            proposed, draft.lead, "leads", mission, "proposed", key, ["draft"], variant=leads
        )
    draft.participation(
        draft.iri("participation", "monitoring-participant"),
        draft.second,
        "participates",
        mission,
        "will",
        key,
    )


def military_support(draft: Draft, number: int) -> None:
    """Military assistance from the first two partners, with an open list of measures; a
    draft may name the first partner alone."""
    givers = [draft.lead, draft.second]
    final = (
        f"{draft.names(givers)} will provide military assistance to Ukraine, "
        "including training and long-term defence packages."
    )
    texts = draft.everywhere(final)
    varies = draft.varies()
    if varies:
        texts["draft"] = (
            f"{draft.lead[1]} will provide military assistance to Ukraine, "
            "including training and long-term defence packages."
        )
    component, key = draft.component(number, "Military assistance", texts)
    measures = ["measure:training", "measure:long-term-defence-packages"]
    both = draft.iri("commitment", "military-assistance")
    one = draft.iri("commitment", "military-assistance-draft")
    draft.commitment(
        both,
        f"{draft.names(givers)} will provide military assistance",
        [draft.party(p) for p in givers],
        "will",
        component,
        key,
        ["final"] if varies else None,
        measures=measures,
        marker="including",
        closure="open",
    )
    if varies:
        draft.commitment(
            one,
            f"{draft.lead[1]} will provide military assistance",
            [draft.party(draft.lead)],
            "will",
            component,
            key,
            ["draft"],
            measures=measures,
            marker="including",
            closure="open",
            variant=both,
        )


def commission(draft: Draft, number: int) -> None:
    """A special commission for breaches of the ceasefire, and the provision that
    establishes it."""
    component, key = draft.component(
        number,
        "Special commission",
        draft.everywhere(
            "A special commission will be established to address breaches of the "
            "ceasefire and determine remedies."
        ),
    )
    commission = draft.iri("mechanism", "special-commission")
    draft.semantics.add(
        commission,
        ("a", "sg:Commission"),
        ("rdfs:label", en(f"Special commission ({draft.title})")),
        ("sg:partOf", component),
        ("sg:hasFunction", ["function:address-breaches", "function:determine-remedies"]),
        ("sg:hasEvidence", draft.passages(key)),
    )
    draft.commitment(
        draft.iri("provision", "establish-commission"),
        "A special commission will be established",
        [],
        "will",
        component,
        key,
        extra=[("sg:concerns", commission)],
        kind="sg:Provision",
        resolution="no-subject",
    )


def attack_response(draft: Draft, number: int) -> None:
    """Binding support in case of an armed attack by Russia (a condition that entails any
    armed attack), and what that support may include."""
    component, key = draft.component(
        number,
        "Commitments in case of a future armed attack",
        draft.everywhere(
            "In the case of a future armed attack by Russia, we agreed to provide "
            "binding support, which may include diplomatic initiatives and additional "
            "sanctions."
        ),
    )
    by_russia = draft.iri("condition", "armed-attack-by-russia")
    any_attack = draft.iri("condition", "armed-attack")
    draft.semantics.add(
        by_russia,
        ("a", "sg:EventCondition"),
        ("rdfs:label", en(f"A future armed attack by Russia ({draft.tag})")),
        ("sg:conditionActor", "party:russia"),
        ("sg:entailsCondition", any_attack),
        ("sg:hasEvidence", draft.passages(key)),
    )
    draft.semantics.add(
        any_attack,
        ("a", "sg:EventCondition"),
        ("rdfs:label", en(f"A future armed attack ({draft.tag})")),
        ("sg:hasEvidence", draft.passages(key)),
    )
    support = draft.iri("commitment", "support-in-case-of-attack")
    draft.commitment(
        support,
        "Binding support in the case of a future armed attack by Russia",
        [draft.group],
        "agreed-to",
        component,
        key,
        activated_by=by_russia,
        extra=[("sg:bindingness", "binding:binding")],
        resolution="we-declaration-voice",
    )
    draft.commitment(
        draft.iri("possibility", "support-options"),
        "The support may include diplomatic initiatives and additional sanctions",
        [],
        "may-include",
        component,
        key,
        measures=["measure:diplomatic-initiatives", "measure:additional-sanctions"],
        marker="may include",
        closure="possible",
        extra=[("sg:concerns", support)],
        kind="sg:Possibility",
        resolution="no-subject",
    )


def reassurance(draft: Draft, number: int) -> None:
    """Reassurance measures recommended once Ukraine asks and hostilities have credibly
    ceased (an all-of condition)."""
    component, key = draft.component(
        number,
        "Reassurance measures",
        draft.everywhere(
            "Reassurance measures in the air, at sea and on land should be implemented "
            "at Ukraine\u2019s request once a credible cessation of hostilities has "
            "taken place."
        ),
    )
    request = draft.iri("condition", "ukraine-request")
    cessation = draft.iri("condition", "credible-cessation")
    both = draft.iri("condition", "request-and-cessation")
    draft.semantics.add(
        request,
        ("a", "sg:EventCondition"),
        ("rdfs:label", en(f"Ukraine has requested the reassurance measures ({draft.tag})")),
        ("sg:conditionActor", "party:ukraine"),
        ("sg:hasEvidence", draft.passages(key)),
    )
    draft.semantics.add(
        cessation,
        ("a", "sg:EventCondition"),
        ("rdfs:label", en(f"A credible cessation of hostilities ({draft.tag})")),
        ("sg:hasEvidence", draft.passages(key)),
    )
    draft.semantics.add(
        both,
        ("a", "sg:AllOfCondition"),
        ("rdfs:label", en(f"Ukraine's request and a credible cessation ({draft.tag})")),
        ("sg:operand", [request, cessation]),
        ("sg:hasEvidence", draft.passages(key)),
    )
    draft.commitment(
        draft.iri("recommendation", "reassurance-measures"),
        "Reassurance measures should be implemented at Ukraine's request",
        [],
        "should",
        component,
        key,
        measures=["measure:reassurance-measures"],
        activated_by=both,
        extra=[("sg:inDomain", ["domain:air", "domain:sea", "domain:land"])],
        kind="sg:Recommendation",
        resolution="no-subject",
    )


def defence_cooperation(draft: Draft, number: int) -> None:
    """Deeper defence cooperation agreed by a "we" the sentence leaves unresolved, with an
    open list of measures."""
    component, key = draft.component(
        number,
        "Defence cooperation",
        draft.everywhere(
            "We agreed to deepen defence cooperation with Ukraine, inter alia in "
            "training and intelligence cooperation."
        ),
    )
    draft.commitment(
        draft.iri("commitment", "defence-cooperation"),
        "'We' agreed to deepen defence cooperation with Ukraine",
        [],
        "agreed-to",
        component,
        key,
        measures=["measure:training", "measure:intelligence-cooperation"],
        marker="inter alia",
        closure="open",
        extra=[("sg:setsApart", "party:ukraine")],
        resolution="we-unresolved",
    )


#: Each kind of component (:data:`api.synth.vocabulary.COMPONENT_KINDS`) and what
#: writes it.
COMPONENTS: dict[str, Callable[[Draft, int], None]] = {
    "monitoring": monitoring,
    "military-support": military_support,
    "commission": commission,
    "attack-response": attack_response,
    "reassurance": reassurance,
    "defence-cooperation": defence_cooperation,
}
