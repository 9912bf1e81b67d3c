"""The SPARQL queries a shapes graph compiles to, and how their solutions read as results.

Each :class:`Check` is one query that checks *all* focus nodes of a shape at once, with
``{focus}`` or ``{distinct_focus}`` where :mod:`api.validate.store_validator` puts the
focus-node pattern, and a :meth:`Check.results` that turns a solution into pyshacl's
results, term for term: the focus node, path, value, messages (the shape's
``sh:message``, with ``{?var}`` filled in for SPARQL constraints, or pyshacl's own generic
message when there is none), source shape, constraint component and severity.

Query shapes matter to pyoxigraph, which largely follows the written order: values are
checked first and only failing ones are looked up among the focus nodes, and counts are
taken over the values.
"""

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from pyshacl.rdfutil import stringify_node
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

#: One solution of a check's query: variable name -> rdflib term (None when unbound).
Row = Mapping[str, Node | None]

RDF_TYPE = f"<{RDF.type}>"


# --- per-value tests -------------------------------------------------------------------

_XSD = str(XSD)
#: sh:datatype -> a SPARQL test of ``?value``'s lexical form that matches what rdflib
#: (and so pyshacl) accepts as well-formed for that datatype. ``None``: the datatype
#: alone decides.
DATATYPE_CHECKS: dict[URIRef, str | None] = {
    XSD.string: None,
    RDF.langString: None,
    XSD.integer: r'REGEX(STR(?value), "^\\s*[+-]?[0-9]+\\s*$")',
    XSD.decimal: (
        r'REGEX(STR(?value), "^\\s*[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?\\s*$")'
    ),
    XSD.boolean: 'STR(?value) IN ("true", "false", "1", "0")',
    XSD.date: (
        r'REGEX(STR(?value), "^[0-9]{4}-[0-9]{2}-[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})?$")'
        f" && DATATYPE(<{_XSD}date>(STR(?value))) = <{_XSD}date>"
    ),
    XSD.dateTime: (
        r'REGEX(STR(?value), "^[0-9]{4}-[0-9]{2}-[0-9]{2}'
        r'(T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?)?(Z|[+-][0-9]{2}:[0-9]{2})?$")'
    ),
    **{
        datatype: (
            r'REGEX(STR(?value), "^\\s*[+-]?(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?'
            r'|inf|infinity|nan)\\s*$", "i")'
        )
        for datatype in (XSD.float, XSD.double)
    },
    # The store keeps a well-formed literal of a type derived from xsd:integer as an
    # xsd:integer, which the build refuses (api.load.bulkload); what reaches the validator
    # with such a datatype is ill-formed, and fails here as in pyshacl.
    **{
        XSD[name]: r'REGEX(STR(?value), "^\\s*[+-]?[0-9]+\\s*$")'
        for name in (
            *("nonPositiveInteger", "negativeInteger", "long", "int", "short", "byte"),
            *("nonNegativeInteger", "unsignedLong", "unsignedInt", "unsignedShort"),
            *("unsignedByte", "positiveInteger"),
        )
    },
}
NODE_KINDS: dict[URIRef, str] = {
    SH.IRI: "isIRI(?value)",
    SH.BlankNode: "isBlank(?value)",
    SH.Literal: "isLiteral(?value)",
    SH.BlankNodeOrIRI: "(isBlank(?value) || isIRI(?value))",
    SH.BlankNodeOrLiteral: "(isBlank(?value) || isLiteral(?value))",
    SH.IRIOrLiteral: "(isIRI(?value) || isLiteral(?value))",
}


# --- compiled checks ---------------------------------------------------------------------


@dataclass(frozen=True)
class ShapeInfo:
    """What every result of a shape repeats: the shape, its severity, messages, path."""

    node: Node
    severity: URIRef
    messages: tuple[Literal, ...]
    path: Node | None = None


@dataclass(frozen=True)
class RawResult:
    """One validation result as the queries find it, before it becomes report triples."""

    shape: ShapeInfo
    component: URIRef
    focus: Node
    value: Node | None
    messages: tuple[Literal, ...]
    path: Node | None = None
    source_constraint: Node | None = None


@dataclass(frozen=True)
class ValueTest:
    """A per-value constraint: a SPARQL expression over ``?value`` that is true on a pass."""

    component: URIRef
    expression: str
    generic: Callable[[Node, Node | None], str]


