"""What the endpoint refuses to run, and why: its rules, checked before any engine works.

- **SPARQL Update** (INSERT, DELETE, LOAD, CLEAR...): the graph is built from the
  repository's files, never changed over HTTP (403, read-only). ``LOAD`` would also make
  the server fetch a URL.
- **SERVICE**: pyoxigraph would send an HTTP request to whatever IRI a query names
  (a server on the local network, a cloud metadata address...). Refused (400).
- **FROM / FROM NAMED and the protocol's ``default-graph-uri`` / ``named-graph-uri``**
  may name only the dataset's own graphs (``https://w3id.org/sgkg/graph/...``): an engine
  that loads what FROM names (rdflib does) would otherwise fetch URLs or open local
  ``file:`` IRIs. Refused (400), listing the graphs one may name.
- **Too complex**: brackets nested deeper than :data:`MAX_NESTING`, or more than
  :data:`MAX_OPERATORS` keywords and operators. The engine recurses on each, and a
  few thousand levels end its process (:mod:`api.sparql.parser`). Refused (400).

How a query is judged, so that what is checked is what the engine runs:

1. **The proof** (:func:`proven_safe`, microseconds). Some texts cannot hold any of the
   above however an engine splits them into tokens: no ``\\`` (so no escape can spell
   a keyword), neither ``service`` nor ``from`` anywhere (ASCII letters in any case;
   engines match keywords that way, so a keyword is those letters, side by side, in
   the text), no more opening brackets than the nesting limit and no more characters
   than the limit on keywords and operators (so neither limit can be passed), and a
   prologue then SELECT, ASK, CONSTRUCT or DESCRIBE at the start (so not an update).
   Such a text goes to the engine as it is. Most queries are of this kind (29 of the 30
   competency questions).
2. **The parser** (:mod:`api.sparql.parser`, 0.3 ms for a competency question, 0.6 ms
   at most) for everything else: the grammar of SPARQL 1.1 decides what is SERVICE,
   FROM or an update, and the engine is sent the query **re-written from the tokens
   the parser accepted** (its normal form), never the client's spelling, which an
   engine's own parser might read otherwise.

:func:`check_query` runs in the query worker process (:mod:`api.query.work`), not on
the server's event loop: a parse takes time in proportion to the query's length (a
query of the largest size the server accepts takes a fraction of a second), and the
worker's deadline bounds it like any other work. The worker is also cut off from the
network, in case anything slipped past.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from api.core.errors import SgkgError
from api.sparql.parser import (
    ParsedQuery,
    QueryShape,
    QuerySyntaxError,
    QueryTooComplex,
    UpdateNotQuery,
    parse_query,
)

READ_ONLY = (
    "this SPARQL endpoint is read-only: SPARQL Update is refused. The graph is built "
    "from the files of the repository (`sgkg build`), never changed over HTTP."
)
#: Brackets (``{``, ``(``, ``[``) a query may nest. pyoxigraph's parser overflows its
#: stack past about 1,000 nested subqueries or EXISTS and 2,000 groups; the competency
#: questions nest 3 levels deep at most.
MAX_NESTING = 64
#: Keywords and operators (tokens other than terms and closing brackets) a query may
#: have. pyoxigraph's process ends on about 2,500 MINUS or BIND in a row (a level of
#: its algebra each, two or three such tokens), 6,750 ``+`` or 9,250 ``||``; the
#: competency questions have 7 to 30.
MAX_OPERATORS = 3000


class QueryRefused(SgkgError):
    """A query this endpoint will not run (HTTP 400): it would reach outside the dataset,
    or it is too complex for the engine."""


class UpdateRefused(SgkgError):
    """SPARQL Update sent to a read-only endpoint (HTTP 403)."""

    def __init__(self, operation: str | None = None) -> None:
        self.operation = operation
        what = f" ({operation})" if operation else ""
        super().__init__(f"{READ_ONLY} This request is an update{what}.")


@dataclass(frozen=True)
class CheckedQuery:
    """A query that passed the checks: the text to run, and what the stores need of it."""

    #: the client's text (proven safe as it is) or the parser's normal form
    text: str
    shape: QueryShape


def check_query(
    sparql: str,
    graphs: Iterable[str],
    *,
    default_graph_uris: Iterable[str] = (),
    named_graph_uris: Iterable[str] = (),
) -> CheckedQuery:
    """Refuse what the endpoint does not run; return the text to run.

    ``graphs`` are the IRIs of the dataset's named graphs, the only ones a query or the
    protocol's dataset parameters may name. Raises :class:`UpdateRefused`,
    :class:`QueryRefused` or :class:`api.sparql.parser.QuerySyntaxError`.
    """
    allowed = frozenset(graphs)
    shape = proven_safe(sparql)
    if shape is not None:
        checked = CheckedQuery(sparql, shape)
    else:
        checked = _parse_and_judge(sparql, allowed)
    for parameter, values in (
        ("default-graph-uri", default_graph_uris),
        ("named-graph-uri", named_graph_uris),
    ):
        for value in values:
            if value not in allowed:
                raise QueryRefused(
                    f"{parameter}={value} is not a graph of this dataset; the server neither "
                    f"fetches URLs nor opens files for a query. {_graph_list(allowed)}"
                )
    return checked


def read_query(sparql: str) -> CheckedQuery:
    """The text to run and its shape, for a store asked directly (``sgkg query``), with
    no rules applied: the client's text when the proof holds, else the normal form.
    Raises :class:`QuerySyntaxError` (an update is one: it is no query)."""
    shape = proven_safe(sparql)
    if shape is not None:
        return CheckedQuery(sparql, shape)
    return normal_form(sparql)


def normal_form(sparql: str) -> CheckedQuery:
    """The parser's normal form of a query, with no rules applied. Raises
    :class:`QuerySyntaxError` (an update is one: it is no query)."""
    try:
        parsed = _parse(sparql)
    except (UpdateNotQuery, QueryTooComplex) as error:
        raise QuerySyntaxError(str(error)) from None
    return CheckedQuery(parsed.text, parsed.shape)


def _parse(sparql: str) -> ParsedQuery:
    return parse_query(sparql, max_depth=MAX_NESTING, max_operators=MAX_OPERATORS)


def _parse_and_judge(sparql: str, allowed: frozenset[str]) -> CheckedQuery:
    try:
        parsed = _parse(sparql)
    except UpdateNotQuery as error:
        raise UpdateRefused(error.operation) from None
    except QueryTooComplex as error:
        raise QueryRefused(str(error)) from None
    if parsed.services:
        raise QueryRefused(
            f"federated queries are not run by this endpoint: SERVICE at {parsed.services[0]}. "
            "The server sends no requests to other servers; query this dataset's graphs."
        )
    for clause in parsed.shape.dataset:
        if clause.iri not in allowed:
            raise QueryRefused(
                f"{clause.keyword} {clause.written} at {clause.position} names a graph outside "
                f"this dataset; the server neither fetches URLs nor opens files for a query. "
                f"{_graph_list(allowed)}"
            )
    return CheckedQuery(parsed.text, parsed.shape)


# --- the proof ----------------------------------------------------------------------------

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_PN_CHARS_BASE = (
    "a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS = _PN_CHARS_BASE + r"_\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_GAP = r"(?:[ \t\r\n]++|#[^\r\n]*+)"
_IRI = r"<[^<>\"{}|^`\\\x00-\x20]*+>"
#: A declaration of the prologue, in the lowered text. After PREFIX, a gap is required:
#: ``PREFIXa:`` would be one prefixed name.
_DECLARATION = re.compile(
    rf"prefix{_GAP}++(?:[{_PN_CHARS_BASE}][{_PN_CHARS}.]*+(?<!\.))?:{_GAP}*+{_IRI}"
    rf"|base{_GAP}*+{_IRI}"
)
_GAPS = re.compile(rf"{_GAP}*+")
#: A query form, not run on into a longer name (``selectx:y`` is a prefixed name).
_FORM = re.compile(rf"(select|ask|construct|describe)(?![{_PN_CHARS}.:])")


def proven_safe(sparql: str) -> QueryShape | None:
    """The shape of a query whose text proves it safe as it is (see the module's
    docstring), or None: then only a parse can tell."""
    if len(sparql) > MAX_OPERATORS or "\\" in sparql:
        return None
    lowered = sparql.translate(_ASCII_LOWER)
    if "service" in lowered or "from" in lowered:
        return None
    if lowered.count("{") + lowered.count("(") + lowered.count("[") > MAX_NESTING:
        return None
    position = _GAPS.match(lowered).end()
    while declaration := _DECLARATION.match(lowered, position):
        position = _GAPS.match(lowered, declaration.end()).end()
    form = _FORM.match(lowered, position)
    if form is None:
        return None
    return QueryShape(form.group(1).upper())


def _graph_list(allowed: frozenset[str]) -> str:
    return "The graphs you may name: " + ", ".join(f"<{iri}>" for iri in sorted(allowed)) + "."
