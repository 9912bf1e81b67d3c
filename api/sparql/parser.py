"""A SPARQL 1.1 query parser built from the W3C grammar, and the query as it was read.

The endpoint's checks (:mod:`api.sparql.guard`) must judge what the engine will run,
so they read a query with a real parser: the grammar of SPARQL 1.1 Query (section
19.8 of the recommendation, rules [1] to [128], query forms only) written out for
Lark's LALR(1) parser generator, fed by :mod:`api.sparql.lexer`. LALR keeps its stack
in a list, so no nesting overflows it. The engine's code recurses, though: pyoxigraph's
process dies on about a thousand nested subqueries, and on about 2,500 MINUS (or BIND)
in a row, each a level of its query algebra. So the reading stops, before the parser
sees the token, at brackets nested deeper than the caller's limit and at more keywords
and operators (tokens other than terms and closing brackets) than its other limit.

What the parse gives back (:class:`ParsedQuery`) is the query **re-written from its
tokens**: one space between tokens, comments dropped, prefixed names and relative IRIs
written as the absolute IRIs they stand for, strings with their escapes re-written,
keywords in upper case. This normal form is what the engine is sent, so whatever the
engine's own parser does with the client's spelling (pyoxigraph's is a PEG parser that
reads ``SERVICEex:x`` as the keyword SERVICE followed by ``ex:x``), it reads exactly
the tokens this parser accepted: each separated from the next, none it could split or
join differently.

The parser is built once per process, on first use or by :func:`build_parser` (about
0.3 s; query workers build it in the background as soon as they are ready).
"""

import re
import threading
from dataclasses import dataclass, field
from functools import cache

from lark import Lark, Token
from lark.exceptions import UnexpectedInput
from lark.lexer import Lexer

from api.core.errors import SgkgError
from api.sparql.lexer import (
    CLOSING,
    KEYWORDS,
    OPENING,
    PUNCTUATION,
    QUERY_FORMS,
    TERMINALS,
    TERMS,
    UPDATE_OPERATIONS,
    LexError,
    SparqlLexer,
    iri_value,
    local_name,
    string_value,
)

