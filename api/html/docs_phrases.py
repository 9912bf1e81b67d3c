"""The ontology documentation's inline content: links, literals and OWL expressions.

A phrase is a tuple of tokens (:class:`Text`, :class:`Keyword`, :class:`Link`,
:class:`Code`, :class:`Value`) that the ``phrase`` macro of
``templates/docs_macros.html`` writes out, escaping every text; nothing here produces
markup. :class:`Phrases` turns graph nodes into phrases: a term links to its entry on
the page, any other IRI to itself; a literal shows its language or datatype; a class or
property expression reads in Manchester-like syntax (``Commitment and (activatedBy some
Condition)``).

Where a link to an sgkg IRI points is the one thing the server's page and the written
files differ in: on the server (``local_links``) it is the same path on the server
(:func:`api.core.site.local_path`), and each instance IRI shown links there too, so a
person browses the server they are on instead of the not-yet-resolving w3id.org.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from rdflib import BNode, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, XSD
from rdflib.term import Node

from api.core.namespaces import ID
from api.core.site import local_path
from api.html.docs_terms import TermIndex


@dataclass(frozen=True)
class Text:
    text: str
    kind: ClassVar[str] = "text"


@dataclass(frozen=True)
class Keyword:
    """An OWL keyword of an expression (``and``, ``some``...)."""

    text: str
    kind: ClassVar[str] = "keyword"


@dataclass(frozen=True)
class Link:
    href: str
    text: str
    title: str | None = None
    #: a link off the page (marked with an arrow)
    external: bool = False
    kind: ClassVar[str] = "link"


@dataclass(frozen=True)
class Code:
    """An IRI shown as it is; a link when ``href`` is given."""

    text: str
    href: str | None = None
    kind: ClassVar[str] = "code"


@dataclass(frozen=True)
class Value:
    """A literal: its text (URLs in it as links), and its language or datatype."""

    parts: tuple["Text | Link", ...]
    language: str | None = None
    datatype: str | None = None
    kind: ClassVar[str] = "value"


Token = Text | Keyword | Link | Code | Value
Phrase = tuple[Token, ...]

_URL = re.compile(r"https?://[^\s<>\"')\]]+[^\s<>\"')\].,;:]")
_MAX_DEPTH = 12


def join(phrases: Iterable[Phrase], separator: str | Phrase) -> Phrase:
    """The phrases one after the other, ``separator`` (text or a phrase) between them."""
    between = (Text(separator),) if isinstance(separator, str) else separator
    joined: list[Token] = []
    for number, phrase in enumerate(phrases):
        if number:
            joined.extend(between)
        joined.extend(phrase)
    return tuple(joined)


class Phrases:
    """Graph nodes as phrases, with the anchors and names of a :class:`TermIndex`."""

    def __init__(self, index: TermIndex, *, local_links: bool) -> None:
        self.index = index
        self.graph = index.graph
        self.local_links = local_links

    def href(self, iri: str) -> str:
        """Where a link to ``iri`` points (its local path on the server)."""
        return (local_path(iri) if self.local_links else None) or iri

    def iri(self, iri: Node) -> Phrase:
        """An IRI shown in full; on the server an instance IRI links to its page."""
        text = str(iri)
        href = local_path(text) if self.local_links and text.startswith(str(ID)) else None
        return (Code(text, href),)

    def link(self, node: Node) -> Phrase:
        """A link to a term: to its anchor on this page, else to the IRI itself."""
        if isinstance(node, Literal):
            return self.literal(node)
        if not isinstance(node, URIRef):
            return self.expression(node)
        anchor = self.index.anchors.get(node)
        title = self.index.compact(node)
        label = self.index.label(node)
        if anchor is not None:
            return (Link("#" + anchor, label, title),)
        if not str(node).startswith(("http://", "https://")):
            return (Code(str(node)),)
        return (Link(self.href(str(node)), label, title, external=True),)

    def literal(self, value: Literal) -> Phrase:
        parts = self.linkified(str(value))
        if value.language and value.language != "en":
            return (Value(parts, language=value.language),)
        if value.datatype is not None and value.datatype != XSD.string:
            return (Value(parts, datatype=self.index.compact(value.datatype)),)
        return (Value(parts),)

    def linkified(self, text: str) -> tuple[Text | Link, ...]:
        """``text``, with the http(s) URLs in it as links."""
        parts: list[Text | Link] = []
        last = 0
        for match in _URL.finditer(text):
            parts.append(Text(text[last : match.start()]))
            url = match.group(0)
            parts.append(Link(self.href(url), url, external=True))
            last = match.end()
        parts.append(Text(text[last:]))
        return tuple(part for part in parts if part.text)

    def value(self, node: Node) -> Phrase:
        """Any object of a triple."""
        if isinstance(node, Literal):
            return self.literal(node)
        return self.link(node)

    def values(self, nodes: Iterable[Node]) -> list[Phrase]:
        return [self.value(node) for node in nodes]

    def links(self, nodes: Iterable[Node]) -> list[Phrase]:
        return [self.link(node) for node in nodes]

    # --- class, property and data range expressions -------------------------------------

    def expression(self, node: Node, depth: int = 0) -> Phrase:
        """A class, property or data range expression in Manchester-like syntax."""
        if isinstance(node, URIRef):
            return self.link(node)
        if isinstance(node, Literal):
            return self.literal(node)
        if depth > _MAX_DEPTH:
            return (Text("\u2026"),)
        graph = self.graph
        for predicate, word in ((OWL.intersectionOf, "and"), (OWL.unionOf, "or")):
            members = graph.value(node, predicate)
            if members is not None:
                operands = sorted(Collection(graph, members), key=self._operand_order)
                return _between((self._operand(m, depth) for m in operands), word)
        complement = graph.value(node, OWL.complementOf) or graph.value(
            node, OWL.datatypeComplementOf
        )
        if complement is not None:
            return (Keyword("not"), Text(" "), *self._operand(complement, depth))
        one_of = graph.value(node, OWL.oneOf)
        if one_of is not None:
            members = sorted(Collection(graph, one_of), key=self._operand_order)
            return (Text("{"), *join(self.values(members), ", "), Text("}"))
        inverse = graph.value(node, OWL.inverseOf)
        if inverse is not None:
            inner = self.expression(inverse, depth + 1)
            return (Keyword("inverse"), Text(" ("), *inner, Text(")"))
        if graph.value(node, OWL.onProperty) is not None:
            return self._restriction(node, depth)
        if graph.value(node, OWL.onDatatype) is not None:
            return self._datatype_restriction(node, depth)
        return self._generic(node, depth)

    def _operand_order(self, node: Node) -> tuple[bool, str]:
        """Named classes first, then by label: ``and``/``or`` operands are a set, and the
        OWL API reorders them on save, so the page must not depend on their order."""
        return isinstance(node, BNode), self.index.label(node).casefold()

    def _operand(self, node: Node, depth: int) -> Phrase:
        inner = self.expression(node, depth + 1)
        return (Text("("), *inner, Text(")")) if isinstance(node, BNode) else inner

    def _restriction(self, node: Node, depth: int) -> Phrase:
        graph = self.graph
        prop = self.expression(graph.value(node, OWL.onProperty), depth + 1)
        for predicate, word in ((OWL.someValuesFrom, "some"), (OWL.allValuesFrom, "only")):
            filler = graph.value(node, predicate)
            if filler is not None:
                return _between((prop, self._operand(filler, depth)), word)
        has_value = graph.value(node, OWL.hasValue)
        if has_value is not None:
            return _between((prop, self.value(has_value)), "value")
        if graph.value(node, OWL.hasSelf) is not None:
            return (*prop, Text(" "), Keyword("Self"))
        cardinality = self._cardinality(node, depth)
        if cardinality is not None:
            return (*prop, Text(" "), *cardinality)
        return self._generic(node, depth)

    def _cardinality(self, node: Node, depth: int) -> Phrase | None:
        """``min 1 Party``: a cardinality restriction's word, number and filler."""
        graph = self.graph
        filler_of = graph.value(node, OWL.onClass) or graph.value(node, OWL.onDataRange)
        for predicates, word in (
            ((OWL.minCardinality, OWL.minQualifiedCardinality), "min"),
            ((OWL.maxCardinality, OWL.maxQualifiedCardinality), "max"),
            ((OWL.cardinality, OWL.qualifiedCardinality), "exactly"),
        ):
            for predicate in predicates:
                number = graph.value(node, predicate)
                if number is not None:
                    filler = (Text(" "), *self._operand(filler_of, depth)) if filler_of else ()
                    return (Keyword(word), Text(f" {number}"), *filler)
        return None

    def _datatype_restriction(self, node: Node, depth: int) -> Phrase:
        graph = self.graph
        base = self.expression(graph.value(node, OWL.onDatatype), depth + 1)
        facets: list[Phrase] = []
        restrictions = graph.value(node, OWL.withRestrictions)
        for facet in Collection(graph, restrictions) if restrictions is not None else []:
            for predicate, bound in graph.predicate_objects(facet):
                facets.append((Text(self.index.compact(predicate) + " "), *self.value(bound)))
        return (*base, Text("["), *join(facets, ", "), Text("]"))

    def _generic(self, node: Node, depth: int) -> Phrase:
        """A blank node no OWL construct covers: its statements, so nothing is hidden."""
        parts = [
            (*self.link(predicate), Text(" "), *self.expression(obj, depth + 1))
            for predicate, obj in sorted(self.graph.predicate_objects(node), key=by_text)
            if predicate != RDF.type
        ]
        return (Text("["), *join(parts, "; "), Text("]"))


def by_text(node: object) -> str:
    return str(node)


def _between(operands: Iterable[Phrase], word: str) -> Phrase:
    """The operands with the keyword ``word`` between each two."""
    return join(operands, (Text(" "), Keyword(word), Text(" ")))
