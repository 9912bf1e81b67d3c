"""A SPARQL 1.1 query parser built from the W3C grammar, and the query as it was read.

The endpoint's checks (:mod:`api.sparql.guard`) must judge what the engine will run,
so they read a query with a real parser: the grammar of SPARQL 1.1 Query
(:mod:`api.sparql.grammar`) in Lark's LALR(1) parser, fed by :mod:`api.sparql.lexer`.
LALR keeps its stack in a list, so no nesting overflows it. The engine's code
recurses, though: pyoxigraph's process dies on about a thousand nested subqueries,
and on about 2,500 MINUS (or BIND) in a row, each a level of its query algebra. So the
reading stops, before the parser sees the token, at brackets nested deeper than the
caller's limit and at more keywords and operators (tokens other than terms and closing
brackets) than its other limit.

What the parse gives back (:class:`ParsedQuery`) is the query **re-written from its
tokens**: one space between tokens, comments dropped, prefixed names and relative IRIs
written as the absolute IRIs they stand for, strings with their escapes re-written,
keywords in upper case. This normal form is what the engine is sent, so whatever the
engine's own parser does with the client's spelling (pyoxigraph's is a PEG parser that
reads ``SERVICEex:x`` as the keyword SERVICE followed by ``ex:x``), it reads exactly
the tokens this parser accepted: each separated from the next, none it could split or
join differently. Relative IRIs are resolved against the query's BASE as
:mod:`api.sparql.iris` says.
"""

import re
from dataclasses import dataclass, field

from lark import Token
from lark.exceptions import UnexpectedInput

from api.core.errors import SgkgError
from api.sparql.grammar import build_parser
from api.sparql.iris import resolve_iri
from api.sparql.lexer import (
    CLOSING,
    KEYWORDS,
    OPENING,
    PUNCTUATION,
    TERMS,
    UPDATE_OPERATIONS,
    LexError,
    SparqlLexer,
    iri_value,
    local_name,
    string_value,
)

#: Built-in functions and aggregates. The normal form writes their arguments right after
#: the name: pyoxigraph reads ``CONCAT(``, ``COALESCE(`` and ``BNODE()`` but not
#: ``CONCAT (``, ``COALESCE (`` or ``BNODE ()`` (white space the grammar allows).
_FUNCTION_NAMES = """
    STR LANG DATATYPE IRI URI ABS CEIL FLOOR ROUND STRLEN UCASE LCASE ENCODE_FOR_URI YEAR
    MONTH DAY HOURS MINUTES SECONDS TIMEZONE TZ MD5 SHA1 SHA256 SHA384 SHA512 ISIRI ISURI
    ISBLANK ISLITERAL ISNUMERIC LANGMATCHES CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER
    STRLANG STRDT SAMETERM BOUND BNODE RAND NOW UUID STRUUID CONCAT COALESCE IF REGEX
    SUBSTR REPLACE COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT
"""
_FUNCTIONS = frozenset(_FUNCTION_NAMES.split())
#: How a message names a terminal the parser expected (keywords name themselves).
_SHOWN = {
    "$END": "the end of the query",
    "IRIREF": "an IRI",
    "PNAME_LN": "a prefixed name",
    "PNAME_NS": "a prefixed name",
    "BLANK_NODE_LABEL": "a blank node",
    "ANON": "[]",
    "NIL": "()",
    "VAR": "a variable",
    "STRING": "a string",
    "LANGTAG": "a language tag",
    "A": "a",
    "TRUE": "true",
    "FALSE": "false",
    **{
        f"{kind}{sign}": "a number"
        for kind in ("INTEGER", "DECIMAL", "DOUBLE")
        for sign in ("", "_POSITIVE", "_NEGATIVE")
    },
    **{name: repr(text) for text, name in PUNCTUATION.items()},
}
_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_NOT_IN_IRI = re.compile(r"[<>\"{}|^`\\\x00-\x20]")


class QuerySyntaxError(SgkgError):
    """The query is not valid SPARQL. ``line`` and ``column`` are 1-based when known."""

    def __init__(self, reason: str, *, line: int | None = None, column: int | None = None):
        self.reason = reason
        self.line = line
        self.column = column
        where = f" at line {line}, column {column}" if line is not None else ""
        super().__init__(f"SPARQL syntax error{where}: {reason}")


class QueryTooComplex(SgkgError):
    """Brackets nested deeper, or more keywords and operators, than the caller allows."""


class UpdateNotQuery(SgkgError):
    """The text is a SPARQL Update request, not a query; ``operation`` names it."""

    def __init__(self, operation: str) -> None:
        super().__init__(f"a SPARQL Update request ({operation}), not a query")
        self.operation = operation


