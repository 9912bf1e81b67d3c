"""SPARQL 1.1's terminals, read from a query text in linear time.

The tokens of the W3C grammar (SPARQL 1.1 Query, section 19.8: IRIs, prefixed names,
variables, literals, keywords, punctuation), read as the grammar says: longest match,
white space and ``#`` comments between tokens, keywords matched ignoring ASCII case
(except ``a``, ``true`` and ``false``, which pyoxigraph, the engine, reads in lower
case only). :mod:`api.sparql.parser` feeds them to a parser built from the grammar.

Two choices follow the engine rather than the letter of the grammar:

- ``<`` starts an IRI only where the parser can take one (:meth:`SparqlLexer.next`
  asks it): ``FILTER(?a<?b&&?c>?d)`` is a comparison, as every SPARQL engine reads it,
  not the IRI ``<?b&&?c>`` that longest match would give;
- ``\\uXXXX`` escapes are read inside strings and IRIs only, as pyoxigraph does
  (``\\u0053ERVICE`` is no keyword to it, and is a syntax error here).

Why not a library's lexer. Lark's lexers (and any single regular expression) try each
terminal with :mod:`re` at each position; in a run such as ``a.a.a.a…`` (no colon) the
prefixed-name pattern scans to the run's end from every ``a``, so the time grows with
the square of the length: measured here, Lark's contextual lexer takes 5 s on 40,000
characters of it (about 30 s at the 100,000 a query may have). Here each pattern is
possessive, and the one scan that may look far ahead (whether a run of name characters
ends in ``:``) is remembered for the rest of that run: linear time.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from lark import Token

#: SPARQL Update operations: what an update request starts with after its prologue.
UPDATE_OPERATIONS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)
#: The grammar's keywords (upper case), update keywords included so that an update
#: is read far enough to be named.
_KEYWORD_LIST = """
    BASE PREFIX SELECT CONSTRUCT DESCRIBE ASK FROM NAMED WHERE ORDER BY ASC DESC LIMIT
    OFFSET DISTINCT REDUCED VALUES UNDEF OPTIONAL GRAPH SERVICE SILENT BIND MINUS UNION
    FILTER AS GROUP HAVING NOT IN EXISTS SEPARATOR STR LANG LANGMATCHES DATATYPE BOUND IRI
    URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT STRLEN UCASE LCASE ENCODE_FOR_URI CONTAINS
    STRSTARTS STRENDS STRBEFORE STRAFTER YEAR MONTH DAY HOURS MINUTES SECONDS TIMEZONE TZ
    NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE IF STRLANG STRDT SAMETERM ISIRI
    ISURI ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE COUNT SUM MIN MAX AVG SAMPLE
    GROUP_CONCAT INSERT DELETE LOAD CLEAR CREATE DROP COPY MOVE ADD WITH DATA TO INTO USING
    DEFAULT ALL
