"""A diagram of the ontology's main classes and the object properties between them.

"Main classes" is read off the ontology, not listed by hand: the classes an object
property of the ontology's own namespace has as domain or range (the members of a
``owl:unionOf`` count one by one), so a class a researcher adds in Protégé and links with
a property appears in the diagram at the next build. Arrows are object properties, from
domain to range, labelled with the property's label. Of two inverse properties only the
one that states ``owl:inverseOf`` is drawn (``sg:partOf``, not ``sg:hasPart``): the
other is the same link read backwards. Hollow dashed arrows are ``rdfs:subClassOf``
between two of the ontology's own classes in the diagram.

Graphviz ``dot`` lays the diagram out (Debian's ``graphviz`` package, installed by
``.ci/install-system-deps``). It runs as a subprocess on standard input and output: no
file is read or written. Every node and arrow links to the term's anchor in the HTML
documentation (``#Party``), so the SVG works as a map of the page. Its output is read
back with :mod:`xml.etree.ElementTree`, which leaves out the prolog and the comments
Graphviz writes and lets the page set attributes on the ``<svg>`` element.
"""

import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

DOT_TIMEOUT_SECONDS = 60

# Written back as Graphviz wrote them: SVG the default namespace, xlink: for links.
ET.register_namespace("", "http://www.w3.org/2000/svg")
ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")


class DiagramUnavailable(RuntimeError):
    """Graphviz ``dot`` is not installed or failed; the message says what to do."""


@dataclass(frozen=True)
class Arrow:
    """One arrow of the diagram: an object property from a domain to a range class."""

    source: URIRef
    target: URIRef
    #: the object property, or None for an rdfs:subClassOf arrow
    prop: URIRef | None


@dataclass(frozen=True)
class ClassDiagram:
    """The classes and arrows of the diagram, in a stable order."""

    classes: tuple[URIRef, ...]
    arrows: tuple[Arrow, ...]


def class_diagram(graph: Graph, namespace: str) -> ClassDiagram:
    """The main classes (domains and ranges of the object properties in ``namespace``)
    and the arrows between them."""
    arrows: set[Arrow] = set()
    own = {
        prop
        for prop in graph.subjects(RDF.type, OWL.ObjectProperty)
        if isinstance(prop, URIRef) and str(prop).startswith(namespace)
    }
    read_backwards = {
        inverse for prop in own for inverse in graph.objects(prop, OWL.inverseOf)
    } & own
    for prop in own:
        if prop in read_backwards and not set(graph.objects(prop, OWL.inverseOf)):
            continue
        for domain in _named_members(graph, RDFS.domain, prop):
            for range_ in _named_members(graph, RDFS.range, prop):
                arrows.add(Arrow(domain, range_, prop))
    classes = {arrow.source for arrow in arrows} | {arrow.target for arrow in arrows}
    for sub in classes:
        if not str(sub).startswith(namespace):
            continue
        for parent in graph.objects(sub, RDFS.subClassOf):
            if parent in classes and parent != sub and str(parent).startswith(namespace):
                arrows.add(Arrow(sub, parent, None))
    order = sorted(arrows, key=lambda a: (str(a.source), str(a.prop or ""), str(a.target)))
    return ClassDiagram(classes=tuple(sorted(classes, key=str)), arrows=tuple(order))


def dot_source(
    diagram: ClassDiagram, label: Callable[[URIRef], str], link: Callable[[URIRef], str]
) -> str:
    """The diagram in Graphviz's DOT language. ``label`` names a term, ``link`` gives the
    URL its box or arrow links to (``#Party`` on the documentation page)."""
    ids = {iri: f"c{number}" for number, iri in enumerate(diagram.classes)}
    lines = [
        "digraph sgkg_classes {",
        '  graph [rankdir=LR, bgcolor="transparent", fontname="Helvetica", nodesep=0.18,'
        " ranksep=0.7];",
        '  node [shape=box, style="rounded,filled", fillcolor="#e8eef8", color="#34558b",'
        ' fontname="Helvetica", fontsize=12, margin="0.12,0.05", height=0.3];',
        '  edge [fontname="Helvetica", fontsize=10, color="#5a5a5a", fontcolor="#333333",'
        " arrowsize=0.7];",
    ]
    for iri in diagram.classes:
        attributes = {"label": label(iri), "URL": link(iri), "tooltip": str(iri)}
        lines.append(f"  {ids[iri]} [{_attributes(attributes)}];")
    for arrow in diagram.arrows:
        if arrow.prop is None:
            attributes = {
                "arrowhead": "onormal",
                "style": "dashed",
                "color": "#8a8a8a",
                "tooltip": f"{label(arrow.source)} is a {label(arrow.target)}",
            }
        else:
            attributes = {
                "label": label(arrow.prop),
                "URL": link(arrow.prop),
                "tooltip": str(arrow.prop),
            }
        lines.append(f"  {ids[arrow.source]} -> {ids[arrow.target]} [{_attributes(attributes)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_svg(dot: str, attributes: Mapping[str, str] | None = None) -> str:
    """Lay out DOT source with Graphviz and return the ``<svg>`` element alone (no XML
    prolog, no DOCTYPE, no comments), ready to embed in an HTML page.

    ``attributes`` are set on the ``<svg>`` element; given any, its fixed width and
    height are dropped, so the page's stylesheet sizes it (the ``viewBox`` keeps its
    proportions)."""
    executable = shutil.which("dot")
    if executable is None:
        raise DiagramUnavailable(
            "Graphviz is not installed (no `dot` on PATH): run `make system-deps` or "
            "`apt-get install graphviz`"
        )
    try:
        done = subprocess.run(
            [executable, "-Tsvg"],
            input=dot.encode("utf-8"),
            capture_output=True,
            timeout=DOT_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise DiagramUnavailable(f"Graphviz took over {DOT_TIMEOUT_SECONDS} s") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise DiagramUnavailable(f"Graphviz failed ({done.returncode}): {message[-500:]}")
    try:
        svg = ET.fromstring(done.stdout)
    except ET.ParseError as error:
        raise DiagramUnavailable(f"Graphviz wrote no readable SVG: {error}") from None
    if attributes:
        svg.attrib.pop("width", None)
        svg.attrib.pop("height", None)
        svg.attrib.update(attributes)
    return ET.tostring(svg, encoding="unicode").strip()


def _named_members(graph: Graph, predicate: URIRef, prop: URIRef) -> Iterator[URIRef]:
    """The named classes a domain or range gives, looking into ``owl:unionOf``."""
    for value in graph.objects(prop, predicate):
        yield from _union_members(graph, value)


def _union_members(graph: Graph, node: Node) -> Iterator[URIRef]:
    if isinstance(node, URIRef):
        yield node
        return
    members = graph.value(node, OWL.unionOf)
    if members is not None:
        for member in Collection(graph, members):
            if isinstance(member, URIRef):
                yield member


def _attributes(attributes: dict[str, str]) -> str:
    return ", ".join(f"{key}={_quote(value)}" for key, value in attributes.items())


def _quote(value: str) -> str:
    """A DOT double-quoted string: backslashes and quotes escaped, no newlines."""
    flat = " ".join(value.split())
    return '"' + flat.replace("\\", "\\\\").replace('"', '\\"') + '"'
