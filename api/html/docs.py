"""HTML documentation of the ontology, generated from the ontology graph (both modules).

:func:`ontology_html` turns the ontology graph into one self-contained page (inline CSS,
an inline SVG diagram, no script, nothing loaded from elsewhere) that the server shows
at ``/ontology`` and ``sgkg docs`` writes to ``build/docs/index.html``. It reads nothing
but the graph it is given, so the page always says what the ontology says: a term a
researcher adds in Protégé is documented at the next build.

The page has, in order: the ontology header (title, description, IRIs, version,
licence, creators, citation, preferred prefix and namespace) for each module; a diagram
of the main classes (:mod:`api.html.diagram`); every class, object, datatype and annotation
property of the ontology's own namespace; every SKOS concept scheme with its concepts as
a ``skos:broader`` tree; the reused external terms; and the namespaces.

Anchors: a term of the ontology's namespace is anchored by its local name, so
``/ontology#Party`` opens ``sg:Party``; a reused term by its compact IRI
(``#prov:Entity``); a concept or scheme by its path under ``https://w3id.org/sgkg/id/``
(``#wording/will``). :func:`term_anchors` gives the mapping. Every link to a term of the
page is a fragment link; other IRIs link to themselves.

Why not pyLODE: pyLODE 3.4.1 does not install cleanly, and 3.3.4 anchors terms by label
(``#Conditionalcommitment``), links terms to their absolute IRIs, and omits disjointness,
property chains and the SKOS concept schemes, which carry half of what the ontology means.
"""

import html
import logging
import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from api.core.namespaces import ID, ONTOLOGY_IRI, PREFIXES, SG, VANN
from api.core.site import BASE, local_path
from api.html.diagram import DiagramUnavailable, class_diagram, dot_source, render_svg

LOG = logging.getLogger(__name__)

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

#: Kinds of term, in the order the page lists them.
KINDS: tuple[tuple[str, URIRef, str], ...] = (
    ("classes", OWL.Class, "Class"),
    ("object", OWL.ObjectProperty, "Object property"),
    ("datatype", OWL.DatatypeProperty, "Datatype property"),
    ("annotation", OWL.AnnotationProperty, "Annotation property"),
)

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

_URL = re.compile(r"https?://[^\s<>\"')\]]+[^\s<>\"')\].,;:]")
_MAX_DEPTH = 12


def ontology_html(graph: Graph) -> str:
    """The documentation page of the ontology in ``graph``, as one HTML string.

    Pure: it reads only ``graph`` (the ``ontology`` named graph, or both module files
    parsed together) and runs Graphviz on standard input for the diagram. Without
    Graphviz the page says so where the diagram would be, and a warning is logged.
    """
    return _Page(graph).render()


_SGKG_LINK = re.compile(r'href="(' + re.escape(BASE) + r'[^"]*)"')
_INSTANCE_IRI = re.compile(r"<code>(" + re.escape(str(ID)) + r"[^<\s]+)</code>")


def browsable_locally(html: str) -> str:
    """The page as the server shows it: links to sgkg IRIs go to the same paths on the
    server (:func:`api.core.site.local_path`), and each instance IRI shown (concepts,
    individuals) becomes such a link, so a person browses the server they are on
    instead of the not-yet-resolving w3id.org."""

    def link(match: re.Match[str]) -> str:
        local = local_path(match.group(1))
        return f'href="{local}"' if local is not None else match.group(0)

    def instance(match: re.Match[str]) -> str:
        local = local_path(match.group(1))
        if local is None:
            return match.group(0)
        return f'<a href="{local}">{match.group(0)}</a>'

    return _INSTANCE_IRI.sub(instance, _SGKG_LINK.sub(link, html))


def term_anchors(graph: Graph) -> dict[URIRef, str]:
    """Every term the page documents, with its anchor (``Party``, ``prov:Entity``...)."""
    return dict(_Page(graph).anchors)


def diagram_svg(graph: Graph, page_url: str = "") -> str:
    """The class diagram alone as an SVG document (for the README or a notebook); its
    boxes link to ``page_url#Term`` (give the documentation page's URL or file name).

    Raises :class:`api.html.diagram.DiagramUnavailable` when Graphviz is missing.
    """
    page = _Page(graph)
    svg = render_svg(page.diagram_dot(page_url))
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + svg + "\n"


#: What :func:`write_docs` writes into its folder.
INDEX_FILE = "index.html"
DIAGRAM_FILE = "classes.svg"


@dataclass(frozen=True)
class DocsOutput:
    """The files :func:`write_docs` wrote, and what it had to leave out."""

    files: tuple[Path, ...]
    warnings: tuple[str, ...]


