"""What a SPARQL text asks for, read from its tokens: its form, SERVICE calls, FROM clauses.

The endpoint refuses some queries before an engine sees them (:mod:`api.query_guard`):
federated ``SERVICE`` calls, ``FROM`` / ``FROM NAMED`` naming graphs outside the dataset,
and SPARQL Update. Looking for those words in the raw text would be wrong both ways: the
word inside a string, an IRI or a comment is no keyword, and a keyword can hide in what
looks like another token. So the text is split into SPARQL's tokens (strings, IRIs,
comments, variables, prefixed names, words, punctuation) by one regular expression, and
only the words are read.

One lesson from pyoxigraph's parser (a PEG parser, which backtracks): it reads
``SERVICE:x { ... }``, ``SERVICEa:x { ... }``, ``service:x { ... }`` (a declared prefix
``service:``!) and ``SERVICESILENT<iri> { ... }`` as SERVICE calls, and really sends
the requests (``tests/test_sparql_lexer.py`` shows it). So any word or prefix of a
prefixed name that *starts with* ``service`` counts as SERVICE here, and at the top
level (outside braces, where dataset clauses are) any that starts with ``from`` counts as
FROM. A query whose own prefix happens to begin with one of these words is refused with
a message that says to rename the prefix.

The scan is cheap (one compiled expression, no parse tree) and shorter still for most
queries: only the prologue and the first keyword are read unless the lowered text
contains ``service`` or ``from`` at all.
"""

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

#: Query forms: what a SPARQL query starts with after its prologue.
QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
#: SPARQL Update operations: what an update request starts with after its prologue.
UPDATE_OPERATIONS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)

_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
)
_PN_CHARS = _PN_CHARS_BASE + r"_0-9\-\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_ECHAR_OR_CHAR_DQ = r'(?:[^"\\]|\\.)'
_ECHAR_OR_CHAR_SQ = r"(?:[^'\\]|\\.)"

_TOKEN = re.compile(
    rf"""
    (?P<space>\s+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<iri><(?:[^<>"{{}}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{{4}}|\\U[0-9A-Fa-f]{{8}})*>)
  | (?P<string>
        \"\"\"(?:(?:"|"")?{_ECHAR_OR_CHAR_DQ})*\"\"\"
      | '''(?:(?:'|'')?{_ECHAR_OR_CHAR_SQ})*'''
      | "(?:[^"\\\r\n]|\\.)*"
      | '(?:[^'\\\r\n]|\\.)*'
    )
  | (?P<variable>[?$][{_PN_CHARS}]+)
  | (?P<language>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<bnode>_:(?:[{_PN_CHARS}.])*)
  | (?P<pname>
        (?P<prefix>[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)?
        :
        (?P<local>(?:[{_PN_CHARS}:]|{_PLX}|\.(?=[{_PN_CHARS}:%\\]))*)
    )
  | (?P<word>[{_PN_CHARS_BASE}_][{_PN_CHARS}]*)
  | (?P<number>[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)
  | (?P<punct>.)
    """,
    re.VERBOSE | re.DOTALL,
)

_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_LOCAL_ESCAPE = re.compile(r"\\(.)")


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
    #: the graph IRI, resolved (prefixes, BASE); None when it cannot be read
    iri: str | None
    #: the clause's target as written, for messages
    written: str
    position: Position

    @property
    def keyword(self) -> str:
        return "FROM NAMED" if self.named else "FROM"


@dataclass(frozen=True)
class QueryShape:
    """What a SPARQL text asks for, as far as the endpoint's rules care."""

    #: the first keyword after the prologue, upper case (SELECT, ASK, INSERT...), or None
    form: str | None
    form_position: Position | None = None
    #: where SERVICE (or a word the engine reads as SERVICE) occurs
    services: tuple[tuple[str, Position], ...] = ()
    dataset: tuple[DatasetClause, ...] = field(default=())

    @property
    def is_update(self) -> bool:
        return self.form in UPDATE_OPERATIONS


def inspect_query(sparql: str) -> QueryShape:
    """Read the form, SERVICE calls and dataset clauses of a SPARQL text."""
    lowered = sparql.lower()
    full_scan = "service" in lowered or "from" in lowered
    return _Scanner(sparql, full_scan).run()