@dataclass(frozen=True)
class Position:
    """Where a token starts: 1-based line and column, as syntax errors give them."""

    line: int
    column: int

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}"


@dataclass(frozen=True)
class DatasetClause:
    """One ``FROM`` or ``FROM NAMED`` clause of a query."""

    named: bool
    #: the graph IRI, absolute (prefixes and BASE applied)
    iri: str
    #: the clause's target as written, for messages
    written: str
    position: Position

    @property
    def keyword(self) -> str:
        return "FROM NAMED" if self.named else "FROM"


@dataclass(frozen=True)
class QueryShape:
    """What the stores need to know of a query they run: its form and dataset clauses."""

    #: SELECT, ASK, CONSTRUCT or DESCRIBE
    form: str
    dataset: tuple[DatasetClause, ...] = ()
    #: whether the text run is the parser's normal form (:class:`ParsedQuery`), whose
    #: line and column numbers are not the client's
    normalised: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    """A query the grammar accepts: its normal form and what the endpoint's rules read."""

    #: the query re-written from its tokens (see the module's docstring)
    text: str
    shape: QueryShape
    #: where the keyword SERVICE occurs
    services: tuple[Position, ...] = field(default=())


def parse_query(sparql: str, max_depth: int, max_operators: int) -> ParsedQuery:
    """Parse a SPARQL 1.1 query. Raises :class:`QuerySyntaxError`,
    :class:`QueryTooComplex` (brackets nested more than ``max_depth`` levels, more than
    ``max_operators`` keywords and operators) or :class:`UpdateNotQuery`."""
    return _Reading(sparql, max_depth, max_operators).run()


