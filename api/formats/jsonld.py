"""JSON-LD as people and JSON-LD tools expect it: a ``@context`` and prefixed names.

pyoxigraph writes JSON-LD in expanded form (every property a full IRI, no context): valid,
but unreadable next to the Turtle of the same resource, and every client has to bring
its own context. :func:`compact` rewrites that document into the compacted shape
(``{"@context": {...}, "@graph": [...]}``), with the same prefixes the Turtle declares:
``rdf:type`` becomes ``@type``; property names, classes and datatype IRIs become
``prefix:local`` names. Node IRIs (``@id``) stay in full, so they can be followed as
they are. The triples do not change:
a JSON-LD processor expands the result back to exactly the input
(``tests/test_http_linked_data.py`` parses both and compares the graphs).
"""

import json
from collections.abc import Mapping
from typing import Any

from api.core.namespaces import prefixed_name

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def compact(expanded: bytes, prefixes: Mapping[str, str]) -> bytes:
    """The compacted form of an expanded JSON-LD document, with ``prefixes`` as context."""
    nodes = json.loads(expanded)
    if not isinstance(nodes, list):
        nodes = [nodes]
    context = dict(sorted(prefixes.items()))
    document = {"@context": context, "@graph": [_compact_value(node, context) for node in nodes]}
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def _compact_value(value: Any, context: Mapping[str, str]) -> Any:
    if isinstance(value, list):
        return [_compact_value(item, context) for item in value]
    if not isinstance(value, dict):
        return value
    compacted: dict[str, Any] = {}
    is_literal = "@value" in value
    for key, item in value.items():
        if key == "@type":
            # a literal's datatype, or a node's classes: both are IRIs a prefix may shorten
            items = item if isinstance(item, list) else [item]
            names = [_curie(iri, context) for iri in items]
            compacted[key] = names[0] if is_literal or not isinstance(item, list) else names
        elif key == RDF_TYPE and all(set(node) == {"@id"} for node in item):
            # rdf:type to IRIs reads as JSON-LD's own @type, as tools write it
            compacted["@type"] = [_curie(node["@id"], context) for node in item]
        elif key.startswith("@"):
            compacted[key] = _compact_value(item, context)
        else:
            compacted[_curie(key, context)] = _compact_value(item, context)
    return compacted


def _curie(iri: str, context: Mapping[str, str]) -> str:
    """``prefix:local`` for ``iri`` by a prefix of the context, else the IRI."""
    return prefixed_name(iri, context) or iri
