"""Explain, in plain words, why HermiT found the ontology and data inconsistent.

HermiT (through its command line or owlready2) only says *that* the ontology is
inconsistent. A person editing Turtle files needs to know *which individuals* and *which
axioms* clash, so this module looks for the clash patterns that actually occur in a
graph like sgkg's, with sound (if incomplete) rules over the asserted triples:

============================  ==========================================================
pattern                       example
============================  ==========================================================
disjoint classes              an individual typed sg:Passage and sg:Commitment, where
                              sg:Commitment is a subclass of sg:EvidencedEntity and an
                              owl:AllDisjointClasses axiom separates the two
domain or range forcing a     sg:quote on a party: the domain of sg:quote makes it a
disjoint type                 sg:Passage, and parties are not passages
datatype range                sg:startOffset "-4": not an xsd:nonNegativeInteger
functional data property      two different sg:startOffset values on one passage
functional object property    one participation with two sg:participant values that
with disjoint values          are a sg:State and a sg:Coalition: functional means they
                              would be one individual, which cannot be both
individual typed owl:Nothing  ``a owl:Nothing``
============================  ==========================================================

Types are derived the way an OWL reasoner would for these patterns: asserted types,
named superclasses (``rdfs:subClassOf``, ``owl:equivalentClass``), and named domains and
ranges of the properties an individual is used with (also through ``owl:inverseOf``,
symmetric properties and ``rdfs:subPropertyOf``). Every derived type keeps the chain of
reasons behind it, which is what the explanation prints. When none of the patterns
applies, :func:`find_clashes` returns nothing and the caller falls back to a generic
message: an incomplete explanation is better than a wrong one.
"""

from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.term import Node

from api.core.namespaces import compact

#: Which files describe a node (``LoadedDataset.files_describing``), for the message.
FileLookup = Callable[[Node], tuple[str, ...]]

#: Namespaces whose classes are OWL/RDF machinery, never an individual's real type.
_META_NAMESPACES = (str(RDF), str(RDFS), str(OWL))

_INTEGER_BOUNDS: dict[URIRef, tuple[int | None, int | None]] = {
    XSD.integer: (None, None),
    XSD.nonNegativeInteger: (0, None),
    XSD.positiveInteger: (1, None),
    XSD.nonPositiveInteger: (None, 0),
    XSD.negativeInteger: (None, -1),
    XSD.long: (-(2**63), 2**63 - 1),
    XSD.int: (-(2**31), 2**31 - 1),
    XSD.short: (-(2**15), 2**15 - 1),
    XSD.byte: (-(2**7), 2**7 - 1),
    XSD.unsignedLong: (0, 2**64 - 1),
    XSD.unsignedInt: (0, 2**32 - 1),
    XSD.unsignedShort: (0, 2**16 - 1),
    XSD.unsignedByte: (0, 2**8 - 1),
}
_REAL_TYPES = {*_INTEGER_BOUNDS, XSD.decimal, OWL.real, OWL.rational}
_STRING_TYPES = {
    XSD.string,
    XSD.normalizedString,
    XSD.token,
    XSD.language,
    XSD.Name,
    XSD.NCName,
    XSD.NMTOKEN,
}
#: Value-space families of OWL 2 datatypes: values of different families never match.
_FAMILIES: dict[URIRef, str] = {
    **dict.fromkeys(_REAL_TYPES, "number"),
    **dict.fromkeys(_STRING_TYPES, "string"),
    RDF.langString: "language-tagged string",
    XSD.double: "double",
    XSD.float: "float",
    XSD.boolean: "boolean",
    XSD.anyURI: "IRI",
    XSD.hexBinary: "binary",
    XSD.base64Binary: "binary",
    XSD.dateTime: "date-time",
    XSD.dateTimeStamp: "date-time",
}


@dataclass(frozen=True)
class Clash:
    """One reason the ontology and data cannot all be true.

    ``individuals`` are the IRIs that clash, ``axioms`` short descriptions of the
    ontology axioms involved, ``explanation`` the sentence a person reads.
    """

    individuals: tuple[str, ...]
    axioms: tuple[str, ...]
    explanation: str


