"""Activation scenarios: which guarantees a set of events activates, and why.

A researcher states which events have happened (event conditions, by the last segment
of their IRI: ``ceasefire-in-force``, ``armed-attack-by-russia``...) and picks a text
version. The evaluator answers which guarantee elements and statements are active, which
are not, the conditions that decided each, and the passages of that version behind it.

Everything comes from the graph (conditions are data); nothing here knows the Paris
Declaration. The semantics:

- **Which elements.** Guarantee systems, components, mechanisms, commitments and
  participations (``a/rdfs:subClassOf*`` those classes). An element is evaluated only
  if it has ``sg:hasEvidence`` in a passage of the chosen version; the others are
  listed as not in that version.
- **Event conditions.** Met if stated, or entailed by a stated event through
  ``sg:entailsCondition`` (transitively): a stated armed attack by Russia meets "a
  future armed attack" and "an attack" when the data says it entails them.
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
  it (all of them when it is active, the unmet ones when it is not).
- An element with no condition anywhere up its dependencies is active whatever
  happens (the coordination cell, decided on its own, outside the system).

The graph is read once through :class:`api.store.Store` (a handful of SPARQL queries
over the asserted graphs, so the answer does not depend on whether reasoning ran) into a
:class:`ScenarioModel`; each evaluation is then plain Python over that model.
"""

from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Literal as TypingLiteral
from typing import cast

from pydantic import BaseModel, Field
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from api.errors import SgkgError
from api.layout import DATA, ONTOLOGY, SOURCES, graph_iri
from api.namespaces import ID, SG, bind_prefixes, compact
from api.results import SelectResult
from api.store import Store

#: The version evaluated when none is given (if the graph holds it).
DEFAULT_VERSION = "paris-final"

#: Output formats of ``sgkg scenario``.
SCENARIO_FORMATS = ("text", "json", "turtle")

#: Element kinds, in the order results list them, with the class that defines each.
ELEMENT_KINDS: dict[str, URIRef] = {
    "system": SG.GuaranteeSystem,
    "component": SG.Component,
    "mechanism": SG.Mechanism,
    "commitment": SG.Commitment,
    "participation": SG.Participation,
}

#: Condition kinds and their classes; a condition of none of these is "other".
CONDITION_KINDS: dict[str, URIRef] = {
    "event": SG.EventCondition,
    "all-of": SG.AllOfCondition,
    "any-of": SG.AnyOfCondition,
}

#: The graphs the model is read from: the asserted ones (not ``inferred``).
ASSERTED_GRAPHS = tuple(str(graph_iri(name)) for name in (ONTOLOGY, DATA, SOURCES))

ConditionKind = TypingLiteral["event", "all-of", "any-of", "other"]
ElementKind = TypingLiteral["system", "component", "mechanism", "commitment", "participation"]


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
    evidence: list[EvidencePassage] = Field(default_factory=list)


class DecidingCondition(BaseModel):
    """A condition an element depends on: its own, or one of an element above it."""

    condition: str = Field(description="IRI of the condition.")
    label: str | None = None
    met: bool
    via: str = Field(description="IRI of the element whose sg:activatedBy it is.")


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
    evidence: list[EvidencePassage] = Field(default_factory=list)


class AbsentElement(BaseModel):
    """An element with no evidence in the chosen version."""

    iri: str
    kind: ElementKind
    label: str | None = None
    versions: list[str] = Field(description="Slugs of the versions that do have it.")


class ScenarioResult(BaseModel):
    """The answer to a scenario: active and inactive elements, and every condition."""

    scenario: str = Field(description="IRI naming this scenario in the results graph.")
    version: Reference
    events: list[Reference] = Field(description="The stated events.")
    active: list[ElementOutcome]
    inactive: list[ElementOutcome]
    not_in_version: list[AbsentElement]
    conditions: list[ConditionOutcome]


class EventCatalogue(BaseModel):
    """What a scenario may state, and the versions it may be evaluated against."""

    events: list[Reference]
    versions: list[Reference]
    default_version: str | None


# --- the model read from the graph ------------------------------------------------------


