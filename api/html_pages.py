"""The HTML pages people see: one shell, and a renderer per kind of page.

Pages are plain HTML written with escaped f-strings (no template engine, no script),
so every page works without JavaScript and under a strict Content-Security-Policy. Links
to sgkg IRIs point at the local server (:func:`api.site.local_path`), so a person
browses the server they are on; the canonical IRI is always shown beside.
"""

from collections.abc import Iterable, Mapping, Sequence
from html import escape

import pyoxigraph as ox
from starlette.responses import HTMLResponse

from api.namespaces import compact
from api.ontology_overview import DocumentHeader, ShapesOverview, TermEntry
from api.resource_description import Passage, ResourceView
from api.resource_index import IndexEntry, ResourceIndex
from api.site import (
    DOWNLOAD_PATH,
    ID_PATH,
    ONTOLOGY_PATH,
    SHAPES_PATH,
    SPARQL_PATH,
    VOID_PATH,
    local_path,
)
from api.store import NativeTerm
from api.wire_formats import RDF_FORMATS, WireFormat

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

_STYLE = """
body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1d2430;background:#fff}
header{background:#1d3557;padding:.5rem 1rem}
header a{color:#fff;margin-right:1rem;text-decoration:none;font-weight:500}
header a.home{font-weight:700}
main{max-width:62rem;margin:1.5rem auto;padding:0 1rem}
main.wide{max-width:none;margin:.5rem 0}
h1{font-size:1.7rem;margin:.2rem 0}
h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #dde;padding-bottom:.2rem}
h3{font-size:1.05rem;margin:1.2rem 0 .2rem}
code,.iri{font-family:ui-monospace,monospace;font-size:.85em;color:#445;word-break:break-all}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;vertical-align:top;padding:.3rem .5rem;border-bottom:1px solid #eef}
th{width:14rem;font-weight:500;color:#334}
blockquote{margin:.5rem 0;padding:.5rem 1rem;border-left:4px solid #457b9d;background:#f4f7fb;
white-space:pre-wrap}
.meta,.small{color:#556;font-size:.9em}
.lang,.dt{color:#778;font-size:.8em;margin-left:.2em}
.notice{background:#fff4e5;border:1px solid #f0b35a;padding:1rem;border-radius:4px}
ul.terms{list-style:none;padding-left:0}
ul.terms li{margin:.3rem 0}
footer{max-width:62rem;margin:3rem auto 1rem;padding:0 1rem;color:#778;font-size:.85em}
"""

_NAV = (
    ("/", "Query"),
    (ID_PATH + "/", "Browse"),
    (ONTOLOGY_PATH, "Ontology"),
    (SHAPES_PATH, "Shapes"),
    (DOWNLOAD_PATH + "/", "Download"),
    (VOID_PATH, "VoID"),
    ("/docs", "API"),
)


def esc(text: object) -> str:
    return escape(str(text), quote=True)


def page(
    title: str, body: str, *, version: str | None = None, head: str = "", wide: bool = False
) -> str:
    """A complete page: navigation, the body, a footer. ``head`` adds to ``<head>``
    (stylesheets); ``wide`` drops the reading width (the query UI)."""
    nav = "".join(f'<a href="{href}">{esc(text)}</a>' for href, text in _NAV)
    footer = f"sgkg {esc(version)}" if version else "sgkg"
    main_class = ' class="wide"' if wide else ""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)} · sgkg</title><style>{_STYLE}</style>{head}</head><body>"
        f'<header><nav><a class="home" href="/">sgkg</a>{nav}</nav></header>'
        f"<main{main_class}>{body}</main><footer>{footer} · "
        f'<a href="{SPARQL_PATH}">SPARQL endpoint</a> · <a href="/health">health</a>'
        "</footer></body></html>"
    )


def html_response(
    html: str, status_code: int = 200, headers: Mapping[str, str] = ()
) -> HTMLResponse:
    """An HTML response with the security headers every page carries."""
    return HTMLResponse(
        html, status_code=status_code, headers={**SECURITY_HEADERS, **dict(headers)}
    )


# --- terms ---------------------------------------------------------------------------


def iri_link(iri: str, labels: Mapping[str, str]) -> str:
    """A link to ``iri`` (local when the server serves it) named by its label."""
    href = local_path(iri) or iri
    text = labels.get(iri) or compact(iri)
    return f'<a href="{esc(href)}" title="{esc(iri)}">{esc(text)}</a>'


def term_html(term: NativeTerm, labels: Mapping[str, str]) -> str:
    if isinstance(term, ox.NamedNode):
        return iri_link(term.value, labels)
    if isinstance(term, ox.BlankNode):
        return f"<code>_:{esc(term.value)}</code>"
    if isinstance(term, ox.Literal):
        text = f"<span>{esc(term.value)}</span>"
        if term.language:
            return text + f'<span class="lang">@{esc(term.language)}</span>'
        datatype = term.datatype.value
        if datatype != "http://www.w3.org/2001/XMLSchema#string":
            return text + f'<span class="dt">{esc(compact(datatype))}</span>'
        return text
    return f"<code>{esc(term)}</code>"