def write_docs(graph: Graph, folder: Path) -> DocsOutput:
    """Write ``index.html`` (the page) and ``classes.svg`` (the diagram alone) into
    ``folder``. Each file is written to a temporary name and renamed, so a reader never
    sees half a page. Without Graphviz, the SVG is skipped and a warning returned."""
    folder.mkdir(parents=True, exist_ok=True)
    written, warnings = [], []
    try:
        svg: str | None = diagram_svg(graph, page_url=INDEX_FILE)
    except DiagramUnavailable as error:
        svg = None
        warnings.append(f"no diagram: {error}")
    written.append(_write_atomically(folder / INDEX_FILE, ontology_html(graph)))
    if svg is not None:
        written.append(_write_atomically(folder / DIAGRAM_FILE, svg))
    return DocsOutput(files=tuple(written), warnings=tuple(warnings))


def _write_atomically(path: Path, text: str) -> Path:
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temporary, 0o644)  # mkstemp makes it private; the page is for anyone
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


@dataclass(frozen=True)
class _Terms:
    """The page's terms by section, each list sorted by label."""

    own: dict[str, list[URIRef]]
    external: dict[str, list[URIRef]]
    schemes: list[URIRef]
    concepts: list[URIRef]
    individuals: list[URIRef]


class _Page:
    """Renders one page; holds the graph, the anchors and the label/prefix look-ups."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.ontologies = _ontologies(graph)
        self.namespace = _own_namespace(graph, self.ontologies)
        self.prefixes = _prefixes(graph)
        #: (namespace, prefix) pairs :meth:`compact` has used, for the namespaces table
        self.used_prefixes: set[tuple[str, str]] = set()
        self.terms = self._collect_terms()
        self.anchors = self._assign_anchors()

    # --- terms and anchors -----------------------------------------------------------

    def _collect_terms(self) -> _Terms:
        graph = self.graph
        kinds: dict[URIRef, str] = {}
        for key, rdf_type, _ in KINDS:
            for term in graph.subjects(RDF.type, rdf_type):
                if isinstance(term, URIRef) and not _is_builtin(term):
                    kinds.setdefault(term, key)
        for term in graph.subjects(RDF.type, RDFS.Class):
            if isinstance(term, URIRef) and not _is_builtin(term):
                kinds.setdefault(term, "classes")
        own: dict[str, list[URIRef]] = defaultdict(list)
        external: dict[str, list[URIRef]] = defaultdict(list)
        for term, key in kinds.items():
            (own if str(term).startswith(self.namespace) else external)[key].append(term)
        schemes = [s for s in graph.subjects(RDF.type, SKOS.ConceptScheme) if _iri(s)]
        concepts = {c for c in graph.subjects(RDF.type, SKOS.Concept) if _iri(c)}
        concepts |= {c for c in graph.subjects(SKOS.inScheme, None) if _iri(c)}
        concepts -= set(schemes)
        individuals = [
            i
            for i in graph.subjects(RDF.type, OWL.NamedIndividual)
            if _iri(i) and i not in concepts and i not in schemes and i not in kinds
        ]
        return _Terms(
            own={key: self._sorted(terms) for key, terms in own.items()},
            external={key: self._sorted(terms) for key, terms in external.items()},
            schemes=self._sorted(set(schemes)),
            concepts=self._sorted(concepts),
            individuals=self._sorted(set(individuals)),
        )

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
            anchors[ontology] = _unique(self._ontology_anchor(ontology), taken)
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

    def _ontology_anchor(self, ontology: URIRef) -> str:
        """``module-ontology``, ``module-vocabularies``: the IRI's last segment, with a
        hyphen so it never collides with a term's local name."""
        tail = str(ontology).rstrip("/#").rsplit("/", 1)[-1]
        return "module-" + _anchor_text(tail)

    def _sorted(self, terms: Iterable[URIRef]) -> list[URIRef]:
        return sorted(terms, key=lambda term: (self.label(term).casefold(), str(term)))

    # --- naming ----------------------------------------------------------------------

    def label(self, node: Node) -> str:
        """The English label (rdfs:label, skos:prefLabel, dcterms:title), else a name."""
        for predicate in (RDFS.label, SKOS.prefLabel, DCTERMS.title):
            value = _preferred_literal(self.graph.objects(node, predicate))
            if value is not None:
                return " ".join(str(value).split())
        return self.compact(node) if isinstance(node, URIRef) else str(node)

    def compact(self, iri: Node) -> str:
        """``sg:Party`` for a known namespace, the full IRI otherwise."""
        text = str(iri)
        for namespace, prefix in self.prefixes:
            if text.startswith(namespace) and len(text) > len(namespace):
                self.used_prefixes.add((namespace, prefix))
                return f"{prefix}:{text[len(namespace) :]}"
        return text

    # --- HTML building blocks --------------------------------------------------------

    def link(self, node: Node) -> str:
        """A link to a term: to its anchor on this page, else to the IRI itself."""
        if isinstance(node, Literal):
            return self.literal(node)
        if not isinstance(node, URIRef):
            return self.expression(node)
        anchor = self.anchors.get(node)
        title = _e(self.compact(node))
        if anchor is not None:
            return f'<a href="#{_e(anchor)}" title="{title}">{_e(self.label(node))}</a>'
        return _external_link(str(node), self.label(node), title)

    def literal(self, value: Literal) -> str:
        text = _linkify(str(value))
        if value.language and value.language != "en":
            return f'<span lang="{_e(value.language)}">{text}</span>'
        if value.datatype is not None and value.datatype not in (XSD.string,):
            return f'{text} <span class="dt">({_e(self.compact(value.datatype))})</span>'
        return text

    def value(self, node: Node) -> str:
        """Any object of a triple, as HTML."""
        if isinstance(node, Literal):
            return self.literal(node)
        return self.link(node)

    def expression(self, node: Node, depth: int = 0) -> str:
        """A class, property or data range expression in Manchester-like syntax."""
        if isinstance(node, URIRef):
            return self.link(node)
        if isinstance(node, Literal):
            return self.literal(node)
        if depth > _MAX_DEPTH:
            return "&hellip;"
        graph = self.graph
        for predicate, word in ((OWL.intersectionOf, "and"), (OWL.unionOf, "or")):
            members = graph.value(node, predicate)
            if members is not None:
                operands = sorted(Collection(graph, members), key=self._operand_order)
                return f" {_kw(word)} ".join(self._operand(m, depth) for m in operands)
        complement = graph.value(node, OWL.complementOf) or graph.value(
            node, OWL.datatypeComplementOf
        )
        if complement is not None:
            return f"{_kw('not')} {self._operand(complement, depth)}"
        one_of = graph.value(node, OWL.oneOf)
        if one_of is not None:
            members = sorted(Collection(graph, one_of), key=self._operand_order)
            return "{" + ", ".join(self.value(m) for m in members) + "}"
        inverse = graph.value(node, OWL.inverseOf)
        if inverse is not None:
            return f"{_kw('inverse')} ({self.expression(inverse, depth + 1)})"
        if graph.value(node, OWL.onProperty) is not None:
            return self._restriction(node, depth)
        if graph.value(node, OWL.onDatatype) is not None:
            return self._datatype_restriction(node, depth)
        return self._generic(node, depth)

    def _operand_order(self, node: Node) -> tuple[bool, str]:
        """Named classes first, then by label: ``and``/``or`` operands are a set, and the
        OWL API reorders them on save, so the page must not depend on their order."""
        return isinstance(node, BNode), self.label(node).casefold()

    def _operand(self, node: Node, depth: int) -> str:
        text = self.expression(node, depth + 1)
        return f"({text})" if isinstance(node, BNode) else text

    def _restriction(self, node: Node, depth: int) -> str:
        graph = self.graph
        prop = self.expression(graph.value(node, OWL.onProperty), depth + 1)
        filler_of = graph.value(node, OWL.onClass) or graph.value(node, OWL.onDataRange)
        for predicate, word in ((OWL.someValuesFrom, "some"), (OWL.allValuesFrom, "only")):
            filler = graph.value(node, predicate)
            if filler is not None:
                return f"{prop} {_kw(word)} {self._operand(filler, depth)}"
        has_value = graph.value(node, OWL.hasValue)
        if has_value is not None:
            return f"{prop} {_kw('value')} {self.value(has_value)}"
        if graph.value(node, OWL.hasSelf) is not None:
            return f"{prop} {_kw('Self')}"
        for predicates, word in (
            ((OWL.minCardinality, OWL.minQualifiedCardinality), "min"),
            ((OWL.maxCardinality, OWL.maxQualifiedCardinality), "max"),
            ((OWL.cardinality, OWL.qualifiedCardinality), "exactly"),
        ):
            for predicate in predicates:
                number = graph.value(node, predicate)
                if number is not None:
                    filler = f" {self._operand(filler_of, depth)}" if filler_of else ""
                    return f"{prop} {_kw(word)} {_e(str(number))}{filler}"
        return self._generic(node, depth)

    def _datatype_restriction(self, node: Node, depth: int) -> str:
        graph = self.graph
        base = self.expression(graph.value(node, OWL.onDatatype), depth + 1)
        facets = []
        restrictions = graph.value(node, OWL.withRestrictions)
        for facet in Collection(graph, restrictions) if restrictions is not None else []:
            for predicate, bound in graph.predicate_objects(facet):
                facets.append(f"{_e(self.compact(predicate))} {self.value(bound)}")
        return f"{base}[{', '.join(facets)}]"

    def _generic(self, node: Node, depth: int) -> str:
        """A blank node no OWL construct covers: its statements, so nothing is hidden."""
        parts = [
            f"{self.link(predicate)} {self.expression(obj, depth + 1)}"
            for predicate, obj in sorted(self.graph.predicate_objects(node), key=_by_text)
            if predicate != RDF.type
        ]
        return "[" + "; ".join(parts) + "]"

    # --- sections --------------------------------------------------------------------

    def render(self) -> str:
        primary = self.ontologies[0] if self.ontologies else None
        title = self.label(primary) if primary is not None else "Ontology documentation"
        body = [
            f"<header><h1>{_e(title)}</h1>{self._summary(primary)}</header>",
            self._contents(),
            "<main>",
            self._metadata_section(),
            self._diagram_section(),
        ]
        for key, _, kind_label in KINDS:
            body.append(self._terms_section(key, self.terms.own.get(key, []), kind_label))
        body.append(self._individuals_section())
        body.append(self._schemes_section())
        body.append(self._external_section())
        body.append(self._namespaces_section())
        body.append("</main>")
        return _document(title, "\n".join(part for part in body if part))

    def _summary(self, ontology: URIRef | None) -> str:
        if ontology is None:
            return "<p>No <code>owl:Ontology</code> header found in the graph.</p>"
        counts = [
            (len(self.terms.own.get(key, [])), SECTIONS[key][0], name)
            for key, name in (
                ("classes", "classes"),
                ("object", "object properties"),
                ("datatype", "datatype properties"),
            )
        ]
        counts.append((len(self.terms.schemes), SECTIONS["schemes"][0], "concept schemes"))
        counts.append((len(self.terms.concepts), SECTIONS["schemes"][0], "concepts"))
        facts = ", ".join(f'<a href="#{a}">{n} {_e(name)}</a>' for n, a, name in counts)
        return f'<p class="lead"><code>{_e(str(ontology))}</code>: {facts}.</p>'

    def _contents(self) -> str:
        present = [SECTIONS["metadata"], SECTIONS["diagram"]]
        for key, _, _ in KINDS:
            if self.terms.own.get(key):
                present.append(SECTIONS[key])
        if self.terms.individuals:
            present.append(SECTIONS["individuals"])
        if self.terms.schemes:
            present.append(SECTIONS["schemes"])
        if any(self.terms.external.values()):
            present.append(SECTIONS["external"])
        present.append(SECTIONS["namespaces"])
        items = "".join(f'<li><a href="#{a}">{_e(h)}</a></li>' for a, h in present)
        heading = '<h2 id="toc-title">Contents</h2>'
        return f'<nav aria-labelledby="toc-title">{heading}<ol>{items}</ol></nav>'

    def _metadata_section(self) -> str:
        anchor, heading = SECTIONS["metadata"]
        blocks = [self._ontology_block(ontology) for ontology in self.ontologies]
        return _section(anchor, heading, "".join(blocks))

    def _ontology_block(self, ontology: URIRef) -> str:
        graph = self.graph
        rows = [("Ontology IRI", f"<code>{_e(str(ontology))}</code>")]
        for predicate, name in HEADER_FIELDS:
            values = sorted(graph.objects(ontology, predicate), key=_by_text)
            if values:
                rows.append((name, _join(self.value(v) for v in values)))
        rows.extend(
            self._other_rows(
                ontology,
                exclude={p for p, _ in HEADER_FIELDS} | {DCTERMS.title, DCTERMS.description},
            )
        )
        descriptions = sorted(graph.objects(ontology, DCTERMS.description), key=_by_text)
        description = "".join(_paragraphs(str(d)) for d in descriptions)
        anchor = self.anchors[ontology]
        return (
            f'<article class="term" id="{_e(anchor)}"><h3>{_e(self.label(ontology))}</h3>'
            f"{description}{_dl(rows)}</article>"
        )

    def _diagram_section(self) -> str:
        anchor, heading = SECTIONS["diagram"]
        try:
            svg = render_svg(self.diagram_dot())
        except DiagramUnavailable as error:
            LOG.warning("ontology diagram left out: %s", error)
            figure = f'<p class="missing">The diagram could not be drawn: {_e(str(error))}.</p>'
        else:
            figure = (
                '<figure class="diagram">'
                + _accessible_svg(svg, f"{anchor}-h", "diagram-caption")
                + '<figcaption id="diagram-caption">The classes that object properties '
                "link, with each property drawn as an arrow from its domain to its range "
                "(of two inverse properties, the one that declares the inverse). Dashed "
                "hollow arrows are subclass links. Click a box or a label to read its "
                "entry.</figcaption></figure>"
            )
        return _section(anchor, heading, figure)

    def diagram_dot(self, page_url: str = "") -> str:
        diagram = class_diagram(self.graph, self.namespace)
        return dot_source(
            diagram, self.label, lambda iri: f"{page_url}#{self.anchors.get(iri, '')}"
        )

    def _terms_section(self, key: str, terms: list[URIRef], kind_label: str) -> str:
        if not terms:
            return ""
        anchor, heading = SECTIONS[key]
        index = _index(self.anchors[t] for t in terms)
        entries = "".join(self._term_entry(term, kind_label) for term in terms)
        return _section(anchor, heading, index + entries)

    def _term_entry(self, term: URIRef, kind_label: str, level: int = 3) -> str:
        anchor = self.anchors[term]
        rows: list[tuple[str, str]] = [("IRI", f"<code>{_e(str(term))}</code>")]
        rows.extend(self._text_rows(term))
        if kind_label == "Class":
            rows.extend(self._class_rows(term))
        elif kind_label in ("Object property", "Datatype property", "Annotation property"):
            rows.extend(self._property_rows(term))
        rows.extend(self._defined_by_rows(term))
        rows.extend(self._other_rows(term))
        return (
            f'<article class="term" id="{_e(anchor)}">'
            f"<h{level}>{_e(self.label(term))} "
            f'<span class="kind">{_e(kind_label)}</span></h{level}>'
            f"{_dl(rows)}</article>"
        )

    def _text_rows(self, term: Node) -> Iterator[tuple[str, str]]:
        for predicate, name in TEXT_ANNOTATIONS:
            values = sorted(self.graph.objects(term, predicate), key=_by_text)
            if values:
                yield name, "".join(f"<p>{self.value(v)}</p>" for v in values)

    def _class_rows(self, cls: URIRef) -> Iterator[tuple[str, str]]:
        graph = self.graph
        supers = sorted(graph.objects(cls, RDFS.subClassOf), key=_by_text)
        if supers:
            yield "Subclass of", _join(self.expression(s) for s in supers)
        subs = self._sorted(s for s in graph.subjects(RDFS.subClassOf, cls) if _iri(s))
        if subs:
            yield "Subclasses", _join(self.link(s) for s in subs)
        equivalents = sorted(
            {*graph.objects(cls, OWL.equivalentClass), *graph.subjects(OWL.equivalentClass, cls)}
            - {cls},
            key=_by_text,
        )
        if equivalents:
            yield (
                "Equivalent to",
                _join(f'<span class="expr">{self.expression(e)}</span>' for e in equivalents),
            )
        disjoint = self._sorted(self._disjoint_with(cls))
        if disjoint:
            yield "Disjoint with", _join(self.link(d) for d in disjoint)
        for union in graph.objects(cls, OWL.disjointUnionOf):
            members = _join(self.link(m) for m in Collection(graph, union))
            yield "Disjoint union of", members
        yield from self._usage_rows(cls)
        instances = self._sorted(
            i for i in graph.subjects(RDF.type, cls) if _iri(i) and i in self.anchors
        )
        if instances:
            yield "Members", _join(self.link(i) for i in instances)

    def _disjoint_with(self, cls: URIRef) -> set[URIRef]:
        graph = self.graph
        found = {d for d in graph.objects(cls, OWL.disjointWith) if _iri(d)}
        found |= {d for d in graph.subjects(OWL.disjointWith, cls) if _iri(d)}
        for group in graph.subjects(RDF.type, OWL.AllDisjointClasses):
            members_list = graph.value(group, OWL.members)
            members = set(Collection(graph, members_list)) if members_list is not None else set()
            if cls in members:
                found |= {m for m in members if _iri(m)}
        found.discard(cls)
        return found

    def _usage_rows(self, cls: URIRef) -> Iterator[tuple[str, str]]:
        for predicate, name in ((RDFS.domain, "In the domain of"), (RDFS.range, "In the range of")):
            props = self._sorted(
                prop
                for prop, value in self.graph.subject_objects(predicate)
                if _iri(prop) and cls in set(self._named_in(value))
            )
            if props:
                yield name, _join(self.link(p) for p in props)

    def _named_in(self, node: Node) -> Iterator[Node]:
        """A named class, or the named members of an ``owl:unionOf``."""
        if isinstance(node, URIRef):
            yield node
            return
        members = self.graph.value(node, OWL.unionOf)
        if members is not None:
            yield from Collection(self.graph, members)

    def _property_rows(self, prop: URIRef) -> Iterator[tuple[str, str]]:
        graph = self.graph
        for predicate, name in ((RDFS.domain, "Domain"), (RDFS.range, "Range")):
            values = sorted(graph.objects(prop, predicate), key=_by_text)
            if values:
                yield name, _join(self.expression(v) for v in values)
        characteristics = [
            word for kind, word in CHARACTERISTICS if (prop, RDF.type, kind) in graph
        ]
        if characteristics:
            yield "Characteristics", _e(", ".join(characteristics))
        inverses = self._sorted(
            {*graph.objects(prop, OWL.inverseOf), *graph.subjects(OWL.inverseOf, prop)} - {prop}
        )
        if inverses:
            yield "Inverse of", _join(self.link(i) for i in inverses)
        for predicate, name, reverse_name in (
            (RDFS.subPropertyOf, "Subproperty of", "Subproperties"),
            (OWL.equivalentProperty, "Equivalent to", None),
            (OWL.propertyDisjointWith, "Disjoint with", None),
        ):
            values = self._sorted(v for v in graph.objects(prop, predicate) if _iri(v))
            if values:
                yield name, _join(self.link(v) for v in values)
            if reverse_name is not None:
                subs = self._sorted(s for s in graph.subjects(predicate, prop) if _iri(s))
                if subs:
                    yield reverse_name, _join(self.link(s) for s in subs)
        for chain in graph.objects(prop, OWL.propertyChainAxiom):
            steps = " &#8728; ".join(self.expression(s) for s in Collection(graph, chain))
            yield "Property chain", f'<span class="expr">{steps} &#8849; {self.link(prop)}</span>'

    def _defined_by_rows(self, term: Node) -> Iterator[tuple[str, str]]:
        values = sorted(self.graph.objects(term, RDFS.isDefinedBy), key=_by_text)
        if values:
            yield "Defined by", _join(self.value(v) for v in values)

    def _other_rows(
        self, term: Node, exclude: set[URIRef] | None = None
    ) -> Iterator[tuple[str, str]]:
        """Every statement about ``term`` no other row shows, so nothing is hidden."""
        skip = _SHOWN_ELSEWHERE | (exclude or set())
        by_predicate: dict[URIRef, list[Node]] = defaultdict(list)
        for predicate, obj in self.graph.predicate_objects(term):
            if predicate not in skip:
                by_predicate[predicate].append(obj)
        for predicate in sorted(by_predicate, key=lambda p: self.label(p).casefold()):
            values = sorted(by_predicate[predicate], key=_by_text)
            yield self.label(predicate), _join(self.expression(v) for v in values)

    def _individuals_section(self) -> str:
        if not self.terms.individuals:
            return ""
        anchor, heading = SECTIONS["individuals"]
        entries = "".join(self._individual_entry(i) for i in self.terms.individuals)
        return _section(anchor, heading, entries)

    def _individual_entry(self, individual: URIRef) -> str:
        types = self._sorted(
            t
            for t in self.graph.objects(individual, RDF.type)
            if _iri(t) and t != OWL.NamedIndividual
        )
        rows = [("IRI", f"<code>{_e(str(individual))}</code>")]
        if types:
            rows.append(("Type", _join(self.link(t) for t in types)))
        rows.extend(self._text_rows(individual))
        rows.extend(self._other_rows(individual))
        return (
            f'<article class="term" id="{_e(self.anchors[individual])}">'
            f'<h3>{_e(self.label(individual))} <span class="kind">Individual</span></h3>'
            f"{_dl(rows)}</article>"
        )

    def _schemes_section(self) -> str:
        if not self.terms.schemes and not self.terms.concepts:
            return ""
        anchor, heading = SECTIONS["schemes"]
        index = _index(self.anchors[s] for s in self.terms.schemes)
        blocks = [self._scheme_block(scheme) for scheme in self.terms.schemes]
        loose = [c for c in self.terms.concepts if not self._schemes_of(c)]
        if loose:
            blocks.append(
                '<article class="term" id="sec-concepts-without-scheme">'
                "<h3>Concepts in no scheme</h3>"
                + self._concept_tree(loose, set(loose))
                + "</article>"
            )
        return _section(anchor, heading, index + "".join(blocks))

    def _schemes_of(self, concept: URIRef) -> set[Node]:
        graph = self.graph
        return {*graph.objects(concept, SKOS.inScheme), *graph.objects(concept, SKOS.topConceptOf)}

    def _scheme_block(self, scheme: URIRef) -> str:
        graph = self.graph
        members = {
            c
            for c in self.terms.concepts
            if scheme in self._schemes_of(c) or (scheme, SKOS.hasTopConcept, c) in graph
        }
        rows = [("IRI", f"<code>{_e(str(scheme))}</code>")]
        rows.extend(self._text_rows(scheme))
        rows.extend(self._other_rows(scheme))
        classes = self._sorted(
            {
                t
                for c in members
                for t in graph.objects(c, RDF.type)
                if t in self.anchors and t not in (SKOS.Concept, OWL.NamedIndividual)
            }
        )
        if classes:
            rows.append(("Concepts are", _join(self.link(c) for c in classes)))
        return (
            f'<article class="term scheme" id="{_e(self.anchors[scheme])}">'
            f'<h3>{_e(self.label(scheme))} <span class="kind">Concept scheme</span></h3>'
            f"{_dl(rows)}<h4>{len(members)} concepts</h4>"
            f"{self._concept_tree(self._sorted(members), members)}</article>"
        )

    def _concept_tree(self, concepts: list[URIRef], members: set[URIRef]) -> str:
        """Nested lists by ``skos:broader`` (and ``skos:narrower``) within ``members``."""
        children: dict[Node, list[URIRef]] = defaultdict(list)
        has_parent = set()
        for concept in concepts:
            parents = {*self.graph.objects(concept, SKOS.broader)}
            parents |= {p for p in self.graph.subjects(SKOS.narrower, concept)}
            for parent in parents & members:
                children[parent].append(concept)
                has_parent.add(concept)
        roots = [c for c in concepts if c not in has_parent]
        return self._concept_list(roots, children, seen=set())

    def _concept_list(
        self, concepts: list[URIRef], children: dict[Node, list[URIRef]], seen: set[URIRef]
    ) -> str:
        items = []
        for concept in self._by_rank(concepts):
            if concept in seen:  # a broader cycle: show the concept once
                continue
            seen.add(concept)
            below = children.get(concept, [])
            nested = self._concept_list(below, children, seen) if below else ""
            items.append(f"<li>{self._concept_entry(concept)}{nested}</li>")
        return f'<ul class="concepts">{"".join(items)}</ul>' if items else ""

    def _by_rank(self, concepts: list[URIRef]) -> list[URIRef]:
        """Ordinal scales (``sg:rank``) in rank order, everything else by label."""

        def key(concept: URIRef) -> tuple[int, str]:
            rank = self.graph.value(concept, SG.rank)
            number = int(rank) if isinstance(rank, Literal) and str(rank).isdigit() else 1 << 30
            return number, self.label(concept).casefold()

        return sorted(concepts, key=key)

    def _concept_entry(self, concept: URIRef) -> str:
        rows: list[tuple[str, str]] = [("IRI", f"<code>{_e(str(concept))}</code>")]
        types = self._sorted(
            t
            for t in self.graph.objects(concept, RDF.type)
            if t not in (SKOS.Concept, OWL.NamedIndividual) and _iri(t)
        )
        if types:
            rows.append(("Type", _join(self.link(t) for t in types)))
        broader = self._sorted(b for b in self.graph.objects(concept, SKOS.broader) if _iri(b))
        if broader:
            rows.append(("Broader", _join(self.link(b) for b in broader)))
        rows.extend(self._text_rows(concept))
        rows.extend(self._other_rows(concept))
        return (
            f'<div class="concept" id="{_e(self.anchors[concept])}">'
            f'<p class="concept-name">{_e(self.label(concept))}</p>{_dl(rows)}</div>'
        )

    def _external_section(self) -> str:
        if not any(self.terms.external.values()):
            return ""
        anchor, heading = SECTIONS["external"]
        intro = (
            "<p>Terms of other vocabularies the ontology reuses. They are declared here "
            "(kind, label, definition) rather than imported, so the ontology stays OWL 2 DL "
            "and opens offline; each links to its defining vocabulary.</p>"
        )
        parts = [intro]
        for key, _, kind_label in KINDS:
            terms = self.terms.external.get(key, [])
            if terms:
                parts.append(f"<h3>{_e(SECTIONS[key][1])}</h3>")
                parts.extend(self._term_entry(term, kind_label, level=4) for term in terms)
        return _section(anchor, heading, "".join(parts))

    def _namespaces_section(self) -> str:
        """The prefixes the page has used; rendered last, when they are all known."""
        anchor, heading = SECTIONS["namespaces"]
        rows = sorted((prefix, namespace) for namespace, prefix in self.used_prefixes)
        body = "".join(
            f"<tr><td><code>{_e(prefix)}</code></td><td><code>{_e(namespace)}</code></td></tr>"
            for prefix, namespace in rows
        )
        table = (
            '<table><caption>Prefixes used on this page</caption><thead><tr><th scope="col">'
            'Prefix</th><th scope="col">Namespace</th></tr></thead>'
            f"<tbody>{body}</tbody></table>"
        )
        return _section(anchor, heading, table)


