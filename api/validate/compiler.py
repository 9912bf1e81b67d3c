"""SHACL validation compiled to SPARQL and run on pyoxigraph: the validator for large graphs.

pyshacl, the reference validator, walks every focus node in Python and needs the data in
rdflib; on a corpus of 10k agreements (2 million triples) that takes hours. This module
reads the same shapes graph and compiles each shape into a few SPARQL queries, each
checking *all* focus nodes of the shape at once, which pyoxigraph evaluates natively:

- the focus nodes of a shape are its ``sh:targetClass`` instances, subclasses included
  (the subclasses are looked up once, in the validated graph, as pyshacl does);
- the per-value constraints of one property shape (``sh:class``, ``sh:datatype``,
  ``sh:nodeKind``, ``sh:pattern``, ``sh:minLength``, ``sh:languageIn``,
  ``sh:minInclusive``, ``sh:maxInclusive``, ``sh:or`` of such shapes) share one query that
  returns the failing (focus, value) pairs and which constraints each fails;
- ``sh:minCount``/``sh:maxCount``, ``sh:qualifiedValueShape`` with
  ``sh:qualifiedMinCount``/``sh:qualifiedMaxCount``, ``sh:uniqueLang`` and ``sh:lessThan``
  have a query each;
- a SPARQL-based constraint (``sh:sparql`` with ``sh:select``) runs once, with the focus
  nodes joined in where pyshacl runs it once per focus node with ``$this`` pre-bound,
  after :mod:`api.validate.sparql_order` has rewritten it to be evaluated as rdflib evaluates it.

Query shapes matter to pyoxigraph, which largely follows the written order: values are
checked first and only failing ones are looked up among the focus nodes, counts are taken
over the values, and SPARQL constraints are reordered by the store's statistics.

Results are pyshacl's, term for term: the focus node, path, value, messages (the shape's
``sh:message``, with ``{?var}`` filled in for SPARQL constraints, or pyshacl's own generic
message when there is none), source shape, constraint component and severity. They are
written into a report graph shaped like pyshacl's, which :mod:`api.validate.shacl` turns into
its :class:`~api.validate.shacl.ValidationReport`, so reports and the CLI are the same
whichever validator ran; ``tests/test_shapes.py`` runs both on every shape fixture and
``tests/test_shacl_sparql.py`` on the shipped data and a broken synthetic corpus.

A shape feature this module does not support is refused with :class:`UnsupportedShapes`,
naming the shape and the feature: it never skips a constraint silently. Supported are the
constraints listed above, property paths that are an IRI or ``[ sh:inversePath IRI ]``,
``sh:severity``, ``sh:message`` and ``sh:deactivated``. Two known limits, both outside
what the project's shapes use, are refused as well: datatypes other than those in
:data:`DATATYPE_CHECKS`, and regular expressions that pyoxigraph's engine cannot compile.
"""

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox
from pyshacl.rdfutil import stringify_node
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from api.load.bulkload import StoreDataset
from api.store.base import rdflib_term
from api.validate import declared_terms
from api.validate.shacl import (
    ShapesError,
    ValidationReport,
    check_shapes_once,
    report_from_graph,
    with_term_files,
)
from api.validate.sparql_order import CostModel, prefixes_of, rewrite_where

#: One solution of a check's query: variable name -> rdflib term (None when unbound).
Row = Mapping[str, Node | None]


class UnsupportedShapes(ShapesError):
    """The shapes use a SHACL feature the SPARQL validator does not implement."""


# --- what is supported -----------------------------------------------------------------

