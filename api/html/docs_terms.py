"""What the ontology documentation documents, where each term is anchored, and its name.

:class:`TermIndex` reads the ontology graph once: the ``owl:Ontology`` headers, the
classes and properties of the ontology's own namespace, the reused external terms, the
SKOS concept schemes and concepts, the named individuals; each gets one anchor on the
page. A term of the ontology's namespace is anchored by its local name (``#Party``), a
concept or scheme by its path under ``https://w3id.org/sgkg/id/`` (``#wording/will``),
a reused term by its compact IRI (``#prov:Entity``), a module by ``module-`` and the
last segment of its IRI. Section anchors start with ``sec-``, so none collides.
"""

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from api.core.namespaces import ID, ONTOLOGY_IRI, PREFIXES, SG, VANN
from api.core.namespaces import compact as compact_iri

#: Sections of the page: (anchor, heading). Anchors start with "sec-" so they never
#: collide with a term's local name (UpperCamelCase or lowerCamelCase, no hyphen).
SECTIONS = {
    "metadata": ("sec-metadata", "Ontology metadata"),
    "diagram": ("sec-diagram", "Main classes at a glance"),
    "classes": ("sec-classes", "Classes"),
    "object": ("sec-object-properties", "Object properties"),
    "datatype": ("sec-datatype-properties", "Datatype properties"),
    "annotation": ("sec-annotation-properties", "Annotation properties"),
    "individuals": ("sec-individuals", "Named individuals"),
    "schemes": ("sec-concept-schemes", "Concept schemes"),
    "external": ("sec-external", "Reused external terms"),
    "namespaces": ("sec-namespaces", "Namespaces"),
}

#: Kinds of term, in the order the page lists them: (section key, type, name).
KINDS: tuple[tuple[str, URIRef, str], ...] = (
    ("classes", OWL.Class, "Class"),
    ("object", OWL.ObjectProperty, "Object property"),
    ("datatype", OWL.DatatypeProperty, "Datatype property"),
    ("annotation", OWL.AnnotationProperty, "Annotation property"),
)

_BUILTIN = (str(OWL), str(RDF), str(RDFS), str(XSD))
_OWN_NAMESPACES = tuple(str(namespace) for namespace in PREFIXES.values())


@dataclass(frozen=True)
class Terms:
    """The page's terms by section, each list sorted by label."""

    own: dict[str, list[URIRef]]
    external: dict[str, list[URIRef]]
    schemes: list[URIRef]
    concepts: list[URIRef]
    individuals: list[URIRef]


