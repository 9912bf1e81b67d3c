"""The entries of the ontology documentation: what the page says about each term.

An entry is a heading and rows of (name, values): for a class its axioms (superclasses,
equivalent classes as expressions, disjoint classes, where it is used), for a property
its domain, range, characteristics, inverse and chains, for a concept its place in the
``skos:broader`` tree, and for every term the statements no other row shows, so nothing
the ontology says is hidden. The entries are data; ``templates/docs_macros.html`` draws
them.
"""

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from api.core.namespaces import SG, VANN
from api.html.docs_phrases import Link, Phrase, Phrases, Text, by_text, join
from api.html.docs_terms import is_iri

#: Property characteristics shown for object and datatype properties.
CHARACTERISTICS: tuple[tuple[URIRef, str], ...] = (
    (OWL.FunctionalProperty, "functional"),
    (OWL.InverseFunctionalProperty, "inverse functional"),
    (OWL.TransitiveProperty, "transitive"),
    (OWL.SymmetricProperty, "symmetric"),
    (OWL.AsymmetricProperty, "asymmetric"),
    (OWL.ReflexiveProperty, "reflexive"),
    (OWL.IrreflexiveProperty, "irreflexive"),
)

#: Annotations shown with a heading of their own, in this order; others are listed after.
TEXT_ANNOTATIONS: tuple[tuple[URIRef, str], ...] = (
    (SKOS.definition, "Definition"),
    (RDFS.comment, "Comment"),
    (DCTERMS.description, "Description"),
    (SKOS.scopeNote, "Scope note"),
    (SKOS.example, "Example"),
    (SKOS.editorialNote, "Editorial note"),
    (SKOS.altLabel, "Also called"),
)

#: Ontology header fields, in display order.
HEADER_FIELDS: tuple[tuple[URIRef, str], ...] = (
    (OWL.versionIRI, "Version IRI"),
    (OWL.versionInfo, "Version"),
    (OWL.priorVersion, "Prior version"),
    (OWL.imports, "Imports"),
    (DCTERMS.created, "Created"),
    (DCTERMS.modified, "Modified"),
    (DCTERMS.creator, "Creator"),
    (DCTERMS.contributor, "Contributor"),
    (DCTERMS.publisher, "Publisher"),
    (DCTERMS.license, "Licence"),
    (DCTERMS.bibliographicCitation, "Cite as"),
    (VANN.preferredNamespacePrefix, "Preferred prefix"),
    (VANN.preferredNamespaceUri, "Preferred namespace"),
    (RDFS.seeAlso, "See also"),
)

#: Predicates whose values a term's entry shows in a place of their own.
_SHOWN_ELSEWHERE = {
    RDF.type,
    RDFS.label,
    SKOS.prefLabel,
    RDFS.subClassOf,
    OWL.equivalentClass,
    OWL.disjointWith,
    OWL.disjointUnionOf,
    RDFS.domain,
    RDFS.range,
    OWL.inverseOf,
    RDFS.subPropertyOf,
    OWL.equivalentProperty,
    OWL.propertyDisjointWith,
    OWL.propertyChainAxiom,
    RDFS.isDefinedBy,
    SKOS.inScheme,
    SKOS.topConceptOf,
    SKOS.hasTopConcept,
    SKOS.broader,
    SKOS.narrower,
    *(predicate for predicate, _ in TEXT_ANNOTATIONS),
}

_PROPERTY_KINDS = ("Object property", "Datatype property", "Annotation property")


@dataclass(frozen=True)
class Row:
    """A name and its values, as a row of an entry's description list."""

    name: str
    items: tuple[Phrase, ...]
    #: "list" (joined by commas), "paragraphs" (one each) or "expressions" (set apart)
    style: str = "list"


@dataclass(frozen=True)
class Entry:
    """A term's entry: heading, kind, rows; an ontology header adds its description."""

    anchor: str
    title: str
    kind: str | None
    rows: tuple[Row, ...]
    level: int = 3
    #: paragraphs of the ontology header's description
    description: tuple[tuple[Text | Link, ...], ...] = ()


