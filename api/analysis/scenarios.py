"""Activation scenarios: which guarantees a set of events activates, and why.

A researcher states which events have happened (event conditions, by the last segment
of their IRI: ``ceasefire-in-force``, ``armed-attack-by-russia``...) and picks a text
version. The evaluator answers which guarantee elements and statements are active, which
are not, the conditions that decided each, and the passages of that version behind it.

Everything comes from the graph (conditions are data); nothing here knows the Paris
Declaration. The semantics:

- **Which elements.** Guarantee systems, components and mechanisms, and the statements
  that can take effect: commitments (undertakings), provisions (what will or shall be),
  capacities (what something can deliver), recommendations (what should be done) and
  participations (a party's role): ``a/rdfs:subClassOf*`` those classes. The other
  statement kinds are left out, because no event puts them in effect: a readiness is a
  disposition announced at the meeting, an affirmation the meeting's own act, a report
  something already done, and a possibility content that may be included, never in
  effect by itself. An element is evaluated only if it has ``sg:hasEvidence`` in a
  passage of the chosen version; the others are listed as not in that version.
- **Event conditions.** Met if stated, or entailed by a stated event through
  ``sg:entailsCondition`` (transitively): a stated armed attack by Russia meets "a
  future armed attack" because the data says the one entails the other.
- **Compound conditions.** An ``sg:AllOfCondition`` is met when every ``sg:operand``
  is met, an ``sg:AnyOfCondition`` when at least one is (operands may be compound).
  Any other kind of condition is never met: the evaluator cannot decide it.
- **Activation.** An element is active iff its own ``sg:activatedBy`` conditions are
  all met and every element it depends on is active. It depends on what it is
  ``sg:partOf`` and, for a participation, on what it is ``sg:participationIn`` (a party's
  role in a mechanism or commitment takes effect only with it; ``sg:partOf`` alone cannot
  say so, since its range is guarantee elements and commitments are not). Unrolled: an
  element is active iff the ``sg:activatedBy`` conditions of itself and of everything it
  depends on, directly or transitively, are met; these are the conditions that decide
  it (all of them when it is active, the unmet ones when it is not). Active means that
  what the statement says applies: an undertaking is due, a provision in effect, a
  capacity available, a recommendation applicable; the kind says which.
- An element with no condition anywhere up its dependencies is active whatever
  happens (the coordination cell, decided on its own, outside the system).

**Strict and interpreted.** By default the evaluator reads the words alone: the
asserted sgkg graphs (ontology, data, sources), never an interpretation graph
(:mod:`api.store.interpretations`). Asked to include interpretations (``all`` or their
names), it also reads their graphs: every element, ``sg:partOf``,
``sg:participationIn``, ``sg:activatedBy``, ``sg:operand`` and ``sg:entailsCondition``
edge and evidence link is tagged with the graph it comes from, and each condition,
deciding condition and element names the interpretations its outcome rests on: those
whose edges it needs, where the words alone give no way. Where the words give a way,
the words win, so an interpretation that only repeats what the data says is never
named. The result says whether it is ``strict`` or ``interpreted``, which
interpretations it included and which it used.

The graph is read once through :class:`api.store.base.Store` (a handful of SPARQL queries
over the asserted graphs and the interpretation graphs, so the answer does not depend
on whether reasoning ran) into a :class:`ScenarioModel`; each evaluation, strict or
interpreted, is then plain Python over that model.
"""

from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal as TypingLiteral
from typing import cast

from pydantic import BaseModel, Field
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from api.core.errors import SgkgError
from api.core.layout import DATA, ONTOLOGY, SOURCES, graph_iri
from api.core.namespaces import ID, SG, bind_prefixes, compact
from api.store.base import Store
from api.store.interpretations import INTERPRETED, STRICT, interpretations_in, select
from api.store.results import SelectResult

#: The version evaluated when none is given (if the graph holds it).
DEFAULT_VERSION = "paris-final"

#: Output formats of ``sgkg scenario``.
SCENARIO_FORMATS = ("text", "json", "turtle")

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

#: The graphs a strict answer is read from: the asserted ones (not ``inferred``).
ASSERTED_GRAPHS = tuple(str(graph_iri(name)) for name in (ONTOLOGY, DATA, SOURCES))

#: What a scenario IRI's events segment says when no event is stated.
NO_EVENTS = "no-events"
#: The path segment of a scenario IRI that introduces the interpretations it includes:
#: ``.../scenario/{version}/{events}/interpretations/{all | name+name...}``.
INTERPRETATIONS_SEGMENT = "interpretations"
#: The interpretations segment naming every interpretation the graph holds.
ALL_INTERPRETATIONS = "all"