def _property_rows(
    pairs: Iterable[tuple[str, Sequence[NativeTerm]]], labels: Mapping[str, str]
) -> str:
    rows = "".join(
        f"<tr><th>{iri_link(predicate, labels)}</th><td>"
        + "<br>".join(term_html(value, labels) for value in values)
        + "</td></tr>"
        for predicate, values in pairs
    )
    return f"<table>{rows}</table>" if rows else ""


def format_links(base_path: str, formats: Sequence[WireFormat] = PAGE_FORMATS) -> str:
    links = " · ".join(
        f'<a href="{esc(base_path)}{fmt.extension}" type="{fmt.media_type}">{esc(fmt.label)}</a>'
        for fmt in formats
    )
    return f'<p class="small">Also as {links}</p>'


# --- resources -----------------------------------------------------------------------


def resource_page(view: ResourceView, path: str, *, version: str | None = None) -> str:
    """The page of ``/id/{path}``: label, types, texts, properties, evidence, links here."""
    labels = view.labels
    title = view.label or compact(view.iri)
    types = ", ".join(iri_link(t, labels) for t in view.types)
    parts = [
        f"<h1>{esc(title)}</h1>",
        f'<p class="meta"><span class="iri">{esc(view.iri)}</span>'
        + (f"<br>a {types}" if types else "")
        + "</p>",
        format_links(f"{ID_PATH}/{path}"),
    ]
    parts.extend(f"<h2>{esc(heading)}</h2><p>{esc(text)}</p>" for heading, text in view.texts)
    if view.properties:
        parts.append("<h2>Properties</h2>" + _property_rows(view.properties, labels))
    if view.evidence:
        parts.append("<h2>Evidence</h2>")
        parts.extend(_passage_html(passage, labels) for passage in view.evidence)
    for node, pairs in view.parts:
        name = node.value.rpartition("#")[2] if isinstance(node, ox.NamedNode) else "part"
        anchor = f' id="{esc(name)}"' if isinstance(node, ox.NamedNode) else ""
        parts.append(f"<h3{anchor}>#{esc(name)}</h3>" + _property_rows(pairs, labels))
    if view.incoming:
        items = "".join(
            f"<li>{term_html(subject, labels)} "
            f'<span class="small">{iri_link(predicate, labels)}</span></li>'
            for subject, predicate in view.incoming
        )
        parts.append(f'<h2>What links here</h2><ul class="terms">{items}</ul>')
    return page(title, "".join(parts), version=version)


def _passage_html(passage: Passage, labels: Mapping[str, str]) -> str:
    where = []
    if passage.version:
        where.append("in " + iri_link(passage.version, labels))
    if passage.start is not None and passage.end is not None:
        where.append(f"characters {esc(passage.start)} to {esc(passage.end)}")
    quote = f"<blockquote>{esc(passage.quote)}</blockquote>" if passage.quote else ""
    return (
        f'<div>{quote}<p class="small">{iri_link(passage.iri, labels)}'
        f"{' · ' if where else ''}{' · '.join(where)}</p></div>"
    )


def not_found_page(
    iri: str,
    suggestions: Sequence[IndexEntry],
    kinds: Iterable[str],
    *,
    version: str | None = None,
) -> str:
    """A 404 that says what was looked up and how to find what was meant."""
    items = "".join(
        f'<li><a href="{ID_PATH}/{esc(e.path)}">{esc(e.label or e.path)}</a> '
        f'<span class="iri">{esc(e.path)}</span></li>'
        for e in suggestions
    )
    close = f"<h2>Did you mean</h2><ul>{items}</ul>" if items else ""
    kind_links = ", ".join(f'<a href="{ID_PATH}/{esc(kind)}/">{esc(kind)}</a>' for kind in kinds)
    search = (
        "PREFIX rdfs: &lt;http://www.w3.org/2000/01/rdf-schema#&gt;\n"
        "SELECT ?resource ?label WHERE {\n"
        "  ?resource rdfs:label ?label .\n"
        '  FILTER(CONTAINS(LCASE(STR(?label)), "commission"))\n}'
    )
    body = (
        "<h1>Not found</h1>"
        f'<p>Nothing in the graph has the IRI <span class="iri">{esc(iri)}</span>.</p>'
        f"{close}<h2>How to find it</h2>"
        f"<p>Instance IRIs are <code>https://w3id.org/sgkg/id/{{kind}}/{{slug}}</code>; the "
        f"kinds are {kind_links}.</p>"
        f'<p>Browse the <a href="{ID_PATH}/">index of resources by kind</a>, read the '
        f'<a href="{ONTOLOGY_PATH}">ontology</a>, or search labels at the '
        f'<a href="/">SPARQL query page</a>, for instance:</p><pre>{search}</pre>'
    )
    return page("Not found", body, version=version)