@dataclass(frozen=True)
class _Derivation:
    """Why a node has a type: the type, the reason, and the derivation it came from."""

    cls: URIRef
    reason: str
    parent: "_Derivation | None" = None

    def chain(self) -> list["_Derivation"]:
        steps, step = [], self
        while step is not None:
            steps.append(step)
            step = step.parent
        return steps[::-1]


def find_clashes(graph: Graph, files_describing: FileLookup | None = None) -> list[Clash]:
    """Every clash of the known patterns in ``graph`` (ontology and data together)."""
    schema = _Schema(graph)
    typed = _Typing(graph, schema)
    clashes = [
        *_disjoint_type_clashes(typed),
        *_functional_object_clashes(graph, typed),
        *_functional_data_clashes(graph, schema),
        *_datatype_range_clashes(graph, schema),
    ]
    if files_describing is None:
        return clashes
    return [_with_files(clash, files_describing) for clash in clashes]


def disjoint_class_pairs(graph: Graph) -> list[tuple[URIRef, URIRef]]:
    """Every pair of named classes ``graph`` declares disjoint (``owl:disjointWith``,
    ``owl:AllDisjointClasses``, ``owl:disjointUnionOf``), each pair once."""
    return sorted(tuple(sorted(pair)) for pair in _disjoint_pairs(graph))  # type: ignore[misc]


def explain_unsatisfiable(graph: Graph, cls: URIRef) -> str:
    """Why a class can have no instance, when two of its superclasses are disjoint."""
    schema = _Schema(graph)
    ancestors = schema.ancestors(_Derivation(cls, "the class"))
    for pair, axiom in schema.disjoint.items():
        first, second = sorted(pair)
        if first in ancestors and second in ancestors:
            return (
                f"{_c(cls)} cannot have instances: {_path(ancestors[first])} and "
                f"{_path(ancestors[second])}, and {axiom} makes {_c(first)} and "
                f"{_c(second)} disjoint"
            )
    return f"{_c(cls)} cannot have instances (HermiT classifies it under owl:Nothing)"


# --- what the ontology says: hierarchy, disjointness, domains, ranges ----------------


class _Schema:
    """The parts of the ontology the clash rules need, read once from the graph."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.superclasses: dict[URIRef, set[URIRef]] = defaultdict(set)
        for sub, sup in graph.subject_objects(RDFS.subClassOf):
            if isinstance(sub, URIRef) and isinstance(sup, URIRef) and sup != OWL.Thing:
                self.superclasses[sub].add(sup)
        for one, other in graph.subject_objects(OWL.equivalentClass):
            if isinstance(one, URIRef) and isinstance(other, URIRef):
                self.superclasses[one].add(other)
                self.superclasses[other].add(one)
        self.disjoint = _disjoint_pairs(graph)
        self.functional = set(graph.subjects(RDF.type, OWL.FunctionalProperty))
        self.data_properties = set(graph.subjects(RDF.type, OWL.DatatypeProperty))
        self.object_properties = set(graph.subjects(RDF.type, OWL.ObjectProperty))
        self.domains = _named_values(graph, RDFS.domain)
        self.ranges = {
            prop: classes
            for prop, classes in _named_values(graph, RDFS.range).items()
            if prop not in self.data_properties
        }
        self.inverses: dict[Node, set[Node]] = defaultdict(set)
        for one, other in graph.subject_objects(OWL.inverseOf):
            self.inverses[one].add(other)
            self.inverses[other].add(one)
        for prop in graph.subjects(RDF.type, OWL.SymmetricProperty):
            self.inverses[prop].add(prop)
        self.superproperties = _named_values(graph, RDFS.subPropertyOf)

    def ancestors(self, start: _Derivation) -> dict[URIRef, _Derivation]:
        """``start``'s class and all its named superclasses, each with its derivation."""
        found = {start.cls: start}
        queue = deque([start])
        while queue:
            current = queue.popleft()
            for sup in sorted(self.superclasses.get(current.cls, ())):
                if sup not in found:
                    found[sup] = _Derivation(sup, f"a subclass of {_c(sup)}", current)
                    queue.append(found[sup])
        return found

    def property_and_ancestors(self, prop: Node) -> list[Node]:
        seen, queue = [prop], deque([prop])
        while queue:
            for sup in self.superproperties.get(queue.popleft(), ()):
                if sup not in seen:
                    seen.append(sup)
                    queue.append(sup)
        return seen