#: The origin of a statement the words make (a triple of the asserted graphs); any other
#: origin is the IRI of the interpretation graph that adds it.
WORDS = ""

#: The interpretations a derivation rests on; empty: the words alone.
Cost = frozenset[str]

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


class UnknownScenarioInput(SgkgError):
    """An event or version the graph does not hold (exit code 2, HTTP 422)."""

    def __init__(
        self,
        *,
        unknown_events: list[str],
        unknown_version: str | None,
        valid_events: list[str],
        valid_versions: list[str],
    ) -> None:
        self.unknown_events = unknown_events
        self.unknown_version = unknown_version
        self.valid_events = valid_events
        self.valid_versions = valid_versions
        parts = []
        if unknown_events:
            parts.append(
                f"unknown event(s): {_few(unknown_events)}; valid events: {', '.join(valid_events)}"
            )
        if unknown_version is not None:
            parts.append(
                f"unknown version {_shortened(unknown_version)!r}; "
                f"valid versions: {', '.join(valid_versions)}"
            )
        super().__init__("; ".join(parts))


#: How many unknown names a message quotes, and how much of each: a request may name
#: any number of them, and the message goes to the client and to the log.
_QUOTED_NAMES = 10
_QUOTED_LENGTH = 80


def _few(names: list[str]) -> str:
    quoted = ", ".join(_shortened(name) for name in names[:_QUOTED_NAMES])
    more = len(names) - _QUOTED_NAMES
    return quoted + (f" and {more:,} more" if more > 0 else "")


def _shortened(name: str) -> str:
    return name if len(name) <= _QUOTED_LENGTH else name[:_QUOTED_LENGTH] + "..."


# --- results (pydantic, so the HTTP layer documents them in OpenAPI) ---------------------

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


# --- the model read from the graph ------------------------------------------------------

#: Where a statement comes from: ``WORDS`` and/or interpretation graph IRIs.
Origins = set[str]


@dataclass
class _Element:
    iri: str
    kind: str
    label: str | None
    origins: Origins = field(default_factory=set)


@dataclass
class _Condition:
    iri: str
    kind: str
    label: str | None


@dataclass
class _Passage:
    iri: str
    version: str
    quote: str | None
    start: int | None
    end: int | None
    origins: Origins = field(default_factory=set)


@dataclass
class _Links:
    """The edges the evaluator follows, each with where it comes from, by subject.

    Kept for every subject (not only evaluated elements), so a condition on a statement
    of a kind that is not evaluated still reaches what depends on it.
    """

    depends_on: dict[str, dict[str, Origins]] = field(default_factory=dict)
    activated_by: dict[str, dict[str, Origins]] = field(default_factory=dict)
    operands: dict[str, dict[str, Origins]] = field(default_factory=dict)
    entails: dict[str, dict[str, Origins]] = field(default_factory=dict)

    def add(self, subject: str, predicate: object, value: str, origin: str) -> None:
        if predicate in (SG.partOf, SG.participationIn):
            table = self.depends_on
        elif predicate == SG.activatedBy:
            table = self.activated_by
        elif predicate == SG.operand:
            table = self.operands
        elif predicate == SG.entailsCondition:
            table = self.entails
        else:
            return
        table.setdefault(subject, {}).setdefault(value, set()).add(origin)


def _values(kinds: dict[str, URIRef]) -> str:
    """A SPARQL VALUES block body pairing each class with its kind name."""
    return " ".join(f'(<{cls}> "{kind}")' for kind, cls in kinds.items())


_PREFIXES = f"""PREFIX sg: <{SG}>
PREFIX rdfs: <{RDFS}>
"""
_ENGLISH = 'FILTER(lang(?label) = "" || langMatches(lang(?label), "en"))'

# Element, link and evidence triples are read with their graph (``GRAPH ?g``): an
# asserted graph (the words) or an interpretation graph. The class hierarchy and the
# passages come from the default graph, the asserted graphs.
_ELEMENTS = (
    (
        _PREFIXES
        + """SELECT ?g ?e ?kind ?label WHERE {
  VALUES (?class ?kind) { $KINDS }
  GRAPH ?g { ?e a ?type }
  ?type rdfs:subClassOf* ?class .
  OPTIONAL { GRAPH ?lg { ?e rdfs:label ?label } $ENGLISH }
}"""
    )
    .replace("$KINDS", _values(ELEMENT_KINDS))
    .replace("$ENGLISH", _ENGLISH)
)