@dataclass(frozen=True)
class ConceptNode:
    """A concept in its scheme's ``skos:broader`` tree, with its narrower concepts."""

    anchor: str
    name: str
    rows: tuple[Row, ...]
    children: tuple["ConceptNode", ...]


@dataclass(frozen=True)
class SchemeEntry:
    """A concept scheme (or the concepts in none: ``count`` is None) and its tree."""

    entry: Entry
    count: int | None
    concepts: tuple[ConceptNode, ...]


def _rows(name: str, items: Iterable[Phrase], style: str = "list") -> Iterator[Row]:
    """One row, when there is anything to show."""
    found = tuple(items)
    if found:
        yield Row(name, found, style)


class Entries:
    """Builds the entries of the page from the graph, through :class:`Phrases`."""

    def __init__(self, phrases: Phrases) -> None:
        self.phrases = phrases
        self.index = phrases.index
        self.graph = phrases.graph

    # --- ontology headers, terms and individuals ---------------------------------------

    def ontology(self, ontology: URIRef) -> Entry:
        graph, say = self.graph, self.phrases
        rows = [Row("Ontology IRI", (say.iri(ontology),))]
        for predicate, name in HEADER_FIELDS:
            values = sorted(graph.objects(ontology, predicate), key=by_text)
            rows.extend(_rows(name, say.values(values)))
        excluded = {p for p, _ in HEADER_FIELDS} | {DCTERMS.title, DCTERMS.description}
        rows.extend(self._other_rows(ontology, exclude=excluded))
        descriptions = sorted(graph.objects(ontology, DCTERMS.description), key=by_text)
        paragraphs = [
            say.linkified(" ".join(block.split()))
            for description in descriptions
            for block in re.split(r"\n\s*\n", str(description))
            if block.strip()
        ]
        return Entry(
            self.index.anchors[ontology],
            self.index.label(ontology),
            None,
            tuple(rows),
            description=tuple(paragraphs),
        )

    def term(self, term: URIRef, kind: str, level: int = 3) -> Entry:
        rows = [Row("IRI", (self.phrases.iri(term),)), *self._text_rows(term)]
        if kind == "Class":
            rows.extend(self._class_rows(term))
        elif kind in _PROPERTY_KINDS:
            rows.extend(self._property_rows(term))
        defined_by = sorted(self.graph.objects(term, RDFS.isDefinedBy), key=by_text)
        rows.extend(_rows("Defined by", self.phrases.values(defined_by)))
        rows.extend(self._other_rows(term))
        return Entry(self.index.anchors[term], self.index.label(term), kind, tuple(rows), level)

    def individual(self, individual: URIRef) -> Entry:
        types = self.index.sorted(
            t
            for t in self.graph.objects(individual, RDF.type)
            if is_iri(t) and t != OWL.NamedIndividual
        )
        rows = [
            Row("IRI", (self.phrases.iri(individual),)),
            *_rows("Type", self.phrases.links(types)),
            *self._text_rows(individual),
            *self._other_rows(individual),
        ]
        anchor, title = self.index.anchors[individual], self.index.label(individual)
        return Entry(anchor, title, "Individual", tuple(rows))

    # --- rows ------------------------------------------------------------------------

    def _text_rows(self, term: Node) -> Iterator[Row]:
        for predicate, name in TEXT_ANNOTATIONS:
            values = sorted(self.graph.objects(term, predicate), key=by_text)
            yield from _rows(name, self.phrases.values(values), "paragraphs")

    def _class_rows(self, cls: URIRef) -> Iterator[Row]:
        graph, say, index = self.graph, self.phrases, self.index
        supers = sorted(graph.objects(cls, RDFS.subClassOf), key=by_text)
        yield from _rows("Subclass of", (say.expression(s) for s in supers))
        subs = index.sorted(s for s in graph.subjects(RDFS.subClassOf, cls) if is_iri(s))
        yield from _rows("Subclasses", say.links(subs))
        equivalents = sorted(
            {*graph.objects(cls, OWL.equivalentClass), *graph.subjects(OWL.equivalentClass, cls)}
            - {cls},
            key=by_text,
        )
        yield from _rows("Equivalent to", (say.expression(e) for e in equivalents), "expressions")
        yield from _rows("Disjoint with", say.links(index.sorted(self._disjoint_with(cls))))
        for union in graph.objects(cls, OWL.disjointUnionOf):
            yield Row("Disjoint union of", tuple(say.links(Collection(graph, union))))
        yield from self._usage_rows(cls)
        instances = index.sorted(
            i for i in graph.subjects(RDF.type, cls) if is_iri(i) and i in index.anchors
        )
        yield from _rows("Members", say.links(instances))

    def _disjoint_with(self, cls: URIRef) -> set[URIRef]:
        graph = self.graph
        found = {d for d in graph.objects(cls, OWL.disjointWith) if is_iri(d)}
        found |= {d for d in graph.subjects(OWL.disjointWith, cls) if is_iri(d)}
        for group in graph.subjects(RDF.type, OWL.AllDisjointClasses):
            members_list = graph.value(group, OWL.members)
            members = set(Collection(graph, members_list)) if members_list is not None else set()
            if cls in members:
                found |= {m for m in members if is_iri(m)}
        found.discard(cls)
        return found

    def _usage_rows(self, cls: URIRef) -> Iterator[Row]:
        for predicate, name in ((RDFS.domain, "In the domain of"), (RDFS.range, "In the range of")):
            props = self.index.sorted(
                prop
                for prop, value in self.graph.subject_objects(predicate)
                if is_iri(prop) and cls in set(self._named_in(value))
            )
            yield from _rows(name, self.phrases.links(props))

    def _named_in(self, node: Node) -> Iterator[Node]:
        """A named class, or the named members of an ``owl:unionOf``."""
        if isinstance(node, URIRef):
            yield node
            return
        members = self.graph.value(node, OWL.unionOf)
        if members is not None:
            yield from Collection(self.graph, members)

    def _property_rows(self, prop: URIRef) -> Iterator[Row]:
        graph, say, index = self.graph, self.phrases, self.index
        for predicate, name in ((RDFS.domain, "Domain"), (RDFS.range, "Range")):
            values = sorted(graph.objects(prop, predicate), key=by_text)
            yield from _rows(name, (say.expression(v) for v in values))
        characteristics = [
            word for kind, word in CHARACTERISTICS if (prop, RDF.type, kind) in graph
        ]
        if characteristics:
            yield Row("Characteristics", ((Text(", ".join(characteristics)),),))
        inverses = index.sorted(
            {*graph.objects(prop, OWL.inverseOf), *graph.subjects(OWL.inverseOf, prop)} - {prop}
        )
        yield from _rows("Inverse of", say.links(inverses))
        for name, found in (
            ("Subproperty of", graph.objects(prop, RDFS.subPropertyOf)),
            ("Subproperties", graph.subjects(RDFS.subPropertyOf, prop)),
            ("Equivalent to", graph.objects(prop, OWL.equivalentProperty)),
            ("Disjoint with", graph.objects(prop, OWL.propertyDisjointWith)),
        ):
            yield from _rows(name, say.links(index.sorted(v for v in found if is_iri(v))))
        for chain in graph.objects(prop, OWL.propertyChainAxiom):
            steps = join((say.expression(s) for s in Collection(graph, chain)), " \u2218 ")
            yield Row(
                "Property chain", ((*steps, Text(" \u2291 "), *say.link(prop)),), "expressions"
            )

    def _other_rows(self, term: Node, exclude: set[URIRef] | None = None) -> Iterator[Row]:
        """Every statement about ``term`` no other row shows, so nothing is hidden."""
        skip = _SHOWN_ELSEWHERE | (exclude or set())
        by_predicate: dict[URIRef, list[Node]] = defaultdict(list)
        for predicate, obj in self.graph.predicate_objects(term):
            if predicate not in skip:
                by_predicate[predicate].append(obj)
        for predicate in sorted(by_predicate, key=lambda p: self.index.label(p).casefold()):
            values = sorted(by_predicate[predicate], key=by_text)
            yield Row(
                self.index.label(predicate), tuple(self.phrases.expression(v) for v in values)
            )

    # --- concept schemes -------------------------------------------------------------

    def schemes(self) -> list[SchemeEntry]:
        """Each concept scheme with its concept tree, then the concepts in no scheme."""
        terms = self.index.terms
        blocks = [self._scheme(scheme) for scheme in terms.schemes]
        loose = [c for c in terms.concepts if not self._schemes_of(c)]
        if loose:
            heading = Entry("sec-concepts-without-scheme", "Concepts in no scheme", None, ())
            blocks.append(SchemeEntry(heading, None, self._concept_tree(loose, set(loose))))
        return blocks

    def _schemes_of(self, concept: URIRef) -> set[Node]:
        graph = self.graph
        return {*graph.objects(concept, SKOS.inScheme), *graph.objects(concept, SKOS.topConceptOf)}

    def _scheme(self, scheme: URIRef) -> SchemeEntry:
        graph, index = self.graph, self.index
        members = {
            c
            for c in index.terms.concepts
            if scheme in self._schemes_of(c) or (scheme, SKOS.hasTopConcept, c) in graph
        }
        classes = index.sorted(
            {
                t
                for c in members
                for t in graph.objects(c, RDF.type)
                if t in index.anchors and t not in (SKOS.Concept, OWL.NamedIndividual)
            }
        )
        rows = (
            Row("IRI", (self.phrases.iri(scheme),)),
            *self._text_rows(scheme),
            *self._other_rows(scheme),
            *_rows("Concepts are", self.phrases.links(classes)),
        )
        entry = Entry(index.anchors[scheme], index.label(scheme), "Concept scheme", rows)
        return SchemeEntry(entry, len(members), self._concept_tree(index.sorted(members), members))

    def _concept_tree(
        self, concepts: list[URIRef], members: set[URIRef]
    ) -> tuple[ConceptNode, ...]:
        """The concepts as trees by ``skos:broader`` (and ``skos:narrower``) within
        ``members``."""
        children: dict[Node, list[URIRef]] = defaultdict(list)
        has_parent = set()
        for concept in concepts:
            parents = {*self.graph.objects(concept, SKOS.broader)}
            parents |= {p for p in self.graph.subjects(SKOS.narrower, concept)}
            for parent in parents & members:
                children[parent].append(concept)
                has_parent.add(concept)
        roots = [c for c in concepts if c not in has_parent]
        return self._concept_nodes(roots, children, seen=set())

    def _concept_nodes(
        self, concepts: list[URIRef], children: dict[Node, list[URIRef]], seen: set[URIRef]
    ) -> tuple[ConceptNode, ...]:
        nodes = []
        for concept in self._by_rank(concepts):
            if concept in seen:  # a broader cycle: show the concept once
                continue
            seen.add(concept)
            below = self._concept_nodes(children.get(concept, []), children, seen)
            anchor, name = self.index.anchors[concept], self.index.label(concept)
            nodes.append(ConceptNode(anchor, name, tuple(self._concept_rows(concept)), below))
        return tuple(nodes)

    def _by_rank(self, concepts: list[URIRef]) -> list[URIRef]:
        """Ordinal scales (``sg:rank``) in rank order, everything else by label."""

        def key(concept: URIRef) -> tuple[int, str]:
            rank = self.graph.value(concept, SG.rank)
            number = int(rank) if isinstance(rank, Literal) and str(rank).isdigit() else 1 << 30
            return number, self.index.label(concept).casefold()

        return sorted(concepts, key=key)

    def _concept_rows(self, concept: URIRef) -> Iterator[Row]:
        graph, say, index = self.graph, self.phrases, self.index
        yield Row("IRI", (say.iri(concept),))
        types = index.sorted(
            t
            for t in graph.objects(concept, RDF.type)
            if t not in (SKOS.Concept, OWL.NamedIndividual) and is_iri(t)
        )
        yield from _rows("Type", say.links(types))
        broader = index.sorted(b for b in graph.objects(concept, SKOS.broader) if is_iri(b))
        yield from _rows("Broader", say.links(broader))
        yield from self._text_rows(concept)
        yield from self._other_rows(concept)
