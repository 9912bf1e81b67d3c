"""The scenario model: the graph read once, and each request evaluated against it.

A request names events and a version by slug or IRI and the interpretations to include
besides the words; the model resolves those names (refusing unknown ones with the valid
ones listed), has the :class:`~api.analysis.scenarios.evaluator.Evaluation` decide, and
puts the answer together.
"""

from collections.abc import Iterable, Sequence

from api.analysis.scenarios.evaluator import Evaluation
from api.analysis.scenarios.graph import ScenarioGraph, read_graph
from api.analysis.scenarios.naming import (
    ALL_INTERPRETATIONS,
    UnknownScenarioInput,
    refuse_shared_slugs,
    scenario_iri,
    slug_of,
)
from api.analysis.scenarios.results import EventCatalogue, Reference, ScenarioResult
from api.store.base import Store
from api.store.interpretations import INTERPRETED, STRICT, select

#: The version evaluated when none is given (if the graph holds it).
DEFAULT_VERSION = "paris-final"


class ScenarioModel:
    """What the evaluator needs from the graph, read once; :meth:`evaluate` per request."""

    def __init__(self, graph: ScenarioGraph) -> None:
        self.graph = graph
        self.versions = graph.versions  # by slug
        #: the interpretations a scenario may include (those with a graph), by IRI
        self.interpretations = dict(sorted(graph.interpretations.items()))
        conditions = graph.conditions
        event_iris = sorted(iri for iri, c in conditions.items() if c.kind == "event")
        refuse_shared_slugs("event conditions", event_iris)
        self.events = {
            slug_of(iri): Reference(iri=iri, slug=slug_of(iri), label=conditions[iri].label)
            for iri in event_iris
        }

    @classmethod
    def from_store(cls, store: Store) -> "ScenarioModel":
        """The model of the graph ``store`` holds (its asserted and interpretation graphs)."""
        return cls(read_graph(store))

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
        evaluation = Evaluation(self.graph, stated, included, chosen.iri)
        conditions = evaluation.conditions()
        active, inactive, absent = evaluation.elements(conditions)
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