_CONDITIONS = (
    (
        _PREFIXES
        + """SELECT ?c ?kind ?label WHERE {
  ?c a/rdfs:subClassOf* sg:Condition .
  OPTIONAL { VALUES (?class ?kind) { $KINDS } ?c a/rdfs:subClassOf* ?class }
  OPTIONAL { ?c rdfs:label ?label $ENGLISH }
}"""
    )
    .replace("$KINDS", _values(CONDITION_KINDS))
    .replace("$ENGLISH", _ENGLISH)
)

_LINKS = (
    _PREFIXES
    + """SELECT ?g ?s ?p ?o WHERE {
  VALUES ?p { sg:partOf sg:participationIn sg:activatedBy sg:operand sg:entailsCondition }
  GRAPH ?g { ?s ?p ?o }
}"""
)

_EVIDENCE = (
    _PREFIXES
    + """SELECT ?g ?e ?passage ?version ?quote ?start ?end WHERE {
  GRAPH ?g { ?e sg:hasEvidence ?passage }
  ?passage sg:inVersion ?version .
  OPTIONAL { ?passage sg:quote ?quote }
  OPTIONAL { ?passage sg:startOffset ?start }
  OPTIONAL { ?passage sg:endOffset ?end }
}"""
)

_VERSIONS = (
    _PREFIXES
    + """SELECT ?v ?label WHERE {
  ?v a/rdfs:subClassOf* sg:TextVersion .
  OPTIONAL { ?v rdfs:label ?label $ENGLISH }
}"""
).replace("$ENGLISH", _ENGLISH)