class TermIndex:
    """The terms of one ontology graph, their anchors, labels and compact IRIs."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.ontologies = _ontologies(graph)
        self.namespace = _own_namespace(graph, self.ontologies)
        self.bound_prefixes = _bound_prefixes(graph)
        #: prefix -> namespace, for each prefix :meth:`compact` has used (the
        #: namespaces table lists them)
        self.used_prefixes: dict[str, str] = {}
        self.terms = self._collect_terms()
        self.anchors = self._assign_anchors()

    # --- naming ----------------------------------------------------------------------

    def label(self, node: Node) -> str:
        """The English label (rdfs:label, skos:prefLabel, dcterms:title), else a name."""
        for predicate in (RDFS.label, SKOS.prefLabel, DCTERMS.title):
            value = _preferred_literal(self.graph.objects(node, predicate))
            if value is not None:
                return " ".join(str(value).split())
        return self.compact(node) if isinstance(node, URIRef) else str(node)

    def compact(self, iri: Node) -> str:
        """``sg:Party`` for a known namespace (:func:`api.core.namespaces.compact`),
        the full IRI otherwise; the prefix is remembered for the namespaces table."""
        text = str(iri)
        shown = compact_iri(text, self.bound_prefixes)
        if shown.startswith("<"):
            return text
        prefix, _, local = shown.partition(":")
        self.used_prefixes[prefix] = text[: len(text) - len(local)]
        return shown

    def sorted(self, terms: Iterable[URIRef]) -> list[URIRef]:
        """By label, case-insensitively, then by IRI."""
        return sorted(terms, key=lambda term: (self.label(term).casefold(), str(term)))

    # --- terms and anchors -----------------------------------------------------------

    def _collect_terms(self) -> Terms:
        graph = self.graph
        kinds = self._term_kinds()
        own: dict[str, list[URIRef]] = defaultdict(list)
        external: dict[str, list[URIRef]] = defaultdict(list)
        for term, key in kinds.items():
            (own if str(term).startswith(self.namespace) else external)[key].append(term)
        schemes = [s for s in graph.subjects(RDF.type, SKOS.ConceptScheme) if is_iri(s)]
        concepts = {c for c in graph.subjects(RDF.type, SKOS.Concept) if is_iri(c)}
        concepts |= {c for c in graph.subjects(SKOS.inScheme, None) if is_iri(c)}
        concepts -= set(schemes)
        individuals = [
            i
            for i in graph.subjects(RDF.type, OWL.NamedIndividual)
            if is_iri(i) and i not in concepts and i not in schemes and i not in kinds
        ]
        return Terms(
            own={key: self.sorted(terms) for key, terms in own.items()},
            external={key: self.sorted(terms) for key, terms in external.items()},
            schemes=self.sorted(set(schemes)),
            concepts=self.sorted(concepts),
            individuals=self.sorted(set(individuals)),
        )

    def _term_kinds(self) -> dict[URIRef, str]:
        """Each class and property (not OWL's, RDF's or XSD's own), by section key."""
        kinds: dict[URIRef, str] = {}
        for key, rdf_type, _ in KINDS:
            for term in self.graph.subjects(RDF.type, rdf_type):
                if isinstance(term, URIRef) and not str(term).startswith(_BUILTIN):
                    kinds.setdefault(term, key)
        for term in self.graph.subjects(RDF.type, RDFS.Class):
            if isinstance(term, URIRef) and not str(term).startswith(_BUILTIN):
                kinds.setdefault(term, "classes")
        return kinds

    def _assign_anchors(self) -> dict[URIRef, str]:
        taken = {anchor for anchor, _ in SECTIONS.values()}
        anchors: dict[URIRef, str] = {}
        groups = [
            *self.terms.own.values(),
            self.terms.schemes,
            self.terms.concepts,
            self.terms.individuals,
            *self.terms.external.values(),
        ]
        for ontology in self.ontologies:
            anchors[ontology] = _unique(_ontology_anchor(ontology), taken)
        for group in groups:
            for term in group:
                anchors[term] = _unique(self._anchor_for(term), taken)
        return anchors

    def _anchor_for(self, term: URIRef) -> str:
        iri = str(term)
        if iri.startswith(self.namespace) and len(iri) > len(self.namespace):
            return _anchor_text(iri[len(self.namespace) :])
        if iri.startswith(str(ID)) and len(iri) > len(str(ID)):
            return _anchor_text(iri[len(str(ID)) :])
        return _anchor_text(self.compact(term))


def is_iri(node: Node) -> bool:
    return isinstance(node, URIRef)


def _ontologies(graph: Graph) -> list[URIRef]:
    """The ``owl:Ontology`` headers, sgkg's main ontology first."""
    found = [o for o in graph.subjects(RDF.type, OWL.Ontology) if isinstance(o, URIRef)]
    return sorted(set(found), key=lambda o: (str(o) != ONTOLOGY_IRI, str(o)))


def _own_namespace(graph: Graph, ontologies: list[URIRef]) -> str:
    """The main ontology's ``vann:preferredNamespaceUri``, else ``sg:``."""
    for ontology in ontologies:
        namespace = graph.value(ontology, VANN.preferredNamespaceUri)
        if namespace is not None and str(ontology) == ONTOLOGY_IRI:
            return str(namespace)
    return str(SG)


def _bound_prefixes(graph: Graph) -> dict[str, str]:
    """The prefixes bound on the graph for namespaces outside sgkg's own.

    A namespace inside one of sgkg's (``agent:`` for ``sgid:agent/``) is left out, so
    the page is the same whichever way the graph was loaded: the built dataset binds
    every data file's prefixes, the ontology files a few."""
    return {
        prefix: str(namespace)
        for prefix, namespace in graph.namespaces()
        if prefix
        and re.fullmatch(r"[A-Za-z][\w-]*", prefix)
        and not str(namespace).startswith(_OWN_NAMESPACES)
    }


def _preferred_literal(values: Iterable[Node]) -> Literal | None:
    literals = [v for v in values if isinstance(v, Literal)]
    for wanted in ("en", None):
        matching = sorted(str(v) for v in literals if v.language == wanted)
        if matching:
            return Literal(matching[0])
    return Literal(sorted(str(v) for v in literals)[0]) if literals else None


def _ontology_anchor(ontology: URIRef) -> str:
    """``module-ontology``, ``module-vocabularies``: the IRI's last segment, with a
    hyphen so it never collides with a term's local name."""
    tail = str(ontology).rstrip("/#").rsplit("/", 1)[-1]
    return "module-" + _anchor_text(tail)


def _anchor_text(text: str) -> str:
    """An id without blanks (HTML forbids them); everything else is allowed."""
    return re.sub(r"\s+", "_", text) or "_"


def _unique(anchor: str, taken: set[str]) -> str:
    candidate, number = anchor, 2
    while candidate in taken:
        candidate, number = f"{anchor}-{number}", number + 1
    taken.add(candidate)
    return candidate