"""
KEYWORDS = frozenset(_KEYWORD_LIST.split())
#: Keywords read in lower case only (their token type is the upper-case word).
LOWER_CASE_KEYWORDS = {"a": "A", "true": "TRUE", "false": "FALSE"}

#: Punctuation, longest first where one is the start of another.
PUNCTUATION = {
    "^^": "HATHAT",
    "!=": "NE",
    "<=": "LE",
    ">=": "GE",
    "&&": "AND",
    "||": "OR",
    "{": "LBRACE",
    "}": "RBRACE",
    "(": "LPAR",
    ")": "RPAR",
    "[": "LBRACK",
    "]": "RBRACK",
    ".": "DOT",
    ";": "SEMI",
    ",": "COMMA",
    "*": "STAR",
    "/": "SLASH",
    "|": "PIPE",
    "^": "CARET",
    "!": "BANG",
    "?": "QMARK",
    "+": "PLUS",
    "-": "DASH",
    "=": "EQ",
    "<": "LT",
    ">": "GT",
}
OPENING = frozenset({"LBRACE", "LPAR", "LBRACK"})
CLOSING = frozenset({"RBRACE", "RPAR", "RBRACK"})
#: Terminals that stand for an RDF term or a variable; every other token (a keyword,
#: an operator, punctuation) is part of the query's structure.
TERMS = frozenset(
    {
        "IRIREF",
        "PNAME_NS",
        "PNAME_LN",
        "BLANK_NODE_LABEL",
        "VAR",
        "LANGTAG",
        "STRING",
        "NIL",
        "ANON",
        "A",
        "TRUE",
        "FALSE",
        "UNDEF",
        *(
            f"{kind}{sign}"
            for kind in ("INTEGER", "DECIMAL", "DOUBLE")
            for sign in ("", "_POSITIVE", "_NEGATIVE")
        ),
    }
)
#: Every terminal the lexer may produce (the parser's grammar declares them).
TERMINALS = frozenset(
    {
        *KEYWORDS,
        *LOWER_CASE_KEYWORDS.values(),
        *PUNCTUATION.values(),
        *TERMS,
    }
)

_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + r"\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_ECHAR = r"""\\[tbnrf"'\\]"""

_SKIP = re.compile(r"(?:[ \t\r\n]+|#[^\r\n]*)*+")
_IRIREF = re.compile(rf"<(?:[^<>\"{{}}|^`\\\x00-\x20]|{_UCHAR})*+>")
_NAME_RUN = re.compile(rf"[{_PN_CHARS}.]*+")
_LOCAL = re.compile(rf"(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:[{_PN_CHARS}.:]|{_PLX})*+")
_BLANK_LABEL = re.compile(rf"_:[{_PN_CHARS_U}0-9][{_PN_CHARS}.]*+")
_VARNAME_CHARS = _PN_CHARS_U + r"0-9\u00b7\u0300-\u036f\u203f-\u2040"
_VARIABLE = re.compile(rf"[?$][{_PN_CHARS_U}0-9][{_VARNAME_CHARS}]*+")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*+")
_LANGTAG = re.compile(r"@[a-zA-Z]++(?:-[a-zA-Z0-9]++)*+")
_NUMBER = re.compile(
    r"[+-]?(?:[0-9]++\.[0-9]*+[eE][+-]?[0-9]++|\.[0-9]++[eE][+-]?[0-9]++|[0-9]++[eE][+-]?[0-9]++"
    r"|[0-9]*+\.[0-9]++|[0-9]++)"
)
_STRING = {
    '"""': re.compile(rf'"""(?:(?:"|"")?(?:[^"\\]|{_ECHAR}|{_UCHAR}))*+"""'),
    "'''": re.compile(rf"'''(?:(?:'|'')?(?:[^'\\]|{_ECHAR}|{_UCHAR}))*+'''"),
    '"': re.compile(rf'"(?:[^"\\\n\r]|{_ECHAR}|{_UCHAR})*+"'),
    "'": re.compile(rf"'(?:[^'\\\n\r]|{_ECHAR}|{_UCHAR})*+'"),
}
_NIL = re.compile(r"\([ \t\r\n]*+\)")
_ANON = re.compile(r"\[[ \t\r\n]*+\]")
_PN_CHARS_BASE_CHAR = re.compile(rf"[{_PN_CHARS_BASE}]")
_ESCAPE = re.compile(rf"{_ECHAR}|{_UCHAR}")
_ECHARS = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_LOCAL_ESCAPE = re.compile(r"\\(.)")


class LexError(Exception):
    """Text that is no SPARQL token, at ``position`` (a character offset)."""

    def __init__(self, reason: str, position: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.position = position


@dataclass
class SparqlLexer:
    """Reads one token at a time from ``text``; the caller says whether an IRI may come."""

    text: str
    position: int = 0
    line: int = 1
    #: offset of the first character of the current line
    line_start: int = 0
    #: the last run of name characters scanned, as (start, end): a later token that
    #: starts inside it ends where it ends, and is not scanned again
    _run: tuple[int, int] = (0, 0)

    def next(self, takes_iri: Callable[[Token], bool]) -> Token | None:
        """The next token, or None at the end. ``takes_iri``: whether the parser can take
        this IRI token here, asked when ``<`` may open one or be a comparison. Raises
        :class:`LexError`."""
        text = self.text
        start = _SKIP.match(text, self.position).end()
        self._advance(start)
        if start >= len(text):
            return None
        kind, end = self._match(text, start, takes_iri)
        token = Token(kind, text[start:end], start, self.line, start - self.line_start + 1)
        self._advance(end)  # a long string may hold line breaks
        return token

    def locate(self, position: int) -> tuple[int, int]:
        """1-based line and column of an offset at or after the current position."""
        self._advance(position)
        return self.line, position - self.line_start + 1

    def _advance(self, position: int) -> None:
        """Count the lines between the last token and ``position``."""
        newlines = self.text.count("\n", self.position, position)
        if newlines:
            self.line += newlines
            self.line_start = self.text.rfind("\n", self.position, position) + 1
        self.position = position

    def _match(self, text: str, start: int, takes_iri: Callable[[Token], bool]) -> tuple[str, int]:
        char = text[start]
        if char == "<":
            iri = _IRIREF.match(text, start)
            if iri:
                line, column = self.line, start - self.line_start + 1
                if takes_iri(Token("IRIREF", iri.group(), start, line, column)):
                    return "IRIREF", iri.end()
            if text.startswith("<=", start):
                return "LE", start + 2
            return "LT", start + 1
        if char in "\"'":
            return self._string(text, start)
        if char in "?$":
            variable = _VARIABLE.match(text, start)
            if variable:
                return "VAR", variable.end()
            if char == "?":
                return "QMARK", start + 1
            raise LexError("'$' starts no variable name", start)
        if char in "0123456789." or (char in "+-" and _NUMBER.match(text, start)):
            number = _NUMBER.match(text, start)
            if number:
                return _number_kind(number.group()), number.end()
        if char == "(":
            nil = _NIL.match(text, start)
            return ("NIL", nil.end()) if nil else ("LPAR", start + 1)
        if char == "[":
            anon = _ANON.match(text, start)
            return ("ANON", anon.end()) if anon else ("LBRACK", start + 1)
        if char == "@":
            tag = _LANGTAG.match(text, start)
            if tag:
                return "LANGTAG", tag.end()
            raise LexError("'@' starts no language tag", start)
        if char == "_":
            label = _BLANK_LABEL.match(text, start)
            if label:
                return "BLANK_NODE_LABEL", start + len(label.group().rstrip("."))
            raise LexError("'_' starts no blank node label (_:name)", start)
        if char == ":" or _PN_CHARS_BASE_CHAR.match(char):
            return self._name(text, start)
        two = text[start : start + 2]
        if two in PUNCTUATION:
            return PUNCTUATION[two], start + 2
        if char in PUNCTUATION:
            return PUNCTUATION[char], start + 1
        if char == "\\":
            raise LexError("'\\' escapes only inside strings, IRIs and local names", start)
        raise LexError(f"{char!r} starts no SPARQL token", start)

    def _string(self, text: str, start: int) -> tuple[str, int]:
        quote = text[start]
        opening = quote * 3 if text.startswith(quote * 3, start) else quote
        match = _STRING[opening].match(text, start)
        if match is None:
            raise LexError("a string that is not closed, or with an invalid escape", start)
        return "STRING", match.end()

    def _name(self, text: str, start: int) -> tuple[str, int]:
        """A prefixed name (longest match), else a keyword."""
        colon = start if text[start] == ":" else self._prefix_end(text, start)
        if colon is not None:
            local = _LOCAL.match(text, colon + 1)
            if local is None:
                return "PNAME_NS", colon + 1
            return "PNAME_LN", colon + 1 + _without_final_dots(local.group())
        word = _WORD.match(text, start)
        if word is not None:
            value = word.group()
            if value in LOWER_CASE_KEYWORDS:
                return LOWER_CASE_KEYWORDS[value], word.end()
            upper = value.upper()
            if upper in KEYWORDS:
                return upper, word.end()
        end = word.end() if word else start + 1
        word_shown = repr(text[start:end])
        raise LexError(f"{word_shown} is no SPARQL keyword (a prefixed name needs ':')", start)

    def _prefix_end(self, text: str, start: int) -> int | None:
        """Where the ``:`` of a prefixed name starting at ``start`` is, if there is one."""
        run_start, run_end = self._run
        if not run_start <= start < run_end:
            run_end = _NAME_RUN.match(text, start + 1).end()
            self._run = (start, run_end)
        if text[run_end : run_end + 1] == ":" and text[run_end - 1] != ".":
            return run_end
        return None


def _without_final_dots(local: str) -> int:
    """The length of a local name without the dots it may not end with (an escaped
    ``\\.`` is no such dot)."""
    end = len(local)
    while local[end - 1] == "." and local[end - 2 : end - 1] != "\\":
        end -= 1
    return end


def _number_kind(number: str) -> str:
    kind = "DOUBLE" if "e" in number or "E" in number else "DECIMAL" if "." in number else "INTEGER"
    if number[0] == "+":
        return kind + "_POSITIVE"
    if number[0] == "-":
        return kind + "_NEGATIVE"
    return kind


def string_value(token: str) -> str:
    """The text a STRING token stands for: quotes removed, escapes decoded. Raises
    ValueError for a code point that is no character (a surrogate, past U+10FFFF)."""
    quotes = 3 if token[:3] in ('"""', "'''") else 1
    return _unescape(token[quotes:-quotes])


def iri_value(token: str) -> str:
    """The IRI an IRIREF token stands for, ``\\u`` escapes decoded (ValueError as above)."""
    return _unescape(token[1:-1])


def local_name(local: str) -> str:
    """A prefixed name's local part with its ``\\`` escapes removed (``%XX`` stays)."""
    return _LOCAL_ESCAPE.sub(r"\1", local)


def _unescape(body: str) -> str:
    if "\\" not in body:
        return body
    return _ESCAPE.sub(_decode_escape, body)


def _decode_escape(match: re.Match[str]) -> str:
    escape = match.group()
    if len(escape) == 2:
        return _ECHARS[escape[1]]
    code = int(escape[2:], 16)
    if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        raise ValueError(f"{escape} is no character")
    return chr(code)