class ScenarioModel:
    """What the evaluator needs from the graph, read once; :meth:`evaluate` per request."""

    def __init__(
        self,
        elements: dict[str, _Element],
        conditions: dict[str, _Condition],
        links: _Links,
        evidence: dict[str, list[_Passage]],
        versions: dict[str, Reference],
        interpretations: dict[str, Reference] | None = None,
    ) -> None:
        self.elements = elements
        self.conditions = conditions
        self.links = links
        self.evidence = evidence
        self.versions = versions  # by slug
        #: the interpretations a scenario may include (those with a graph), by IRI
        self.interpretations = dict(sorted((interpretations or {}).items()))
        event_iris = sorted(iri for iri, c in conditions.items() if c.kind == "event")
        _refuse_shared_slugs("event conditions", event_iris)
        self.events = {
            slug_of(iri): Reference(iri=iri, slug=slug_of(iri), label=conditions[iri].label)
            for iri in event_iris
        }
        self._entailed_from: dict[str, dict[str, Origins]] = defaultdict(dict)
        for source, targets in links.entails.items():
            for target, origins in targets.items():
                self._entailed_from[target][source] = origins

    @classmethod
    def from_store(cls, store: Store) -> "ScenarioModel":
        """Read elements, conditions, links, evidence, versions and the interpretations
        from the asserted graphs and the interpretation graphs."""

        def rows(sparql: str, **dataset: Sequence[str]) -> tuple[tuple, ...]:
            result = store.query(sparql, **dataset)  # type: ignore[arg-type]
            if not isinstance(result, SelectResult):
                raise SgkgError(f"the store answered a SELECT with {type(result).__name__}")
            return result.rows

        interpretations = {
            iri: Reference(iri=iri, slug=slug_of(iri), label=label)
            for iri, label in interpretations_in(store).items()
        }
        tagged = {
            "default_graph_uris": ASSERTED_GRAPHS,
            "named_graph_uris": (*ASSERTED_GRAPHS, *interpretations),
        }
        strict = {"default_graph_uris": ASSERTED_GRAPHS}

        def origin(graph: object) -> str:
            return WORDS if str(graph) in ASSERTED_GRAPHS else str(graph)

        elements: dict[str, _Element] = {}
        for graph, iri, kind, label in sorted(rows(_ELEMENTS, **tagged), key=_words_first):
            current = elements.get(str(iri))
            if current is None or _kind_rank(str(kind)) > _kind_rank(current.kind):
                origins = current.origins if current else set()
                current = elements[str(iri)] = _Element(str(iri), str(kind), _text(label), origins)
            current.origins.add(origin(graph))
            if current.label is None:
                current.label = _text(label)
        conditions: dict[str, _Condition] = {}
        for iri, kind, label in rows(_CONDITIONS, **strict):
            known = conditions.get(str(iri))
            if known is None or known.kind == "other":
                conditions[str(iri)] = _Condition(str(iri), str(kind or "other"), _text(label))
        links = _Links()
        for graph, subject, predicate, value in sorted(rows(_LINKS, **tagged)):
            links.add(str(subject), predicate, str(value), origin(graph))
        evidence: dict[str, dict[str, _Passage]] = defaultdict(dict)
        for graph, iri, passage, version, quote, start, end in rows(_EVIDENCE, **tagged):
            found = evidence[str(iri)].setdefault(
                str(passage),
                _Passage(str(passage), str(version), _text(quote), _int(start), _int(end)),
            )
            found.origins.add(origin(graph))
        version_rows = sorted(rows(_VERSIONS, **strict))
        _refuse_shared_slugs("text versions", sorted({str(iri) for iri, _ in version_rows}))
        versions = {
            slug_of(str(iri)): Reference(iri=str(iri), slug=slug_of(str(iri)), label=_text(label))
            for iri, label in version_rows
        }
        ordered = {
            iri: sorted(passages.values(), key=_passage_order) for iri, passages in evidence.items()
        }
        return cls(elements, conditions, links, ordered, versions, interpretations)

    # --- the catalogue -------------------------------------------------------------

    def catalogue(self) -> EventCatalogue:
        """The events a scenario may state, the versions and interpretations it may use."""
        return EventCatalogue(
            events=list(self.events.values()),
            versions=[self.versions[slug] for slug in sorted(self.versions)],
            default_version=self.default_version(),
            interpretations=list(self.interpretations.values()),
        )

    def interpretation_labels(self) -> dict[str, str | None]:
        """The label of each interpretation a scenario may include, by IRI."""
        return {iri: ref.label for iri, ref in self.interpretations.items()}

    def default_version(self) -> str | None:
        """:data:`DEFAULT_VERSION` if the graph has it, else its only version, else None."""
        if DEFAULT_VERSION in self.versions:
            return DEFAULT_VERSION
        return next(iter(self.versions)) if len(self.versions) == 1 else None

    # --- evaluation ----------------------------------------------------------------

    def evaluate(
        self,
        events: list[str],
        version: str | None = None,
        interpretations: Iterable[str] = (),
    ) -> ScenarioResult:
        """Evaluate a scenario. ``events`` and ``version`` are slugs or full IRIs;
        ``interpretations`` what to include besides the words: nothing (a strict answer,
        the default), ``all``, or interpretations by slug or IRI (comma-separated or
        several values, as :func:`api.store.interpretations.select` reads them).

        Raises :class:`UnknownScenarioInput` naming the valid events and versions, and
        :class:`api.store.interpretations.UnknownInterpretation` naming the interpretations.
        """
        stated = self._resolve_events(events, version)
        chosen = self._resolve_version(version)
        included = tuple(sorted(select(interpretations, tuple(self.interpretations)).graphs))
        met = self._met_conditions(stated, included)
        entailed_by = self._entailed_by(stated, included)
        conditions = {
            condition.iri: self._condition_outcome(
                condition, met, entailed_by, stated, included, chosen.iri
            )
            for condition in sorted(self.conditions.values(), key=lambda c: c.iri)
        }
        active, inactive, absent = [], [], []
        for element in sorted(self.elements.values(), key=_element_order):
            exists = _cost(element.origins, included)
            if exists is None:
                continue  # only an interpretation not included adds it
            passages = self._evidence_in(element.iri, chosen.iri, included)
            if not passages:
                absent.append(self._absent(element, exists, included))
                continue
            outcome = self._outcome(element, exists, passages, met, conditions, included)
            (active if outcome.active else inactive).append(outcome)
        used = sorted(
            {
                iri
                for item in [*active, *inactive, *absent, *conditions.values()]
                for iri in item.interpretations
            }
        )
        return ScenarioResult(
            scenario=scenario_iri(
                chosen.slug, [slug_of(iri) for iri in stated], self._segment(included)
            ),
            version=chosen,
            events=[self.events[slug_of(iri)] for iri in stated],
            mode=INTERPRETED if included else STRICT,
            interpretations_included=list(included),
            interpretations_used=used,
            active=active,
            inactive=inactive,
            not_in_version=absent,
            conditions=list(conditions.values()),
        )

    def _resolve_events(self, events: list[str], version: str | None) -> list[str]:
        by_iri = {ref.iri: ref for ref in self.events.values()}
        stated, unknown = [], []
        for name in events:
            ref = self.events.get(name) or by_iri.get(name)
            if ref is None:
                unknown.append(name)
            elif ref.iri not in stated:
                stated.append(ref.iri)
        version_known = version is None or self._find_version(version) is not None
        if unknown or not version_known:
            raise self._unknown(unknown, None if version_known else version)
        return sorted(stated, key=slug_of)

    def _resolve_version(self, version: str | None) -> Reference:
        name = version if version is not None else self.default_version()
        found = self._find_version(name) if name is not None else None
        if found is None:
            raise self._unknown([], version if version is not None else "(none given)")
        return found

    def _find_version(self, name: str) -> Reference | None:
        if name in self.versions:
            return self.versions[name]
        return next((ref for ref in self.versions.values() if ref.iri == name), None)

    def _unknown(self, events: list[str], version: str | None) -> UnknownScenarioInput:
        return UnknownScenarioInput(
            unknown_events=events,
            unknown_version=version,
            valid_events=sorted(self.events),
            valid_versions=sorted(self.versions),
        )

    def _segment(self, included: Sequence[str]) -> str:
        """How a scenario IRI names the included interpretations ('' for none)."""
        if not included:
            return ""
        if set(included) == set(self.interpretations):
            return ALL_INTERPRETATIONS
        return "+".join(sorted(slug_of(iri) for iri in included))

    # --- conditions ----------------------------------------------------------------

    def _met_conditions(self, stated: list[str], included: Sequence[str]) -> dict[str, Cost]:
        """Every condition met, with the interpretations its cheapest way of being met
        rests on (none for a stated event, or one the words alone meet).

        Relaxed until nothing changes: a condition's cost only ever goes down, so this
        ends; compound conditions are met once their operands are, innermost first.
        """
        met: dict[str, Cost] = {event: frozenset() for event in stated}
        changed = True
        while changed:
            changed = False
            for iri in sorted(self.conditions):
                best = met.get(iri)
                for cost in self._ways_met(iri, met, included):
                    if _cheaper(cost, best):
                        best = cost
                if best is not None and best != met.get(iri):
                    met[iri] = best
                    changed = True
        return met

    def _ways_met(self, iri: str, met: dict[str, Cost], included: Sequence[str]) -> Iterator[Cost]:
        """Each way a condition is met given those met so far, as its cost."""
        for source, origins in sorted(self._entailed_from.get(iri, {}).items()):
            edge = _cost(origins, included)
            if source in met and edge is not None:
                yield met[source] | edge
        kind = self.conditions[iri].kind
        operands = self._available(self.links.operands.get(iri, {}), included)
        if kind == "all-of" and operands and all(op in met for op in operands):
            yield frozenset().union(*(met[op] | edge for op, edge in operands.items()))
        if kind == "any-of":
            for op, edge in operands.items():
                if op in met:
                    yield met[op] | edge

    def _entailed_by(self, stated: list[str], included: Sequence[str]) -> dict[str, set[str]]:
        """For each condition a stated event entails, the stated events that entail it."""
        found: dict[str, set[str]] = defaultdict(set)
        for event in stated:
            seen, queue = {event}, deque([event])
            while queue:
                targets = self.links.entails.get(queue.popleft(), {})
                for target, origins in sorted(targets.items()):
                    if target not in seen and _cost(origins, included) is not None:
                        seen.add(target)
                        found[target].add(event)
                        queue.append(target)
        return found

    @staticmethod
    def _available(edges: dict[str, Origins], included: Sequence[str]) -> dict[str, Cost]:
        """The edges the words or an included interpretation give, with their cost."""
        costs = {target: _cost(origins, included) for target, origins in edges.items()}
        return {target: cost for target, cost in costs.items() if cost is not None}

    # --- elements ------------------------------------------------------------------

    def _dependencies(self, iri: str, included: Sequence[str]) -> dict[str, Cost]:
        """The element itself and everything it depends on, nearest first, each with
        the interpretations its cheapest way there rests on."""
        costs: dict[str, Cost] = {iri: frozenset()}
        queue = deque([iri])
        while queue:
            current = queue.popleft()
            parents = self._available(self.links.depends_on.get(current, {}), included)
            for parent, edge in sorted(parents.items()):
                cost = costs[current] | edge
                if parent not in costs or _cheaper(cost, costs[parent]):
                    costs[parent] = cost
                    queue.append(parent)
        return costs

    def _outcome(
        self,
        element: _Element,
        exists: Cost,
        passages: list[_Passage],
        met: dict[str, Cost],
        conditions: dict[str, ConditionOutcome],
        included: Sequence[str],
    ) -> ElementOutcome:
        deciding = []
        for holder, way in self._dependencies(element.iri, included).items():
            own = self._available(self.links.activated_by.get(holder, {}), included)
            for condition, edge in sorted(own.items()):
                cost = way | edge | met.get(condition, frozenset())
                deciding.append(
                    DecidingCondition(
                        condition=condition,
                        label=self._label(condition),
                        met=condition in met,
                        via=holder,
                        interpretations=sorted(cost),
                    )
                )
        active = all(item.met for item in deciding)
        if not active:
            deciding = [item for item in deciding if not item.met]
        evidence = _cheapest(_cost(p.origins, included) for p in passages)
        rests_on = exists | (evidence or frozenset())
        rests_on = rests_on.union(*(item.interpretations for item in deciding))
        return ElementOutcome(
            iri=element.iri,
            kind=cast(ElementKind, element.kind),
            label=element.label,
            active=active,
            decided_by=deciding,
            explanation=_element_explanation(element.iri, active, deciding, conditions),
            interpretations=sorted(rests_on),
            evidence=[_evidence(p) for p in passages],
        )

    def _condition_outcome(
        self,
        condition: _Condition,
        met: dict[str, Cost],
        entailed_by: dict[str, set[str]],
        stated: list[str],
        included: Sequence[str],
        version: str,
    ) -> ConditionOutcome:
        operands = list(self._available(self.links.operands.get(condition.iri, {}), included))
        return ConditionOutcome(
            iri=condition.iri,
            slug=slug_of(condition.iri),
            kind=cast(ConditionKind, condition.kind),
            label=condition.label,
            met=condition.iri in met,
            explanation=self._condition_explanation(condition, met, entailed_by, stated, operands),
            operands=operands,
            entailed_by=sorted(entailed_by.get(condition.iri, ())),
            interpretations=sorted(met.get(condition.iri, ())),
            evidence=[_evidence(p) for p in self._evidence_in(condition.iri, version, included)],
        )

    def _condition_explanation(
        self,
        condition: _Condition,
        met: dict[str, Cost],
        entailed_by: dict[str, set[str]],
        stated: list[str],
        operands: list[str],
    ) -> str:
        through = _through(met.get(condition.iri, frozenset()))
        if condition.kind == "event":
            if condition.iri in stated:
                return "stated"
            if condition.iri in met:
                sources = ", ".join(slug_of(e) for e in sorted(entailed_by[condition.iri]))
                return f"entailed by the stated event(s) {sources} (sg:entailsCondition){through}"
            return "not stated, and no stated event entails it"
        if condition.kind in ("all-of", "any-of"):
            parts = [f"{slug_of(op)} ({'met' if op in met else 'not met'})" for op in operands]
            joined = ", ".join(parts) or "no operands"
            word = "all" if condition.kind == "all-of" else "any"
            verdict = "met" if condition.iri in met else "not met"
            return f"{verdict}: needs {word} of {joined}{through}"
        return "not an event, all-of or any-of condition: the evaluator cannot decide it"

    def _absent(self, element: _Element, exists: Cost, included: Sequence[str]) -> AbsentElement:
        passages = [
            p for p in self.evidence.get(element.iri, []) if _cost(p.origins, included) is not None
        ]
        return AbsentElement(
            iri=element.iri,
            kind=cast(ElementKind, element.kind),
            label=element.label,
            versions=sorted({slug_of(passage.version) for passage in passages}),
            interpretations=sorted(exists),
        )

    def _evidence_in(self, iri: str, version: str, included: Sequence[str]) -> list[_Passage]:
        return [
            p
            for p in self.evidence.get(iri, [])
            if p.version == version and _cost(p.origins, included) is not None
        ]

    def _label(self, iri: str) -> str | None:
        condition = self.conditions.get(iri)
        return condition.label if condition else None


