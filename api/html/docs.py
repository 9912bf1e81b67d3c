"""HTML documentation of the ontology, generated from the ontology graph (both modules).

The page is drawn from the templates ``ontology.html`` and ``docs_macros.html`` with the
stylesheet every page shares (``static/sgkg.css``), in two settings:

- :func:`ontology_page`: the page the server shows at ``/ontology``, in the site's
  layout, with links to sgkg IRIs going to the same paths on the server;
- :func:`ontology_html`: the page ``sgkg docs`` writes to ``build/docs/index.html``
  (:func:`write_docs`), one self-contained file (``standalone.html``): the stylesheet
  inline, an inline SVG diagram, no script, nothing loaded from elsewhere, every link to
  a term a fragment and every other link absolute, so it opens as it is, offline.

It reads nothing but the graph it is given, so the page always says what the ontology
says: a term a researcher adds in Protégé is documented at the next build.

The page has, in order: the ontology header (title, description, IRIs, version,
licence, creators, citation, preferred prefix and namespace) for each module; a diagram
of the main classes (:mod:`api.html.diagram`); every class, object, datatype and annotation
property of the ontology's own namespace; every SKOS concept scheme with its concepts as
a ``skos:broader`` tree; the reused external terms; and the namespaces. What each entry
says is :mod:`api.html.docs_entries`; how terms are named, linked and anchored is
:mod:`api.html.docs_phrases` and :mod:`api.html.docs_terms` (``/ontology#Party`` opens
``sg:Party``, ``#prov:Entity`` a reused term, ``#wording/will`` a concept).

Why not pyLODE: pyLODE 3.4.2 and later need Python 3.12, 3.4.1 does not install
cleanly, and 3.3.4 anchors terms by label (``#Conditionalcommitment``), links terms to
their absolute IRIs, and omits disjointness, property chains and the SKOS concept
schemes, which carry half of what the ontology means.
"""

import logging
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from markupsafe import Markup
from rdflib import Graph, URIRef

from api.core.files import write_text_atomically
from api.core.site import ONTOLOGY_PATH
from api.html.diagram import DiagramUnavailable, class_diagram, dot_source, render_svg
from api.html.docs_entries import Entries, Entry, SchemeEntry
from api.html.docs_phrases import Phrases
from api.html.docs_terms import KINDS, SECTIONS, TermIndex
from api.html.templating import render

LOG = logging.getLogger(__name__)

#: What :func:`write_docs` writes into its folder.
INDEX_FILE = "index.html"
DIAGRAM_FILE = "classes.svg"


@dataclass(frozen=True)
class TermSection:
    """A section of entries: its anchor, heading, the index of its anchors, entries."""

    anchor: str
    heading: str
    index: tuple[str, ...]
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Diagram:
    """The class diagram as inline SVG, or why it could not be drawn."""

    svg: Markup | None
    error: str | None = None
    #: the id of its caption, which describes it
    caption_id: str = "diagram-caption"


@dataclass(frozen=True)
class DocsPage:
    """Everything ``ontology.html`` draws, section by section."""

    title: str
    #: the main ontology's IRI, None when the graph has no ``owl:Ontology`` header
    ontology: str | None
    #: (count, anchor, what) for the summary under the title
    counts: tuple[tuple[int, str, str], ...]
    #: (anchor, heading) of each section present
    contents: tuple[tuple[str, str], ...]
    metadata: tuple[Entry, ...]
    diagram: Diagram
    term_sections: tuple[TermSection, ...]
    individuals: tuple[Entry, ...]
    schemes: tuple[SchemeEntry, ...]
    scheme_index: tuple[str, ...]
    #: (heading, entries) for each kind of reused external term
    external: tuple[tuple[str, tuple[Entry, ...]], ...]
    #: (prefix, namespace) the page has used
    namespaces: tuple[tuple[str, str], ...]


def ontology_html(graph: Graph) -> str:
    """The documentation page of the ontology in ``graph`` as ``sgkg docs`` writes it:
    self-contained, with the stylesheet every page shares inline.

    Pure: it reads only ``graph`` (the ``ontology`` named graph, or both module files
    parsed together) and runs Graphviz on standard input for the diagram. Without
    Graphviz the page says so where the diagram would be, and a warning is logged.
    """
    page = docs_page(graph, local_links=False)
    return _render(page, layout="standalone.html", stylesheet=Markup(stylesheet()))


def ontology_page(graph: Graph, *, version: str | None = None) -> str:
    """The documentation page as the server shows it: in the site's layout, with links
    to sgkg IRIs going to the same paths on the server (:func:`api.core.site.local_path`)
    and each instance IRI shown linking there, so a person browses the server they are
    on instead of the not-yet-resolving w3id.org."""
    page = docs_page(graph, local_links=True)
    return _render(page, layout="base.html", version=version, current=ONTOLOGY_PATH)


def _render(page: DocsPage, **layout: object) -> str:
    return render("ontology.html", page=page, sections=SECTIONS, **layout)


