"""What the evaluator reads from the graph: elements, conditions, the edges between
them and their evidence, each with the graph it comes from (the words, or an
interpretation), and the text versions and interpretations a request may name.

Element, link and evidence triples are read with their graph (``GRAPH ?g``): an
asserted graph (the words) or an interpretation graph. The class hierarchy and the
passages come from the default graph, the asserted graphs.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from rdflib import URIRef
from rdflib.namespace import RDFS

from api.analysis.scenarios.naming import refuse_shared_slugs, slug_of
from api.analysis.scenarios.results import CONDITION_KINDS, ELEMENT_KINDS, Reference, kind_rank
from api.core.errors import SgkgError
from api.core.layout import DATA, ONTOLOGY, SOURCES, graph_iri
from api.core.namespaces import SG
from api.store.base import Store
from api.store.interpretations import interpretations_in
from api.store.results import SelectResult

#: The graphs a strict answer is read from: the asserted ones (not ``inferred``).
ASSERTED_GRAPHS = tuple(str(graph_iri(name)) for name in (ONTOLOGY, DATA, SOURCES))

#: The origin of a statement the words make (a triple of the asserted graphs); any other
#: origin is the IRI of the interpretation graph that adds it.
WORDS = ""


#: Where a statement comes from: ``WORDS`` and/or interpretation graph IRIs.
Origins = set[str]


@dataclass
class Element:
    """A guarantee element or statement of a kind the evaluator evaluates."""

    iri: str
    kind: str
    label: str | None
    origins: Origins = field(default_factory=set)


@dataclass
class Condition:
    """A condition: an event, a compound of conditions, or one the evaluator cannot decide."""

    iri: str
    kind: str
    label: str | None


@dataclass
class Passage:
    """A passage of a text version that states an element or condition."""

    iri: str
    version: str
    quote: str | None
    start: int | None
    end: int | None
    origins: Origins = field(default_factory=set)


@dataclass
class Links:
    """The edges the evaluator follows, each with where it comes from, by subject.

    Kept for every subject (not only evaluated elements), so a condition on a statement
    of a kind that is not evaluated still reaches what depends on it.
    """

    depends_on: dict[str, dict[str, Origins]] = field(default_factory=dict)
    activated_by: dict[str, dict[str, Origins]] = field(default_factory=dict)
    operands: dict[str, dict[str, Origins]] = field(default_factory=dict)
    entails: dict[str, dict[str, Origins]] = field(default_factory=dict)
    #: ``entails`` the other way: for each condition, the conditions that entail it
    entailed_from: dict[str, dict[str, Origins]] = field(default_factory=dict)

    def add(self, subject: str, predicate: object, value: str, origin: str) -> None:
        """Record one edge, if it is one the evaluator follows."""
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
        origins = table.setdefault(subject, {}).setdefault(value, set())
        origins.add(origin)
        if table is self.entails:
            self.entailed_from.setdefault(value, {})[subject] = origins


def _values(kinds: dict[str, URIRef]) -> str:
    """A SPARQL VALUES block body pairing each class with its kind name."""
    return " ".join(f'(<{cls}> "{kind}")' for kind, cls in kinds.items())


_PREFIXES = f"""PREFIX sg: <{SG}>
PREFIX rdfs: <{RDFS}>
"""
_ENGLISH = 'FILTER(lang(?label) = "" || langMatches(lang(?label), "en"))'

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


@dataclass
class ScenarioGraph:
    """Everything a scenario is evaluated against, read once."""

    elements: dict[str, Element]
    conditions: dict[str, Condition]
    links: Links
    #: the passages stating each element or condition, in text order
    evidence: dict[str, list[Passage]]
    #: the text versions, by slug
    versions: dict[str, Reference]
    #: the interpretations a scenario may include (those with a graph), by IRI
    interpretations: dict[str, Reference]


def read_graph(store: Store) -> ScenarioGraph:
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

    elements: dict[str, Element] = {}
    for graph, iri, kind, label in sorted(rows(_ELEMENTS, **tagged), key=_words_first):
        current = elements.get(str(iri))
        if current is None or kind_rank(str(kind)) > kind_rank(current.kind):
            origins = current.origins if current else set()
            current = elements[str(iri)] = Element(str(iri), str(kind), _text(label), origins)
        current.origins.add(origin(graph))
        if current.label is None:
            current.label = _text(label)
    conditions: dict[str, Condition] = {}
    for iri, kind, label in rows(_CONDITIONS, **strict):
        known = conditions.get(str(iri))
        if known is None or known.kind == "other":
            conditions[str(iri)] = Condition(str(iri), str(kind or "other"), _text(label))
    links = Links()
    for graph, subject, predicate, value in sorted(rows(_LINKS, **tagged)):
        links.add(str(subject), predicate, str(value), origin(graph))
    evidence: dict[str, dict[str, Passage]] = defaultdict(dict)
    for graph, iri, passage, version, quote, start, end in rows(_EVIDENCE, **tagged):
        found = evidence[str(iri)].setdefault(
            str(passage),
            Passage(str(passage), str(version), _text(quote), _int(start), _int(end)),
        )
        found.origins.add(origin(graph))
    version_rows = sorted(rows(_VERSIONS, **strict))
    refuse_shared_slugs("text versions", sorted({str(iri) for iri, _ in version_rows}))
    versions = {
        slug_of(str(iri)): Reference(iri=str(iri), slug=slug_of(str(iri)), label=_text(label))
        for iri, label in version_rows
    }
    ordered = {
        iri: sorted(passages.values(), key=_passage_order) for iri, passages in evidence.items()
    }
    return ScenarioGraph(elements, conditions, links, ordered, versions, interpretations)


def _words_first(row: tuple) -> tuple:
    """Rows of the asserted graphs before those of interpretation graphs."""
    return (str(row[0]) not in ASSERTED_GRAPHS, tuple(str(term) for term in row))


def _passage_order(passage: Passage) -> tuple[int, str]:
    return (passage.start if passage.start is not None else -1, passage.iri)


def _text(term: object) -> str | None:
    return None if term is None else str(term)


def _int(term: object) -> int | None:
    try:
        return None if term is None else int(str(term))
    except ValueError:
        return None