# --- results as RDF and as text ----------------------------------------------------------


def scenario_iri(version: str, events: list[str], interpretations: str = "") -> str:
    """A stable IRI for a scenario: its version, its sorted events and, for an
    interpreted answer, the interpretations it includes (``all``, or their slugs sorted
    and joined by ``+``)."""
    named = "+".join(sorted(events)) or NO_EVENTS
    path = f"scenario/{version}/{named}"
    if interpretations:
        path += f"/{INTERPRETATIONS_SEGMENT}/{interpretations}"
    return str(ID[path])


def result_graph(result: ScenarioResult, labels: dict[str, str | None] | None = None) -> Graph:
    """The scenario's answer as RDF, with the ``sg:`` scenario-result terms.

    Each element's label, type and evidence in the version (quote and offsets) come
    along, so the graph can be read on its own. An interpreted answer says which
    interpretations it included (``sg:includesInterpretation``) and which it and each
    result rest on (``sg:restsOnInterpretation``), typed and labelled from ``labels``.
    """
    graph = bind_prefixes(Graph())
    scenario = URIRef(result.scenario)
    events = ", ".join(event.slug for event in result.events) or "no events"
    graph.add((scenario, RDF.type, SG.Scenario))
    graph.add((scenario, RDFS.label, Literal(_scenario_label(result, events))))
    graph.add((scenario, SG.scenarioVersion, URIRef(result.version.iri)))
    for event in result.events:
        graph.add((scenario, SG.statedEvent, URIRef(event.iri)))
    for condition in result.conditions:
        if condition.met:
            graph.add((scenario, SG.meetsCondition, URIRef(condition.iri)))
    for iri in result.interpretations_included:
        graph.add((scenario, SG.includesInterpretation, URIRef(iri)))
        graph.add((URIRef(iri), RDF.type, SG.Interpretation))
        label = (labels or {}).get(iri)
        if label:
            graph.add((URIRef(iri), RDFS.label, Literal(label, lang="en")))
    for iri in result.interpretations_used:
        graph.add((scenario, SG.restsOnInterpretation, URIRef(iri)))
    for outcome in [*result.active, *result.inactive]:
        node = URIRef(f"{result.scenario}/result/{_local_path(outcome.iri)}")
        element = URIRef(outcome.iri)
        graph.add((scenario, SG.hasActivationResult, node))
        graph.add((node, RDF.type, SG.ActivationResult))
        graph.add((node, SG.evaluatedEntity, element))
        graph.add((node, SG.isActive, Literal(outcome.active, datatype=XSD.boolean)))
        for deciding in outcome.decided_by:
            graph.add((node, SG.decidedBy, URIRef(deciding.condition)))
        for iri in outcome.interpretations:
            graph.add((node, SG.restsOnInterpretation, URIRef(iri)))
        graph.add((element, RDF.type, ELEMENT_KINDS[outcome.kind]))
        if outcome.label:
            graph.add((element, RDFS.label, Literal(outcome.label, lang="en")))
        for passage in outcome.evidence:
            _add_passage(graph, element, passage, result.version.iri)
    return graph


