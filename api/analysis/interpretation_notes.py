"""What the interpretations say about a resource: readings beyond the words, kept apart.

Pages show a statement (or a party, a mechanism, a passage) as the words give it, and,
in a separate block flagged as such, the interpretations that concern it: those that
``sg:interprets`` it, those based on (``sg:basedOn``) a passage, and those whose graph
adds triples about it. The descriptions are in the strict graph
(``https://w3id.org/sgkg/graph/interpretations``); the added triples are in each
interpretation's own named graph, which a strict query never sees, so they are read with
those graphs asked for explicitly (:meth:`api.store.base.Store.query` ``interpretations=``).

Read once per served graph into :class:`InterpretationNotes`; a page then asks
:meth:`~InterpretationNotes.about` a resource.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from rdflib import Literal

from api.analysis.statements import Ref
from api.store.base import Store, select
from api.store.interpretations import INTERPRETATION_NS
from api.store.results import term_text

_PREFIXES = """PREFIX sg: <https://w3id.org/sgkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""

_EN = 'FILTER(LANG(?{v}) = "" || LANGMATCHES(LANG(?{v}), "en"))'

_DESCRIPTIONS = f"""{_PREFIXES}
SELECT ?i ?label ?kindLabel ?question ?reading ?p ?o WHERE {{
  ?i a sg:Interpretation .
  OPTIONAL {{ ?i rdfs:label ?label {_EN.format(v="label")} }}
  OPTIONAL {{ ?i sg:interpretationKind/skos:prefLabel ?kindLabel {_EN.format(v="kindLabel")} }}
  OPTIONAL {{ ?i sg:question ?question }}
  OPTIONAL {{ ?i sg:reading ?reading }}
  OPTIONAL {{ VALUES ?p {{ sg:interprets sg:basedOn sg:appliesToVersion }} ?i ?p ?o }}
}}"""

_LABELS = f"""{_PREFIXES}
SELECT ?i ?label WHERE {{ ?i a sg:Interpretation ; rdfs:label ?label {_EN.format(v="label")} }}"""

_ADDED = f"""{_PREFIXES}
SELECT ?g ?s ?p ?o ?pLabel ?oLabel WHERE {{
  GRAPH ?g {{ ?s ?p ?o }}
  FILTER(STRSTARTS(STR(?g), "{INTERPRETATION_NS}"))
  OPTIONAL {{ ?p rdfs:label ?pLabel {_EN.format(v="pLabel")} }}
  OPTIONAL {{ ?o rdfs:label ?oLabel {_EN.format(v="oLabel")} }}
}}"""

_SG_INTERPRETS = "https://w3id.org/sgkg/ontology#interprets"
_SG_BASED_ON = "https://w3id.org/sgkg/ontology#basedOn"
_SG_APPLIES_TO = "https://w3id.org/sgkg/ontology#appliesToVersion"
_SG_HAS_EVIDENCE = "https://w3id.org/sgkg/ontology#hasEvidence"
_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


@dataclass(frozen=True)
class Addition:
    """One triple an interpretation adds: about ``subject``, ``predicate`` gives ``value``
    (a resource) or ``text`` (a literal)."""

    subject: str
    predicate: str
    predicate_label: str
    value: Ref | None
    text: str | None


@dataclass(frozen=True)
class Interpretation:
    """An interpretation's description and everything its graph adds."""

    iri: str
    label: str | None
    kind: str | None
    question: str | None
    reading: str | None
    interprets: tuple[str, ...] = ()
    based_on: tuple[str, ...] = ()
    versions: tuple[str, ...] = ()
    additions: tuple[Addition, ...] = ()


@dataclass(frozen=True)
class InterpretationNote:
    """An interpretation as a page about one resource shows it: what it adds about it."""

    iri: str
    label: str | None
    kind: str | None
    question: str | None
    reading: str | None
    adds: tuple[Addition, ...]
    #: resources the interpretation grounds in a passage (a statement only it makes)
    grounds: tuple[Ref, ...] = ()


