"""Synthetic agreements in the project's own ontology, for scale tests and benchmarks.

``sgkg synth --agreements N --seed S --out DIR`` writes a complete project tree that
``sgkg --root DIR build`` accepts: the ontology and shapes copied from the project, one
source text per text version, and for every agreement one Turtle file per layer::

    DIR/ontology/, DIR/shapes/                  copied byte for byte
    DIR/data/sources/synth-00001-final.txt      the generated text of each version
    DIR/data/text/synth/00001.ttl               work, versions, passages (graph sources)
    DIR/data/semantics/synth/00001.ttl          system, components, statements, conditions
    DIR/data/coding/synth/00001.ttl             analyst codings
    DIR/data/semantics/synth-parties.ttl        the real states (with Wikidata links),
                                                places and coders every agreement shares

Each agreement is built the way the Paris Declaration is encoded: a work with one or two
text versions; a guarantee system with components numbered from 1; mechanisms,
commitments, participations and affirmations with their wording class; event and
compound conditions (``sg:entailsCondition``, ``sg:operand``); enumerations; codings.
When there are two versions, some statements are worded differently in each: each
wording is its own statement with evidence in its version only, linked by
``sg:variantOf``, so the "what changed" queries have answers at every size. Every
passage's quote is the source text between its offsets (code points, end exclusive).

Nothing is random at run time: agreement ``n`` comes from its own generator seeded with
``(seed, n)``, so the same seed writes the same bytes, and a 1k corpus is the first 1k
agreements of the 10k corpus with the same seed. The generator writes Turtle text
directly (no rdflib), which keeps 10k agreements to seconds.

IRIs follow the project's rule ``https://w3id.org/sgkg/id/{kind}/{slug}`` with slugs
``synth-{n:05d}-{name}``; the shared real states keep the project's slugs
(``id/party/ukraine``), so a synthetic tree can hold the real data beside it
(``--with-project-data``).
"""

import hashlib
import os
import random
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from api.core.errors import SgkgError
from api.core.layout import DATA_DIR, ONTOLOGY_DIR, SHAPES_DIR, SOURCE_TEXTS_DIR
from api.core.namespaces import ID

DEFAULT_SEED = 6

#: The prefixes every generated Turtle file declares (all of them, so files stay uniform).
PREFIXES: dict[str, str] = {
    "sg": "https://w3id.org/sgkg/ontology#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "time": "http://www.w3.org/2006/time#",
    "oa": "http://www.w3.org/ns/oa#",
    "wd": "http://www.wikidata.org/entity/",
    **{
        kind: f"{ID}{kind}/"
        for kind in (
            "agreement",
            "version",
            "passage",
            "party",
            "place",
            "meeting",
            "instant",
            "system",
            "component",
            "mechanism",
            "commitment",
            "readiness",
            "recommendation",
            "possibility",
            "provision",
            "participation",
            "affirmation",
            "enumeration",
            "condition",
            "coding",
            "agent",
            "wording",
            "role",
            "measure",
            "function",
            "aim",
            "closure",
            "domain",
        )
    },
    "binding": f"{ID}bindingness/",
    "resolution": f"{ID}subject-resolution/",
    "dimension": f"{ID}coding-dimension/",
    "level": f"{ID}coding-level/",
}

#: Real states and organisations: (slug, label, Wikidata entity, class). The slugs are
#: those of ``data/semantics/parties.ttl`` where the project already has the party.
STATES: tuple[tuple[str, str, str, str], ...] = (
    ("ukraine", "Ukraine", "Q212", "State"),
    ("united-states", "United States", "Q30", "State"),
    ("russia", "Russia", "Q159", "State"),
    ("france", "France", "Q142", "State"),
    ("united-kingdom", "United Kingdom", "Q145", "State"),
    ("germany", "Germany", "Q183", "State"),
    ("poland", "Poland", "Q36", "State"),
    ("italy", "Italy", "Q38", "State"),
    ("canada", "Canada", "Q16", "State"),
    ("japan", "Japan", "Q17", "State"),
    ("netherlands", "Netherlands", "Q55", "State"),
    ("norway", "Norway", "Q20", "State"),
    ("sweden", "Sweden", "Q34", "State"),
    ("finland", "Finland", "Q33", "State"),
    ("denmark", "Denmark", "Q35", "State"),
    ("spain", "Spain", "Q29", "State"),
    ("estonia", "Estonia", "Q191", "State"),
    ("latvia", "Latvia", "Q211", "State"),
    ("lithuania", "Lithuania", "Q37", "State"),
    ("belgium", "Belgium", "Q31", "State"),
    ("portugal", "Portugal", "Q45", "State"),
    ("australia", "Australia", "Q408", "State"),
    ("european-union", "European Union", "Q458", "InternationalOrganisation"),
    ("nato", "NATO", "Q7184", "InternationalOrganisation"),
)
#: The partners an agreement may name (neither the beneficiary nor the adversary).
PARTNERS = tuple((slug, label) for slug, label, _, _ in STATES if slug not in ("ukraine", "russia"))