def _scenario_label(result: ScenarioResult, events: str) -> str:
    label = f"Scenario: {events}, in {result.version.slug}"
    if result.mode == INTERPRETED:
        label += f", with {len(result.interpretations_included)} interpretation(s)"
    return label


def render_text(result: ScenarioResult) -> str:
    """The answer for a person: how it was read, conditions, then active, inactive and
    absent elements, each naming the interpretations it rests on."""
    events = ", ".join(event.slug for event in result.events) or "(none)"
    lines = [
        f"scenario: {events}",
        f"version:  {result.version.slug}",
        f"answer:   {_mode_line(result)}",
        "",
        "conditions:",
    ]
    for condition in result.conditions:
        mark = "met    " if condition.met else "not met"
        lines.append(f"  {mark}  {condition.slug}: {condition.explanation}")
    width = max(len(kind) for kind in ELEMENT_KINDS)
    for title, outcomes in (("active", result.active), ("inactive", result.inactive)):
        lines += ["", f"{title} ({len(outcomes)}):"]
        for outcome in outcomes:
            lines.append(f"  {outcome.kind:<{width}} {compact(outcome.iri)}  {outcome.label or ''}")
            lines.append(f"  {'':<{width}} {outcome.explanation}")
            if outcome.interpretations:
                names = ", ".join(slug_of(iri) for iri in outcome.interpretations)
                lines.append(f"  {'':<{width}} rests on interpretation(s): {names}")
            for passage in outcome.evidence[:1]:
                lines.append(f"  {'':<{width}} evidence: {_quote_line(passage)}")
    lines += ["", f"not in {result.version.slug} ({len(result.not_in_version)}):"]
    for absent in result.not_in_version:
        versions = ", ".join(absent.versions) or "-"
        lines.append(f"  {absent.kind:<{width}} {compact(absent.iri)}  (in {versions})")
    return "\n".join(lines) + "\n"