class _Reading:
    """One parse: tokens from the lexer into the parser, the normal form written as
    they pass, the prologue and the dataset clauses read on the way."""

    def __init__(self, text: str, max_depth: int, max_operators: int) -> None:
        self.lexer = SparqlLexer(text)
        self.max_depth = max_depth
        self.max_operators = max_operators
        self.depth = 0
        self.operators = 0
        self.out: list[str] = []
        self.base: str | None = None
        self.prefixes: dict[str, str] = {}
        self.form: str | None = None
        self.services: list[Position] = []
        self.dataset: list[DatasetClause] = []
        #: the FROM clause being read: (named, position) once FROM is seen
        self.pending_from: tuple[bool, Position] | None = None
        #: the prologue declaration being read: its tokens so far
        self.declaration: list[Token] = []
        #: the type of the last token written
        self.previous = ""

    def run(self) -> ParsedQuery:
        parser = build_parser().parse_interactive()

        def takes_iri(iri: Token) -> bool:
            choices = parser.choices()
            if "IRIREF" not in choices:
                return False
            if "LT" not in choices and "LE" not in choices:
                return True
            # LALR merges states: try the IRI on a copy of the parser's stacks
            trial = parser.parser_state.copy(deepcopy_values=False)
            try:
                trial.feed_token(iri)
            except UnexpectedInput:
                return False
            return True

        try:
            while True:
                token = self.lexer.next(takes_iri)
                if token is None:
                    break
                written = self._read(token)
                parser.feed_token(token)
                if written:
                    self._write(token)
            parser.feed_eof()
        except LexError as error:
            line, column = self.lexer.locate(error.position)
            raise QuerySyntaxError(error.reason, line=line, column=column) from None
        except UnexpectedInput as error:
            raise self._unexpected(error) from None
        assert self.form is not None
        shape = QueryShape(self.form, tuple(self.dataset), normalised=True)
        return ParsedQuery(" ".join(self.out), shape, tuple(self.services))

    # --- what each token contributes ---------------------------------------------------

    def _read(self, token: Token) -> bool:
        """Depth, prologue, form, SERVICE and FROM, before the parser takes the token
        (an update is named, not reported as a syntax error). False for the prologue's
        tokens, which the normal form does not write."""
        kind = token.type
        if kind in CLOSING:
            self.depth -= 1
        elif kind not in TERMS:
            self.operators += 1
            if self.operators > self.max_operators:
                raise QueryTooComplex(
                    f"the query has more than {self.max_operators:,} keywords and operators "
                    f"(at {_position(token)}), more than this endpoint accepts"
                )
            if kind in OPENING:
                self.depth += 1
                if self.depth > self.max_depth:
                    raise QueryTooComplex(
                        f"the query nests brackets more than {self.max_depth} levels deep (at "
                        f"{_position(token)}); this endpoint accepts at most {self.max_depth}"
                    )
        if self.form is None:
            if self._prologue(token):
                return False
            self.form = kind
            if kind in UPDATE_OPERATIONS:
                raise UpdateNotQuery(kind)
        if kind == "SERVICE":
            self.services.append(_position(token))
        elif kind == "FROM":
            self.pending_from = (False, _position(token))
        elif kind == "NAMED" and self.pending_from is not None:
            self.pending_from = (True, self.pending_from[1])
        return True

    def _write(self, token: Token) -> None:
        """Add a token the parser took to the normal form."""
        glued = token.type == "LANGTAG" or (
            token.type in ("LPAR", "NIL") and self.previous in _FUNCTIONS
        )
        if glued:  # a language tag after its string; a function's arguments after its name
            self.out[-1] += self._normal(token)
        else:
            self.out.append(self._normal(token))
        self.previous = token.type

    def _prologue(self, token: Token) -> bool:
        """BASE and PREFIX declarations: read, not written out. False at the first
        token after them."""
        kind = token.type
        if not self.declaration and kind not in ("BASE", "PREFIX"):
            return False
        self.declaration.append(token)
        first = self.declaration[0].type
        if kind == "IRIREF" and (first == "BASE" or len(self.declaration) == 3):
            iri = self._absolute(token)
            if first == "BASE":
                self.base = iri
            else:
                self.prefixes[self.declaration[1][:-1]] = iri
            self.declaration = []
        elif len(self.declaration) > 3:  # not a declaration: the parser says what is wrong
            self.declaration = []
        return True

    def _normal(self, token: Token) -> str:
        """A token as the normal form writes it."""
        kind = token.type
        if kind in ("IRIREF", "PNAME_LN", "PNAME_NS"):
            iri = self._absolute(token) if kind == "IRIREF" else self._expand(token)
            if self.pending_from is not None:
                named, position = self.pending_from
                self.dataset.append(DatasetClause(named, iri, str(token), position))
                self.pending_from = None
            return f"<{iri}>"
        if kind == "STRING":
            try:
                value = string_value(token)
            except ValueError as error:
                raise _syntax(token, f"in a string: {error}") from None
            return '"' + _escape_string(value) + '"'
        if kind == "VAR":
            return "?" + token[1:]
        if kind in ("NIL", "ANON"):
            return token[0] + token[-1]
        if kind in KEYWORDS:
            return kind
        return str(token)  # punctuation, numbers, blank node labels, a, true, false

    def _absolute(self, token: Token) -> str:
        try:
            iri = iri_value(token)
        except ValueError as error:
            raise _syntax(token, f"in an IRI: {error}") from None
        if not _ABSOLUTE.match(iri):
            if self.base is None:
                raise _syntax(token, f"the relative IRI {token} needs a BASE declaration")
            iri = resolve_iri(self.base, iri)
        return _checked_iri(iri, token)

    def _expand(self, token: Token) -> str:
        prefix, _, local = str(token).partition(":")
        if prefix not in self.prefixes:
            raise _syntax(token, f"the prefix {prefix}: is not declared (PREFIX {prefix}: <...>)")
        return _checked_iri(self.prefixes[prefix] + local_name(local), token)

    def _unexpected(self, error: UnexpectedInput) -> QuerySyntaxError:
        at = getattr(error, "token", None)
        shown = {_SHOWN.get(name, name) for name in getattr(error, "expected", ())}
        expected = sorted(shown, key=lambda name: (name.startswith("'"), name))
        listed = ", ".join(expected[:12]) + (", ..." if len(expected) > 12 else "")
        if at is None or at.type == "$END":
            line, column = self.lexer.locate(len(self.lexer.text))
            return QuerySyntaxError(
                f"the query ends too soon; expected one of {listed}", line=line, column=column
            )
        hint = " (if '<' compares here, put a space after it)" if at.type == "IRIREF" else ""
        return QuerySyntaxError(
            f"unexpected {str(at)[:40]!r}{hint}; expected one of {listed}",
            line=at.line,
            column=at.column,
        )


def _checked_iri(iri: str, token: Token) -> str:
    bad = _NOT_IN_IRI.search(iri)
    if bad:
        raise _syntax(token, f"the IRI {token} holds {bad.group()!r}, which no IRI may hold")
    return iri


def _escape_string(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def _position(token: Token) -> Position:
    return Position(token.line, token.column)


def _syntax(token: Token, reason: str) -> QuerySyntaxError:
    return QuerySyntaxError(reason, line=token.line, column=token.column)


__all__ = [
    "DatasetClause",
    "ParsedQuery",
    "Position",
    "QueryShape",
    "QuerySyntaxError",
    "QueryTooComplex",
    "UpdateNotQuery",
    "parse_query",
]