def _named_values(graph: Graph, predicate: URIRef) -> dict[Node, set[URIRef]]:
    values: dict[Node, set[URIRef]] = defaultdict(set)
    for subject, value in graph.subject_objects(predicate):
        if isinstance(value, URIRef):
            values[subject].add(value)
    return values


def _disjoint_pairs(graph: Graph) -> dict[frozenset[URIRef], str]:
    """Every pair of named classes the ontology declares disjoint, with the axiom."""
    pairs: dict[frozenset[URIRef], str] = {}

    def add_all(members: list[Node], axiom: str) -> None:
        named = [m for m in members if isinstance(m, URIRef)]
        for index, first in enumerate(named):
            for second in named[index + 1 :]:
                pairs.setdefault(frozenset((first, second)), axiom)

    for one, other in graph.subject_objects(OWL.disjointWith):
        add_all([one, other], f"{_c(one)} owl:disjointWith {_c(other)}")
    for axiom_node in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        for members_list in graph.objects(axiom_node, OWL.members):
            members = list(Collection(graph, members_list))
            listed = ", ".join(_c(m) for m in members if isinstance(m, URIRef))
            add_all(members, f"owl:AllDisjointClasses of {listed}")
    for union_class, members_list in graph.subject_objects(OWL.disjointUnionOf):
        members = list(Collection(graph, members_list))
        add_all(members, f"owl:disjointUnionOf of {_c(union_class)}")
    return pairs


# --- typed individuals -------------------------------------------------------------


def _origin_types(graph: Graph, schema: _Schema) -> dict[URIRef, dict[URIRef, _Derivation]]:
    """For each individual, the types it has directly: asserted, or by domain and range."""
    origins: dict[URIRef, dict[URIRef, _Derivation]] = defaultdict(dict)

    def add(node: Node, cls: URIRef, reason: str) -> None:
        if isinstance(node, URIRef) and cls not in origins[node]:  # keep the first reason
            origins[node][cls] = _Derivation(cls, reason)

    for node, cls in graph.subject_objects(RDF.type):
        if isinstance(cls, URIRef) and (cls == OWL.Nothing or not _is_meta(cls)):
            add(node, cls, "stated")
    for subject, prop, value in graph:
        if prop not in schema.object_properties and prop not in schema.data_properties:
            continue
        for used in schema.property_and_ancestors(prop):
            shown = _c(used)
            for cls in schema.domains.get(used, ()):
                add(subject, cls, f"the subject of {shown}, whose domain is {_c(cls)}")
            for cls in schema.ranges.get(used, ()):
                add(value, cls, f"the object of {shown}, whose range is {_c(cls)}")
            for inverse in schema.inverses.get(used, ()):
                via = f"{shown} (the inverse of {_c(inverse)})"
                for cls in schema.domains.get(inverse, ()):
                    add(value, cls, f"the object of {via}, and {_c(inverse)} has domain {_c(cls)}")
                for cls in schema.ranges.get(inverse, ()):
                    add(
                        subject, cls, f"the subject of {via}, and {_c(inverse)} has range {_c(cls)}"
                    )
    return origins


class _Typing:
    """The derived types of every individual, computed on demand and kept."""

    def __init__(self, graph: Graph, schema: _Schema) -> None:
        self.schema = schema
        self.origins = _origin_types(graph, schema)
        self._types: dict[URIRef, dict[URIRef, _Derivation]] = {}

    def individuals(self) -> list[URIRef]:
        return sorted(self.origins)

    def types(self, individual: URIRef) -> dict[URIRef, _Derivation]:
        """All named types of one individual, each with the shortest derivation found."""
        if individual not in self._types:
            types: dict[URIRef, _Derivation] = {}
            origins = self.origins.get(individual, {})
            for origin in sorted(origins.values(), key=_origin_order):
                for cls, derivation in self.schema.ancestors(origin).items():
                    if cls not in types or _rank(derivation) < _rank(types[cls]):
                        types[cls] = derivation
            self._types[individual] = types
        return self._types[individual]


def _rank(derivation: _Derivation) -> tuple[int, int]:
    """Prefer derivations from stated types, then the shortest: the clearest to read."""
    chain = derivation.chain()
    return (0 if chain[0].reason == "stated" else 1, len(chain))


def _origin_order(derivation: _Derivation) -> tuple[int, str]:
    return (0 if derivation.reason == "stated" else 1, str(derivation.cls))