def _mode_line(result: ScenarioResult) -> str:
    if result.mode == STRICT:
        return "strict: from the words alone, no interpretation included"
    used = ", ".join(slug_of(iri) for iri in result.interpretations_used) or "none"
    return (
        f"interpreted: {len(result.interpretations_included)} interpretation(s) included; "
        f"the answer rests on: {used}"
    )


def render(result: ScenarioResult, fmt: str, labels: dict[str, str | None] | None = None) -> str:
    """``text``, ``json`` or ``turtle`` (``labels``: the interpretations' labels)."""
    if fmt == "json":
        return result.model_dump_json(indent=2) + "\n"
    if fmt == "turtle":
        return result_graph(result, labels).serialize(format="turtle")
    if fmt == "text":
        return render_text(result)
    raise SgkgError(f"unknown scenario format {fmt!r}; expected one of {SCENARIO_FORMATS}")


def slug_of(iri: str) -> str:
    """The last path segment of an IRI: how scenarios name events and versions."""
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


# --- helpers -----------------------------------------------------------------------------


def _cost(origins: Iterable[str], included: Sequence[str]) -> Cost | None:
    """What relying on a triple rests on: nothing if the words state it, else the first
    included interpretation that adds it; None if neither (it is not there)."""
    origins = set(origins)
    if WORDS in origins:
        return frozenset()
    for graph in included:
        if graph in origins:
            return frozenset({graph})
    return None