#: Shape predicates that describe rather than constrain (ignored, as pyshacl ignores them).
DESCRIPTIVE = frozenset(
    {SH.name, SH.description, SH.order, SH.group, SH.defaultValue, SH.message, SH.severity}
)
#: Constraint parameters read by this module, for node shapes and property shapes.
NODE_PARAMETERS = frozenset(
    {
        SH.targetClass,
        SH.property,
        SH.sparql,
        SH.deactivated,
        SH["class"],
        SH.datatype,
        SH.nodeKind,
        SH.pattern,
        SH.flags,
        SH.minLength,
        SH.languageIn,
        SH.minInclusive,
        SH.maxInclusive,
        SH["or"],
        SH["in"],
    }
)
PROPERTY_PARAMETERS = (NODE_PARAMETERS - {SH.targetClass, SH.property, SH.sparql}) | {
    SH.path,
    SH.minCount,
    SH.maxCount,
    SH.uniqueLang,
    SH.lessThan,
    SH.qualifiedValueShape,
    SH.qualifiedMinCount,
    SH.qualifiedMaxCount,
}
#: Parameters of the small shapes inside ``sh:or`` and ``sh:qualifiedValueShape``.
MEMBER_PARAMETERS = frozenset({SH["class"], SH.datatype, SH.nodeKind})
#: Parameters that take one value (a second one is refused rather than guessed at).
SINGLE_VALUED = frozenset(
    {
        SH.path,
        SH.minCount,
        SH.maxCount,
        SH.datatype,
        SH.nodeKind,
        SH.flags,
        SH.minLength,
        SH.languageIn,
        SH.uniqueLang,
        SH.minInclusive,
        SH.maxInclusive,
        SH.qualifiedValueShape,
        SH.qualifiedMinCount,
        SH.qualifiedMaxCount,
        SH.severity,
        SH.deactivated,
        SH["in"],
    }
)

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
#: Variables pyshacl pre-binds in SPARQL constraints besides ``$this``; not supported here.
_PREBOUND = re.compile(r"[?$](shapesGraph|currentShape|PATH)\b")
_RDF_TYPE = f"<{RDF.type}>"


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
            lambda f, _v: f"Less than {self.low} values on {_data(f)}->{self.path_text}",
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
            lambda f, _v: f"More than {self.high} values on {_data(f)}->{self.path_text}",
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
            lambda f, v: f"Value of {_data(f)}->{self.other_text} <= {_data(v)}",
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
#: shapes graph's prefixes (:meth:`Compiler._name`).
_DATA_NAMES = Graph()


def _data(node: Node | None) -> str:
    return str(node) if node is None else stringify_node(_DATA_NAMES, node)


# --- compiling the shapes ----------------------------------------------------------------