def _is_meta(cls: URIRef) -> bool:
    return str(cls).startswith(_META_NAMESPACES)


# --- the clash rules ---------------------------------------------------------------


def _disjoint_type_clashes(typed: _Typing) -> Iterator[Clash]:
    for individual in typed.individuals():
        types = typed.types(individual)
        if OWL.Nothing in types:
            yield Clash(
                (str(individual),),
                ("owl:Nothing",),
                f"{_c(individual)} is typed owl:Nothing, the class with no members",
            )
        reported: set[frozenset[URIRef]] = set()
        for pair, axiom in _sorted_pairs(typed.schema):
            first, second = sorted(pair)
            if first not in types or second not in types:
                continue
            one, other = types[first].chain()[0], types[second].chain()[0]
            key = frozenset((one.cls, other.cls))
            if key in reported:
                continue
            reported.add(key)
            yield _disjoint_clash(individual, types[first], types[second], axiom)


def _disjoint_clash(
    individual: URIRef, first: _Derivation, second: _Derivation, axiom: str
) -> Clash:
    one, other = first.chain()[0], second.chain()[0]
    if one.cls == other.cls:
        sentence = (
            f"{_c(individual)} is a {_c(one.cls)}, and {_c(one.cls)} cannot have members: "
            f"{_path(first)} and {_path(second)}, which the ontology declares disjoint"
        )
    else:
        sentence = (
            f"{_c(individual)} is both {_c(one.cls)} and {_c(other.cls)}, "
            "which the ontology declares disjoint"
        )
    details = [_why(one), _why(other)]
    if first.cls != one.cls:
        details.append(_path(first))
    if second.cls != other.cls:
        details.append(_path(second))
    details.append(f"{axiom} makes {_c(first.cls)} and {_c(second.cls)} disjoint")
    explanation = sentence + " (" + "; ".join(d for d in dict.fromkeys(details) if d) + ")"
    return Clash((str(individual),), (axiom,), explanation)


def _functional_object_clashes(graph: Graph, typed: _Typing) -> Iterator[Clash]:
    schema = typed.schema
    for prop in sorted(schema.functional & schema.object_properties):
        for subject, values in _values_by_subject(graph, prop).items():
            named = sorted(v for v in values if isinstance(v, URIRef))
            for index, first in enumerate(named):
                for second in named[index + 1 :]:
                    clash = _merged_values_clash(subject, prop, first, second, typed)
                    if clash is not None:
                        yield clash


def _merged_values_clash(
    subject: Node,
    prop: Node,
    first: URIRef,
    second: URIRef,
    typed: _Typing,
) -> Clash | None:
    first_types, second_types = typed.types(first), typed.types(second)
    for pair, axiom in _sorted_pairs(typed.schema):
        a, b = sorted(pair)
        for one, other in ((a, b), (b, a)):
            if one in first_types and other in second_types:
                explanation = (
                    f"{_c(subject)} has two {_c(prop)} values, {_c(first)} and {_c(second)}; "
                    f"{_c(prop)} is functional, so they would be one individual, but "
                    f"{_c(first)} is a {_c(first_types[one].chain()[0].cls)} and "
                    f"{_c(second)} a {_c(second_types[other].chain()[0].cls)}, "
                    f"which the ontology declares disjoint: {axiom}"
                )
                individuals = (str(subject), str(first), str(second))
                return Clash(
                    individuals, (f"{_c(prop)} a owl:FunctionalProperty", axiom), explanation
                )
    return None


def _functional_data_clashes(graph: Graph, schema: _Schema) -> Iterator[Clash]:
    for prop in sorted(schema.functional & schema.data_properties):
        for subject, values in sorted(_values_by_subject(graph, prop).items()):
            literals = [v for v in values if isinstance(v, Literal)]
            distinct = {_data_value(v): v for v in literals}
            if len(distinct) < 2:
                continue
            shown = ", ".join(_literal(v) for v in sorted(distinct.values(), key=str))
            yield Clash(
                (str(subject),),
                (f"{_c(prop)} a owl:FunctionalProperty",),
                f"{_c(subject)} has {len(distinct)} different {_c(prop)} values ({shown}), "
                f"but {_c(prop)} is functional: at most one value",
            )