@dataclass
class CompiledShape:
    """The queries of one shape (node shape with its property shapes)."""

    info: ShapeInfo
    target_classes: tuple[URIRef, ...]
    queries: list["Check"] = field(default_factory=list)


class Check:
    """One SPARQL query and how to read its solutions as results.

    ``body`` is the query text with ``{focus}`` where the focus-node pattern goes (a
    plain pattern: a node with two target types matches twice, so the query must say
    DISTINCT), or ``{distinct_focus}`` (a subquery, for queries that count).
    """

    def __init__(self, shape: ShapeInfo, body: str) -> None:
        self.shape = shape
        self.body = body

    def results(self, row: Row) -> Iterator[RawResult]:
        """The results one solution stands for (none, one or several)."""
        raise NotImplementedError


class ValueCheck(Check):
    """Failing (focus, value) pairs of a shape's per-value constraints (``?ok0``...)."""

    def __init__(self, shape: ShapeInfo, value_pattern: str, tests: list[ValueTest]) -> None:
        binds = "\n".join(
            f"  BIND(COALESCE({test.expression}, false) AS ?ok{i})" for i, test in enumerate(tests)
        )
        failing = " || ".join(f"!?ok{i}" for i in range(len(tests)))
        oks = " ".join(f"?ok{i}" for i in range(len(tests)))
        failing_values = f"{binds}\n  FILTER({failing})"
        if value_pattern.startswith("BIND"):  # a node shape: the value is the focus node
            body = (
                f"SELECT DISTINCT ?this ?value {oks} WHERE {{\n  {{focus}}\n  {value_pattern}\n"
                f"{failing_values}\n}}"
            )
        else:
            body = _failing_then_focus(
                f"?this ?value {oks}", f"  {value_pattern}\n{failing_values}"
            )
        super().__init__(shape, body)
        self.tests = tests

    def results(self, row: Row) -> Iterator[RawResult]:
        focus, value = row["this"], row["value"]
        for i, test in enumerate(self.tests):
            if str(row[f"ok{i}"]) == "false":
                yield _result(self.shape, test.component, focus, value, test.generic)


def _failing_then_focus(variables: str, failing: str, modifiers: str = "") -> str:
    """A query that finds the failing values of every node first, and only then keeps
    those whose node is a focus node.

    Written the other way round (focus nodes, then their values), pyoxigraph walks every
    focus node for every property, even one that few nodes have; and a plain ``FILTER
    EXISTS`` for the focus test is evaluated for every value, failing or not. The
    subquery keeps the focus test to the (usually no) failing values.
    """
    return (
        f"SELECT DISTINCT {variables} WHERE {{\n  {{ SELECT {variables} WHERE {{\n{failing}\n"
        f"  }} {modifiers}}}\n  FILTER EXISTS {{ {{focus}} }}\n}}"
    )


class MinCountCheck(Check):
    """``sh:minCount``: focus nodes with too few values."""

    def __init__(self, shape: ShapeInfo, value_pattern: str, low: int, path_text: str) -> None:
        if low == 1:  # the common case, without counting
            body = (
                f"SELECT DISTINCT ?this WHERE {{\n  {{focus}}\n"
                f"  FILTER NOT EXISTS {{ {value_pattern} }}\n}}"
            )
        else:
            body = (
                f"SELECT ?this WHERE {{\n  {{distinct_focus}}\n"
                f"  OPTIONAL {{ {value_pattern} }}\n}} GROUP BY ?this "
                f"HAVING (COUNT(?value) < {low})"
            )
        super().__init__(shape, body)
        self.low, self.path_text = low, path_text

    def results(self, row: Row) -> Iterator[RawResult]:
        yield _result(
            self.shape,
            SH.MinCountConstraintComponent,
            row["this"],
            None,
            lambda f, _v: f"Less than {self.low} values on {data_name(f)}->{self.path_text}",
        )


class MaxCountCheck(Check):
    """``sh:maxCount``: focus nodes with too many values, counted over the values only."""

    def __init__(self, shape: ShapeInfo, value_pattern: str, high: int, path_text: str) -> None:
        body = _failing_then_focus(
            "?this",
            f"  {value_pattern}",
            f"GROUP BY ?this HAVING (COUNT(?value) > {high}) ",
        )
        super().__init__(shape, body)
        self.high, self.path_text = high, path_text

    def results(self, row: Row) -> Iterator[RawResult]:
        yield _result(
            self.shape,
            SH.MaxCountConstraintComponent,
            row["this"],
            None,
            lambda f, _v: f"More than {self.high} values on {data_name(f)}->{self.path_text}",
        )