@dataclass
class Compiler:
    """Reads the shapes graph; refuses what it cannot translate, naming shape and feature.

    ``subclasses`` answers "the classes whose instances count as instances of C" from
    the validated graph (C and everything ``rdfs:subClassOf*`` it).
    """

    shapes: Graph
    subclasses: Callable[[URIRef], tuple[URIRef, ...]]
    regex_ok: Callable[[str, str], bool]

    def compile(self) -> list[CompiledShape]:
        compiled = []
        for node in sorted(self._targeted_shapes(), key=str):
            if self._deactivated(node):
                continue
            compiled.append(self._node_shape(node))
        return compiled

    # the shapes -------------------------------------------------------------------------

    def _targeted_shapes(self) -> set[Node]:
        shapes = self.shapes
        for predicate in (SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target):
            for shape in shapes.subjects(predicate, None):
                self._refuse(shape, f"{_sh(predicate)} (only sh:targetClass is supported)")
        for shape in shapes.subjects(RDF.type, SH.NodeShape):
            if (shape, RDF.type, RDFS.Class) in shapes or (
                shape,
                RDF.type,
                URIRef("http://www.w3.org/2002/07/owl#Class"),
            ) in shapes:
                self._refuse(shape, "implicit class targets (a shape that is also a class)")
        for shape in shapes.subjects(SH.targetClass, None):
            if (shape, SH.path, None) in shapes:
                self._refuse(shape, "sh:targetClass on a property shape")
        return set(shapes.subjects(SH.targetClass, None))

    def _node_shape(self, node: Node) -> CompiledShape:
        self._check_parameters(node, NODE_PARAMETERS)
        targets = tuple(sorted(self._iris(node, SH.targetClass), key=str))
        info = ShapeInfo(node=node, severity=self._severity(node), messages=self._messages(node))
        compiled = CompiledShape(info=info, target_classes=targets)
        tests = self._value_tests(node, info)
        if tests:
            compiled.queries.append(ValueCheck(info, "BIND(?this AS ?value)", tests))
        for property_shape in sorted(self.shapes.objects(node, SH.property), key=_sort_key):
            if not self._deactivated(property_shape):
                compiled.queries.extend(self._property_shape(property_shape))
        for constraint in sorted(self.shapes.objects(node, SH.sparql), key=_sort_key):
            if not self._deactivated(constraint):
                compiled.queries.append(self._sparql_constraint(node, info, constraint))
        return compiled

    def _property_shape(self, node: Node) -> list[Check]:
        self._check_parameters(node, PROPERTY_PARAMETERS)
        path = self._one(node, SH.path)
        pattern = self._path_pattern(node, path)
        info = ShapeInfo(
            node=node, severity=self._severity(node), messages=self._messages(node), path=path
        )
        checks: list[Check] = []
        tests = self._value_tests(node, info)
        if tests:
            checks.append(ValueCheck(info, pattern, tests))
        low, high = self._count(node, SH.minCount), self._count(node, SH.maxCount)
        if low == 0:
            low = None  # pyshacl: a minimum of zero always passes
        if low is not None:
            checks.append(MinCountCheck(info, pattern, low, self._name(path)))
        if high is not None:
            checks.append(MaxCountCheck(info, pattern, high, self._name(path)))
        unique = self._one(node, SH.uniqueLang, required=False)
        if unique is not None and _is_true(unique):
            checks.append(UniqueLangCheck(info, pattern))
        for other in sorted(self._iris(node, SH.lessThan), key=str):
            checks.append(LessThanCheck(info, pattern, other, self._name(other)))
        qualified = self._one(node, SH.qualifiedValueShape, required=False)
        if qualified is not None:
            checks.extend(self._qualified(node, info, pattern, qualified))
        return checks

    def _qualified(self, node: Node, info: ShapeInfo, pattern: str, member: Node) -> list[Check]:
        if _is_true(self.shapes.value(node, SH.qualifiedValueShapesDisjoint) or Literal(False)):
            self._refuse(node, "sh:qualifiedValueShapesDisjoint true")
        low = self._count(node, SH.qualifiedMinCount)
        high = self._count(node, SH.qualifiedMaxCount)
        if low is None and high is None:
            self._refuse(node, "sh:qualifiedValueShape without a qualified count")
        counts = (f" MinCount {low}" if low is not None else "") + (
            f" MaxCount {high}" if high is not None else ""
        )
        generic = f"Focus node does not conform to shape{counts}: {self._name(member)}"
        expression = self._member(node, member)
        checks: list[Check] = []
        if low:  # a minimum of zero never fails
            checks.append(QualifiedMinCheck(info, pattern, expression, low, generic))
        if high is not None:
            checks.append(QualifiedMaxCheck(info, pattern, expression, high, generic))
        return checks

    def _sparql_constraint(self, shape: Node, info: ShapeInfo, constraint: Node) -> Check:
        allowed = {SH.select, SH.message, SH.prefixes, SH.deactivated}
        for predicate in set(self.shapes.predicates(constraint, None)):
            if predicate != RDF.type and predicate not in allowed:
                self._refuse(shape, f"{_sh(predicate)} in a SPARQL-based constraint")
        select = self._one(constraint, SH.select)
        text = str(select)
        if _PREBOUND.search(text):
            self._refuse(shape, "$shapesGraph, $currentShape or $PATH in a SPARQL constraint")
        projection = _projection(text)
        if projection is None or not ("*" in projection or re.search(r"[?$]this\b", projection)):
            self._refuse(shape, "a SPARQL constraint that does not select $this")
        if re.search(r"[?$]failure\b", projection or ""):
            self._refuse(shape, "?failure in a SPARQL constraint")
        body = _insert_focus(text)
        if body is None:
            self._refuse(shape, "a SPARQL constraint whose WHERE clause cannot be found")
        prefixes = "".join(
            f"PREFIX {prefix}: <{namespace}>\n" for prefix, namespace in self._prefixes(constraint)
        )
        messages = tuple(self.shapes.objects(constraint, SH.message))
        return SparqlCheck(info, prefixes + body, constraint, tuple(sorted(messages)))

    # per-value constraints --------------------------------------------------------------

    def _value_tests(self, node: Node, info: ShapeInfo) -> list[ValueTest]:
        tests: list[ValueTest] = []
        classes = sorted(self._iris(node, SH["class"]), key=str)
        shown = ", ".join(self._name(c) for c in classes)
        for cls in classes:
            tests.append(
                ValueTest(
                    SH.ClassConstraintComponent,
                    self._class_test(cls),
                    (lambda _f, _v, c=cls: f"Value does not have class {self._name(c)}")
                    if len(classes) == 1
                    else (lambda _f, _v, s=shown: f"Value class is not in classes ({s})"),
                )
            )
        datatype = self._one(node, SH.datatype, required=False)
        if datatype is not None:
            tests.append(
                ValueTest(
                    SH.DatatypeConstraintComponent,
                    self._datatype_test(node, datatype),
                    lambda _f, _v: f"Value is not Literal with datatype {self._name(datatype)}",
                )
            )
        kind = self._one(node, SH.nodeKind, required=False)
        if kind is not None:
            if kind not in NODE_KINDS:
                self._refuse(node, f"sh:nodeKind {kind}")
            tests.append(
                ValueTest(
                    SH.NodeKindConstraintComponent,
                    NODE_KINDS[kind],
                    lambda _f, _v: f"Value is not of Node Kind {self._name(kind)}",
                )
            )
        tests.extend(self._pattern_tests(node))
        minimum = self._one(node, SH.minLength, required=False)
        if minimum is not None:
            length = self._integer(node, minimum, "sh:minLength")
            tests.append(
                ValueTest(
                    SH.MinLengthConstraintComponent,
                    f"(!isBlank(?value) && STRLEN(STR(?value)) >= {length})" if length else "true",
                    lambda _f, _v: f"String length not >= {_data(minimum)}",
                )
            )
        languages = self._one(node, SH.languageIn, required=False)
        if languages is not None:
            tests.append(self._language_test(node, languages))
        for parameter, operator, component in (
            (SH.minInclusive, ">=", SH.MinInclusiveConstraintComponent),
            (SH.maxInclusive, "<=", SH.MaxInclusiveConstraintComponent),
        ):
            bound = self._one(node, parameter, required=False)
            if bound is not None:
                if not isinstance(bound, Literal):
                    self._refuse(node, f"{_sh(parameter)} with a value that is not a literal")
                tests.append(
                    ValueTest(
                        component,
                        f"(isLiteral(?value) && ?value {operator} {bound.n3()})",
                        lambda _f, _v, o=operator, b=bound: f"Value is not {o} {self._name(b)}",
                    )
                )
        for choices in sorted(self.shapes.objects(node, SH["or"]), key=_sort_key):
            tests.append(self._or_test(node, choices))
        members = self._one(node, SH["in"], required=False)
        if members is not None:
            tests.append(self._in_test(node, members))
        return tests

    def _in_test(self, node: Node, members: Node) -> ValueTest:
        """``sh:in``: the value is one of the list's terms (RDF term equality, as SHACL
        says). pyshacl lists the members from a set in its generic message, so their
        order there is not fixed; here it is the list's."""
        items = list(Collection(self.shapes, members))
        if any(isinstance(item, BNode) for item in items):
            self._refuse(node, "sh:in with a blank node in its list")
        expression = " || ".join(f"sameTerm(?value, {item.n3()})" for item in items) or "false"
        shown = str([self._name(item) for item in items])
        return ValueTest(
            SH.InConstraintComponent,
            f"({expression})",
            lambda _f, v, s=shown: f"Value {_data(v)} not in list {s}",
        )

    def _class_test(self, cls: URIRef) -> str:
        classes = " ".join(f"<{c}>" for c in self.subclasses(cls))
        return f"EXISTS {{ ?value {_RDF_TYPE} ?class . VALUES ?class {{ {classes} }} }}"

    def _datatype_test(self, node: Node, datatype: Node) -> str:
        if datatype not in DATATYPE_CHECKS:
            supported = ", ".join(self._name(d) for d in DATATYPE_CHECKS)
            self._refuse(node, f"sh:datatype {datatype} (supported: {supported})")
        test = f"(isLiteral(?value) && DATATYPE(?value) = <{datatype}>"
        well_formed = DATATYPE_CHECKS[datatype]  # type: ignore[index]
        return test + (f" && {well_formed})" if well_formed else ")")

    def _pattern_tests(self, node: Node) -> list[ValueTest]:
        patterns = sorted(self.shapes.objects(node, SH.pattern), key=str)
        if not patterns:
            return []
        flags_node = self._one(node, SH.flags, required=False)
        flags = "".join(f for f in "im" if f in str(flags_node or "").lower())
        if len(patterns) == 1:
            generic = f"Value does not match pattern '{patterns[0]}'"
        else:
            generic = "Value does not match every pattern in ('{}')".format(
                "', '".join(str(p) for p in patterns)
            )
        tests = []
        for pattern in patterns:
            if not self.regex_ok(str(pattern), flags):
                self._refuse(node, f"sh:pattern {str(pattern)!r}, which pyoxigraph cannot run")
            tests.append(
                ValueTest(
                    SH.PatternConstraintComponent,
                    f'(!isBlank(?value) && REGEX(STR(?value), {_string(str(pattern))}, "{flags}"))',
                    lambda _f, _v: generic,
                )
            )
        return tests

    def _language_test(self, node: Node, languages: Node) -> ValueTest:
        try:
            tags = [str(tag).lower() for tag in Collection(self.shapes, languages)]
        except Exception:  # a broken list: SHACL-SHACL catches this first
            self._refuse(node, "an sh:languageIn that is not a list")
        if "*" in tags:
            condition = "true"
        else:
            listed = ", ".join(_string(tag) for tag in tags)
            condition = (
                f"(LCASE(LANG(?value)) IN ({listed}) || "
                f'LCASE(STRBEFORE(CONCAT(LANG(?value), "-"), "-")) IN ({listed}))'
            )
        return ValueTest(
            SH.LanguageInConstraintComponent,
            f'(isLiteral(?value) && LANG(?value) != "" && {condition})',
            lambda _f, _v: f"String language is not in {self._name(languages)}",
        )

    def _or_test(self, node: Node, choices: Node) -> ValueTest:
        members = list(Collection(self.shapes, choices))
        if not members:
            self._refuse(node, "an empty sh:or")
        expression = " || ".join(f"COALESCE({self._member(node, m)}, false)" for m in members)
        shown = " , ".join(self._name(m) for m in members)
        return ValueTest(
            SH.OrConstraintComponent,
            f"({expression})",
            lambda _f, v: f"Node {_data(v)} must conform to one or more shapes in {shown}",
        )

    def _member(self, owner: Node, member: Node) -> str:
        """A shape inside sh:or / sh:qualifiedValueShape, as an expression over ?value."""
        for predicate in set(self.shapes.predicates(member, None)):
            if predicate in (RDF.type, *DESCRIPTIVE):
                continue
            if predicate not in MEMBER_PARAMETERS:
                self._refuse(owner, f"{_sh(predicate)} inside sh:or or sh:qualifiedValueShape")
        parts = [self._class_test(c) for c in sorted(self._iris(member, SH["class"]), key=str)]
        datatype = self._one(member, SH.datatype, required=False)
        if datatype is not None:
            parts.append(self._datatype_test(owner, datatype))
        kind = self._one(member, SH.nodeKind, required=False)
        if kind is not None:
            if kind not in NODE_KINDS:
                self._refuse(owner, f"sh:nodeKind {kind}")
            parts.append(NODE_KINDS[kind])
        return "(" + " && ".join(parts or ["true"]) + ")"

    # reading the shapes graph -----------------------------------------------------------

    def _path_pattern(self, node: Node, path: Node) -> str:
        if isinstance(path, URIRef):
            return f"?this <{path}> ?value ."
        inverse = self.shapes.value(path, SH.inversePath)
        if (
            isinstance(path, BNode)
            and isinstance(inverse, URIRef)
            and len(set(self.shapes.predicate_objects(path))) == 1
        ):
            return f"?value <{inverse}> ?this ."
        self._refuse(node, "a property path other than an IRI or [ sh:inversePath IRI ]")
        raise AssertionError  # unreachable: _refuse raises

    def _check_parameters(self, node: Node, allowed: frozenset) -> None:
        for predicate in set(self.shapes.predicates(node, None)):
            if not str(predicate).startswith(str(SH)) or predicate in DESCRIPTIVE:
                continue
            if predicate not in allowed:
                self._refuse(node, _sh(predicate))
            if predicate in SINGLE_VALUED and len(set(self.shapes.objects(node, predicate))) > 1:
                self._refuse(node, f"more than one {_sh(predicate)}")

    def _one(self, node: Node, predicate: URIRef, *, required: bool = True) -> Node | None:
        values = list(self.shapes.objects(node, predicate))
        if not values and required:
            self._refuse(node, f"no {_sh(predicate)}")
        return values[0] if values else None

    def _iris(self, node: Node, predicate: URIRef) -> list[URIRef]:
        values = list(self.shapes.objects(node, predicate))
        for value in values:
            if not isinstance(value, URIRef):
                self._refuse(node, f"{_sh(predicate)} with a value that is not an IRI")
        return values  # type: ignore[return-value]

    def _count(self, node: Node, predicate: URIRef) -> int | None:
        value = self._one(node, predicate, required=False)
        return None if value is None else self._integer(node, value, _sh(predicate))

    def _integer(self, node: Node, value: Node, name: str) -> int:
        if not isinstance(value, Literal) or not isinstance(value.value, int):
            self._refuse(node, f"{name} that is not an integer")
        return int(value.value)  # type: ignore[union-attr]

    def _severity(self, node: Node) -> URIRef:
        severity = self.shapes.value(node, SH.severity)
        return severity if isinstance(severity, URIRef) else SH.Violation

    def _messages(self, node: Node) -> tuple[Literal, ...]:
        return tuple(sorted(m for m in self.shapes.objects(node, SH.message)))

    def _deactivated(self, node: Node) -> bool:
        value = self.shapes.value(node, SH.deactivated)
        return value is not None and _is_true(value)

    def _prefixes(self, constraint: Node) -> list[tuple[str, str]]:
        declared = []
        for source in self.shapes.objects(constraint, SH.prefixes):
            for declaration in self.shapes.objects(source, SH.declare):
                prefix = self.shapes.value(declaration, SH.prefix)
                namespace = self.shapes.value(declaration, SH.namespace)
                if prefix is not None and namespace is not None:
                    declared.append((str(prefix), str(namespace)))
        return sorted(set(declared))

    def _name(self, node: Node) -> str:
        """A shape-side node as pyshacl writes it in its generic messages."""
        return stringify_node(self.shapes, node)

    def _refuse(self, node: Node, feature: str) -> None:
        raise UnsupportedShapes(
            f"the SPARQL validator does not support {feature} "
            f"(in {_shape_name(self.shapes, node)}); validate with pyshacl "
            "(--validator pyshacl) or change the shape"
        )


