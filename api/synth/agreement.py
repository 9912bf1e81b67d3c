"""One synthetic agreement, written in the order its text reads: the preamble, the
guarantee system, its components, then the codings and the text layer."""

from dataclasses import dataclass
from datetime import timedelta

from api.synth.components import COMPONENTS
from api.synth.draft import Draft
from api.synth.text_layer import write_text_layer
from api.synth.turtle import en, lit, xsd_date
from api.synth.vocabulary import (
    CODERS,
    COMPONENT_COUNT_WEIGHTS,
    COMPONENT_KINDS,
    MAX_COMPONENTS,
    READINESS_LEVELS,
)

#: The seed of ``sgkg synth`` when none is given.
DEFAULT_SEED = 6


@dataclass
class AgreementFiles:
    """The generated files of one agreement, as text, with their triple counts."""

    number: int
    text_layer: str
    semantics: str
    coding: str
    sources: dict[str, str]
    triples: int


def generate_agreement(number: int, seed: int = DEFAULT_SEED) -> AgreementFiles:
    """The files of synthetic agreement ``number`` (1-based) for ``seed``."""
    draft = Draft(number, seed)
    _preamble(draft)
    rng = draft.rng
    count = rng.choices(range(1, MAX_COMPONENTS + 1), weights=COMPONENT_COUNT_WEIGHTS)[0]
    components = rng.sample(COMPONENT_KINDS, count)
    _system(draft, components)
    for position, kind in enumerate(components, start=1):
        COMPONENTS[kind](draft, position)
    _codings(draft)
    sources = write_text_layer(draft)
    triples = draft.text_layer.triples + draft.semantics.triples + draft.coding.triples
    return AgreementFiles(
        number=number,
        text_layer=draft.text_layer.text(),
        semantics=draft.semantics.text(),
        coding=draft.coding.text(),
        sources=sources,
        triples=triples,
    )


def _preamble(draft: Draft) -> None:
    """Who met where and when, the meeting and its instant; sometimes a reaffirmation
    (of the final text only, when there are two)."""
    day = f"{draft.when.day} {draft.when:%B %Y}"
    names = draft.names([*draft.partners, ("ukraine", "Ukraine")])
    draft.paragraph("p1", draft.everywhere(f"{names} met in {draft.city} on {day}."))
    reaffirm = "final" if len(draft.versions) == 2 else None
    if draft.rng.random() < 0.4:
        texts = draft.everywhere(
            "We reaffirmed our support for the sovereignty and lasting security of Ukraine."
        )
        if reaffirm:  # a statement of the final text only
            texts = {"final": texts["final"]}
        draft.paragraph("p2", texts)
        draft.semantics.add(
            draft.iri("affirmation", "sovereignty-support"),
            ("a", "sg:Affirmation"),
            ("rdfs:label", en(f"Support for Ukraine's sovereignty ({draft.title})")),
            ("sg:statedBy", draft.group),
            ("sg:wording", "wording:confirmed"),
            ("sg:subjectResolution", "resolution:we-declaration-voice"),
            ("sg:concerns", "party:ukraine"),
            ("sg:hasAim", "aim:sovereignty-and-lasting-security"),
            ("sg:hasEvidence", draft.passages("p2")),
        )
    draft.semantics.add(draft.iri("agreement", "agreement"), ("sg:declarationVoice", draft.group))
    draft.semantics.add(
        draft.group,
        ("a", "sg:PartyGroup"),
        ("rdfs:label", en(f"Participants of the {draft.title}")),
        ("org:hasMember", [*map(draft.party, draft.partners), "party:ukraine"]),
    )
    meeting = draft.meeting
    instant = draft.iri("instant", draft.when.isoformat())
    draft.semantics.add(
        meeting,
        ("a", "sg:Meeting"),
        ("rdfs:label", en(f"Meeting in {draft.city}, {day} ({draft.tag})")),
        ("prov:wasAssociatedWith", [*map(draft.party, draft.partners), "party:ukraine"]),
        ("prov:atLocation", f"place:{draft.city_slug}"),
        ("time:hasTime", instant),
        ("sg:hasEvidence", draft.passages("p1")),
    )
    draft.semantics.add(
        instant,
        ("a", "time:Instant"),
        ("dcterms:date", xsd_date(draft.when)),
    )