#: The SPARQL 1.1 Query grammar, rules numbered as in the recommendation.
GRAMMAR = r"""
// [1], [2] QueryUnit, Query (Prologue, a form, then ValuesClause)
query_unit: prologue (select_query | construct_query | describe_query | ask_query) values_clause
// [4] - [6]
prologue: (base_decl | prefix_decl)*
base_decl: BASE IRIREF
prefix_decl: PREFIX PNAME_NS IRIREF
// [7] - [12]
select_query: select_clause dataset_clause* where_clause solution_modifier
sub_select: select_clause where_clause solution_modifier values_clause
select_clause: SELECT (DISTINCT | REDUCED)? (select_item+ | STAR)
select_item: var | LPAR expression AS var RPAR
construct_query: CONSTRUCT construct_template dataset_clause* where_clause solution_modifier
               | CONSTRUCT dataset_clause* WHERE LBRACE triples_template? RBRACE solution_modifier
describe_query: DESCRIBE (var_or_iri+ | STAR) dataset_clause* where_clause? solution_modifier
ask_query: ASK dataset_clause* where_clause solution_modifier
// [13] - [16]
dataset_clause: FROM iri | FROM NAMED iri
// [17] - [27]
where_clause: WHERE? group_graph_pattern
solution_modifier: group_clause? having_clause? order_clause? limit_offset_clauses?
group_clause: GROUP BY group_condition+
group_condition: builtin_call | function_call | LPAR expression (AS var)? RPAR | var
having_clause: HAVING constraint+
order_clause: ORDER BY order_condition+
order_condition: (ASC | DESC) bracketted_expression | constraint | var
limit_offset_clauses: LIMIT INTEGER (OFFSET INTEGER)? | OFFSET INTEGER (LIMIT INTEGER)?
// [28]
values_clause: (VALUES data_block)?
// [52] TriplesTemplate
triples_template: triples_same_subject (DOT triples_template?)?
// [53] - [68]
group_graph_pattern: LBRACE (sub_select | group_graph_pattern_sub) RBRACE
group_graph_pattern_sub: triples_block? (graph_pattern_not_triples DOT? triples_block?)*
triples_block: triples_same_subject_path (DOT triples_block?)?
graph_pattern_not_triples: group_or_union_graph_pattern | optional_graph_pattern
                         | minus_graph_pattern | graph_graph_pattern | service_graph_pattern
                         | filter | bind | inline_data
optional_graph_pattern: OPTIONAL group_graph_pattern
graph_graph_pattern: GRAPH var_or_iri group_graph_pattern
service_graph_pattern: SERVICE SILENT? var_or_iri group_graph_pattern
bind: BIND LPAR expression AS var RPAR
inline_data: VALUES data_block
data_block: var LBRACE data_block_value* RBRACE
          | (NIL | LPAR var* RPAR) LBRACE (LPAR data_block_value* RPAR | NIL)* RBRACE
data_block_value: iri | rdf_literal | numeric_literal | boolean_literal | UNDEF
minus_graph_pattern: MINUS group_graph_pattern
group_or_union_graph_pattern: group_graph_pattern (UNION group_graph_pattern)*
filter: FILTER constraint
// [69] - [72]
constraint: bracketted_expression | builtin_call | function_call
function_call: iri arg_list
arg_list: NIL | LPAR DISTINCT? expression (COMMA expression)* RPAR
expression_list: NIL | LPAR expression (COMMA expression)* RPAR
// [73] - [80]
construct_template: LBRACE construct_triples? RBRACE
construct_triples: triples_same_subject (DOT construct_triples?)?
triples_same_subject: var_or_term property_list_not_empty | triples_node property_list_not_empty?
property_list_not_empty: verb object_list (SEMI (verb object_list)?)*
verb: var_or_iri | A
object_list: graph_node (COMMA graph_node)*
// [81] - [96]
triples_same_subject_path: var_or_term property_list_path_not_empty
                         | triples_node_path property_list_path_not_empty?
property_list_path_not_empty: (path | var) object_list_path (SEMI ((path | var) object_list)?)*
object_list_path: graph_node_path (COMMA graph_node_path)*
path: path_sequence (PIPE path_sequence)*
path_sequence: path_elt_or_inverse (SLASH path_elt_or_inverse)*
path_elt_or_inverse: path_elt | CARET path_elt
path_elt: path_primary (QMARK | STAR | PLUS)?
path_primary: iri | A | BANG path_negated_property_set | LPAR path RPAR
path_negated_property_set: path_one_in_property_set
                         | LPAR (path_one_in_property_set (PIPE path_one_in_property_set)*)? RPAR
path_one_in_property_set: iri | A | CARET iri | CARET A
// [98] - [109]
triples_node: LPAR graph_node+ RPAR | LBRACK property_list_not_empty RBRACK
triples_node_path: LPAR graph_node_path+ RPAR | LBRACK property_list_path_not_empty RBRACK
graph_node: var_or_term | triples_node
graph_node_path: var_or_term | triples_node_path
var_or_term: var | graph_term
var_or_iri: var | iri
var: VAR
graph_term: iri | rdf_literal | numeric_literal | boolean_literal | BLANK_NODE_LABEL | ANON | NIL
// [110] - [120]
expression: conditional_and_expression (OR conditional_and_expression)*
conditional_and_expression: relational_expression (AND relational_expression)*
relational_expression: additive_expression
                     | additive_expression (EQ | NE | LT | GT | LE | GE) additive_expression
                     | additive_expression NOT? IN expression_list
additive_expression: multiplicative_expression additive_term*
additive_term: (PLUS | DASH) multiplicative_expression
             | (numeric_literal_positive | numeric_literal_negative) multiplicative_term*
multiplicative_term: (STAR | SLASH) unary_expression
multiplicative_expression: unary_expression multiplicative_term*
unary_expression: (BANG | PLUS | DASH)? primary_expression
primary_expression: bracketted_expression | builtin_call | iri_or_function | rdf_literal
                  | numeric_literal | boolean_literal | var
bracketted_expression: LPAR expression RPAR
// [121] - [127]
builtin_call: aggregate
            | function_of_one LPAR expression RPAR
            | function_of_two LPAR expression COMMA expression RPAR
            | BOUND LPAR var RPAR
            | BNODE (LPAR expression RPAR | NIL)
            | (RAND | NOW | UUID | STRUUID) NIL
            | (CONCAT | COALESCE) expression_list
            | IF LPAR expression COMMA expression COMMA expression RPAR
            | (REGEX | SUBSTR) LPAR expression COMMA expression (COMMA expression)? RPAR
            | REPLACE LPAR expression COMMA expression COMMA expression (COMMA expression)? RPAR
            | EXISTS group_graph_pattern
            | NOT EXISTS group_graph_pattern
function_of_one: STR | LANG | DATATYPE | IRI | URI | ABS | CEIL | FLOOR | ROUND | STRLEN
               | UCASE | LCASE | ENCODE_FOR_URI | YEAR | MONTH | DAY | HOURS | MINUTES
               | SECONDS | TIMEZONE | TZ | MD5 | SHA1 | SHA256 | SHA384 | SHA512 | ISIRI
               | ISURI | ISBLANK | ISLITERAL | ISNUMERIC
function_of_two: LANGMATCHES | CONTAINS | STRSTARTS | STRENDS | STRBEFORE | STRAFTER
               | STRLANG | STRDT | SAMETERM
aggregate: COUNT LPAR DISTINCT? (STAR | expression) RPAR
         | (SUM | MIN | MAX | AVG | SAMPLE) LPAR DISTINCT? expression RPAR
         | GROUP_CONCAT LPAR DISTINCT? expression (SEMI SEPARATOR EQ STRING)? RPAR
// [128] - [138]
iri_or_function: iri arg_list?
rdf_literal: STRING (LANGTAG | HATHAT iri)?
numeric_literal: INTEGER | DECIMAL | DOUBLE | numeric_literal_positive | numeric_literal_negative
numeric_literal_positive: INTEGER_POSITIVE | DECIMAL_POSITIVE | DOUBLE_POSITIVE
numeric_literal_negative: INTEGER_NEGATIVE | DECIMAL_NEGATIVE | DOUBLE_NEGATIVE
boolean_literal: TRUE | FALSE
iri: IRIREF | PNAME_LN | PNAME_NS
"""

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