def _sh(iri: Node) -> str:
    text = str(iri)
    return "sh:" + text[len(str(SH)) :] if text.startswith(str(SH)) else f"<{text}>"


def _shape_name(shapes: Graph, node: Node) -> str:
    """A named shape, or the named shape holding a blank one (``sgsh:X / sg:path``)."""
    if not isinstance(node, BNode):
        return stringify_node(shapes, node)
    for predicate in (SH.property, SH.sparql, SH.qualifiedValueShape):
        parent = shapes.value(predicate=predicate, object=node)
        if parent is not None:
            path = shapes.value(node, SH.path)
            suffix = f" / {stringify_node(shapes, path)}" if path is not None else ""
            return _shape_name(shapes, parent) + suffix
    return stringify_node(shapes, node)


def _sort_key(node: Node) -> str:
    return node.n3()


def _is_true(value: Node) -> bool:
    return isinstance(value, Literal) and value.value is True


def _string(text: str) -> str:
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


def _projection(select: str) -> str | None:
    """The text between SELECT and the WHERE group (the projected variables)."""
    found = re.search(r"\bSELECT\b", select, re.IGNORECASE)
    brace = _first_brace(select)
    if found is None or brace is None or brace < found.end():
        return None
    return re.sub(r"\bWHERE\b\s*$", "", select[found.end() : brace].strip(), flags=re.I)