@dataclass
class _Element:
    iri: str
    kind: str
    label: str | None
    depends_on: set[str] = field(default_factory=set)
    conditions: set[str] = field(default_factory=set)


@dataclass
class _Condition:
    iri: str
    kind: str
    label: str | None
    operands: list[str] = field(default_factory=list)
    entails: set[str] = field(default_factory=set)


@dataclass
class _Passage:
    iri: str
    version: str
    quote: str | None
    start: int | None
    end: int | None


def _values(kinds: dict[str, URIRef]) -> str:
    """A SPARQL VALUES block body pairing each class with its kind name."""
    return " ".join(f'(<{cls}> "{kind}")' for kind, cls in kinds.items())


_PREFIXES = f"""PREFIX sg: <{SG}>
PREFIX rdfs: <{RDFS}>
"""

_ELEMENTS = (
    _PREFIXES
    + """SELECT ?e ?kind ?label WHERE {
  VALUES (?class ?kind) { $KINDS }
  ?e a/rdfs:subClassOf* ?class .
  OPTIONAL { ?e rdfs:label ?label FILTER(lang(?label) = "" || langMatches(lang(?label), "en")) }
}"""
).replace("$KINDS", _values(ELEMENT_KINDS))

_CONDITIONS = (
    _PREFIXES
    + """SELECT ?c ?kind ?label WHERE {
  ?c a/rdfs:subClassOf* sg:Condition .
  OPTIONAL { VALUES (?class ?kind) { $KINDS } ?c a/rdfs:subClassOf* ?class }
  OPTIONAL { ?c rdfs:label ?label FILTER(lang(?label) = "" || langMatches(lang(?label), "en")) }
}"""
).replace("$KINDS", _values(CONDITION_KINDS))

_LINKS = (
    _PREFIXES
    + """SELECT ?s ?p ?o WHERE {
  VALUES ?p { sg:partOf sg:participationIn sg:activatedBy sg:operand sg:entailsCondition }
  ?s ?p ?o .
}"""
)

_EVIDENCE = (
    _PREFIXES
    + """SELECT ?e ?passage ?version ?quote ?start ?end WHERE {
  ?e sg:hasEvidence ?passage .
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
  OPTIONAL { ?v rdfs:label ?label FILTER(lang(?label) = "" || langMatches(lang(?label), "en")) }
}"""
)


