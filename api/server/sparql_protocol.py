"""The SPARQL 1.1 Protocol's request side: its media types, its parameters and their
OpenAPI description.

:class:`ProtocolParameters` reads a request's parameters from the URL and a form body
alike, every value kept, so the route can refuse a request that gives two queries. The
endpoint reads parameters itself rather than through FastAPI's dependencies (a query's
hot path), so their OpenAPI description is written here by hand.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qs

from fastapi import Request

from api.formats.wire_formats import RDF_FORMATS, RESULT_FORMATS

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
TRUNCATED_HEADER = "X-Sgkg-Truncated"
ROW_LIMIT_HEADER = "X-Sgkg-Row-Limit"
BYTE_LIMIT_HEADER = "X-Sgkg-Byte-Limit"


@dataclass(frozen=True)
class ProtocolParameters:
    """The SPARQL Protocol parameters of one request, every value kept."""

    queries: tuple[str, ...]
    updates: tuple[str, ...]
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    format_names: tuple[str, ...]
    interpretations: tuple[str, ...] = ()

    @classmethod
    def from_lists(cls, *sources: Mapping[str, Sequence[str]]) -> "ProtocolParameters":
        def values(name: str) -> tuple[str, ...]:
            return tuple(v for source in sources for v in source.get(name, ()))

        return cls(
            queries=values("query"),
            updates=values("update"),
            default_graphs=tuple(v for v in values("default-graph-uri") if v),
            named_graphs=tuple(v for v in values("named-graph-uri") if v),
            format_names=tuple(v for v in values("format") + values("output") if v),
            interpretations=values("interpretations"),
        )


def parse_form(text: str) -> dict[str, list[str]]:
    """Fields of ``application/x-www-form-urlencoded`` text (a URL's query string, a
    form body): every name with its values in order; a name without ``=`` has ``""``."""
    return parse_qs(text, keep_blank_values=True)


def url_parameters(request: Request) -> dict[str, list[str]]:
    return parse_form(request.scope["query_string"].decode("utf-8", errors="replace"))


RESULT_MEDIA = {fmt.media_type: {} for fmt in RESULT_FORMATS + RDF_FORMATS}
PARAMETERS = [
    {
        "name": "query",
        "in": "query",
        "description": "the SPARQL query (SELECT, ASK, CONSTRUCT or DESCRIBE); without it, "
        "the service description (RDF clients) or the query UI (browsers)",
        "schema": {"type": "string"},
    },
    {
        "name": "default-graph-uri",
        "in": "query",
        "description": "a graph of the default graph (repeatable); overrides FROM",
        "schema": {"type": "array", "items": {"type": "string", "format": "uri"}},
        "style": "form",
        "explode": True,
    },
    {
        "name": "named-graph-uri",
        "in": "query",
        "description": "a named graph available to GRAPH (repeatable); overrides FROM NAMED",
        "schema": {"type": "array", "items": {"type": "string", "format": "uri"}},
        "style": "form",
        "explode": True,
    },
    {
        "name": "interpretations",
        "in": "query",
        "description": "answer with interpretations as well as the words: 'all', or "
        "interpretation names (comma-separated or repeated); default 'none', a strict "
        "answer. The SGKG-Interpretations header lists those the answer rests on",
        "schema": {"type": "string"},
    },
    {
        "name": "format",
        "in": "query",
        "description": "answer format, overriding Accept: json, xml, csv, tsv (SELECT, ASK); "
        "ttl, jsonld, rdf, nt, trig, nq (CONSTRUCT, DESCRIBE); or a media type",
        "schema": {"type": "string"},
    },
    {
        "name": "output",
        "in": "query",
        "description": "same as format",
        "schema": {"type": "string"},
    },
]
FORM_SCHEMA = {
    "type": "object",
    "properties": {
        "query": {"type": "string"},
        "default-graph-uri": {"type": "array", "items": {"type": "string"}},
        "named-graph-uri": {"type": "array", "items": {"type": "string"}},
        "format": {"type": "string"},
        "output": {"type": "string"},
        "interpretations": {"type": "string"},
    },
    "required": ["query"],
}


def content_type(header: str | None) -> tuple[str | None, str | None]:
    """``application/sparql-query; charset=UTF-8`` -> (media type, charset), lower case."""
    if not header:
        return None, None
    media_type, *params = (part.strip() for part in header.split(";"))
    charset = None
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media_type.lower() or None, charset
