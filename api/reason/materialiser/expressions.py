"""Class expressions of the schema: as SPARQL patterns, as what they read, as the
rules a class implies, and judged against each other (structural subsumption)."""

from collections.abc import Iterator

from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDFS
from rdflib.term import Node

from api.reason.materialiser.rules import (
    Rule,
    Schema,
    describe,
    members_of,
    short_name,
    sparql_term,
    values_of,
)

#: Restriction kinds with no OWL 2 RL rule here: named in ``unsupported`` when used.
_UNSUPPORTED_RESTRICTIONS = (
    OWL.hasSelf,
    OWL.cardinality,
    OWL.minCardinality,
    OWL.maxCardinality,
    OWL.qualifiedCardinality,
    OWL.minQualifiedCardinality,
    OWL.maxQualifiedCardinality,
)


class ExpressionReader:
    """Class expressions of the schema, as SPARQL patterns and as implications."""

    def __init__(self, schema: Graph, compiled: Schema) -> None:
        self.schema = schema
        self.compiled = compiled
        self._fresh = 0

    def fresh(self) -> str:
        self._fresh += 1
        return f"?v{self._fresh}"

    def members(self, node: Node) -> list[Node]:
        return list(Collection(self.schema, node))

    def definitions(self) -> Iterator[tuple[str | Node, Node]]:
        """(class, expression) where members of the expression are members of the class."""
        for cls, expression in self.schema.subject_objects(OWL.equivalentClass):
            if isinstance(cls, URIRef) and isinstance(expression, BNode):
                yield str(cls), expression
            elif isinstance(expression, URIRef) and isinstance(cls, BNode):
                yield str(expression), cls
        for expression, cls in self.schema.subject_objects(RDFS.subClassOf):
            if isinstance(expression, BNode) and isinstance(cls, URIRef):
                yield str(cls), expression

    def implications(self) -> Iterator[tuple[str, Node]]:
        """(class, expression) where members of the class are members of the expression."""
        for cls, expression in self.schema.subject_objects(OWL.equivalentClass):
            if isinstance(cls, URIRef) and isinstance(expression, BNode):
                yield str(cls), expression
            elif isinstance(expression, URIRef) and isinstance(cls, BNode):
                yield str(expression), cls
        for cls, expression in self.schema.subject_objects(RDFS.subClassOf):
            if isinstance(cls, URIRef) and isinstance(expression, BNode):
                yield str(cls), expression

    def named_parts(self, expression: Node) -> list[str]:
        """The named classes an expression implies membership of (itself, or the named
        parts of an intersection, nested)."""
        if isinstance(expression, URIRef):
            return [str(expression)]
        parts = self.schema.value(expression, OWL.intersectionOf)
        if parts is None:
            return []
        return [named for part in self.members(parts) for named in self.named_parts(part)]

    def pattern(self, expression: Node, var: str) -> str | None:
        """A SPARQL pattern that binds ``var`` to members of ``expression``; None if the
        expression uses a construct no rule covers (noted in ``unsupported``)."""
        if isinstance(expression, URIRef):
            if expression == OWL.Thing:
                return ""  # every individual: no condition on the variable
            return f"{var} a <{expression}> ."
        schema = self.schema
        parts = schema.value(expression, OWL.intersectionOf)
        if parts is not None:
            patterns = [self.pattern(part, var) for part in self.members(parts)]
            return None if None in patterns else " ".join(patterns)  # type: ignore[arg-type]
        alternatives = schema.value(expression, OWL.unionOf)
        if alternatives is not None:
            patterns = [self.pattern(part, var) for part in self.members(alternatives)]
            if None in patterns:
                return None
            return " UNION ".join(f"{{ {p} }}" for p in patterns)
        prop = schema.value(expression, OWL.onProperty)
        if isinstance(prop, URIRef):
            value = schema.value(expression, OWL.hasValue)
            if value is not None:
                return f"{var} <{prop}> {sparql_term(value)} ."
            filler = schema.value(expression, OWL.someValuesFrom)
            if filler is not None:
                inner = self.fresh()
                nested = self.pattern(filler, inner)
                return None if nested is None else f"{var} <{prop}> {inner} . {nested}"
        self.compiled.unsupported.append(f"class expression {describe(schema, expression)}")
        return None

    def signatures(self, expression: Node) -> Iterator[str]:
        """What a pattern of ``expression`` reads: class members and property values."""
        if isinstance(expression, URIRef):
            if expression != OWL.Thing:
                yield members_of(expression)
            return
        for key in (OWL.intersectionOf, OWL.unionOf):
            parts = self.schema.value(expression, key)
            if parts is not None:
                for part in self.members(parts):
                    yield from self.signatures(part)
        prop = self.schema.value(expression, OWL.onProperty)
        if prop is not None:
            yield values_of(prop)
        filler = self.schema.value(expression, OWL.someValuesFrom)
        if filler is not None:
            yield from self.signatures(filler)

    def consequences(self, cls: str, expression: Node) -> list[Rule]:
        """Rules for ``cls`` implies ``expression`` (hasValue, allValuesFrom; named parts
        and intersections are in the class hierarchy already)."""
        schema = self.schema
        member = f"?x a <{cls}> ."
        parts = schema.value(expression, OWL.intersectionOf)
        if parts is not None:
            return [rule for part in self.members(parts) for rule in self.consequences(cls, part)]
        prop = schema.value(expression, OWL.onProperty)
        if not isinstance(prop, URIRef):
            return []
        value = schema.value(expression, OWL.hasValue)
        if value is not None:
            return [
                Rule(
                    "cls-hv1",
                    f"?x <{prop}> {sparql_term(value)} .",
                    member,
                    reads=frozenset({members_of(cls)}),
                    writes=frozenset({values_of(prop)}),
                )
            ]
        filler = schema.value(expression, OWL.allValuesFrom)
        if isinstance(filler, URIRef):
            return [
                Rule(
                    "cls-avf",
                    f"?y a <{filler}> .",
                    f"{member} ?x <{prop}> ?y .",
                    reads=frozenset({members_of(cls), values_of(prop)}),
                    writes=frozenset({members_of(filler)}),
                )
            ]
        if filler is not None:
            self.compiled.unsupported.append(f"owl:allValuesFrom of {describe(schema, filler)}")
        for kind in _UNSUPPORTED_RESTRICTIONS:
            if (expression, kind, None) in schema:
                self.compiled.unsupported.append(f"{short_name(kind)} restriction on <{prop}>")
        return []

    def subsumes(self, definition: Node, cls: str) -> bool:
        """Whether every member of the named class ``cls`` meets ``definition``, judged
        structurally from what is told of ``cls`` and its superclasses."""
        return self._entails(self._told(URIRef(cls)), definition)

    def _told(self, cls: Node) -> list[Node]:
        """What membership of ``cls`` tells: its named superclasses (itself included)
        and the class expressions they imply, intersections taken apart."""
        if not isinstance(cls, URIRef):
            return list(self._parts(cls))
        named = {str(cls), *self.compiled.superclasses.get(str(cls), ())}
        told: list[Node] = [URIRef(iri) for iri in sorted(named)]
        for sub, expression in self.implications():
            if sub in named:
                told.extend(self._parts(expression))
        return told

    def _parts(self, expression: Node) -> Iterator[Node]:
        parts = self.schema.value(expression, OWL.intersectionOf)
        if parts is None:
            yield expression
            return
        for part in self.members(parts):
            yield from self._parts(part)

    def _entails(self, told: list[Node], wanted: Node) -> bool:
        """Whether the conjunction ``told`` implies ``wanted`` (named classes,
        intersections, unions, someValuesFrom and hasValue restrictions)."""
        schema = self.schema
        if isinstance(wanted, URIRef):
            return wanted == OWL.Thing or wanted in told
        parts = schema.value(wanted, OWL.intersectionOf)
        if parts is not None:
            return all(self._entails(told, part) for part in self.members(parts))
        alternatives = schema.value(wanted, OWL.unionOf)
        if alternatives is not None:
            return any(self._entails(told, part) for part in self.members(alternatives))
        prop = schema.value(wanted, OWL.onProperty)
        if prop is None:
            return False
        return any(
            self._restriction_entails(restriction, wanted, prop)
            for restriction in told
            if isinstance(restriction, BNode)
        )

    def _restriction_entails(self, told: Node, wanted: Node, prop: Node) -> bool:
        """``told`` (a restriction) implies ``wanted`` (a restriction on ``prop``)."""
        schema = self.schema
        told_prop = schema.value(told, OWL.onProperty)
        if told_prop is None or str(prop) not in self._property_supers(str(told_prop)):
            return False
        wanted_value = schema.value(wanted, OWL.hasValue)
        told_value = schema.value(told, OWL.hasValue)
        if wanted_value is not None:
            return told_value == wanted_value
        wanted_filler = schema.value(wanted, OWL.someValuesFrom)
        if wanted_filler is None:
            return False
        if told_value is not None:
            return wanted_filler == OWL.Thing
        told_filler = schema.value(told, OWL.someValuesFrom)
        return told_filler is not None and self._entails(self._told(told_filler), wanted_filler)

    def _property_supers(self, prop: str) -> set[str]:
        found, stack = set(), [URIRef(prop)]
        while stack:
            current = stack.pop()
            if str(current) in found:
                continue
            found.add(str(current))
            stack.extend(o for o in self.schema.objects(current, RDFS.subPropertyOf))
            stack.extend(o for o in self.schema.objects(current, OWL.equivalentProperty))
            stack.extend(s for s in self.schema.subjects(OWL.equivalentProperty, current))
        return found