class QualifiedMinCheck(Check):
    """``sh:qualifiedMinCount``: focus nodes with too few values of the qualified shape."""

    def __init__(
        self, shape: ShapeInfo, value_pattern: str, member: str, low: int, generic: str
    ) -> None:
        conforming = f"{value_pattern} FILTER(COALESCE({member}, false))"
        if low == 1:
            body = (
                f"SELECT DISTINCT ?this WHERE {{\n  {{focus}}\n"
                f"  FILTER NOT EXISTS {{ {conforming} }}\n}}"
            )
        else:
            body = (
                f"SELECT ?this WHERE {{\n  {{distinct_focus}}\n  OPTIONAL {{ {conforming} }}\n"
                f"}} GROUP BY ?this HAVING (COUNT(?value) < {low})"
            )
        super().__init__(shape, body)
        self.generic = generic

    def results(self, row: Row) -> Iterator[RawResult]:
        yield _result(
            self.shape,
            SH.QualifiedMinCountConstraintComponent,
            row["this"],
            None,
            lambda _f, _v: self.generic,
        )


class QualifiedMaxCheck(Check):
    """``sh:qualifiedMaxCount``: focus nodes with too many values of the qualified shape."""

    def __init__(
        self, shape: ShapeInfo, value_pattern: str, member: str, high: int, generic: str
    ) -> None:
        body = _failing_then_focus(
            "?this",
            f"  {value_pattern}\n  FILTER(COALESCE({member}, false))",
            f"GROUP BY ?this HAVING (COUNT(?value) > {high}) ",
        )
        super().__init__(shape, body)
        self.generic = generic

    def results(self, row: Row) -> Iterator[RawResult]:
        yield _result(
            self.shape,
            SH.QualifiedMaxCountConstraintComponent,
            row["this"],
            None,
            lambda _f, _v: self.generic,
        )


class UniqueLangCheck(Check):
    """``sh:uniqueLang true``: one result per focus node and language used twice."""

    def __init__(self, shape: ShapeInfo, value_pattern: str) -> None:
        body = _failing_then_focus(
            "?this ?lang",
            f"  {value_pattern}\n"
            '  FILTER(isLiteral(?value) && LANG(?value) != "")\n'
            "  BIND(LCASE(LANG(?value)) AS ?lang)",
            "GROUP BY ?this ?lang HAVING (COUNT(?value) > 1) ",
        )
        super().__init__(shape, body)

    def results(self, row: Row) -> Iterator[RawResult]:
        yield _result(
            self.shape,
            SH.UniqueLangConstraintComponent,
            row["this"],
            None,
            lambda _f, _v: "More than one String shares the same Language",
        )


class LessThanCheck(Check):
    """``sh:lessThan``: one result per value and compared value not in order.

    pyshacl compares IRIs and string literals as strings and everything else by value; a
    string never compares with a non-string. The expression does the same.
    """

    def __init__(
        self, shape: ShapeInfo, value_pattern: str, other: URIRef, other_text: str
    ) -> None:
        stringy = (
            "(isIRI(?{v}) || (isLiteral(?{v}) && "
            f'(LANG(?{{v}}) != "" || DATATYPE(?{{v}}) = <{XSD.string}>)))'
        )
        body = _failing_then_focus(
            "?this ?value ?other",
            f"  {value_pattern}\n  ?this <{other}> ?other .\n"
            f"  BIND({stringy.format(v='value')} AS ?valueIsString)\n"
            f"  BIND({stringy.format(v='other')} AS ?otherIsString)\n"
            "  FILTER(?valueIsString != ?otherIsString || !COALESCE(IF(?valueIsString, "
            "STR(?value) < STR(?other), ?value < ?other), false))",
        )
        super().__init__(shape, body)
        self.other_text = other_text

    def results(self, row: Row) -> Iterator[RawResult]:
        focus, value = row["this"], row["value"]
        yield _result(
            self.shape,
            SH.LessThanConstraintComponent,
            focus,
            value,
            lambda f, v: f"Value of {data_name(f)}->{self.other_text} <= {data_name(v)}",
        )