# --- helpers without state ---------------------------------------------------------------

_BUILTIN = (str(OWL), str(RDF), str(RDFS), str(XSD))


def _is_builtin(term: URIRef) -> bool:
    return str(term).startswith(_BUILTIN)


def _iri(node: Node) -> bool:
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


def _prefixes(graph: Graph) -> list[tuple[str, str]]:
    """(namespace, prefix) in the order :meth:`_Page.compact` tries them: sgkg's own
    prefixes first, then those bound on the graph, each group longest namespace first.

    sgkg's go first so the page is the same whichever way the graph was loaded (the
    built dataset binds every data file's prefixes, the ontology files a few)."""
    own = {str(namespace): prefix for prefix, namespace in PREFIXES.items()}
    bound = {
        str(namespace): prefix
        for prefix, namespace in graph.namespaces()
        if prefix and re.fullmatch(r"[A-Za-z][\w-]*", prefix) and str(namespace) not in own
    }

    def longest_first(prefixes: dict[str, str]) -> list[tuple[str, str]]:
        return sorted(prefixes.items(), key=lambda item: (-len(item[0]), item[1]))

    return longest_first(own) + longest_first(bound)


def _preferred_literal(values: Iterable[Node]) -> Literal | None:
    literals = [v for v in values if isinstance(v, Literal)]
    for wanted in ("en", None):
        matching = sorted(str(v) for v in literals if v.language == wanted)
        if matching:
            return Literal(matching[0])
    return Literal(sorted(str(v) for v in literals)[0]) if literals else None