def _insert_focus(select: str) -> str | None:
    """The query with ``{distinct_focus}`` as the first pattern of its WHERE group.

    Joining the focus nodes in first keeps pyshacl's meaning of a pre-bound ``$this``
    for queries that bind ``$this`` themselves, as every SHACL-SPARQL constraint in
    practice does (and the projection check makes sure it is selected).
    """
    brace = _first_brace(select)
    if brace is None:
        return None
    return select[: brace + 1] + "\n  {distinct_focus}\n" + select[brace + 1 :]


# --- running ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SparqlValidation:
    """The raw results of a run, and how many queries it took."""

    results: list[RawResult]
    queries: int
    shapes: int


def compile_shapes(
    shapes: Graph,
    subclasses: Callable[[URIRef], tuple[URIRef, ...]],
    regex_ok: Callable[[str, str], bool],
) -> list[CompiledShape]:
    """Compile every targeted shape; raises :class:`UnsupportedShapes` on what it can't."""
    return Compiler(shapes, subclasses, regex_ok).compile()


class StoreValidator:
    """The shapes compiled for one store (refusing what cannot be compiled, at once), and
    the run that checks every focus node of every shape."""

    def __init__(self, store: ox.Store, data_graphs: Sequence[ox.NamedNode], shapes: Graph) -> None:
        self.store, self.graphs = store, list(data_graphs)
        self._subclasses: dict[URIRef, tuple[URIRef, ...]] = {}
        self.compiled = compile_shapes(shapes, self.subclasses, self.regex_ok)

    def query(self, sparql: str) -> ox.QuerySolutions:
        return self.store.query(sparql, default_graph=self.graphs)

    def subclasses(self, cls: URIRef) -> tuple[URIRef, ...]:
        """``cls`` and its subclasses in the validated graph (``rdfs:subClassOf*``)."""
        if cls not in self._subclasses:
            found = self.query(f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS.subClassOf}>* <{cls}> }}")
            subclasses = {URIRef(row["c"].value) for row in found} | {cls}
            self._subclasses[cls] = tuple(sorted(subclasses, key=str))
        return self._subclasses[cls]

    def regex_ok(self, pattern: str, flags: str) -> bool:
        """Whether pyoxigraph's regular-expression engine can run ``pattern``."""
        probe = f'SELECT ?ok WHERE {{ BIND(REGEX("", {_string(pattern)}, "{flags}") AS ?ok) }}'
        return next(iter(self.query(probe)))["ok"] is not None

    def run(self, term: Callable[[object], Node]) -> SparqlValidation:
        costs = StoreStatistics(self.store, self.graphs)
        results: list[RawResult] = []
        count = 0
        for shape in self.compiled:
            classes = {c for target in shape.target_classes for c in self.subclasses(target)}
            values = " ".join(f"<{c}>" for c in sorted(classes, key=str))
            focus = f"?this {_RDF_TYPE} ?sgkgFocusType . VALUES ?sgkgFocusType {{ {values} }}"
            if not classes or not bool(
                self.store.query(f"ASK {{ {focus} }}", default_graph=self.graphs)
            ):
                continue  # no focus node: nothing to check
            distinct_focus = f"{{ SELECT DISTINCT ?this WHERE {{ {focus} }} }}"
            for check in shape.queries:
                count += 1
                sparql = check.body.replace("{distinct_focus}", distinct_focus)
                sparql = sparql.replace("{focus}", focus)
                if isinstance(check, SparqlCheck):
                    sparql = rewrite_where(sparql, costs.for_query(sparql))
                results.extend(self._results(check, sparql, term))
        return SparqlValidation(results=results, queries=count, shapes=len(self.compiled))

    def _results(
        self, check: Check, sparql: str, term: Callable[[object], Node]
    ) -> Iterator[RawResult]:
        solutions = self.query(sparql)
        names = [variable.value for variable in solutions.variables]
        for solution in solutions:
            row = {
                name: None if solution[i] is None else term(solution[i])
                for i, name in enumerate(names)
            }
            yield from check.results(row)