def _system(draft: Draft, components: list[str]) -> None:
    """The guarantee system, its ceasefire condition, the readiness to commit to it and
    the list of its components."""
    count = len(components)
    draft.paragraph(
        "system",
        draft.everywhere(
            "We stand ready to commit to a system of politically binding security "
            "guarantees for Ukraine, to take effect once a ceasefire enters into force. "
            f"It will include the following {count} component{'s' if count > 1 else ''}:"
        ),
    )
    system = draft.system
    ceasefire = draft.iri("condition", "ceasefire-in-force")
    draft.semantics.add(
        system,
        ("a", "sg:GuaranteeSystem"),
        ("rdfs:label", en(f"System of security guarantees for Ukraine ({draft.title})")),
        ("sg:bindingness", "binding:politically-binding"),
        ("sg:activatedBy", ceasefire),
        ("sg:hasEvidence", draft.passages("system")),
    )
    draft.semantics.add(
        ceasefire,
        ("a", "sg:EventCondition"),
        ("rdfs:label", en(f"A ceasefire has entered into force ({draft.tag})")),
        ("sg:hasEvidence", draft.passages("system")),
    )
    readiness = draft.iri("readiness", "stand-ready-to-commit")
    enumeration = draft.iri("enumeration", "components")
    draft.commitments.append(readiness)
    draft.semantics.add(
        readiness,
        ("a", "sg:Readiness"),
        ("rdfs:label", en(f"Readiness to commit to the system ({draft.title})")),
        ("sg:readyParty", draft.group),
        ("sg:beneficiary", "party:ukraine"),
        ("sg:wording", "wording:stand-ready-to-commit"),
        ("sg:subjectResolution", "resolution:we-declaration-voice"),
        ("sg:concerns", system),
        ("sg:hasEnumeration", enumeration),
        ("sg:hasEvidence", draft.passages("system")),
    )
    draft.semantics.add(
        enumeration,
        ("a", "sg:Enumeration"),
        ("rdfs:label", en(f"The components of the system ({draft.title})")),
        ("sg:listItem", [draft.iri("component", str(i)) for i in range(1, count + 1)]),
        ("sg:listClosure", "closure:unqualified"),
        ("sg:listMarker", lit("It will include the following")),
        ("sg:hasEvidence", draft.passages("system")),
    )


def _codings(draft: Draft) -> None:
    """Code the readiness to commit to the system, the first statement, on the three
    legalization dimensions at levels the rubric admits for it (most agreements)."""
    if draft.rng.random() >= 0.6:
        return
    coder = f"agent:{draft.rng.choice(CODERS)}"
    created = xsd_date(draft.when + timedelta(days=30))
    for commitment in draft.commitments[:1]:
        name = commitment.split(":", 1)[1].removeprefix(f"{draft.tag}-")
        for dimension, levels in READINESS_LEVELS.items():
            level = draft.rng.choice(levels)
            draft.coding.add(
                draft.iri("coding", f"{name}-{dimension}"),
                ("a", "sg:Coding"),
                ("rdfs:label", en(f"{dimension.capitalize()} of '{name}' ({draft.tag})")),
                ("sg:codedStatement", commitment),
                ("sg:codingDimension", f"dimension:{dimension}"),
                ("sg:codingLevel", f"level:{level}"),
                ("sg:rationale", lit(f"Synthetic coding: {dimension} judged {level}.")),
                ("prov:wasAttributedTo", coder),
                ("dcterms:created", created),
            )