def _anchor_text(text: str) -> str:
    """An id without blanks (HTML forbids them); everything else is allowed."""
    return re.sub(r"\s+", "_", text) or "_"


def _unique(anchor: str, taken: set[str]) -> str:
    candidate, number = anchor, 2
    while candidate in taken:
        candidate, number = f"{anchor}-{number}", number + 1
    taken.add(candidate)
    return candidate


def _by_text(node: object) -> str:
    return str(node)


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _kw(word: str) -> str:
    return f'<span class="kw">{word}</span>'


def _join(parts: Iterable[str]) -> str:
    return ", ".join(parts)


def _external_link(iri: str, label: str, title: str) -> str:
    if not iri.startswith(("http://", "https://")):
        return f"<code>{_e(iri)}</code>"
    return f'<a class="ext" href="{_e(iri)}" title="{title}">{_e(label)}</a>'


def _linkify(text: str) -> str:
    """Escape ``text`` and turn the http(s) URLs in it into links."""
    parts, last = [], 0
    for match in _URL.finditer(text):
        parts.append(_e(text[last : match.start()]))
        url = match.group(0)
        parts.append(f'<a class="ext" href="{_e(url)}">{_e(url)}</a>')
        last = match.end()
    parts.append(_e(text[last:]))
    return "".join(parts)