def run_validation(
    store: ox.Store,
    data_graphs: Sequence[ox.NamedNode],
    shapes: Graph,
    term: Callable[[object], Node],
) -> SparqlValidation:
    """Validate the union of ``data_graphs`` in ``store`` against ``shapes``."""
    return StoreValidator(store, data_graphs, shapes).run(term)


class StoreStatistics:
    """Predicate statistics of the validated graph, for ordering SPARQL constraints.

    Looked up on demand and kept: only the predicates the SPARQL constraints use.
    """

    def __init__(self, store: ox.Store, data_graphs: Sequence[ox.NamedNode]) -> None:
        self.store, self.graphs = store, list(data_graphs)
        self._predicates: dict[str, tuple[int, int, int]] = {}
        self._objects: dict[tuple[str, str], int] = {}

    def for_query(self, sparql: str) -> CostModel:
        return CostModel(prefixes_of(sparql), self.predicate, self.object_count)

    def predicate(self, iri: str) -> tuple[int, int, int]:
        if iri not in self._predicates:
            row = next(
                iter(
                    self.store.query(
                        "SELECT (COUNT(*) AS ?n) (COUNT(DISTINCT ?s) AS ?s_) "
                        f"(COUNT(DISTINCT ?o) AS ?o_) WHERE {{ ?s <{iri}> ?o }}",
                        default_graph=self.graphs,
                    )
                )
            )
            self._predicates[iri] = (
                int(row["n"].value),
                int(row["s_"].value),
                int(row["o_"].value),
            )
        return self._predicates[iri]

    def object_count(self, predicate: str, value: str) -> int:
        key = (predicate, value)
        if key not in self._objects:
            row = next(
                iter(
                    self.store.query(
                        f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{predicate}> <{value}> }}",
                        default_graph=self.graphs,
                    )
                )
            )
            self._objects[key] = int(row["n"].value)
        return self._objects[key]


