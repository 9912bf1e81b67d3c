"""The HTML pages of the linked-data server: one renderer per kind of page.

Each renderer turns what a page shows into the context of a Jinja2 template
(:mod:`api.html.templating`, ``api/html/templates/``); every page extends one layout, is
autoescaped, and works without JavaScript under a strict Content-Security-Policy (no
inline script). Links to sgkg IRIs point at the local server (:func:`api.core.site.local_path`),
so a person browses the server they are on; the canonical IRI is always shown beside.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import pyoxigraph as ox
from starlette.responses import HTMLResponse

from api.analysis.interpretation_notes import Interpretation, InterpretationNote
from api.analysis.statements import Statement
from api.core.namespaces import compact
from api.core.site import DOWNLOAD_PATH, ID_PATH, SHAPES_PATH, VOID_PATH
from api.formats.wire_formats import RDF_FORMATS, WireFormat
from api.html.ontology_overview import ShapesOverview
from api.html.templating import render
from api.linked_data.citation import Citation
from api.linked_data.resource_description import ResourceView
from api.linked_data.resource_index import IndexEntry, ResourceIndex
from api.store.base import NativeTerm

#: Sent with every page: no inline script, nothing from another origin, no framing.
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}

#: Formats offered as alternates of a linked-data page.
PAGE_FORMATS: tuple[WireFormat, ...] = tuple(f for f in RDF_FORMATS if not f.is_quad)

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def html_response(
    html: str, status_code: int = 200, headers: Mapping[str, str] = ()
) -> HTMLResponse:
    """An HTML response with the security headers every page carries."""
    return HTMLResponse(
        html, status_code=status_code, headers={**SECURITY_HEADERS, **dict(headers)}
    )


# --- terms ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TermView:
    """An RDF term as a page shows it: a link (IRI), ``_:id`` (blank node) or a value
    with its language or datatype (literal)."""

    kind: str  # "iri", "blank" or "literal"
    value: str
    text: str = ""
    language: str | None = None
    datatype: str | None = None


@dataclass(frozen=True)
class PropertyRow:
    predicate: str
    values: tuple[TermView, ...]
    labels: Mapping[str, str]


def term_view(term: NativeTerm, labels: Mapping[str, str]) -> TermView:
    if isinstance(term, ox.NamedNode):
        return TermView("iri", term.value, labels.get(term.value) or compact(term.value))
    if isinstance(term, ox.BlankNode):
        return TermView("blank", term.value)
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value if not term.language else None
        shown = compact(datatype) if datatype and datatype != _XSD_STRING else None
        return TermView("literal", term.value, language=term.language, datatype=shown)
    return TermView("literal", str(term))


def _rows(
    pairs: Iterable[tuple[str, Sequence[NativeTerm]]], labels: Mapping[str, str]
) -> list[PropertyRow]:
    return [
        PropertyRow(predicate, tuple(term_view(v, labels) for v in values), labels)
        for predicate, values in pairs
    ]


# --- resources -----------------------------------------------------------------------


@dataclass(frozen=True)
class ResourceExtras:
    """What a resource page adds to the resource's own triples: the statement as the
    reading room reads it, the interpretations about it (flagged, apart), what an
    interpretation adds, and a passage's citation."""

    statement: Statement | None = None
    notes: Sequence[InterpretationNote] = ()
    interpretation: Interpretation | None = None
    citation: Citation | None = None


def resource_page(
    view: ResourceView,
    path: str,
    *,
    version: str | None = None,
    extras: ResourceExtras = ResourceExtras(),
) -> str:
    """The page of ``/id/{path}``: label, types, texts, properties, evidence, links here,
    and the extras (:class:`ResourceExtras`)."""
    parts = [
        {
            "name": _part_name(node),
            "anchor": _part_name(node) if isinstance(node, ox.NamedNode) else None,
            "rows": _rows(pairs, view.labels),
        }
        for node, pairs in view.parts
    ]
    incoming = [
        (term_view(subject, view.labels), predicate) for subject, predicate in view.incoming
    ]
    return render(
        "resource.html",
        title=view.label or compact(view.iri),
        view=view,
        base_path=f"{ID_PATH}/{path}",
        formats=PAGE_FORMATS,
        rows=_rows(view.properties, view.labels),
        parts=parts,
        incoming=incoming,
        statement=extras.statement,
        notes=list(extras.notes),
        interpretation=extras.interpretation,
        citation=extras.citation,
        version=version,
    )


def _part_name(node: NativeTerm) -> str:
    return node.value.rpartition("#")[2] if isinstance(node, ox.NamedNode) else "part"


def not_found_page(
    iri: str,
    suggestions: Sequence[IndexEntry],
    kinds: Iterable[str],
    *,
    version: str | None = None,
) -> str:
    """A 404 that says what was looked up and how to find what was meant."""
    return render(
        "not_found.html",
        iri=iri,
        suggestions=list(suggestions),
        kinds=list(kinds),
        version=version,
    )


def index_page(index: ResourceIndex, *, version: str | None = None) -> str:
    return render("index.html", index=index, version=version, current=ID_PATH + "/")


def kind_page(kind: str, entries: Sequence[IndexEntry], *, version: str | None = None) -> str:
    return render("kind.html", kind=kind, entries=list(entries), version=version)


# --- shapes, downloads and plain messages ----------------------------------------------


def shapes_page(overview: ShapesOverview, *, version: str | None = None) -> str:
    return render(
        "shapes.html",
        title=overview.header.title,
        overview=overview,
        base_path=SHAPES_PATH,
        formats=RDF_FORMATS,
        version=version,
        current=SHAPES_PATH,
    )


def downloads_page(sizes: Mapping[str, int], *, version: str | None = None) -> str:
    """The downloads, with their sizes (a large graph's are written on first request)."""
    return render(
        "downloads.html",
        sizes=dict(sizes),
        formats=RDF_FORMATS,
        download_path=DOWNLOAD_PATH,
        version=version,
        current=DOWNLOAD_PATH + "/",
    )


def void_page(turtle: str, *, version: str | None = None) -> str:
    """The VoID description's Turtle, for a browser."""
    return render(
        "void.html", turtle=turtle, void_path=VOID_PATH, version=version, current=VOID_PATH
    )


def message_page(
    title: str,
    paragraphs: Sequence[str],
    *,
    command: str | None = None,
    openapi: bool = False,
    version: str | None = None,
) -> str:
    """A page with a heading and a notice (e.g. assets missing): its paragraphs, and the
    command that fixes it."""
    return render(
        "message.html",
        title=title,
        paragraphs=list(paragraphs),
        command=command,
        openapi=openapi,
        version=version,
    )
