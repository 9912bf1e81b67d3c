"""The answer to a scenario: pydantic models, so the HTTP layer documents them in
OpenAPI, and the kinds of element and condition they name."""

from typing import Literal as TypingLiteral

from pydantic import BaseModel, Field
from rdflib import URIRef

from api.core.namespaces import SG
from api.store.interpretations import STRICT

#: Element kinds the evaluator evaluates, in the order results list them, with the
#: class that defines each.
ELEMENT_KINDS: dict[str, URIRef] = {
    "system": SG.GuaranteeSystem,
    "component": SG.Component,
    "mechanism": SG.Mechanism,
    "commitment": SG.Commitment,
    "provision": SG.Provision,
    "capacity": SG.Capacity,
    "recommendation": SG.Recommendation,
    "participation": SG.Participation,
}

#: Condition kinds and their classes; a condition of none of these is "other".
CONDITION_KINDS: dict[str, URIRef] = {
    "event": SG.EventCondition,
    "all-of": SG.AllOfCondition,
    "any-of": SG.AnyOfCondition,
}

ConditionKind = TypingLiteral["event", "all-of", "any-of", "other"]
ElementKind = TypingLiteral[
    "system",
    "component",
    "mechanism",
    "commitment",
    "provision",
    "capacity",
    "recommendation",
    "participation",
]
AnswerMode = TypingLiteral["strict", "interpreted"]


def kind_rank(kind: str) -> int:
    """Where an element kind comes in :data:`ELEMENT_KINDS` (unknown kinds last)."""
    kinds = list(ELEMENT_KINDS)
    return kinds.index(kind) if kind in kinds else len(kinds)


_RESTS_ON = (
    "IRIs of the interpretations this outcome rests on: those whose triples it needs, "
    "where the words alone give no way. Empty in a strict answer."
)


class Reference(BaseModel):
    """An individual of the graph: its IRI, the short name used in requests, its label."""

    iri: str
    slug: str = Field(description="Last path segment of the IRI, as a scenario names it.")
    label: str | None = None


class EvidencePassage(BaseModel):
    """A passage of the chosen version that states an element or condition."""

    passage: str = Field(description="IRI of the passage (sg:Passage).")
    quote: str | None = None
    start: int | None = Field(None, description="Start offset, code points from 0.")
    end: int | None = Field(None, description="End offset (exclusive).")


class ConditionOutcome(BaseModel):
    """Whether one condition of the graph is met under the scenario, and why."""

    iri: str
    slug: str
    kind: ConditionKind
    label: str | None = None
    met: bool
    explanation: str
    operands: list[str] = Field(default_factory=list, description="IRIs (compound only).")
    entailed_by: list[str] = Field(
        default_factory=list, description="Stated events that entail it (events only)."
    )
    interpretations: list[str] = Field(default_factory=list, description=_RESTS_ON)
    evidence: list[EvidencePassage] = Field(default_factory=list)


class DecidingCondition(BaseModel):
    """A condition an element depends on: its own, or one of an element above it."""

    condition: str = Field(description="IRI of the condition.")
    label: str | None = None
    met: bool
    via: str = Field(description="IRI of the element whose sg:activatedBy it is.")
    interpretations: list[str] = Field(
        default_factory=list,
        description="IRIs of the interpretations that make it apply (the way to `via`, its "
        "sg:activatedBy) or, if met, that meet it. Empty in a strict answer.",
    )


class ElementOutcome(BaseModel):
    """One guarantee element or statement: active or not, and what decided it."""

    iri: str
    kind: ElementKind
    label: str | None = None
    active: bool
    decided_by: list[DecidingCondition] = Field(
        default_factory=list,
        description="Every condition it depends on if active; the unmet ones if not.",
    )
    explanation: str
    interpretations: list[str] = Field(default_factory=list, description=_RESTS_ON)
    evidence: list[EvidencePassage] = Field(default_factory=list)


class AbsentElement(BaseModel):
    """An element with no evidence in the chosen version."""

    iri: str
    kind: ElementKind
    label: str | None = None
    versions: list[str] = Field(description="Slugs of the versions that do have it.")
    interpretations: list[str] = Field(
        default_factory=list,
        description="IRIs of the interpretations the element exists by (empty: the words).",
    )


class ScenarioResult(BaseModel):
    """The answer to a scenario: active and inactive elements, and every condition."""

    scenario: str = Field(description="IRI naming this scenario in the results graph.")
    version: Reference
    events: list[Reference] = Field(description="The stated events.")
    mode: AnswerMode = Field(
        STRICT,
        description="strict: from the words alone (the default); interpreted: "
        "interpretations were included.",
    )
    interpretations_included: list[str] = Field(
        default_factory=list, description="IRIs of the interpretations the request included."
    )
    interpretations_used: list[str] = Field(
        default_factory=list,
        description="IRIs of the included interpretations the answer rests on: those some "
        "condition or element names.",
    )
    active: list[ElementOutcome]
    inactive: list[ElementOutcome]
    not_in_version: list[AbsentElement]
    conditions: list[ConditionOutcome]


class EventCatalogue(BaseModel):
    """What a scenario may state, the versions and the interpretations it may use."""

    events: list[Reference]
    versions: list[Reference]
    default_version: str | None
    interpretations: list[Reference] = Field(
        default_factory=list,
        description="Interpretations a scenario may include, by slug or IRI, or 'all'.",
    )