# --- the report graph ----------------------------------------------------------------------


def report_graph(results: Iterable[RawResult], shapes: Graph) -> Graph:
    """A report graph shaped like pyshacl's (blank shapes and paths copied into it)."""
    report = Graph()
    root = BNode()
    report.add((root, RDF.type, SH.ValidationReport))
    conforms = True
    for found in results:
        if found.shape.severity == SH.Violation:
            conforms = False
        node = BNode()
        report.add((root, SH.result, node))
        report.add((node, RDF.type, SH.ValidationResult))
        report.add((node, SH.focusNode, found.focus))
        report.add((node, SH.resultSeverity, found.shape.severity))
        report.add((node, SH.sourceConstraintComponent, found.component))
        report.add((node, SH.sourceShape, found.shape.node))
        _copy_description(shapes, found.shape.node, report)
        if found.value is not None:
            report.add((node, SH.value, found.value))
        if found.path is not None:
            report.add((node, SH.resultPath, found.path))
            _copy_description(shapes, found.path, report)
        if found.source_constraint is not None:
            report.add((node, SH.sourceConstraint, found.source_constraint))
            _copy_description(shapes, found.source_constraint, report)
        for message in found.messages:
            report.add((node, SH.resultMessage, message))
    report.add((root, SH.conforms, Literal(conforms)))
    return report