def _paragraphs(text: str) -> str:
    blocks = [" ".join(block.split()) for block in re.split(r"\n\s*\n", text)]
    return "".join(f'<p class="description">{_linkify(b)}</p>' for b in blocks if b)


def _dl(rows: Iterable[tuple[str, str]]) -> str:
    """Rows of (name, HTML) as a description list. Names are escaped here."""
    items = "".join(f"<dt>{_e(name)}</dt><dd>{value}</dd>" for name, value in rows)
    return f"<dl>{items}</dl>"


def _index(anchors: Iterable[str]) -> str:
    links = " ".join(f'<a href="#{_e(a)}">{_e(a)}</a>' for a in anchors)
    return f'<p class="index">{links}</p>'


def _section(anchor: str, heading: str, body: str) -> str:
    return (
        f'<section id="{anchor}" aria-labelledby="{anchor}-h">'
        f'<h2 id="{anchor}-h">{_e(heading)}</h2>{body}</section>'
    )


def _accessible_svg(svg: str, labelled_by: str, described_by: str) -> str:
    """Graphviz's SVG, scaled to the page width and announced as one image named by the
    section heading and described by the caption."""
    svg = re.sub(r'\s(width|height)="[^"]*"', "", svg, count=2)
    attributes = (
        f'role="img" aria-labelledby="{labelled_by}" aria-describedby="{described_by}" '
        'class="diagram-svg"'
    )
    return svg.replace("<svg", f"<svg {attributes}", 1)