class _Scanner:
    """One pass over the tokens; state for the prologue and for dataset clauses."""

    def __init__(self, text: str, full_scan: bool) -> None:
        self.text = text
        self.full_scan = full_scan
        self.prefixes: dict[str, str] = {}
        self.base: str | None = None
        self.form: str | None = None
        self.form_position: Position | None = None
        self.services: list[tuple[str, Position]] = []
        self.dataset: list[DatasetClause] = []
        self.depth = 0

    def run(self) -> QueryShape:
        tokens = self._tokens()
        for kind, value, match in tokens:
            if self.form is None:
                if not self._prologue(kind, value, match, tokens):
                    break
                continue
            if not self.full_scan:
                break
            self._body(kind, value, match, tokens)
        return QueryShape(self.form, self.form_position, tuple(self.services), tuple(self.dataset))

    def _tokens(self):
        for match in _TOKEN.finditer(self.text):
            kind = match.lastgroup
            if kind in ("space", "comment"):
                continue
            if kind == "pname":  # the named groups inside pname are not lastgroup
                yield "pname", match.group(), match
            else:
                yield kind, match.group(), match

    def _prologue(self, kind, value, match, tokens) -> bool:
        """BASE and PREFIX declarations, then the form. False to stop scanning."""
        word = value.upper() if kind == "word" else None
        if word == "PREFIX":
            name = next(tokens, None)
            iri = next(tokens, None)
            if name and iri and name[0] == "pname" and iri[0] == "iri":
                self.prefixes[name[2].group("prefix") or ""] = self._iri(iri[1])
            return True
        if word == "BASE":
            iri = next(tokens, None)
            if iri and iri[0] == "iri":
                self.base = self._iri(iri[1])
            return True
        self.form = word if word is not None else value
        self.form_position = self._position(match)
        if kind in ("word", "pname"):
            self._check_service(kind, value, match)
        if word in ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK"):
            return True
        return self.full_scan

    def _body(self, kind, value, match, tokens) -> None:
        if kind == "punct":
            if value == "{":
                self.depth += 1
            elif value == "}":
                self.depth -= 1
            return
        if kind not in ("word", "pname"):
            return
        self._check_service(kind, value, match)
        if self.depth == 0:
            self._check_from(kind, value, match, tokens)

    def _check_service(self, kind: str, value: str, match: re.Match[str]) -> None:
        head = (match.group("prefix") or "") if kind == "pname" else value
        if _ascii_lower(head).startswith("service"):
            self.services.append((value, self._position(match)))

    def _check_from(self, kind: str, value: str, match: re.Match[str], tokens) -> None:
        """``FROM x``, ``FROM NAMED x``, and the run-together spellings PEG accepts."""
        head = (match.group("prefix") or "") if kind == "pname" else value
        if not _ascii_lower(head).startswith("from"):
            return
        position = self._position(match)
        rest = head[4:]
        named = _ascii_lower(rest).startswith("named")
        if named:
            rest = rest[5:]
        if kind == "pname":  # FROM:x, FROMNAMED:x, FROMex:x...
            target = (rest + ":" + match.group("local"), "pname", rest, match.group("local"))
        elif rest:  # FROMx: no target the engine could read
            target = (rest, "word", None, None)
        else:
            target = self._target(tokens)
            if target is not None and target[0].upper() == "NAMED" and target[1] == "word":
                named = True
                target = self._target(tokens)
        if target is None:
            clause = DatasetClause(named, None, "(nothing)", position)
        else:
            clause = DatasetClause(named, self._resolve(target), target[0], position)
        self.dataset.append(clause)

    def _target(self, tokens):
        token = next(tokens, None)
        if token is None:
            return None
        kind, value, match = token
        if kind == "pname":
            return value, "pname", match.group("prefix") or "", match.group("local")
        return value, kind, None, None

    def _resolve(self, target) -> str | None:
        written, kind, prefix, local = target
        if kind == "iri":
            iri = self._iri(written)
            return urljoin(self.base, iri) if self.base else iri
        if kind == "pname" and prefix in self.prefixes:
            return self.prefixes[prefix] + _LOCAL_ESCAPE.sub(r"\1", local)
        return None

    @staticmethod
    def _iri(token: str) -> str:
        """``<...>`` -> the IRI, with ``\\uXXXX`` escapes decoded."""
        return _UCHAR.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), token[1:-1])

    def _position(self, match: re.Match[str]) -> Position:
        start = match.start()
        line = self.text.count("\n", 0, start) + 1
        column = start - (self.text.rfind("\n", 0, start) + 1) + 1
        return Position(line, column)


def _ascii_lower(text: str) -> str:
    """Lower case for ASCII letters only: pyoxigraph compares keywords that way, so
    ``\u017fERVICE`` (a long s) is no keyword to it, and must be none here."""
    return text.translate(_ASCII_LOWER)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
