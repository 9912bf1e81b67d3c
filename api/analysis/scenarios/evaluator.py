"""One scenario evaluated over the graph: which conditions are met, which elements are
active, and why (the semantics are in :mod:`api.analysis.scenarios`).

Every edge and passage used carries its cost: the interpretations relying on it rests
on (none when the words state it). Where there are several ways, the cheapest wins, so
the words win over an interpretation that only repeats them.
"""

from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Sequence
from typing import cast

from api.analysis.scenarios.graph import (
    WORDS,
    Condition,
    Element,
    Origins,
    Passage,
    ScenarioGraph,
)
from api.analysis.scenarios.naming import slug_of
from api.analysis.scenarios.results import (
    AbsentElement,
    ConditionKind,
    ConditionOutcome,
    DecidingCondition,
    ElementKind,
    ElementOutcome,
    EvidencePassage,
    kind_rank,
)
from api.core.namespaces import compact

#: The interpretations a derivation rests on; empty: the words alone.
Cost = frozenset[str]


class Evaluation:
    """A scenario over ``graph``: the ``stated`` events (IRIs), the interpretations
    ``included`` besides the words (graph IRIs, sorted) and the chosen ``version``."""

    def __init__(
        self, graph: ScenarioGraph, stated: list[str], included: Sequence[str], version: str
    ) -> None:
        self.graph = graph
        self.stated = stated
        self.included = included
        self.version = version
        self.met = self._met_conditions()
        self.entailed_by = self._entailed_by()

    def conditions(self) -> dict[str, ConditionOutcome]:
        """Every condition of the graph, met or not, by IRI."""
        return {
            condition.iri: self._condition_outcome(condition)
            for condition in sorted(self.graph.conditions.values(), key=lambda c: c.iri)
        }

    def elements(
        self, conditions: dict[str, ConditionOutcome]
    ) -> tuple[list[ElementOutcome], list[ElementOutcome], list[AbsentElement]]:
        """The elements active and inactive in the version, and those not in it."""
        active, inactive, absent = [], [], []
        for element in sorted(self.graph.elements.values(), key=_element_order):
            exists = _cost(element.origins, self.included)
            if exists is None:
                continue  # only an interpretation not included adds it
            passages = self._evidence_in(element.iri)
            if not passages:
                absent.append(self._absent(element, exists))
                continue
            outcome = self._outcome(element, exists, passages, conditions)
            (active if outcome.active else inactive).append(outcome)
        return active, inactive, absent

    # --- conditions ----------------------------------------------------------------

    def _met_conditions(self) -> dict[str, Cost]:
        """Every condition met, with the interpretations its cheapest way of being met
        rests on (none for a stated event, or one the words alone meet).

        Relaxed until nothing changes: a condition's cost only ever goes down, so this
        ends; compound conditions are met once their operands are, innermost first.
        """
        met: dict[str, Cost] = {event: frozenset() for event in self.stated}
        changed = True
        while changed:
            changed = False
            for iri in sorted(self.graph.conditions):
                best = met.get(iri)
                for cost in self._ways_met(iri, met):
                    if _cheaper(cost, best):
                        best = cost
                if best is not None and best != met.get(iri):
                    met[iri] = best
                    changed = True
        return met

    def _ways_met(self, iri: str, met: dict[str, Cost]) -> Iterator[Cost]:
        """Each way a condition is met given those met so far, as its cost."""
        for source, origins in sorted(self.graph.links.entailed_from.get(iri, {}).items()):
            edge = _cost(origins, self.included)
            if source in met and edge is not None:
                yield met[source] | edge
        kind = self.graph.conditions[iri].kind
        operands = self._available(self.graph.links.operands.get(iri, {}))
        if kind == "all-of" and operands and all(op in met for op in operands):
            yield frozenset().union(*(met[op] | edge for op, edge in operands.items()))
        if kind == "any-of":
            for op, edge in operands.items():
                if op in met:
                    yield met[op] | edge

    def _entailed_by(self) -> dict[str, set[str]]:
        """For each condition a stated event entails, the stated events that entail it."""
        found: dict[str, set[str]] = defaultdict(set)
        for event in self.stated:
            seen, queue = {event}, deque([event])
            while queue:
                targets = self.graph.links.entails.get(queue.popleft(), {})
                for target, origins in sorted(targets.items()):
                    if target not in seen and _cost(origins, self.included) is not None:
                        seen.add(target)
                        found[target].add(event)
                        queue.append(target)
        return found

    def _available(self, edges: dict[str, Origins]) -> dict[str, Cost]:
        """The edges the words or an included interpretation give, with their cost."""
        costs = {target: _cost(origins, self.included) for target, origins in edges.items()}
        return {target: cost for target, cost in costs.items() if cost is not None}

    def _condition_outcome(self, condition: Condition) -> ConditionOutcome:
        operands = list(self._available(self.graph.links.operands.get(condition.iri, {})))
        return ConditionOutcome(
            iri=condition.iri,
            slug=slug_of(condition.iri),
            kind=cast(ConditionKind, condition.kind),
            label=condition.label,
            met=condition.iri in self.met,
            explanation=self._condition_explanation(condition, operands),
            operands=operands,
            entailed_by=sorted(self.entailed_by.get(condition.iri, ())),
            interpretations=sorted(self.met.get(condition.iri, ())),
            evidence=[_evidence(p) for p in self._evidence_in(condition.iri)],
        )

    def _condition_explanation(self, condition: Condition, operands: list[str]) -> str:
        met = self.met
        through = _through(met.get(condition.iri, frozenset()))
        if condition.kind == "event":
            if condition.iri in self.stated:
                return "stated"
            if condition.iri in met:
                sources = ", ".join(slug_of(e) for e in sorted(self.entailed_by[condition.iri]))
                return f"entailed by the stated event(s) {sources} (sg:entailsCondition){through}"
            return "not stated, and no stated event entails it"
        if condition.kind in ("all-of", "any-of"):
            parts = [f"{slug_of(op)} ({'met' if op in met else 'not met'})" for op in operands]
            joined = ", ".join(parts) or "no operands"
            word = "all" if condition.kind == "all-of" else "any"
            verdict = "met" if condition.iri in met else "not met"
            return f"{verdict}: needs {word} of {joined}{through}"
        return "not an event, all-of or any-of condition: the evaluator cannot decide it"

    # --- elements ------------------------------------------------------------------

    def _dependencies(self, iri: str) -> dict[str, Cost]:
        """The element itself and everything it depends on, nearest first, each with
        the interpretations its cheapest way there rests on."""
        costs: dict[str, Cost] = {iri: frozenset()}
        queue = deque([iri])
        while queue:
            current = queue.popleft()
            parents = self._available(self.graph.links.depends_on.get(current, {}))
            for parent, edge in sorted(parents.items()):
                cost = costs[current] | edge
                if parent not in costs or _cheaper(cost, costs[parent]):
                    costs[parent] = cost
                    queue.append(parent)
        return costs

    def _deciding(self, iri: str) -> list[DecidingCondition]:
        """The ``sg:activatedBy`` conditions of the element and of everything it depends
        on, each with what makes it apply and, if met, what meets it."""
        deciding = []
        for holder, way in self._dependencies(iri).items():
            own = self._available(self.graph.links.activated_by.get(holder, {}))
            for condition, edge in sorted(own.items()):
                cost = way | edge | self.met.get(condition, frozenset())
                deciding.append(
                    DecidingCondition(
                        condition=condition,
                        label=self._label(condition),
                        met=condition in self.met,
                        via=holder,
                        interpretations=sorted(cost),
                    )
                )
        return deciding

    def _outcome(
        self,
        element: Element,
        exists: Cost,
        passages: list[Passage],
        conditions: dict[str, ConditionOutcome],
    ) -> ElementOutcome:
        deciding = self._deciding(element.iri)
        active = all(item.met for item in deciding)
        if not active:
            deciding = [item for item in deciding if not item.met]
        evidence = _cheapest(_cost(p.origins, self.included) for p in passages)
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

    def _absent(self, element: Element, exists: Cost) -> AbsentElement:
        passages = [
            p
            for p in self.graph.evidence.get(element.iri, [])
            if _cost(p.origins, self.included) is not None
        ]
        return AbsentElement(
            iri=element.iri,
            kind=cast(ElementKind, element.kind),
            label=element.label,
            versions=sorted({slug_of(passage.version) for passage in passages}),
            interpretations=sorted(exists),
        )

    def _evidence_in(self, iri: str) -> list[Passage]:
        return [
            p
            for p in self.graph.evidence.get(iri, [])
            if p.version == self.version and _cost(p.origins, self.included) is not None
        ]

    def _label(self, iri: str) -> str | None:
        condition = self.graph.conditions.get(iri)
        return condition.label if condition else None


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


def _element_order(element: Element) -> tuple[int, str]:
    return (kind_rank(element.kind), element.iri)


def _evidence(passage: Passage) -> EvidencePassage:
    return EvidencePassage(
        passage=passage.iri, quote=passage.quote, start=passage.start, end=passage.end
    )