def _document(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"{body}\n</body>\n</html>\n"
    )


_CSS = """
:root { --ink: #1d2430; --muted: #5b6472; --line: #d8dde5; --accent: #2f5597;
        --soft: #f4f6fa; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 72rem; padding: 1.5rem 1.25rem 4rem; color: var(--ink);
       font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
h1 { font-size: 1.9rem; margin: 0 0 .4rem; }
h2 { font-size: 1.45rem; margin: 2.5rem 0 1rem; padding-bottom: .3rem;
     border-bottom: 2px solid var(--line); }
h3 { font-size: 1.15rem; margin: 0 0 .5rem; }
h4 { font-size: 1rem; margin: 1rem 0 .4rem; }
a { color: var(--accent); }
a.ext::after { content: " \\2197"; font-size: .8em; }
code { font: .88em/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
       overflow-wrap: anywhere; }
nav ol { columns: 2; padding-left: 1.2rem; }
.lead { color: var(--muted); }
.term { border: 1px solid var(--line); border-radius: 6px; padding: .9rem 1rem;
        margin: 0 0 1rem; background: #fff; }
.term:target, .concept:target { outline: 3px solid #f0b429; }
.kind { font-size: .75rem; font-weight: 600; color: var(--muted); text-transform: uppercase;
        letter-spacing: .04em; margin-left: .4rem; }
dl { display: grid; grid-template-columns: minmax(8rem, 11rem) 1fr; gap: .25rem 1rem;
     margin: .5rem 0 0; }
dt { font-weight: 600; color: var(--muted); }
dd { margin: 0; }
dd p { margin: 0 0 .3rem; }
.kw { font-weight: 700; color: #7a3e9d; }
.expr { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .9em; }
.dt { color: var(--muted); font-size: .85em; }
.index { line-height: 2; }
.index a { display: inline-block; margin-right: .6rem; }
ul.concepts { list-style: none; padding-left: 1.2rem; border-left: 2px solid var(--line); }
.scheme > ul.concepts { padding-left: .6rem; }
.concept { background: var(--soft); border-radius: 5px; padding: .5rem .75rem; margin: .4rem 0; }
.concept-name { font-weight: 700; margin: 0; }
.concept dl { grid-template-columns: minmax(6rem, 8rem) 1fr; font-size: .93em; }
.description { max-width: 50rem; }
figure.diagram { width: calc(100vw - 2rem); margin: 0 0 0 calc(50% - 50vw + 1rem);
                 overflow-x: auto; border: 1px solid var(--line); border-radius: 6px;
                 padding: .5rem; background: #fff; }
.diagram-svg { display: block; width: 100%; min-width: 88rem; height: auto; }
figure.diagram figcaption { max-width: 70rem; margin: .5rem auto 0; }
figcaption { color: var(--muted); font-size: .9em; margin-top: .5rem; }
.missing { color: #9b1c1c; }
table { border-collapse: collapse; }
caption { text-align: left; color: var(--muted); margin-bottom: .4rem; }
th, td { text-align: left; padding: .3rem .8rem .3rem 0; border-bottom: 1px solid var(--line); }
@media (max-width: 40rem) { dl, .concept dl { grid-template-columns: 1fr; }
                            nav ol { columns: 1; } }
"""