@dataclass
class InterpretationNotes:
    """Every interpretation of the graph, indexed by what it concerns."""

    interpretations: dict[str, Interpretation] = field(default_factory=dict)

    @classmethod
    def from_store(cls, store: Store, graphs: Sequence[str]) -> "InterpretationNotes":
        """Read the descriptions (strict graph) and, from ``graphs`` (the interpretation
        graphs the build holds), the triples each adds."""
        described: dict[str, dict] = {}
        links: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for i, label, kind, question, reading, p, o in select(store, _DESCRIPTIONS).rows:
            described.setdefault(
                str(i),
                {
                    "label": term_text(label),
                    "kind": term_text(kind),
                    "question": term_text(question),
                    "reading": term_text(reading),
                },
            )
            if p is not None:
                links[str(i)][str(p)].add(str(o))
        additions: dict[str, list[Addition]] = defaultdict(list)
        if graphs:
            for g, s, p, o, p_label, o_label in select(store, _ADDED, interpretations=graphs).rows:
                is_resource = not isinstance(o, Literal)
                additions[str(g)].append(
                    Addition(
                        subject=str(s),
                        predicate=str(p),
                        predicate_label=term_text(p_label) or _local_name(str(p)),
                        value=Ref(str(o), term_text(o_label)) if is_resource else None,
                        text=None if is_resource else str(o),
                    )
                )
        interpretations = {
            iri: Interpretation(
                iri=iri,
                interprets=tuple(sorted(links[iri][_SG_INTERPRETS])),
                based_on=tuple(sorted(links[iri][_SG_BASED_ON])),
                versions=tuple(sorted(links[iri][_SG_APPLIES_TO])),
                additions=tuple(sorted(additions[iri], key=_addition_order)),
                **facts,
            )
            for iri, facts in sorted(described.items())
        }
        return cls(interpretations)

    def about(self, iri: str) -> list[InterpretationNote]:
        """The interpretations that interpret ``iri`` or add triples about it, with what
        they add about it (nothing, for an open question or a reading of its wording)."""
        notes = []
        for interpretation in self.interpretations.values():
            adds = tuple(a for a in interpretation.additions if a.subject == iri)
            if adds or iri in interpretation.interprets:
                notes.append(_note(interpretation, adds))
        return notes

    def based_on(self, passage: str) -> list[InterpretationNote]:
        """The interpretations based on ``passage``, or that add evidence in it (a
        statement only an interpretation makes), with those additions."""
        notes = []
        for interpretation in self.interpretations.values():
            grounded = {
                a.subject
                for a in interpretation.additions
                if a.predicate == _SG_HAS_EVIDENCE and a.value and a.value.iri == passage
            }
            if passage in interpretation.based_on or grounded:
                labels = {
                    a.subject: a.text
                    for a in interpretation.additions
                    if a.subject in grounded and a.predicate == _RDFS_LABEL
                }
                made = tuple(Ref(iri, labels.get(iri)) for iri in sorted(grounded))
                notes.append(_note(interpretation, (), made))
        return notes

    def get(self, iri: str) -> Interpretation | None:
        return self.interpretations.get(iri)


def read_labels(store: Store) -> dict[str, str]:
    """Every interpretation's label, by IRI (from the strict graph)."""
    return {str(i): str(label) for i, label in select(store, _LABELS).rows}


def _note(
    interpretation: Interpretation, adds: tuple[Addition, ...], grounds: tuple[Ref, ...] = ()
) -> InterpretationNote:
    return InterpretationNote(
        iri=interpretation.iri,
        label=interpretation.label,
        kind=interpretation.kind,
        question=interpretation.question,
        reading=interpretation.reading,
        adds=adds,
        grounds=grounds,
    )


def _addition_order(addition: Addition) -> tuple[str, str, str]:
    value = addition.value.iri if addition.value else addition.text or ""
    return (addition.subject, addition.predicate, value)


def _local_name(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