def term_anchors(graph: Graph) -> dict[URIRef, str]:
    """Every term the page documents, with its anchor (``Party``, ``prov:Entity``...)."""
    return dict(TermIndex(graph).anchors)


def diagram_svg(graph: Graph, page_url: str = "") -> str:
    """The class diagram alone as an SVG document (for the README or a notebook); its
    boxes link to ``page_url#Term`` (give the documentation page's URL or file name).

    Raises :class:`api.html.diagram.DiagramUnavailable` when Graphviz is missing.
    """
    svg = render_svg(_diagram_dot(TermIndex(graph), page_url))
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + svg + "\n"


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
    written.append(write_text_atomically(folder / INDEX_FILE, ontology_html(graph)))
    if svg is not None:
        written.append(write_text_atomically(folder / DIAGRAM_FILE, svg))
    return DocsOutput(files=tuple(written), warnings=tuple(warnings))


def stylesheet() -> str:
    """The stylesheet every page shares (``api/html/static/sgkg.css``, which the server
    serves at ``/static/sgkg.css``)."""
    return files("api.html").joinpath("static", "sgkg.css").read_text(encoding="utf-8")


# --- the page, section by section -------------------------------------------------------


def docs_page(graph: Graph, *, local_links: bool) -> DocsPage:
    """What the page shows, read from ``graph``. The namespaces come last: they are the
    prefixes every other section has used."""
    index = TermIndex(graph)
    entries = Entries(Phrases(index, local_links=local_links))
    terms = index.terms
    primary = index.ontologies[0] if index.ontologies else None
    title = index.label(primary) if primary is not None else "Ontology documentation"
    metadata = tuple(entries.ontology(ontology) for ontology in index.ontologies)
    diagram = _diagram(index)
    term_sections = tuple(
        TermSection(
            *SECTIONS[key],
            tuple(index.anchors[t] for t in terms.own[key]),
            tuple(entries.term(t, kind) for t in terms.own[key]),
        )
        for key, _, kind in KINDS
        if terms.own.get(key)
    )
    individuals = tuple(entries.individual(i) for i in terms.individuals)
    schemes = tuple(entries.schemes())
    external = tuple(
        (SECTIONS[key][1], tuple(entries.term(t, kind, level=4) for t in terms.external[key]))
        for key, _, kind in KINDS
        if terms.external.get(key)
    )
    return DocsPage(
        title=title,
        ontology=str(primary) if primary is not None else None,
        counts=_counts(index),
        contents=_contents(index),
        metadata=metadata,
        diagram=diagram,
        term_sections=term_sections,
        individuals=individuals,
        schemes=schemes,
        scheme_index=tuple(index.anchors[s] for s in terms.schemes),
        external=external,
        namespaces=tuple(sorted(index.used_prefixes.items())),
    )


def _counts(index: TermIndex) -> tuple[tuple[int, str, str], ...]:
    """How many classes, properties, schemes and concepts, each linking its section."""
    terms = index.terms
    counts = [
        (len(terms.own.get(key, [])), SECTIONS[key][0], name)
        for key, name in (
            ("classes", "classes"),
            ("object", "object properties"),
            ("datatype", "datatype properties"),
        )
    ]
    counts.append((len(terms.schemes), SECTIONS["schemes"][0], "concept schemes"))
    counts.append((len(terms.concepts), SECTIONS["schemes"][0], "concepts"))
    return tuple(counts)


def _contents(index: TermIndex) -> tuple[tuple[str, str], ...]:
    """The sections the page has, in order."""
    terms = index.terms
    present = [SECTIONS["metadata"], SECTIONS["diagram"]]
    present.extend(SECTIONS[key] for key, _, _ in KINDS if terms.own.get(key))
    if terms.individuals:
        present.append(SECTIONS["individuals"])
    if terms.schemes or terms.concepts:
        present.append(SECTIONS["schemes"])
    if any(terms.external.values()):
        present.append(SECTIONS["external"])
    present.append(SECTIONS["namespaces"])
    return tuple(present)


def _diagram(index: TermIndex) -> Diagram:
    """The diagram, scaled to the page and announced as one image named by the
    section's heading and described by its caption."""
    anchor, caption = SECTIONS["diagram"][0], Diagram.caption_id
    attributes = {
        "role": "img",
        "aria-labelledby": f"{anchor}-h",
        "aria-describedby": caption,
        "class": "diagram-svg",
    }
    try:
        svg = render_svg(_diagram_dot(index), attributes)
    except DiagramUnavailable as error:
        LOG.warning("ontology diagram left out: %s", error)
        return Diagram(None, str(error))
    return Diagram(Markup(svg))  # Graphviz's SVG: labels and links escaped by ElementTree


def _diagram_dot(index: TermIndex, page_url: str = "") -> str:
    diagram = class_diagram(index.graph, index.namespace)
    return dot_source(diagram, index.label, lambda iri: f"{page_url}#{index.anchors.get(iri, '')}")