_BUILDING = threading.Lock()


def build_parser() -> Lark:
    """The parser (built on the first call; the others wait for it, then share it)."""
    with _BUILDING:
        return _parser()


@cache
def _parser() -> Lark:
    declared = "%declare " + " ".join(sorted(TERMINALS))
    return Lark(
        GRAMMAR + declared,
        parser="lalr",
        lexer=_TokensFedByHand,
        start="query_unit",
        keep_all_tokens=False,
    )


class _TokensFedByHand(Lexer):
    """Lark wants a lexer class; tokens are fed to its interactive parser instead."""

    def __init__(self, lexer_conf: object) -> None:
        pass

    def lex(self, lexer_state: object, parser_state: object):  # pragma: no cover
        raise NotImplementedError("tokens come from api.sparql.lexer")


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


def resolve_iri(base: str, reference: str) -> str:
    """``reference`` resolved against the absolute IRI ``base`` (RFC 3986, section 5.2)."""
    scheme, authority, path, query, fragment = _split(reference)
    if scheme is not None:
        return _join(scheme, authority, _remove_dots(path), query, fragment)
    b_scheme, b_authority, b_path, b_query, _ = _split(base)
    if authority is not None:
        path = _remove_dots(path)
    elif path == "":
        authority, path = b_authority, b_path
        query = query if query is not None else b_query
    else:
        authority = b_authority
        if not path.startswith("/"):
            if b_authority is not None and b_path == "":
                path = "/" + path
            else:
                path = b_path[: b_path.rfind("/") + 1] + path
        path = _remove_dots(path)
    return _join(b_scheme, authority, path, query, fragment)


_IRI_PARTS = re.compile(r"^(?:([^:/?#]+):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$", re.S)


def _split(iri: str) -> tuple[str | None, str | None, str, str | None, str | None]:
    match = _IRI_PARTS.match(iri)
    assert match is not None  # every string matches
    scheme, authority, path, query, fragment = match.groups()
    return scheme, authority, path, query, fragment


def _join(
    scheme: str | None, authority: str | None, path: str, query: str | None, fragment: str | None
) -> str:
    text = f"{scheme}:" if scheme is not None else ""
    if authority is not None:
        text += "//" + authority
    text += path
    if query is not None:
        text += "?" + query
    if fragment is not None:
        text += "#" + fragment
    return text


def _remove_dots(path: str) -> str:
    """RFC 3986, section 5.2.4."""
    output: list[str] = []
    while path:
        if path.startswith("../"):
            path = path[3:]
        elif path.startswith(("./", "/./")):
            path = path[2:]
        elif path == "/.":
            path = "/"
        elif path.startswith("/../"):
            path = path[3:]
            if output:
                output.pop()
        elif path == "/..":
            path = "/"
            if output:
                output.pop()
        elif path in (".", ".."):
            path = ""
        else:
            start = 1 if path.startswith("/") else 0
            cut = path.find("/", start)
            cut = len(path) if cut == -1 else cut
            output.append(path[:cut])
            path = path[cut:]
    return "".join(output)


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
    "QUERY_FORMS",
    "DatasetClause",
    "ParsedQuery",
    "Position",
    "QueryShape",
    "QuerySyntaxError",
    "QueryTooComplex",
    "UpdateNotQuery",
    "parse_query",
    "resolve_iri",
]