#: Venues: (slug, name). Two names are not ASCII, so offsets (code points) and bytes differ.
CITIES: tuple[tuple[str, str], ...] = (
    ("vilnius", "Vilnius"),
    ("tallinn", "Tallinn"),
    ("riga", "Riga"),
    ("warsaw", "Warsaw"),
    ("helsinki", "Helsinki"),
    ("oslo", "Oslo"),
    ("copenhagen", "Copenhagen"),
    ("stockholm", "Stockholm"),
    ("berlin", "Berlin"),
    ("rome", "Rome"),
    ("madrid", "Madrid"),
    ("lisbon", "Lisbon"),
    ("brussels", "Brussels"),
    ("the-hague", "The Hague"),
    ("ottawa", "Ottawa"),
    ("london", "London"),
    ("kyiv", "Kyiv"),
    ("krakow", "Kraków"),
    ("reykjavik", "Reykjavík"),
)
DOCUMENT_KINDS = ("Declaration", "Joint Statement", "Memorandum", "Communiqué")
#: Coders of the synthetic coding layer (shared agents).
CODERS = ("synth-coder-a", "synth-coder-b", "synth-coder-c")
#: The levels the legalization rubric (scheme legalization-rubric in
#: ontology/sgkg-vocabularies.ttl) admits for the statement the synthetic codings judge,
#: the readiness to commit to the system: a readiness is low obligation at most and never
#: none, and it concerns the system, which has no mechanism function, so no delegation.
READINESS_LEVELS = {
    "obligation": ("low",),
    "precision": ("low", "moderate"),
    "delegation": ("none",),
}

#: The kinds of component an agreement draws from; each has its own sentence and entities.
COMPONENT_KINDS = (
    "monitoring",
    "military-support",
    "commission",
    "attack-response",
    "reassurance",
    "defence-cooperation",
)
MAX_COMPONENTS = 5
#: How often an agreement has 1, 2, ... 5 components (relative weights): mostly two or
#: three, which keeps 10k agreements near 2 million triples.
COMPONENT_COUNT_WEIGHTS = (3, 4, 3, 1, 1)


class SynthError(SgkgError):
    """The synthetic corpus cannot be written where asked (bad size or folder)."""


@dataclass(frozen=True)
class SynthSummary:
    """What :func:`write_corpus` wrote."""

    root: Path
    agreements: int
    seed: int
    files: int
    triples: int


# --- Turtle text -------------------------------------------------------------------------


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def lit(text: str) -> str:
    """A plain (xsd:string) literal."""
    return f'"{_escape(text)}"'


def en(text: str) -> str:
    """An English literal."""
    return f'"{_escape(text)}"@en'


def integer(value: int) -> str:
    return f'"{value}"^^xsd:integer'


def xsd_date(value: date) -> str:
    return f'"{value.isoformat()}"^^xsd:date'


class Turtle:
    """Turtle text for one file, written subject by subject, counting its triples."""

    def __init__(self, comment: str) -> None:
        self.comment = comment
        self.blocks: list[str] = []
        self.used: set[str] = set()
        self.triples = 0

    def add(self, subject: str, *properties: tuple[str, str | Sequence[str] | None]) -> None:
        """``subject p1 o1 ; p2 o2a, o2b .``; properties with no object are left out."""
        parts = []
        self._note(subject)
        for predicate, objects in properties:
            values = [objects] if isinstance(objects, str) else list(objects or ())
            if values:
                self._note(predicate)
                for value in values:
                    self._note(value)
                parts.append(f"    {predicate} {', '.join(values)}")
                self.triples += len(values)
        self.blocks.append(subject + "\n" + " ;\n".join(parts) + " .\n")

    def _note(self, term: str) -> None:
        """Remember the prefix of a prefixed name (or of a literal's datatype)."""
        if term.startswith('"'):
            _, _, term = term.rpartition("^^")
        if term and term[0] not in '<"' and term != "a":
            self.used.add(term.split(":", 1)[0])

    def text(self) -> str:
        """The file: a comment, the prefixes it uses (in a fixed order), the subjects."""
        lines = [f"# {self.comment}", ""]
        lines.extend(f"@prefix {p}: <{iri}> ." for p, iri in PREFIXES.items() if p in self.used)
        return "\n".join([*lines, "", *self.blocks])


# --- one agreement -----------------------------------------------------------------------