def _datatype_range_clashes(graph: Graph, schema: _Schema) -> Iterator[Clash]:
    ranges = _named_values(graph, RDFS.range)
    for prop in sorted(schema.data_properties):
        for datatype in sorted(ranges.get(prop, ())):
            for subject, value in sorted(graph.subject_objects(prop)):
                if isinstance(value, Literal) and not literal_in_range(value, datatype):
                    yield Clash(
                        (str(subject),),
                        (f"{_c(prop)} rdfs:range {_c(datatype)}",),
                        f"{_c(subject)} has {_c(prop)} {_literal(value)}, which is not a "
                        f"{_c(datatype)} value (the range of {_c(prop)})",
                    )


def _sorted_pairs(schema: _Schema) -> list[tuple[frozenset[URIRef], str]]:
    return sorted(schema.disjoint.items(), key=lambda item: sorted(item[0]))


def _values_by_subject(graph: Graph, prop: Node) -> dict[Node, set[Node]]:
    values: dict[Node, set[Node]] = defaultdict(set)
    for subject, value in graph.subject_objects(prop):
        values[subject].add(value)
    return values


# --- literals -------------------------------------------------------------------------


def literal_in_range(value: Literal, datatype: URIRef) -> bool:
    """Whether a literal's value is in the value space of an OWL 2 datatype range.

    Only judges what it knows: a datatype outside the table (or rdfs:Literal) accepts
    everything, so the rule never reports a clash HermiT would not find.
    """
    if datatype in (RDFS.Literal, RDF.PlainLiteral):
        return datatype == RDFS.Literal or _family(value) in ("string", "language-tagged string")
    wanted = _FAMILIES.get(datatype)
    if wanted is None:
        return True
    if _family(value) != wanted:
        return False
    if datatype in _INTEGER_BOUNDS:
        number = _number(value)
        if number is None or number != number.to_integral_value():
            return False
        low, high = _INTEGER_BOUNDS[datatype]
        return (low is None or number >= low) and (high is None or number <= high)
    return True


def _family(value: Literal) -> str | None:
    if value.language:
        return "language-tagged string"
    return _FAMILIES.get(value.datatype or XSD.string)


def _number(value: Literal) -> Decimal | None:
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        return None


def _data_value(value: Literal) -> tuple[object, ...]:
    """A key equal for literals with the same value (``"3"`` and ``"03"`` integers)."""
    family = _family(value)
    if family == "number":
        number = _number(value)
        if number is not None:
            return (family, number)
    return (family, str(value), value.language)


def _literal(value: Literal) -> str:
    if value.language:
        return f'"{value}"@{value.language}'
    if value.datatype is None or value.datatype == XSD.string:
        return f'"{value}"'
    return f'"{value}"^^{_c(value.datatype)}'


# --- words ----------------------------------------------------------------------------


def _c(node: Node) -> str:
    return compact(str(node)) if isinstance(node, URIRef) else str(node)


def _why(origin: _Derivation) -> str:
    """Why an individual has one of its origin types, unless it is simply stated."""
    if origin.reason == "stated":
        return ""
    return f"it is a {_c(origin.cls)} because it is {origin.reason}"


def _path(derivation: _Derivation) -> str:
    """``sg:Commitment is a subclass of sg:EvidencedEntity via sg:Statement``."""
    chain = derivation.chain()
    if len(chain) == 1:
        return _c(chain[0].cls)
    through = [_c(step.cls) for step in chain[1:-1]]
    text = f"{_c(chain[0].cls)} is a subclass of {_c(chain[-1].cls)}"
    return text + (f" via {', '.join(through)}" if through else "")


def _with_files(clash: Clash, files_describing: FileLookup) -> Clash:
    files = sorted({path for iri in clash.individuals for path in files_describing(URIRef(iri))})
    if not files:
        return clash
    return Clash(clash.individuals, clash.axioms, f"{clash.explanation} [see {', '.join(files)}]")


def describe_clashes(clashes: Iterable[Clash], *, limit: int = 20) -> str:
    """The clashes as numbered lines for a person, at most ``limit`` of them."""
    listed = list(clashes)
    lines = [
        f"  {number}. {clash.explanation}" for number, clash in enumerate(listed[:limit], start=1)
    ]
    if len(listed) > limit:
        lines.append(f"  ... and {len(listed) - limit} more")
    return "\n".join(lines)