class SparqlCheck(Check):
    """A SPARQL-based constraint (``sh:sparql`` / ``sh:select``) on a node shape."""

    def __init__(
        self, shape: ShapeInfo, body: str, constraint: Node, messages: tuple[Literal, ...]
    ) -> None:
        super().__init__(shape, body)
        self.constraint = constraint
        self.messages = messages
        self._seen: set[tuple] = set()

    def results(self, row: Row) -> Iterator[RawResult]:
        bound = {name: value for name, value in row.items() if value is not None}
        key = tuple(sorted((name, value.n3()) for name, value in bound.items()))
        if key in self._seen:  # pyshacl reports a repeated solution once
            return
        self._seen.add(key)
        focus = bound.pop("this")
        path = bound.pop("path", None)
        value = bound.pop("value", None) or focus  # node shapes: the focus node
        fill = {**bound, "this": focus, "value": value}
        if path is not None:
            fill["path"] = path
        messages = tuple(
            Literal(_fill_template(str(m), fill)) for m in (*self.messages, *self.shape.messages)
        )
        yield RawResult(
            shape=self.shape,
            component=SH.SPARQLConstraintComponent,
            focus=focus,
            value=value,
            messages=messages,
            path=path,
            source_constraint=self.constraint,
        )


def _fill_template(message: str, values: Mapping[str, Node]) -> str:
    """pyshacl's substitution of ``{?name}`` / ``{$name}`` with ``str(value)``, done the
    same way (a value is a regular-expression replacement string there too)."""
    for name, value in values.items():
        message = re.sub("{[?$]" + name + "}", str(value), message)
    return message


def _result(
    shape: ShapeInfo,
    component: URIRef,
    focus: Node,
    value: Node | None,
    generic: Callable[[Node, Node | None], str],
) -> RawResult:
    """A result with the shape's messages, or pyshacl's generic one if it has none."""
    messages = shape.messages or (Literal(generic(focus, value)),)
    return RawResult(
        shape=shape,
        component=component,
        focus=focus,
        value=value,
        messages=messages,
        path=shape.path,
    )


# --- generic messages (pyshacl's wording) ------------------------------------------------

#: A graph used only to write data nodes the way pyshacl writes them in its messages
#: (its data graph has rdflib's default prefixes); shape nodes are written with the
#: shapes graph's prefixes (:meth:`api.validate.compiler.Compiler._name`).
_DATA_NAMES = Graph()


def data_name(node: Node | None) -> str:
    return str(node) if node is None else stringify_node(_DATA_NAMES, node)


def sparql_string(text: str) -> str:
    """A SPARQL string literal."""
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    )
    return f'"{escaped}"'


# --- SPARQL constraint text ----------------------------------------------------------------

#: IRIs, strings and comments: the places where a brace is not a group delimiter.
_NOT_SYNTAX = re.compile(
    r"<[^<>\"{}|^`\\\s]*>"
    r'|"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|#[^\n]*"
)


def _first_brace(text: str) -> int | None:
    """The offset of the first ``{`` that is syntax (not in an IRI, string or comment)."""
    position = 0
    for match in _NOT_SYNTAX.finditer(text):
        brace = text.find("{", position, match.start())
        if brace >= 0:
            return brace
        position = match.end()
    brace = text.find("{", position)
    return brace if brace >= 0 else None


def projection(select: str) -> str | None:
    """The text between SELECT and the WHERE group (the projected variables)."""
    found = re.search(r"\bSELECT\b", select, re.IGNORECASE)
    brace = _first_brace(select)
    if found is None or brace is None or brace < found.end():
        return None
    return re.sub(r"\bWHERE\b\s*$", "", select[found.end() : brace].strip(), flags=re.I)


def insert_focus(select: str) -> str | None:
    """The query with ``{distinct_focus}`` as the first pattern of its WHERE group.

    Joining the focus nodes in first keeps pyshacl's meaning of a pre-bound ``$this``
    for queries that bind ``$this`` themselves, as every SHACL-SPARQL constraint in
    practice does (and the projection check makes sure it is selected).
    """
    brace = _first_brace(select)
    if brace is None:
        return None
    return select[: brace + 1] + "\n  {distinct_focus}\n" + select[brace + 1 :]