class ScenarioModel:
    """What the evaluator needs from the graph, read once; :meth:`evaluate` per request."""

    def __init__(
        self,
        elements: dict[str, _Element],
        conditions: dict[str, _Condition],
        evidence: dict[str, list[_Passage]],
        versions: dict[str, Reference],
    ) -> None:
        self.elements = elements
        self.conditions = conditions
        self.evidence = evidence
        self.versions = versions  # by slug
        event_iris = sorted(iri for iri, c in conditions.items() if c.kind == "event")
        _refuse_shared_slugs("event conditions", event_iris)
        self.events = {
            slug_of(iri): Reference(iri=iri, slug=slug_of(iri), label=conditions[iri].label)
            for iri in event_iris
        }
        self._dependencies = {iri: self._closure(iri) for iri in elements}

    @classmethod
    def from_store(cls, store: Store) -> "ScenarioModel":
        """Read elements, conditions, evidence and versions from the asserted graphs."""

        def rows(sparql: str) -> tuple[tuple, ...]:
            result = store.query(sparql, default_graph_uris=ASSERTED_GRAPHS)
            if not isinstance(result, SelectResult):
                raise SgkgError(f"the store answered a SELECT with {type(result).__name__}")
            return result.rows

        elements: dict[str, _Element] = {}
        for iri, kind, label in rows(_ELEMENTS):
            current = elements.get(str(iri))
            if current is None or _kind_rank(str(kind)) > _kind_rank(current.kind):
                elements[str(iri)] = _Element(str(iri), str(kind), _text(label))
        conditions: dict[str, _Condition] = {}
        for iri, kind, label in rows(_CONDITIONS):
            known = conditions.get(str(iri))
            if known is None or known.kind == "other":
                conditions[str(iri)] = _Condition(str(iri), str(kind or "other"), _text(label))
        for subject, predicate, value in sorted(rows(_LINKS)):
            _add_link(elements, conditions, str(subject), predicate, str(value))
        evidence: dict[str, list[_Passage]] = defaultdict(list)
        for iri, passage, version, quote, start, end in sorted(rows(_EVIDENCE)):
            evidence[str(iri)].append(
                _Passage(str(passage), str(version), _text(quote), _int(start), _int(end))
            )
        for passages in evidence.values():
            passages.sort(key=lambda p: (p.start if p.start is not None else -1, p.iri))
        version_rows = sorted(rows(_VERSIONS))
        _refuse_shared_slugs("text versions", sorted({str(iri) for iri, _ in version_rows}))
        versions = {
            slug_of(str(iri)): Reference(iri=str(iri), slug=slug_of(str(iri)), label=_text(label))
            for iri, label in version_rows
        }
        return cls(elements, conditions, dict(evidence), versions)

    # --- the catalogue -------------------------------------------------------------

    def catalogue(self) -> EventCatalogue:
        """The events a scenario may state and the versions it may use."""
        return EventCatalogue(
            events=list(self.events.values()),
            versions=[self.versions[slug] for slug in sorted(self.versions)],
            default_version=self.default_version(),
        )

    def default_version(self) -> str | None:
        """:data:`DEFAULT_VERSION` if the graph has it, else its only version, else None."""
        if DEFAULT_VERSION in self.versions:
            return DEFAULT_VERSION
        return next(iter(self.versions)) if len(self.versions) == 1 else None

    # --- evaluation ----------------------------------------------------------------

    def evaluate(self, events: list[str], version: str | None = None) -> ScenarioResult:
        """Evaluate a scenario. ``events`` and ``version`` are slugs or full IRIs.

        Raises :class:`UnknownScenarioInput` naming the valid events and versions.
        """
        stated = self._resolve_events(events, version)
        chosen = self._resolve_version(version)
        met, reasons = self._met_conditions(stated)
        conditions = {
            condition.iri: self._condition_outcome(condition, met, reasons, stated, chosen.iri)
            for condition in sorted(self.conditions.values(), key=lambda c: c.iri)
        }
        active, inactive, absent = [], [], []
        for element in sorted(self.elements.values(), key=_element_order):
            passages = self._evidence_in(element.iri, chosen.iri)
            if not passages:
                absent.append(self._absent(element))
                continue
            outcome = self._outcome(element, met, passages, conditions)
            (active if outcome.active else inactive).append(outcome)
        return ScenarioResult(
            scenario=scenario_iri(chosen.slug, [slug_of(iri) for iri in stated]),
            version=chosen,
            events=[self.events[slug_of(iri)] for iri in stated],
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

    def _met_conditions(self, stated: list[str]) -> tuple[set[str], dict[str, set[str]]]:
        """Every condition met, and for each entailed event the stated events behind it."""
        entailed_by: dict[str, set[str]] = defaultdict(set)
        met: set[str] = set(stated)
        for event in stated:
            for reached in self._entailed(event):
                met.add(reached)
                if reached != event:
                    entailed_by[reached].add(event)
        changed = True
        while changed:  # compound conditions, innermost first, until nothing changes
            changed = False
            for condition in self.conditions.values():
                if condition.iri not in met and self._compound_met(condition, met):
                    met.add(condition.iri)
                    changed = True
        return met, entailed_by

    def _entailed(self, event: str) -> set[str]:
        found, queue = {event}, deque([event])
        while queue:
            current = self.conditions.get(queue.popleft())
            for target in sorted(current.entails) if current else ():
                if target not in found:
                    found.add(target)
                    queue.append(target)
        return found

    @staticmethod
    def _compound_met(condition: _Condition, met: set[str]) -> bool:
        if condition.kind == "all-of":
            return bool(condition.operands) and all(op in met for op in condition.operands)
        if condition.kind == "any-of":
            return any(op in met for op in condition.operands)
        return False

    def _closure(self, iri: str) -> list[str]:
        """The element itself and everything it depends on, nearest first."""
        order, queue = [iri], deque([iri])
        while queue:
            current = self.elements.get(queue.popleft())
            for parent in sorted(current.depends_on) if current else ():
                if parent not in order:
                    order.append(parent)
                    queue.append(parent)
        return order

    def _conditions_of(self, iri: str) -> list[str]:
        element = self.elements.get(iri)
        if element is not None:
            return sorted(element.conditions)
        return []

    def _outcome(
        self,
        element: _Element,
        met: set[str],
        passages: list[_Passage],
        conditions: dict[str, ConditionOutcome],
    ) -> ElementOutcome:
        deciding = [
            DecidingCondition(
                condition=condition,
                label=self._label(condition),
                met=condition in met,
                via=holder,
            )
            for holder in self._dependencies[element.iri]
            for condition in self._conditions_of(holder)
        ]
        active = all(item.met for item in deciding)
        if not active:
            deciding = [item for item in deciding if not item.met]
        return ElementOutcome(
            iri=element.iri,
            kind=cast(ElementKind, element.kind),
            label=element.label,
            active=active,
            decided_by=deciding,
            explanation=_element_explanation(element.iri, active, deciding, conditions),
            evidence=[_evidence(p) for p in passages],
        )

    def _condition_outcome(
        self,
        condition: _Condition,
        met: set[str],
        entailed_by: dict[str, set[str]],
        stated: list[str],
        version: str,
    ) -> ConditionOutcome:
        is_met = condition.iri in met
        return ConditionOutcome(
            iri=condition.iri,
            slug=slug_of(condition.iri),
            kind=cast(ConditionKind, condition.kind),
            label=condition.label,
            met=is_met,
            explanation=self._condition_explanation(condition, met, entailed_by, stated),
            operands=list(condition.operands),
            entailed_by=sorted(entailed_by.get(condition.iri, ())),
            evidence=[_evidence(p) for p in self._evidence_in(condition.iri, version)],
        )

    def _condition_explanation(
        self,
        condition: _Condition,
        met: set[str],
        entailed_by: dict[str, set[str]],
        stated: list[str],
    ) -> str:
        if condition.kind == "event":
            if condition.iri in stated:
                return "stated"
            if condition.iri in met:
                sources = ", ".join(slug_of(e) for e in sorted(entailed_by[condition.iri]))
                return f"entailed by the stated event(s) {sources} (sg:entailsCondition)"
            return "not stated, and no stated event entails it"
        if condition.kind in ("all-of", "any-of"):
            parts = [
                f"{slug_of(op)} ({'met' if op in met else 'not met'})" for op in condition.operands
            ]
            joined = ", ".join(parts) or "no operands"
            word = "all" if condition.kind == "all-of" else "any"
            verdict = "met" if condition.iri in met else "not met"
            return f"{verdict}: needs {word} of {joined}"
        return "not an event, all-of or any-of condition: the evaluator cannot decide it"

    def _absent(self, element: _Element) -> AbsentElement:
        versions = sorted(
            {slug_of(passage.version) for passage in self.evidence.get(element.iri, [])}
        )
        return AbsentElement(
            iri=element.iri,
            kind=cast(ElementKind, element.kind),
            label=element.label,
            versions=versions,
        )

    def _evidence_in(self, iri: str, version: str) -> list[_Passage]:
        return [p for p in self.evidence.get(iri, []) if p.version == version]

    def _label(self, iri: str) -> str | None:
        condition = self.conditions.get(iri)
        return condition.label if condition else None


# --- results as RDF and as text ----------------------------------------------------------


def scenario_iri(version: str, events: list[str]) -> str:
    """A stable IRI for a scenario: its version and its sorted events."""
    named = "+".join(sorted(events)) or "no-events"
    return str(ID[f"scenario/{version}/{named}"])


def result_graph(result: ScenarioResult) -> Graph:
    """The scenario's answer as RDF, with the ``sg:`` scenario-result terms.

    Each element's label, type and evidence in the version (quote and offsets) come
    along, so the graph can be read on its own.
    """
    graph = bind_prefixes(Graph())
    scenario = URIRef(result.scenario)
    events = ", ".join(event.slug for event in result.events) or "no events"
    graph.add((scenario, RDF.type, SG.Scenario))
    graph.add((scenario, RDFS.label, Literal(f"Scenario: {events}, in {result.version.slug}")))
    graph.add((scenario, SG.scenarioVersion, URIRef(result.version.iri)))
    for event in result.events:
        graph.add((scenario, SG.statedEvent, URIRef(event.iri)))
    for condition in result.conditions:
        if condition.met:
            graph.add((scenario, SG.meetsCondition, URIRef(condition.iri)))
    for outcome in [*result.active, *result.inactive]:
        node = URIRef(f"{result.scenario}/result/{_local_path(outcome.iri)}")
        element = URIRef(outcome.iri)
        graph.add((scenario, SG.hasActivationResult, node))
        graph.add((node, RDF.type, SG.ActivationResult))
        graph.add((node, SG.evaluatedEntity, element))
        graph.add((node, SG.isActive, Literal(outcome.active, datatype=XSD.boolean)))
        for deciding in outcome.decided_by:
            graph.add((node, SG.decidedBy, URIRef(deciding.condition)))
        graph.add((element, RDF.type, ELEMENT_KINDS[outcome.kind]))
        if outcome.label:
            graph.add((element, RDFS.label, Literal(outcome.label, lang="en")))
        for passage in outcome.evidence:
            _add_passage(graph, element, passage, result.version.iri)
    return graph


def render_text(result: ScenarioResult) -> str:
    """The answer for a person: conditions, then active, inactive and absent elements."""
    events = ", ".join(event.slug for event in result.events) or "(none)"
    lines = [f"scenario: {events}", f"version:  {result.version.slug}", "", "conditions:"]
    for condition in result.conditions:
        mark = "met    " if condition.met else "not met"
        lines.append(f"  {mark}  {condition.slug}: {condition.explanation}")
    for title, outcomes in (("active", result.active), ("inactive", result.inactive)):
        lines += ["", f"{title} ({len(outcomes)}):"]
        for outcome in outcomes:
            lines.append(f"  {outcome.kind:<13} {compact(outcome.iri)}  {outcome.label or ''}")
            lines.append(f"  {'':<13} {outcome.explanation}")
            for passage in outcome.evidence[:1]:
                lines.append(f"  {'':<13} evidence: {_quote_line(passage)}")
    lines += ["", f"not in {result.version.slug} ({len(result.not_in_version)}):"]
    for absent in result.not_in_version:
        lines.append(
            f"  {absent.kind:<13} {compact(absent.iri)}  (in {', '.join(absent.versions) or '-'})"
        )
    return "\n".join(lines) + "\n"


def render(result: ScenarioResult, fmt: str) -> str:
    """``text``, ``json`` or ``turtle``."""
    if fmt == "json":
        return result.model_dump_json(indent=2) + "\n"
    if fmt == "turtle":
        return result_graph(result).serialize(format="turtle")
    if fmt == "text":
        return render_text(result)
    raise SgkgError(f"unknown scenario format {fmt!r}; expected one of {SCENARIO_FORMATS}")


def slug_of(iri: str) -> str:
    """The last path segment of an IRI: how scenarios name events and versions."""
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


# --- helpers -----------------------------------------------------------------------------


def _add_link(
    elements: dict[str, _Element],
    conditions: dict[str, _Condition],
    subject: str,
    predicate: object,
    value: str,
) -> None:
    if predicate in (SG.partOf, SG.participationIn) and subject in elements:
        elements[subject].depends_on.add(value)
    elif predicate == SG.activatedBy and subject in elements:
        elements[subject].conditions.add(value)
    elif predicate == SG.operand and subject in conditions:
        conditions[subject].operands.append(value)
    elif predicate == SG.entailsCondition and subject in conditions:
        conditions[subject].entails.add(value)


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
        return f" [entailed by {', '.join(slug_of(e) for e in condition.entailed_by)}]"
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
