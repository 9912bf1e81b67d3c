"""Rewrite a SPARQL-based SHACL constraint so pyoxigraph evaluates it as pyshacl does.

pyshacl runs a constraint's ``SELECT`` once per focus node through rdflib, whose engine
joins the parts of a group left to right and passes the bindings found so far into the
next part: a ``UNION`` branch, and a ``FILTER NOT EXISTS`` inside it, see the variables
bound before the ``UNION``. SPARQL's own semantics (pyoxigraph's) evaluates a branch on
its own. The two differ, and pyshacl's reading is the one a shape's author tested::

    ?statement sg:hasEnumeration $this . $this sg:listItem ?item .
    { ?item a sg:SupportMeasure . FILTER NOT EXISTS { ?statement sg:includesMeasure ?item } }
    UNION { ... }

Here rdflib asks whether *this* statement includes the item; bottom-up evaluation asks
whether *any* statement does. Evaluated bottom-up, such a branch is also a cross product
of everything it matches with everything before it, which takes hours on a large graph.

:func:`rewrite_where` therefore copies the patterns that precede the first ``UNION`` of a
group into each of its branches (join distributes over union, and the copies make the
branches see those bindings as rdflib's do), and orders each run of triple patterns by
estimated cost, cheapest and connected first, because pyoxigraph largely follows the
written order. Anything it does not recognise (blank-node property lists, collections,
parenthesised paths, a ``UNION`` after a ``BIND``) is left as written: the rewrite only
ever makes a query faster or closer to rdflib's reading, never different otherwise.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

#: (triples, distinct subjects, distinct objects) of a predicate; count of (p, object).
PredicateStats = Callable[[str], tuple[int, int, int]]
ObjectCount = Callable[[str, str], int]

_TOKEN = re.compile(
    r"""(?P<space>\s+|\#[^\n]*)
    |(?P<iri><[^<>"{}|^`\\\s]*>)
    |(?P<string>(?:\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
        |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
        (?:@[A-Za-z]+(?:-[A-Za-z0-9]+)*|\^\^(?:<[^<>"{}|^`\\\s]*>|[A-Za-z][\w.-]*:[\w.-]*))?)
    |(?P<var>[?$][A-Za-z0-9_\u00b7-\uffff]+)
    |(?P<pname>(?:[A-Za-z][\w.-]*)?:[\w.:%-]*|_:[\w.-]+)
    |(?P<number>[+-]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?)
    |(?P<word>[A-Za-z_][A-Za-z0-9_]*)
    |(?P<symbol>&&|\|\||!=|<=|>=|\^\^|[{}()\[\].;,^/|*+?!=<>&@-])
    """,
    re.VERBOSE,
)
_PREFIX = re.compile(r"PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE)
_OPAQUE_KEYWORDS = {"OPTIONAL", "MINUS", "LATERAL", "GRAPH", "SERVICE", "VALUES", "BIND"}
_PATH_SYMBOLS = {"/", "|", "^", "*", "+", "?", "!"}


class NotRewritable(Exception):
    """The group uses syntax the rewrite leaves alone (the query is used as written)."""


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int
    end: int


@dataclass
class Pattern:
    """One triple pattern: subject, verb (an IRI, ``a`` or a simple path), object."""

    subject: Token
    verb: list[Token]
    object: Token
    index: int

    def variables(self) -> set[str]:
        return {t.text[1:] for t in (self.subject, *self.verb, self.object) if t.kind == "var"}

    def text(self) -> str:
        return f"{self.subject.text} {''.join(t.text for t in self.verb)} {self.object.text} ."


@dataclass
class Opaque:
    """An element kept as written (FILTER, BIND, OPTIONAL, a nested group, ...)."""

    kind: str
    text: str
    variables: set[str]


@dataclass
class Union:
    branches: list["Group"]


@dataclass
class Group:
    elements: list["Pattern | Opaque | Union"] = field(default_factory=list)


# --- parsing -------------------------------------------------------------------------------


def tokenize(text: str) -> list[Token]:
    tokens, position = [], 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise NotRewritable(f"cannot read {text[position : position + 20]!r}")
        kind = match.lastgroup or "symbol"
        value = match.group()
        if kind == "pname" and value.endswith("."):  # "sg:x ." written as "sg:x."
            value = value.rstrip(".")
        if kind != "space":
            tokens.append(Token(kind, value, position, position + len(value)))
        position += len(value) if value else 1
    return tokens


class _Parser:
    def __init__(self, text: str, tokens: list[Token]) -> None:
        self.text, self.tokens, self.i = text, tokens, 0

    def peek(self, offset: int = 0) -> Token | None:
        at = self.i + offset
        return self.tokens[at] if at < len(self.tokens) else None

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            raise NotRewritable("unexpected end of query")
        self.i += 1
        return token

    def expect(self, text: str) -> Token:
        token = self.take()
        if token.text != text:
            raise NotRewritable(f"expected {text!r}, found {token.text!r}")
        return token

    def group(self) -> tuple[Group, int, int]:
        """Parse ``{ ... }``; return the group and its start and end offsets in the text."""
        opening = self.expect("{")
        group = Group()
        while True:
            token = self.peek()
            if token is None:
                raise NotRewritable("unclosed group")
            if token.text == "}":
                closing = self.take()
                return group, opening.start, closing.end
            if token.text == ".":
                self.take()
            elif token.text == "{":
                group.elements.append(self._group_or_union())
            elif token.kind == "word" and token.text.upper() == "FILTER":
                group.elements.append(self._filter())
            elif token.kind == "word" and token.text.upper() in _OPAQUE_KEYWORDS:
                group.elements.append(self._opaque_keyword())
            else:
                group.elements.extend(self._triples())

    def _group_or_union(self) -> "Opaque | Union":
        start = self.i
        first_token = self.peek(1)
        if first_token is not None and first_token.text.upper() == "SELECT":
            return self._skip_group("subquery", start)
        branches = []
        inner, begin, end = self.group()
        branches.append(inner)
        while (token := self.peek()) is not None and token.text.upper() == "UNION":
            self.take()
            inner, _, end = self.group()
            branches.append(inner)
        if len(branches) == 1:
            return Opaque("group", self.text[begin:end], _variables(self.tokens[start : self.i]))
        return Union(branches)

    def _skip_group(self, kind: str, start: int) -> Opaque:
        depth = 0
        while True:
            token = self.take()
            depth += token.text == "{"
            depth -= token.text == "}"
            if depth == 0:
                break
        tokens = self.tokens[start : self.i]
        return Opaque(kind, self.text[tokens[0].start : tokens[-1].end], _variables(tokens))

    def _balanced(self, opening: str, closing: str) -> None:
        depth = 0
        while True:
            token = self.take()
            depth += token.text == opening
            depth -= token.text == closing
            if depth == 0:
                return

    def _filter(self) -> Opaque:
        start = self.i
        self.take()  # FILTER
        token = self.peek()
        if token is not None and token.text.upper() == "NOT":
            self.take()
            token = self.peek()
        if token is not None and token.text.upper() == "EXISTS":
            self.take()
            self._skip_group("exists", self.i)
        elif token is not None and token.text == "(":
            self._balanced("(", ")")
        else:  # a function call: name(...)
            self.take()
            self._balanced("(", ")")
        tokens = self.tokens[start : self.i]
        return Opaque("filter", self.text[tokens[0].start : tokens[-1].end], _variables(tokens))

    def _opaque_keyword(self) -> Opaque:
        start = self.i
        keyword = self.take().text.upper()
        if keyword == "BIND":
            self._balanced("(", ")")
        else:
            while (token := self.peek()) is not None and token.text != "{":
                if token.text == "(":
                    self._balanced("(", ")")
                else:
                    self.take()
            self._skip_group(keyword.lower(), self.i)
        tokens = self.tokens[start : self.i]
        text = self.text[tokens[0].start : tokens[-1].end]
        return Opaque(keyword.lower(), text, _variables(tokens))

    def _triples(self) -> list[Pattern]:
        patterns = []
        subject = self._term()
        while True:
            verb = self._verb()
            while True:
                patterns.append(Pattern(subject, verb, self._term(), -1))
                if self.peek() is not None and self.peek().text == ",":  # type: ignore[union-attr]
                    self.take()
                    continue
                break
            token = self.peek()
            if token is not None and token.text == ";":
                while (token := self.peek()) is not None and token.text == ";":
                    self.take()
                if token is not None and token.text in (".", "}"):
                    break
                continue
            break
        return patterns

    def _term(self) -> Token:
        token = self.take()
        if token.kind in ("var", "iri", "pname", "string", "number") or token.text in (
            "true",
            "false",
        ):
            return token
        raise NotRewritable(f"unsupported term {token.text!r}")

    def _verb(self) -> list[Token]:
        token = self.peek()
        if token is not None and token.kind == "var":
            return [self.take()]
        verb = [self._path_element()]
        while (token := self.peek()) is not None and token.text in ("/", "|"):
            verb.append(self.take())
            verb.append(self._path_element())
        return verb

    def _path_element(self) -> Token:
        token = self.take()
        if token.text == "^":
            inner = self.take()
            if inner.kind not in ("iri", "pname") and inner.text != "a":
                raise NotRewritable("complex inverse path")
            token = Token("path", "^" + inner.text, token.start, inner.end)
        elif token.kind not in ("iri", "pname") and token.text != "a":
            raise NotRewritable(f"unsupported path {token.text!r}")
        following = self.peek()
        modifier = following is not None and following.text in ("*", "+", "?")
        if modifier and following.start == token.end:  # type: ignore[union-attr]
            self.take()
            token = Token("path", token.text + following.text, token.start, following.end)
        return token


def _variables(tokens: list[Token]) -> set[str]:
    return {t.text[1:] for t in tokens if t.kind == "var"}


# --- rewriting -----------------------------------------------------------------------------


@dataclass
class CostModel:
    """Estimates how many solutions a triple pattern adds, from the store's statistics."""

    prefixes: dict[str, str]
    predicate_stats: PredicateStats
    object_count: ObjectCount

    def iri(self, token: Token) -> str | None:
        if token.kind == "iri":
            return token.text[1:-1]
        if token.text == "a":
            return RDF_TYPE
        if token.kind == "pname" and ":" in token.text and not token.text.startswith("_:"):
            prefix, local = token.text.split(":", 1)
            if prefix in self.prefixes:
                return self.prefixes[prefix] + local
        return None

    def cost(self, pattern: Pattern, bound: set[str]) -> float:
        def known(token: Token) -> bool:
            return token.kind != "var" or token.text[1:] in bound

        subject_known, object_known = known(pattern.subject), known(pattern.object)
        predicate = self.iri(pattern.verb[0]) if len(pattern.verb) == 1 else None
        if predicate is None:  # a path, or an unknown prefix
            return 100.0 if subject_known or object_known else 1e12
        if subject_known and object_known:
            return 0.5
        constant = self.iri(pattern.object) if pattern.object.kind != "var" else None
        if constant is not None and not subject_known:
            return float(self.object_count(predicate, constant))
        if predicate == RDF_TYPE and subject_known:
            return 2.0  # a node has a type or two; no need to count them all
        triples, subjects, objects = self.predicate_stats(predicate)
        if subject_known:
            return triples / max(subjects, 1)
        if object_known:
            return triples / max(objects, 1)
        return triples * 1000.0  # not connected to anything bound yet: a scan


def rewrite_where(query: str, costs: CostModel) -> str:
    """The query with its WHERE group rewritten (see the module docstring).

    Returns the query unchanged when any part of the group is not recognised.
    """
    try:
        tokens = tokenize(query)
        parser = _Parser(query, tokens)
        while parser.peek() is not None and parser.peek().text != "{":  # type: ignore[union-attr]
            parser.take()
        group, start, end = parser.group()
        rewritten = _rewrite(group, set(), costs)
    except NotRewritable:
        return query
    return query[:start] + _render(rewritten) + query[end:]


def prefixes_of(query: str) -> dict[str, str]:
    return {prefix or "": iri for prefix, iri in _PREFIX.findall(query)}


def _rewrite(group: Group, bound: set[str], costs: CostModel) -> Group:
    group = _distribute(group)
    elements: list[Pattern | Opaque | Union] = []
    run: list[Pattern] = []
    known = set(bound)

    def flush() -> None:
        ordered = _order(run, known, costs)
        elements.extend(ordered)
        for pattern in ordered:
            known.update(pattern.variables())
        run.clear()

    for element in group.elements:
        if isinstance(element, Pattern):
            element.index = len(run)
            run.append(element)
            continue
        flush()
        if isinstance(element, Union):
            element = Union([_rewrite(branch, known, costs) for branch in element.branches])
            known.update(*(_group_variables(b) for b in element.branches))
        elif element.kind != "filter":
            known.update(element.variables)
        elements.append(element)
    flush()
    return Group(elements)


def _distribute(group: Group) -> Group:
    """Copy the patterns before the group's first UNION into each of its branches."""
    unions = [i for i, e in enumerate(group.elements) if isinstance(e, Union)]
    if not unions:
        return group
    position = unions[0]
    element = group.elements[position]
    assert isinstance(element, Union)
    before = group.elements[:position]
    if any(isinstance(e, Opaque) and e.kind not in ("filter", "group", "subquery") for e in before):
        return group  # a BIND, OPTIONAL... before the UNION: leave it alone
    after_end = position + 1
    while after_end < len(group.elements) and (
        isinstance(group.elements[after_end], Pattern) or _is_filter(group.elements[after_end])
    ):
        after_end += 1  # the plain patterns that follow join the branches too
    after = group.elements[position + 1 : after_end]
    carried = [e for e in before if not _is_filter(e)]
    following = [e for e in after if isinstance(e, Pattern)]
    filters = [e for e in (*before, *after) if _is_filter(e)]
    if not carried and not following:
        return group
    union = Union(
        [
            Group([*_copies(carried), *branch.elements, *_copies(following)])
            for branch in element.branches
        ]
    )
    return Group([*filters, union, *group.elements[after_end:]])


def _is_filter(element: object) -> bool:
    return isinstance(element, Opaque) and element.kind == "filter"


def _copies(elements: list) -> list:
    return [
        Pattern(e.subject, e.verb, e.object, e.index) if isinstance(e, Pattern) else e
        for e in elements
    ]


def _order(run: list[Pattern], bound: set[str], costs: CostModel) -> list[Pattern]:
    """Greedy: repeatedly the cheapest pattern given what is bound (ties: as written)."""
    remaining, ordered, known = list(run), [], set(bound)
    while remaining:
        best = min(remaining, key=lambda p: (costs.cost(p, known), p.index))
        remaining.remove(best)
        ordered.append(best)
        known.update(best.variables())
    return ordered


def _group_variables(group: Group) -> set[str]:
    found: set[str] = set()
    for element in group.elements:
        if isinstance(element, Pattern):
            found |= element.variables()
        elif isinstance(element, Union):
            for branch in element.branches:
                found |= _group_variables(branch)
        elif element.kind != "filter":
            found |= element.variables
    return found


def _render(group: Group) -> str:
    parts = []
    for element in group.elements:
        if isinstance(element, Pattern):
            parts.append(element.text())
        elif isinstance(element, Union):
            parts.append(" UNION ".join(_render(branch) for branch in element.branches))
        else:
            parts.append(element.text)
    return "{ " + "\n  ".join(parts) + " }"
