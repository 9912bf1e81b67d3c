"""One synthetic agreement as it is being written: its setting, its texts paragraph by
paragraph, its three Turtle files, and the statements every kind of component writes
the same way (components, participations, commitments and their kin).

Statements name the paragraphs (``Block.key``) they rest on and the versions they
appear in; passage IRIs and offsets are worked out once the texts are assembled
(:mod:`api.synth.text_layer`).
"""

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from api.synth.turtle import Turtle, en, integer, lit
from api.synth.vocabulary import CITIES, DOCUMENT_KINDS, PARTNERS


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


class Draft:
    """One agreement being written. Agreement ``number`` has its own generator, seeded
    with ``(seed, number)``; the setting (venue, kind, date, partners, versions) is
    drawn from it first, then whatever writes the agreement draws the rest in turn."""

    def __init__(self, number: int, seed: int) -> None:
        self.number = number
        self.rng = random.Random(f"sgkg-synth:{seed}:{number}")
        self.tag = f"synth-{number:05d}"
        self.semantics = Turtle(f"Synthetic agreement {number:05d}: semantic layer (sgkg synth)")
        self.coding = Turtle(f"Synthetic agreement {number:05d}: coding layer (sgkg synth)")
        self.text_layer = Turtle(f"Synthetic agreement {number:05d}: text layer (sgkg synth)")
        #: the statements written so far, in order (the first is the one coded)
        self.commitments: list[str] = []
        rng = self.rng
        self.city_slug, self.city = rng.choice(CITIES)
        self.document_kind = rng.choice(DOCUMENT_KINDS)
        self.when = date(2024, 1, 1) + timedelta(days=rng.randrange(3 * 365))
        self.partners = rng.sample(PARTNERS, rng.randint(2, 4))
        self.lead, self.second = self.partners[0], self.partners[1]
        self.title = f"{self.city} {self.document_kind} on Security Guarantees for Ukraine"
        self.versions: list[Version] = []
        if rng.random() < 0.25:
            self.versions.append(Version("draft", f"{self.title} (draft)"))
        self.versions.append(Version("final", self.title))

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
        """The same text in every version."""
        return {v.name: text for v in self.versions}

    def names(self, parties: Sequence[tuple[str, str]]) -> str:
        """Parties named as a sentence does: "A", "A and B", "A, B and C"."""
        labels = [label for _, label in parties]
        return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]

    def party(self, party: tuple[str, str]) -> str:
        """The IRI of a (slug, label) party, as a prefixed name."""
        return f"party:{party[0]}"

    @property
    def group(self) -> str:
        """The participants, the "we" of the declaration."""
        return self.iri("party", "participants")

    @property
    def system(self) -> str:
        """The guarantee system every component is part of."""
        return self.iri("system", "guarantees")

    @property
    def meeting(self) -> str:
        """The meeting that issued the agreement."""
        return self.iri("meeting", self.city_slug)

    def component(self, number: int, heading: str, texts: dict[str, str]) -> tuple[str, str]:
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

    def varies(self) -> bool:
        """Whether a component is worded differently in the draft (two versions only)."""
        return len(self.versions) == 2 and self.rng.random() < 0.6

    def participation(
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
        """A party's ``role`` in ``target``, stated in paragraph ``key`` (of ``versions``
        only, if given; ``variant``: the wording of the other version it varies)."""
        where = f" ({', '.join(versions)} only)" if versions else ""
        self.semantics.add(
            iri,
            ("a", "sg:Participation"),
            ("rdfs:label", en(f"{party[1]} {role} ({wording}){where} ({self.tag})")),
            ("sg:participant", self.party(party)),
            ("sg:role", f"role:{role}"),
            ("sg:participationIn", target),
            ("sg:wording", f"wording:{wording}"),
            ("sg:subjectResolution", "resolution:named-subject"),
            ("sg:variantOf", variant),
            ("sg:hasEvidence", self.passages(key, versions)),
        )

    def commitment(
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