def index_page(index: ResourceIndex, *, version: str | None = None) -> str:
    items = "".join(
        f'<li><a href="{ID_PATH}/{esc(kind)}/">{esc(kind)}</a> '
        f'<span class="small">{len(entries)}</span></li>'
        for kind, entries in index.kinds.items()
    )
    body = (
        "<h1>Resources by kind</h1>"
        f'<p>Every instance IRI is <span class="iri">https://w3id.org/sgkg/id/'
        f"{{kind}}/{{slug}}</span> and is described at <code>{ID_PATH}/{{kind}}/{{slug}}"
        f'</code>.</p><ul class="terms">{items}</ul>'
    )
    return page("Resources", body, version=version)


def kind_page(kind: str, entries: Sequence[IndexEntry], *, version: str | None = None) -> str:
    items = "".join(
        f'<li><a href="{ID_PATH}/{esc(e.path)}">{esc(e.label or e.slug)}</a> '
        f'<span class="iri">{esc(e.slug)}</span></li>'
        for e in entries
    )
    body = (
        f'<p class="small"><a href="{ID_PATH}/">All kinds</a></p><h1>{esc(kind)}</h1>'
        f'<p>{len(entries)} resources.</p><ul class="terms">{items}</ul>'
    )
    return page(kind, body, version=version)


# --- ontology and shapes ---------------------------------------------------------------


def shapes_page(overview: ShapesOverview, *, version: str | None = None) -> str:
    parts = [
        _header_html(overview.header, SHAPES_PATH),
        f"<h2>Shapes ({len(overview.shapes)})</h2>",
    ]
    parts.extend(_term_html(shape, overview.labels) for shape in overview.shapes)
    return page(overview.header.title, "".join(parts), version=version)


def _header_html(header: DocumentHeader, path: str) -> str:
    facts = [f'<span class="iri">{esc(header.iri)}</span>']
    if header.version:
        facts.append(f"version {esc(header.version)}")
    if header.license:
        facts.append(f'licence <a href="{esc(header.license)}">{esc(header.license)}</a>')
    description = f"<p>{esc(header.description)}</p>" if header.description else ""
    formats = format_links(path, RDF_FORMATS)
    return (
        f'<h1>{esc(header.title)}</h1><p class="meta">{" · ".join(facts)}</p>{formats}{description}'
    )


def _term_html(term: TermEntry, labels: Mapping[str, str]) -> str:
    anchor = term.iri.rpartition("#")[2]
    relations = "".join(
        f"<tr><th>{esc(name)}</th><td>{', '.join(iri_link(i, labels) for i in iris)}</td></tr>"
        for name, iris in term.relations
    )
    notes = "".join(f"<li>{esc(note)}</li>" for note in term.notes)
    return (
        f'<section id="{esc(anchor)}"><h3>{esc(term.label)}</h3>'
        f'<p class="iri">{esc(term.iri)}</p>'
        + (f"<p>{esc(term.definition)}</p>" if term.definition else "")
        + (f"<table>{relations}</table>" if relations else "")
        + (f"<ul>{notes}</ul>" if notes else "")
        + "</section>"
    )


# --- downloads and plain messages -----------------------------------------------------


def downloads_page(sizes: Mapping[str, int], *, version: str | None = None) -> str:
    rows = "".join(
        f'<tr><th><a href="{DOWNLOAD_PATH}/sgkg{fmt.extension}">sgkg{fmt.extension}</a></th>'
        f"<td>{esc(fmt.label)}</td><td><code>{esc(fmt.media_type)}</code></td>"
        f'<td class="small">{_size_text(sizes.get(fmt.name))}</td></tr>'
        for fmt in RDF_FORMATS
    )
    body = (
        "<h1>Download</h1><p>The whole graph. Triple formats are strict: the union of "
        "sgkg's six named graphs, what the words say. TriG and N-Quads keep the graphs "
        "apart and add each interpretation's graph, named by the interpretation's IRI. "
        "The same files come from "
        "<code>sgkg export --format FORMAT</code>. The dataset is described in "
        f'<a href="{VOID_PATH}">VoID and DCAT</a>.</p><table>{rows}</table>'
    )
    return page("Download", body, version=version)


def _size_text(size: int | None) -> str:
    """A download's size, or why it is not known yet (large graphs: written on demand)."""
    return f"{size:,} bytes" if size is not None else "written on first request"


def message_page(title: str, message_html: str, *, version: str | None = None) -> str:
    """A page with a heading and a notice (e.g. assets missing, still loading)."""
    return page(
        title, f'<h1>{esc(title)}</h1><div class="notice">{message_html}</div>', version=version
    )
