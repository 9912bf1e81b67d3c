"""SHACL shapes compiled to SPARQL, for validating graphs too large for pyshacl.

pyshacl, the reference validator, walks every focus node in Python and needs the data in
rdflib; on a corpus of 10k agreements (2 million triples) that takes hours. This module
reads the same shapes graph and compiles each shape into a few SPARQL queries
(:mod:`api.validate.checks`), each checking *all* focus nodes of the shape at once, which
:mod:`api.validate.store_validator` runs on pyoxigraph; the results go into a report
graph shaped like pyshacl's (:mod:`api.validate.report_graph`). A well-kept library that
does this was measured and does not serve: pyrudof (a SHACL validator in Rust) took 70.7 s
on 100 synthetic agreements and had not finished after 480 s on 1,000, where this
compiler takes 1.1 s and 2.7 s.

- the focus nodes of a shape are its ``sh:targetClass`` instances, subclasses included
  (the subclasses are looked up once, in the validated graph, as pyshacl does);
- the per-value constraints of one property shape (``sh:class``, ``sh:datatype``,
  ``sh:nodeKind``, ``sh:pattern``, ``sh:minLength``, ``sh:languageIn``,
  ``sh:minInclusive``, ``sh:maxInclusive``, ``sh:or`` of such shapes, ``sh:in``) share
  one query that returns the failing (focus, value) pairs and which constraints each fails;
- ``sh:minCount``/``sh:maxCount``, ``sh:qualifiedValueShape`` with
  ``sh:qualifiedMinCount``/``sh:qualifiedMaxCount``, ``sh:uniqueLang`` and ``sh:lessThan``
  have a query each;
- a SPARQL-based constraint (``sh:sparql`` with ``sh:select``) runs once, as written, with
  the focus nodes joined in first where pyshacl runs it once per focus node with ``$this``
  pre-bound. Its text must mean the same under rdflib and pyoxigraph: standard SPARQL,
  where a FILTER sees the variables of its own group only (rdflib also lets a UNION
  branch see the variables bound before the UNION; pyoxigraph does not).

``tests/test_shapes.py`` runs both validators on every shape fixture and
``tests/test_shacl_sparql.py`` on the shipped data and a broken synthetic corpus; their
results must be the same.

A shape feature this module does not support is refused with :class:`UnsupportedShapes`,
naming the shape and the feature: it never skips a constraint silently. Supported are the
constraints listed above, property paths that are an IRI or ``[ sh:inversePath IRI ]``,
``sh:severity``, ``sh:message`` and ``sh:deactivated``. Two known limits, both outside
what the project's shapes use, are refused as well: datatypes other than those in
:data:`api.validate.checks.DATATYPE_CHECKS`, and regular expressions that pyoxigraph's
engine cannot compile.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from pyshacl.rdfutil import stringify_node
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from api.validate.checks import (
    DATATYPE_CHECKS,
    NODE_KINDS,
    RDF_TYPE,
    Check,
    CompiledShape,
    LessThanCheck,
    MaxCountCheck,
    MinCountCheck,
    QualifiedMaxCheck,
    QualifiedMinCheck,
    ShapeInfo,
    SparqlCheck,
    UniqueLangCheck,
    ValueCheck,
    ValueTest,
    data_name,
    insert_focus,
    projection,
    sparql_string,
)
from api.validate.shacl import ShapesError


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
#: Variables pyshacl pre-binds in SPARQL constraints besides ``$this``; not supported here.
_PREBOUND = re.compile(r"[?$](shapesGraph|currentShape|PATH)\b")


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
        tests = self._value_tests(node)
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
        tests = self._value_tests(node)
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
        selected = projection(text)
        if selected is None or not ("*" in selected or re.search(r"[?$]this\b", selected)):
            self._refuse(shape, "a SPARQL constraint that does not select $this")
        if re.search(r"[?$]failure\b", selected or ""):
            self._refuse(shape, "?failure in a SPARQL constraint")
        body = insert_focus(text)
        if body is None:
            self._refuse(shape, "a SPARQL constraint whose WHERE clause cannot be found")
        prefixes = "".join(
            f"PREFIX {prefix}: <{namespace}>\n" for prefix, namespace in self._prefixes(constraint)
        )
        messages = tuple(self.shapes.objects(constraint, SH.message))
        return SparqlCheck(info, prefixes + body, constraint, tuple(sorted(messages)))

    # per-value constraints --------------------------------------------------------------

    def _value_tests(self, node: Node) -> list[ValueTest]:
        """The per-value constraints of a shape, each a test over ``?value``."""
        tests = [*self._class_tests(node), *self._term_tests(node), *self._pattern_tests(node)]
        minimum = self._one(node, SH.minLength, required=False)
        if minimum is not None:
            length = self._integer(node, minimum, "sh:minLength")
            tests.append(
                ValueTest(
                    SH.MinLengthConstraintComponent,
                    f"(!isBlank(?value) && STRLEN(STR(?value)) >= {length})" if length else "true",
                    lambda _f, _v: f"String length not >= {data_name(minimum)}",
                )
            )
        languages = self._one(node, SH.languageIn, required=False)
        if languages is not None:
            tests.append(self._language_test(node, languages))
        tests.extend(self._range_tests(node))
        for choices in sorted(self.shapes.objects(node, SH["or"]), key=_sort_key):
            tests.append(self._or_test(node, choices))
        members = self._one(node, SH["in"], required=False)
        if members is not None:
            tests.append(self._in_test(node, members))
        return tests

    def _class_tests(self, node: Node) -> list[ValueTest]:
        """``sh:class``: one test per class, with pyshacl's message for one or several."""
        classes = sorted(self._iris(node, SH["class"]), key=str)
        shown = ", ".join(self._name(c) for c in classes)
        return [
            ValueTest(
                SH.ClassConstraintComponent,
                self._class_test(cls),
                (lambda _f, _v, c=cls: f"Value does not have class {self._name(c)}")
                if len(classes) == 1
                else (lambda _f, _v, s=shown: f"Value class is not in classes ({s})"),
            )
            for cls in classes
        ]

    def _term_tests(self, node: Node) -> list[ValueTest]:
        """``sh:datatype`` and ``sh:nodeKind``: what kind of term the value must be."""
        tests = []
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
        return tests

    def _range_tests(self, node: Node) -> list[ValueTest]:
        """``sh:minInclusive`` and ``sh:maxInclusive``."""
        tests = []
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
            lambda _f, v, s=shown: f"Value {data_name(v)} not in list {s}",
        )

    def _class_test(self, cls: URIRef) -> str:
        classes = " ".join(f"<{c}>" for c in self.subclasses(cls))
        return f"EXISTS {{ ?value {RDF_TYPE} ?class . VALUES ?class {{ {classes} }} }}"

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
            regex = f'REGEX(STR(?value), {sparql_string(str(pattern))}, "{flags}")'
            tests.append(
                ValueTest(
                    SH.PatternConstraintComponent,
                    f"(!isBlank(?value) && {regex})",
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
            listed = ", ".join(sparql_string(tag) for tag in tags)
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
            lambda _f, v: f"Node {data_name(v)} must conform to one or more shapes in {shown}",
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


def compile_shapes(
    shapes: Graph,
    subclasses: Callable[[URIRef], tuple[URIRef, ...]],
    regex_ok: Callable[[str, str], bool],
) -> list[CompiledShape]:
    """Compile every targeted shape; raises :class:`UnsupportedShapes` on what it can't."""
    return Compiler(shapes, subclasses, regex_ok).compile()


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