def _copy_description(source: Graph, node: Node, target: Graph) -> None:
    """Copy a blank node's description (recursively), as pyshacl does for shapes."""
    if not isinstance(node, BNode) or (node, None, None) in target:
        return
    for predicate, value in source.predicate_objects(node):
        target.add((node, predicate, value))
        _copy_description(source, value, target)


# --- the entry point ---------------------------------------------------------------------


def validate_store(dataset: StoreDataset) -> ValidationReport:
    """Check the shapes, then validate ontology + data + sources in the store against them.

    The counterpart of :func:`api.validate.shacl.validate_dataset` for a
    :class:`api.load.bulkload.StoreDataset`, with the same report. Raises
    :class:`UnsupportedShapes` for shapes it cannot compile and
    :class:`api.load.bulkload.LiteralsNotPreserved` for literals the store rewrote.
    """
    try:  # unsupported shape features are refused before the (slower) SHACL-SHACL check
        validator = StoreValidator(dataset.store, dataset.validated_graphs(), dataset.shapes)
        check_shapes_once(dataset.shapes, dataset.layout)
        run = validator.run(rdflib_term)
    except BaseException:
        dataset.cancel_audit()
        raise
    dataset.finish_audit()
    graph = report_graph(run.results, dataset.shapes)
    undeclared = declared_terms.undeclared_in_store(dataset.store, dataset.shapes)
    declared_terms.add_to_report(graph, undeclared)
    files = with_term_files(dataset.files_describing, dataset.layout, undeclared)
    return report_from_graph(graph, dataset.shapes, files, dataset.prefixes)