@dataclass
class Block:
    """A paragraph of a version's text; it becomes one passage of that version."""

    key: str
    text: str


@dataclass
class Version:
    name: str  # "draft" or "final"
    title: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class AgreementFiles:
    """The generated files of one agreement, as text, with their triple counts."""

    number: int
    text_layer: str
    semantics: str
    coding: str
    sources: dict[str, str]
    triples: int


class AgreementBuilder:
    """Builds one synthetic agreement: texts first, then the entities citing them.

    Statements name the paragraphs (``Block.key``) they rest on and the versions they
    appear in; passage IRIs and offsets are worked out once the texts are assembled.
    """

    def __init__(self, number: int, seed: int) -> None:
        self.n = number
        self.rng = random.Random(f"sgkg-synth:{seed}:{number}")
        self.tag = f"synth-{number:05d}"
        self.semantics = Turtle(f"Synthetic agreement {number:05d}: semantic layer (sgkg synth)")
        self.coding = Turtle(f"Synthetic agreement {number:05d}: coding layer (sgkg synth)")
        self.text_layer = Turtle(f"Synthetic agreement {number:05d}: text layer (sgkg synth)")
        self.versions: list[Version] = []
        self.commitments: list[str] = []

    # IRIs ---------------------------------------------------------------------------------

    def iri(self, kind: str, name: str) -> str:
        """``kind:synth-00001-name`` (a prefixed name; every kind is a declared prefix)."""
        return f"{kind}:{self.tag}-{name}"

    def passages(self, key: str, versions: Iterable[str] | None = None) -> list[str]:
        """The passages of paragraph ``key`` in the given versions (default: all)."""
        wanted = set(versions) if versions is not None else {v.name for v in self.versions}
        return [
            self.iri("passage", f"{v.name}-{key}")
            for v in self.versions
            if v.name in wanted and any(b.key == key for b in v.blocks)
        ]

    def paragraph(self, key: str, texts: dict[str, str]) -> None:
        """Add paragraph ``key`` to the versions in ``texts`` (version name -> text)."""
        for version in self.versions:
            if version.name in texts:
                version.blocks.append(Block(key, texts[version.name]))

    def everywhere(self, text: str) -> dict[str, str]:
        return {v.name: text for v in self.versions}

    # the agreement ------------------------------------------------------------------------

    def build(self) -> AgreementFiles:
        rng = self.rng
        city_slug, city = rng.choice(CITIES)
        kind = rng.choice(DOCUMENT_KINDS)
        when = date(2024, 1, 1) + timedelta(days=rng.randrange(3 * 365))
        partners = rng.sample(PARTNERS, rng.randint(2, 4))
        self.lead, self.second = partners[0], partners[1]
        self.partners = partners
        title = f"{city} {kind} on Security Guarantees for Ukraine"
        two_versions = rng.random() < 0.25
        if two_versions:
            self.versions.append(Version("draft", f"{title} (draft)"))
        self.versions.append(Version("final", title))
        self.title, self.city, self.city_slug, self.when = title, city, city_slug, when

        self._preamble()
        count = rng.choices(range(1, MAX_COMPONENTS + 1), weights=COMPONENT_COUNT_WEIGHTS)[0]
        components = rng.sample(COMPONENT_KINDS, count)
        self._system(components)
        for number, component_kind in enumerate(components, start=1):
            getattr(self, "_" + component_kind.replace("-", "_"))(number)
        self._codings()
        sources = self._text_layer(kind)
        triples = self.text_layer.triples + self.semantics.triples + self.coding.triples
        return AgreementFiles(
            number=self.n,
            text_layer=self.text_layer.text(),
            semantics=self.semantics.text(),
            coding=self.coding.text(),
            sources=sources,
            triples=triples,
        )

    def _names(self, parties: Sequence[tuple[str, str]]) -> str:
        labels = [label for _, label in parties]
        return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]

    def _party(self, party: tuple[str, str]) -> str:
        return f"party:{party[0]}"

    @property
    def group(self) -> str:
        return self.iri("party", "participants")

    def _preamble(self) -> None:
        day = f"{self.when.day} {self.when:%B %Y}"
        names = self._names([*self.partners, ("ukraine", "Ukraine")])
        self.paragraph("p1", self.everywhere(f"{names} met in {self.city} on {day}."))
        reaffirm = "final" if len(self.versions) == 2 else None
        if self.rng.random() < 0.4:
            texts = self.everywhere(
                "We reaffirmed our support for the sovereignty and lasting security of Ukraine."
            )
            if reaffirm:  # a statement of the final text only
                texts = {"final": texts["final"]}
            self.paragraph("p2", texts)
            self.semantics.add(
                self.iri("affirmation", "sovereignty-support"),
                ("a", "sg:Affirmation"),
                ("rdfs:label", en(f"Support for Ukraine's sovereignty ({self.title})")),
                ("sg:statedBy", self.group),
                ("sg:wording", "wording:confirmed"),
                ("sg:subjectResolution", "resolution:we-declaration-voice"),
                ("sg:concerns", "party:ukraine"),
                ("sg:hasAim", "aim:sovereignty-and-lasting-security"),
                ("sg:hasEvidence", self.passages("p2")),
            )
        self.semantics.add(self.iri("agreement", "agreement"), ("sg:declarationVoice", self.group))
        self.semantics.add(
            self.group,
            ("a", "sg:PartyGroup"),
            ("rdfs:label", en(f"Participants of the {self.title}")),
            ("org:hasMember", [*map(self._party, self.partners), "party:ukraine"]),
        )
        meeting = self.iri("meeting", self.city_slug)
        instant = self.iri("instant", self.when.isoformat())
        self.semantics.add(
            meeting,
            ("a", "sg:Meeting"),
            ("rdfs:label", en(f"Meeting in {self.city}, {day} ({self.tag})")),
            ("prov:wasAssociatedWith", [*map(self._party, self.partners), "party:ukraine"]),
            ("prov:atLocation", f"place:{self.city_slug}"),
            ("time:hasTime", instant),
            ("sg:hasEvidence", self.passages("p1")),
        )
        self.semantics.add(
            instant,
            ("a", "time:Instant"),
            ("dcterms:date", xsd_date(self.when)),
        )
        self.meeting = meeting

    def _system(self, components: list[str]) -> None:
        count = len(components)
        self.paragraph(
            "system",
            self.everywhere(
                "We stand ready to commit to a system of politically binding security "
                "guarantees for Ukraine, to take effect once a ceasefire enters into force. "
                f"It will include the following {count} component{'s' if count > 1 else ''}:"
            ),
        )
        system = self.iri("system", "guarantees")
        ceasefire = self.iri("condition", "ceasefire-in-force")
        self.system = system
        self.semantics.add(
            system,
            ("a", "sg:GuaranteeSystem"),
            ("rdfs:label", en(f"System of security guarantees for Ukraine ({self.title})")),
            ("sg:bindingness", "binding:politically-binding"),
            ("sg:activatedBy", ceasefire),
            ("sg:hasEvidence", self.passages("system")),
        )
        self.semantics.add(
            ceasefire,
            ("a", "sg:EventCondition"),
            ("rdfs:label", en(f"A ceasefire has entered into force ({self.tag})")),
            ("sg:hasEvidence", self.passages("system")),
        )
        readiness = self.iri("readiness", "stand-ready-to-commit")
        enumeration = self.iri("enumeration", "components")
        self.commitments.append(readiness)
        self.semantics.add(
            readiness,
            ("a", "sg:Readiness"),
            ("rdfs:label", en(f"Readiness to commit to the system ({self.title})")),
            ("sg:readyParty", self.group),
            ("sg:beneficiary", "party:ukraine"),
            ("sg:wording", "wording:stand-ready-to-commit"),
            ("sg:subjectResolution", "resolution:we-declaration-voice"),
            ("sg:concerns", system),
            ("sg:hasEnumeration", enumeration),
            ("sg:hasEvidence", self.passages("system")),
        )
        self.semantics.add(
            enumeration,
            ("a", "sg:Enumeration"),
            ("rdfs:label", en(f"The components of the system ({self.title})")),
            ("sg:listItem", [self.iri("component", str(i)) for i in range(1, count + 1)]),
            ("sg:listClosure", "closure:unqualified"),
            ("sg:listMarker", lit("It will include the following")),
            ("sg:hasEvidence", self.passages("system")),
        )

    def _component(self, number: int, heading: str, texts: dict[str, str]) -> tuple[str, str]:
        """Add component ``number`` with its paragraph; return (component IRI, block key)."""
        key = f"c{number}"
        self.paragraph(key, {name: f"{number}. {heading}. {text}" for name, text in texts.items()})
        component = self.iri("component", str(number))
        self.semantics.add(
            component,
            ("a", "sg:Component"),
            ("rdfs:label", en(f"Component {number}: {heading.lower()} ({self.title})")),
            ("sg:componentNumber", integer(number)),
            ("sg:partOf", self.system),
            ("sg:hasEvidence", self.passages(key)),
        )
        return component, key

    def _varies(self) -> bool:
        """Whether a component is worded differently in the draft (two versions only)."""
        return len(self.versions) == 2 and self.rng.random() < 0.6

    def _monitoring(self, number: int) -> None:
        lead, second = self.lead[1], self.second[1]
        final = (
            f"There will be a ceasefire monitoring mission led by {lead}, "
            f"with the participation of {second}."
        )
        texts = self.everywhere(final)
        varies = self._varies()
        if varies:
            texts["draft"] = (
                f"There will be a ceasefire monitoring mission, proposed to be led by {lead}, "
                f"with the participation of {second}."
            )
        component, key = self._component(number, "Ceasefire monitoring", texts)
        mission = self.iri("mechanism", "monitoring-mission")
        self.semantics.add(
            mission,
            ("a", "sg:MonitoringMechanism"),
            ("rdfs:label", en(f"Ceasefire monitoring mission ({self.title})")),
            ("sg:partOf", component),
            (
                "sg:hasFunction",
                ["function:ceasefire-monitoring", "function:ceasefire-verification"],
            ),
            ("sg:hasEvidence", self.passages(key)),
        )
        leads = self.iri("participation", "lead-of-monitoring")
        proposed = self.iri("participation", "proposed-lead-of-monitoring")
        self._participation(
            leads, self.lead, "leads", mission, "will", key, ["final"] if varies else None
        )
        if varies:
            self._participation(
                proposed, self.lead, "leads", mission, "proposed", key, ["draft"], variant=leads
            )
        self._participation(
            self.iri("participation", "monitoring-participant"),
            self.second,
            "participates",
            mission,
            "will",
            key,
        )

    def _participation(
        self,
        iri: str,
        party: tuple[str, str],
        role: str,
        target: str,
        wording: str,
        key: str,
        versions: list[str] | None = None,
        variant: str | None = None,
    ) -> None:
        where = f" ({', '.join(versions)} only)" if versions else ""
        self.semantics.add(
            iri,
            ("a", "sg:Participation"),
            ("rdfs:label", en(f"{party[1]} {role} ({wording}){where} ({self.tag})")),
            ("sg:participant", self._party(party)),
            ("sg:role", f"role:{role}"),
            ("sg:participationIn", target),
            ("sg:wording", f"wording:{wording}"),
            ("sg:subjectResolution", "resolution:named-subject"),
            ("sg:variantOf", variant),
            ("sg:hasEvidence", self.passages(key, versions)),
        )

    def _military_support(self, number: int) -> None:
        givers = [self.lead, self.second]
        final = (
            f"{self._names(givers)} will provide military assistance to Ukraine, "
            "including training and long-term defence packages."
        )
        texts = self.everywhere(final)
        varies = self._varies()
        if varies:
            texts["draft"] = (
                f"{self.lead[1]} will provide military assistance to Ukraine, "
                "including training and long-term defence packages."
            )
        component, key = self._component(number, "Military assistance", texts)
        measures = ["measure:training", "measure:long-term-defence-packages"]
        both = self.iri("commitment", "military-assistance")
        one = self.iri("commitment", "military-assistance-draft")
        self._commitment(
            both,
            f"{self._names(givers)} will provide military assistance",
            [self._party(p) for p in givers],
            "will",
            component,
            key,
            ["final"] if varies else None,
            measures=measures,
            marker="including",
            closure="open",
        )
        if varies:
            self._commitment(
                one,
                f"{self.lead[1]} will provide military assistance",
                [self._party(self.lead)],
                "will",
                component,
                key,
                ["draft"],
                measures=measures,
                marker="including",
                closure="open",
                variant=both,
            )

    def _commitment(
        self,
        iri: str,
        label: str,
        committed_by: list[str],
        wording: str,
        component: str,
        key: str,
        versions: list[str] | None = None,
        *,
        measures: Sequence[str] = (),
        marker: str | None = None,
        closure: str | None = None,
        activated_by: str | None = None,
        variant: str | None = None,
        extra: Sequence[tuple[str, str | Sequence[str] | None]] = (),
        kind: str = "sg:Commitment",
        resolution: str = "named-subject",
    ) -> None:
        """A statement of ``kind`` (an undertaking unless said otherwise), with its list.

        Who is bound follows the sentence (``resolution``): a party is given only for a
        named subject or the declaration's "we"; a possibility's items are possible only.
        """
        enumeration = None
        if marker is not None:
            enumeration = self.iri("enumeration", iri.split(":", 1)[1].removeprefix(f"{self.tag}-"))
            self.semantics.add(
                enumeration,
                ("a", "sg:Enumeration"),
                ("rdfs:label", en(f"What '{label}' {marker} ({self.tag})")),
                ("sg:listItem", list(measures)),
                ("sg:listClosure", f"closure:{closure}"),
                ("sg:listMarker", lit(marker)),
                ("sg:hasEvidence", self.passages(key, versions)),
            )
        self.commitments.append(iri)
        possible = kind == "sg:Possibility"
        self.semantics.add(
            iri,
            ("a", kind),
            ("rdfs:label", en(f"{label} ({self.tag})")),
            ("sg:committedBy", committed_by),
            ("sg:beneficiary", None if possible else "party:ukraine"),
            ("sg:wording", f"wording:{wording}"),
            ("sg:subjectResolution", f"resolution:{resolution}"),
            ("sg:mayIncludeMeasure" if possible else "sg:includesMeasure", list(measures)),
            ("sg:hasEnumeration", enumeration),
            ("sg:activatedBy", activated_by),
            *extra,
            ("sg:partOf", component),
            ("sg:variantOf", variant),
            ("sg:hasEvidence", self.passages(key, versions)),
        )

    def _commission(self, number: int) -> None:
        component, key = self._component(
            number,
            "Special commission",
            self.everywhere(
                "A special commission will be established to address breaches of the "
                "ceasefire and determine remedies."
            ),
        )
        commission = self.iri("mechanism", "special-commission")
        self.semantics.add(
            commission,
            ("a", "sg:Commission"),
            ("rdfs:label", en(f"Special commission ({self.title})")),
            ("sg:partOf", component),
            ("sg:hasFunction", ["function:address-breaches", "function:determine-remedies"]),
            ("sg:hasEvidence", self.passages(key)),
        )
        self._commitment(
            self.iri("provision", "establish-commission"),
            "A special commission will be established",
            [],
            "will",
            component,
            key,
            extra=[("sg:concerns", commission)],
            kind="sg:Provision",
            resolution="no-subject",
        )

    def _attack_response(self, number: int) -> None:
        component, key = self._component(
            number,
            "Commitments in case of a future armed attack",
            self.everywhere(
                "In the case of a future armed attack by Russia, we agreed to provide "
                "binding support, which may include diplomatic initiatives and additional "
                "sanctions."
            ),
        )
        by_russia = self.iri("condition", "armed-attack-by-russia")
        any_attack = self.iri("condition", "armed-attack")
        self.semantics.add(
            by_russia,
            ("a", "sg:EventCondition"),
            ("rdfs:label", en(f"A future armed attack by Russia ({self.tag})")),
            ("sg:conditionActor", "party:russia"),
            ("sg:entailsCondition", any_attack),
            ("sg:hasEvidence", self.passages(key)),
        )
        self.semantics.add(
            any_attack,
            ("a", "sg:EventCondition"),
            ("rdfs:label", en(f"A future armed attack ({self.tag})")),
            ("sg:hasEvidence", self.passages(key)),
        )
        support = self.iri("commitment", "support-in-case-of-attack")
        self._commitment(
            support,
            "Binding support in the case of a future armed attack by Russia",
            [self.group],
            "agreed-to",
            component,
            key,
            activated_by=by_russia,
            extra=[("sg:bindingness", "binding:binding")],
            resolution="we-declaration-voice",
        )
        self._commitment(
            self.iri("possibility", "support-options"),
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

    def _reassurance(self, number: int) -> None:
        component, key = self._component(
            number,
            "Reassurance measures",
            self.everywhere(
                "Reassurance measures in the air, at sea and on land should be implemented "
                "at Ukraine\u2019s request once a credible cessation of hostilities has "
                "taken place."
            ),
        )
        request = self.iri("condition", "ukraine-request")
        cessation = self.iri("condition", "credible-cessation")
        both = self.iri("condition", "request-and-cessation")
        self.semantics.add(
            request,
            ("a", "sg:EventCondition"),
            ("rdfs:label", en(f"Ukraine has requested the reassurance measures ({self.tag})")),
            ("sg:conditionActor", "party:ukraine"),
            ("sg:hasEvidence", self.passages(key)),
        )
        self.semantics.add(
            cessation,
            ("a", "sg:EventCondition"),
            ("rdfs:label", en(f"A credible cessation of hostilities ({self.tag})")),
            ("sg:hasEvidence", self.passages(key)),
        )
        self.semantics.add(
            both,
            ("a", "sg:AllOfCondition"),
            ("rdfs:label", en(f"Ukraine's request and a credible cessation ({self.tag})")),
            ("sg:operand", [request, cessation]),
            ("sg:hasEvidence", self.passages(key)),
        )
        self._commitment(
            self.iri("recommendation", "reassurance-measures"),
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

    def _defence_cooperation(self, number: int) -> None:
        component, key = self._component(
            number,
            "Defence cooperation",
            self.everywhere(
                "We agreed to deepen defence cooperation with Ukraine, inter alia in "
                "training and intelligence cooperation."
            ),
        )
        self._commitment(
            self.iri("commitment", "defence-cooperation"),
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

    def _codings(self) -> None:
        """Code the readiness to commit to the system, the first statement, on the three
        legalization dimensions at levels the rubric admits for it (most agreements)."""
        if self.rng.random() >= 0.6:
            return
        coder = f"agent:{self.rng.choice(CODERS)}"
        created = xsd_date(self.when + timedelta(days=30))
        for commitment in self.commitments[:1]:
            name = commitment.split(":", 1)[1].removeprefix(f"{self.tag}-")
            for dimension, levels in READINESS_LEVELS.items():
                level = self.rng.choice(levels)
                self.coding.add(
                    self.iri("coding", f"{name}-{dimension}"),
                    ("a", "sg:Coding"),
                    ("rdfs:label", en(f"{dimension.capitalize()} of '{name}' ({self.tag})")),
                    ("sg:codedStatement", commitment),
                    ("sg:codingDimension", f"dimension:{dimension}"),
                    ("sg:codingLevel", f"level:{level}"),
                    ("sg:rationale", lit(f"Synthetic coding: {dimension} judged {level}.")),
                    ("prov:wasAttributedTo", coder),
                    ("dcterms:created", created),
                )

    # the text layer ---------------------------------------------------------------------

    def _text_layer(self, kind: str) -> dict[str, str]:
        """Assemble each version's text, then write the work, versions and passages."""
        agreement = self.iri("agreement", "agreement")
        self.text_layer.add(
            agreement,
            ("a", "sg:Declaration" if kind != "Memorandum" else "sg:Agreement"),
            ("rdfs:label", en(f"{self.title} (synthetic agreement {self.n:05d})")),
            ("dcterms:title", en(self.title)),
            ("sg:hasVersion", [self.iri("version", v.name) for v in self.versions]),
            ("sg:issuedAt", self.meeting),
        )
        sources = {}
        for version in self.versions:
            text, spans = _assemble(version)
            file_name = f"{self.tag}-{version.name}.txt"
            sources[file_name] = text
            self._version(version, agreement, file_name, text)
            for block, start in spans:
                self._passage(version, block, start)
        return sources

    def _version(self, version: Version, agreement: str, file_name: str, text: str) -> None:
        final = version.name == "final"
        self.text_layer.add(
            self.iri("version", version.name),
            ("a", "sg:TextVersion"),
            ("rdfs:label", en(f"{self.title}, {version.name} text ({self.tag})")),
            ("dcterms:title", en(version.title)),
            ("dcterms:date", xsd_date(self.when) if final else None),
            ("sg:versionOf", agreement),
            ("sg:issuedBy", None if final else self._party(self.lead)),
            ("sg:sourceFile", lit(f"{SOURCE_TEXTS_DIR}/{file_name}")),
            ("sg:sha256", lit(hashlib.sha256(text.encode("utf-8")).hexdigest())),
            ("sg:characterCount", integer(len(text))),
            ("dcterms:language", lit("en")),
        )

    def _passage(self, version: Version, block: Block, start: int) -> None:
        end = start + len(block.text)
        passage = self.iri("passage", f"{version.name}-{block.key}")
        full = PREFIXES["passage"] + passage.split(":", 1)[1]
        other = [v for v in self.versions if v is not version and v.name == "draft"]
        corresponds = [
            self.iri("passage", f"draft-{block.key}")
            for v in other
            if any(b.key == block.key for b in v.blocks)
        ]
        self.text_layer.add(
            passage,
            ("a", "sg:Passage"),
            ("sg:inVersion", self.iri("version", version.name)),
            ("sg:quote", lit(block.text)),
            ("sg:startOffset", integer(start)),
            ("sg:endOffset", integer(end)),
            ("sg:correspondsTo", corresponds),
            ("oa:hasSelector", [f"<{full}#position>", f"<{full}#quote>"]),
        )
        self.text_layer.add(
            f"<{full}#position>",
            ("a", "oa:TextPositionSelector"),
            ("oa:start", integer(start)),
            ("oa:end", integer(end)),
        )
        self.text_layer.add(
            f"<{full}#quote>", ("a", "oa:TextQuoteSelector"), ("oa:exact", lit(block.text))
        )


def _assemble(version: Version) -> tuple[str, list[tuple[Block, int]]]:
    """The version's text (title, then paragraphs) and where each paragraph starts."""
    text = version.title + "\n"
    spans = []
    for block in version.blocks:
        text += "\n"
        spans.append((block, len(text)))
        text += block.text + "\n"
    return text, spans


def generate_agreement(number: int, seed: int = DEFAULT_SEED) -> AgreementFiles:
    """The files of synthetic agreement ``number`` (1-based) for ``seed``."""
    return AgreementBuilder(number, seed).build()


# --- shared parties and the tree ---------------------------------------------------------


def shared_parties(skip: Iterable[str] = ()) -> Turtle:
    """States, places and coders every synthetic agreement refers to.

    ``skip`` holds the IRIs the tree already describes (the project's own data, with
    ``--with-project-data``), so no party is described twice.
    """
    skip = set(skip)
    turtle = Turtle("Parties, places and coders shared by the synthetic agreements (sgkg synth)")
    for slug, label, entity, cls in STATES:
        if f"{ID}party/{slug}" not in skip:
            turtle.add(
                f"party:{slug}",
                ("a", f"sg:{cls}"),
                ("rdfs:label", en(label)),
                ("skos:exactMatch", f"wd:{entity}"),
            )
    for slug, name in CITIES:
        if f"{ID}place/{slug}" not in skip:
            turtle.add(f"place:{slug}", ("a", "sg:Place"), ("rdfs:label", en(name)))
    for coder in CODERS:
        turtle.add(
            f"agent:{coder}",
            ("a", "prov:Agent"),
            ("rdfs:label", en(f"Synthetic coder {coder.rsplit('-', 1)[1].upper()}")),
        )
    return turtle


def write_corpus(
    project_root: Path,
    out: Path,
    agreements: int,
    *,
    seed: int = DEFAULT_SEED,
    with_project_data: bool = False,
) -> SynthSummary:
    """Write a synthetic project tree of ``agreements`` agreements to ``out``.

    The tree is written into a temporary folder beside ``out`` and renamed into place at
    the end, so a failure leaves nothing half-written. ``out`` must not exist or be an
    empty folder, and must not lie inside the project's ``data/`` (synthetic data never
    mixes with the real encoding).
    """
    if agreements < 1:
        raise SynthError(f"--agreements must be at least 1, not {agreements}")
    out = out.resolve()
    _check_destination(project_root.resolve(), out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        files, triples = _write_tree(project_root, staging, agreements, seed, with_project_data)
        if out.exists():
            out.rmdir()  # empty, checked above
        os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return SynthSummary(root=out, agreements=agreements, seed=seed, files=files, triples=triples)


def _check_destination(project_root: Path, out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise SynthError(f"{out} exists and is not an empty folder; choose a new --out folder")
    data = project_root / DATA_DIR
    if out in (project_root, data) or data in out.parents:
        raise SynthError(f"refusing to write synthetic data into the project tree ({out})")
    for folder in (ONTOLOGY_DIR, SHAPES_DIR):
        source = project_root / folder
        if not source.is_dir() or not any(source.glob("*.ttl")):
            raise SynthError(f"no Turtle files in {source}/ to copy into the synthetic tree")


def _write_tree(
    project_root: Path, root: Path, agreements: int, seed: int, with_project_data: bool
) -> tuple[int, int]:
    """Write every file under ``root``; return (files written, triples generated)."""
    files = 0
    for folder in (ONTOLOGY_DIR, SHAPES_DIR):
        shutil.copytree(project_root / folder, root / folder)
        files += sum(1 for p in (root / folder).iterdir() if p.is_file())
    skip: set[str] = set()
    if with_project_data:
        shutil.copytree(project_root / DATA_DIR, root / DATA_DIR)
        files += sum(1 for p in (root / DATA_DIR).rglob("*") if p.is_file())
        skip = _described_subjects(root / DATA_DIR)
    folders = {
        layer: root / DATA_DIR / layer / "synth" for layer in ("text", "semantics", "coding")
    }
    for folder in (*folders.values(), root / SOURCE_TEXTS_DIR):
        folder.mkdir(parents=True, exist_ok=True)
    parties = shared_parties(skip)
    _write(root / DATA_DIR / "semantics" / "synth-parties.ttl", parties.text())
    files, triples = files + 1, parties.triples
    for number in range(1, agreements + 1):
        generated = generate_agreement(number, seed)
        name = f"{number:05d}.ttl"
        _write(folders["text"] / name, generated.text_layer)
        _write(folders["semantics"] / name, generated.semantics)
        _write(folders["coding"] / name, generated.coding)
        for file_name, text in generated.sources.items():
            _write(root / SOURCE_TEXTS_DIR / file_name, text)
        files += 3 + len(generated.sources)
        triples += generated.triples
    return files, triples


def _described_subjects(data: Path) -> set[str]:
    """IRIs that the project's own data files describe (subjects of ``rdf:type``)."""
    from rdflib import RDF, Graph  # the project data is small; rdflib is fine here

    subjects: set[str] = set()
    for path in sorted(data.rglob("*.ttl")):
        graph = Graph().parse(path, format="turtle")
        subjects.update(str(s) for s in graph.subjects(RDF.type, None))
    return subjects


def _write(path: Path, text: str) -> None:
    # newline="" keeps "\n" on every platform: the offsets count code points of that text
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(text)