def _cheaper(cost: Cost, than: Cost | None) -> bool:
    """Fewer interpretations first (so the words win), then a fixed order."""
    return than is None or (len(cost), sorted(cost)) < (len(than), sorted(than))


def _cheapest(costs: Iterable[Cost | None]) -> Cost | None:
    best: Cost | None = None
    for cost in costs:
        if cost is not None and _cheaper(cost, best):
            best = cost
    return best


def _through(cost: Cost) -> str:
    if not cost:
        return ""
    return " through interpretation(s) " + ", ".join(slug_of(iri) for iri in sorted(cost))


def _words_first(row: tuple) -> tuple:
    """Rows of the asserted graphs before those of interpretation graphs."""
    return (str(row[0]) not in ASSERTED_GRAPHS, tuple(str(term) for term in row))


def _passage_order(passage: _Passage) -> tuple[int, str]:
    return (passage.start if passage.start is not None else -1, passage.iri)


def _refuse_shared_slugs(what: str, iris: list[str]) -> None:
    """Requests name events and versions by slug, so two must never share one."""
    by_slug: dict[str, list[str]] = defaultdict(list)
    for iri in iris:
        by_slug[slug_of(iri)].append(iri)
    shared = {slug: named for slug, named in by_slug.items() if len(named) > 1}
    if shared:
        listed = "; ".join(f"{slug}: {', '.join(named)}" for slug, named in sorted(shared.items()))
        raise SgkgError(f"{what} must end in distinct names, but these share one: {listed}")


def _element_explanation(
    iri: str,
    active: bool,
    deciding: list[DecidingCondition],
    conditions: dict[str, ConditionOutcome],
) -> str:
    if not deciding:
        return "active: no activation condition applies to it or to anything it depends on"
    parts = []
    for item in deciding:
        note = _short_reason(conditions.get(item.condition))
        via = "" if item.via == iri else f" through {compact(item.via)}"
        parts.append(f"{slug_of(item.condition)}{note}{via}")
    if active:
        return "active: every condition it depends on is met: " + "; ".join(parts)
    return "inactive: not met: " + "; ".join(parts)


def _short_reason(condition: ConditionOutcome | None) -> str:
    """Why a condition is (not) met, in brackets, unless it is simply (not) stated."""
    if condition is None:
        return " [not a condition the graph describes]"
    if condition.entailed_by:
        reason = f"entailed by {', '.join(slug_of(e) for e in condition.entailed_by)}"
        return f" [{reason}{_through(frozenset(condition.interpretations))}]"
    if condition.kind in ("all-of", "any-of", "other"):
        return f" [{condition.explanation}]"
    return ""


def _element_order(element: _Element) -> tuple[int, str]:
    return (_kind_rank(element.kind), element.iri)


def _kind_rank(kind: str) -> int:
    kinds = list(ELEMENT_KINDS)
    return kinds.index(kind) if kind in kinds else len(kinds)


def _evidence(passage: _Passage) -> EvidencePassage:
    return EvidencePassage(
        passage=passage.iri, quote=passage.quote, start=passage.start, end=passage.end
    )


def _add_passage(graph: Graph, element: URIRef, passage: EvidencePassage, version: str) -> None:
    node = URIRef(passage.passage)
    graph.add((element, SG.hasEvidence, node))
    graph.add((node, RDF.type, SG.Passage))
    graph.add((node, SG.inVersion, URIRef(version)))
    if passage.quote is not None:
        graph.add((node, SG.quote, Literal(passage.quote)))
    if passage.start is not None:
        graph.add((node, SG.startOffset, Literal(passage.start, datatype=XSD.integer)))
    if passage.end is not None:
        graph.add((node, SG.endOffset, Literal(passage.end, datatype=XSD.integer)))


def _local_path(iri: str) -> str:
    return iri[len(str(ID)) :] if iri.startswith(str(ID)) else slug_of(iri)


def _quote_line(passage: EvidencePassage, width: int = 90) -> str:
    quote = " ".join((passage.quote or "").split())
    if len(quote) > width:
        quote = quote[: width - 3] + "..."
    return f'{compact(passage.passage)} [{passage.start}-{passage.end}] "{quote}"'


def _text(term: object) -> str | None:
    return None if term is None else str(term)


def _int(term: object) -> int | None:
    try:
        return None if term is None else int(str(term))
    except ValueError:
        return None
