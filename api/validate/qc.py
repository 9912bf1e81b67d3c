"""Ontology quality report, in the spirit of ROBOT ``report``.

It reads the ontology graph (both modules), and the data, sources and shapes graphs for
the rule on undeclared terms. Terms are classes and properties; "own" terms are those in
the ``sg:`` namespace, and the label and definition rules also cover the external terms
the ontology declares (``org:Organization``, ``dcterms:title``...), since Protégé and
pyLODE show those too. Each rule is a small function yielding ``(subject, detail)``;
:data:`RULES` gives each its name and level. Any ERROR makes ``sgkg qc`` exit 1.

=====  ===============================  ===============================================
level  rule                             fires for
=====  ===============================  ===============================================
ERROR  missing_label                    a term without ``rdfs:label``
ERROR  multiple_english_labels          a term with more than one ``@en`` label
ERROR  duplicate_label                  one label (case-insensitive) on two or more terms
ERROR  label_whitespace                 a label with leading, trailing or double spaces
ERROR  missing_definition               a term without ``skos:definition``
ERROR  ontology_missing_title           an ``owl:Ontology`` without ``dcterms:title``
ERROR  ontology_missing_description     ... without ``dcterms:description``
ERROR  ontology_license                 ... without ``dcterms:license``, or not an IRI
ERROR  ontology_missing_creator         ... without ``dcterms:creator``
ERROR  ontology_version_iri             ... without ``owl:versionIRI``, or equal to its IRI
ERROR  undeclared_term                  an ``sg:`` IRI used in data or shapes (predicate,
                                        ``rdf:type`` object, ``sh:path``, ``sh:class``,
                                        ``sh:targetClass``...) the ontology does not declare
ERROR  property_kind_clash              one IRI declared as two of object, datatype and
                                        annotation property (illegal punning in OWL 2 DL)
ERROR  concept_without_scheme           a ``skos:Concept`` in no ``skos:ConceptScheme``
WARN   object_property_domain_range     an ``sg:`` object property without domain or range
WARN   datatype_property_domain_range   an ``sg:`` datatype property without domain or range
WARN   orphan_class                     an ``sg:`` class with neither a named superclass
                                        nor subclasses: not placed in the hierarchy (say
                                        ``rdfs:subClassOf owl:Thing`` for a top-level one)
WARN   ontology_missing_version_info    ... without ``owl:versionInfo``
WARN   ontology_missing_prefix          ... without ``vann:preferredNamespacePrefix``
WARN   ontology_missing_namespace       ... without ``vann:preferredNamespaceUri``
WARN   ontology_missing_created         ... without ``dcterms:created``
WARN   ontology_missing_citation        ... without ``dcterms:bibliographicCitation``
INFO   missing_usage_note               an ``sg:`` term without ``rdfs:comment``,
                                        ``skos:example`` or ``skos:scopeNote``
INFO   missing_is_defined_by            an ``sg:`` term without ``rdfs:isDefinedBy``
                                        (pyLODE and FOOPS! use it to group terms)
=====  ===============================  ===============================================
"""

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS, XSD
from rdflib.term import Node

from api.core.layout import DATA, ONTOLOGY, SHAPES, SOURCES
from api.core.namespaces import SG, VANN, compact
from api.load.dataset import LoadedDataset

ERROR = "ERROR"
WARN = "WARN"
INFO = "INFO"
LEVELS = (ERROR, WARN, INFO)
QC_FORMATS = ("table", "json")

CLASS_TYPES = (OWL.Class, RDFS.Class)
PROPERTY_KINDS = {
    OWL.ObjectProperty: "object property",
    OWL.DatatypeProperty: "datatype property",
    OWL.AnnotationProperty: "annotation property",
}
TERM_TYPES = (*CLASS_TYPES, *PROPERTY_KINDS, RDF.Property, RDFS.Datatype)
#: Built-in vocabularies: never "owned", even when (re)declared.
BUILT_IN = (str(RDF), str(RDFS), str(OWL), str(XSD))
#: Shape predicates whose values name classes or properties.
SHAPE_TERM_PREDICATES = (
    SH["class"],
    SH.targetClass,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
)
USAGE_NOTES = (RDFS.comment, SKOS.example, SKOS.scopeNote)


@dataclass(frozen=True)
class QcInput:
    """The graphs the rules read."""

    ontology: Graph
    data: Graph  # data + sources
    shapes: Graph


@dataclass(frozen=True)
class Issue:
    level: str
    rule: str
    subject: Node
    detail: str


Check = Callable[[QcInput], Iterable[tuple[Node, str]]]


@dataclass(frozen=True)
class Rule:
    name: str
    level: str
    check: Check


# --- which terms the rules look at ---------------------------------------------------


def declared_terms(ontology: Graph) -> set[URIRef]:
    """Every IRI the ontology declares as a class, property or datatype."""
    return {
        term
        for kind in TERM_TYPES
        for term in ontology.subjects(RDF.type, kind)
        if isinstance(term, URIRef)
    }


def own_terms(ontology: Graph) -> list[URIRef]:
    """Declared terms in the sg: namespace."""
    return sorted(t for t in declared_terms(ontology) if t.startswith(str(SG)))


def labelled_terms(ontology: Graph) -> list[URIRef]:
    """Terms the label and definition rules cover: own terms plus declared externals."""
    return sorted(t for t in declared_terms(ontology) if not str(t).startswith(BUILT_IN))


def ontologies(ontology: Graph) -> list[Node]:
    return sorted(ontology.subjects(RDF.type, OWL.Ontology), key=str)


def _is_english(label: Node) -> bool:
    language = label.language if isinstance(label, Literal) else None
    return bool(language) and (language.lower() == "en" or language.lower().startswith("en-"))


# --- ERROR rules -----------------------------------------------------------------------


def missing_label(qc: QcInput) -> Iterator[tuple[Node, str]]:
    for term in labelled_terms(qc.ontology):
        if qc.ontology.value(term, RDFS.label) is None:
            yield term, "no rdfs:label"


def multiple_english_labels(qc: QcInput) -> Iterator[tuple[Node, str]]:
    for term in labelled_terms(qc.ontology):
        english = sorted(str(x) for x in qc.ontology.objects(term, RDFS.label) if _is_english(x))
        if len(english) > 1:
            yield term, f"{len(english)} English labels: " + ", ".join(map(repr, english))


def duplicate_label(qc: QcInput) -> Iterator[tuple[Node, str]]:
    owners: dict[tuple[str, str], set[URIRef]] = defaultdict(set)
    for term in labelled_terms(qc.ontology):
        for label in qc.ontology.objects(term, RDFS.label):
            language = label.language if isinstance(label, Literal) else None
            key = (" ".join(str(label).split()).casefold(), (language or "").lower())
            owners[key].add(term)
    for (text, _), terms in sorted(owners.items()):
        if len(terms) > 1:
            names = ", ".join(compact(str(t)) for t in sorted(terms))
            yield sorted(terms)[0], f"label {text!r} is shared by {names}"


def label_whitespace(qc: QcInput) -> Iterator[tuple[Node, str]]:
    for term in labelled_terms(qc.ontology):
        for label in qc.ontology.objects(term, RDFS.label):
            text = str(label)
            if text != text.strip() or " ".join(text.split()) != text:
                yield term, f"label {text!r} has leading, trailing or repeated whitespace"


def missing_definition(qc: QcInput) -> Iterator[tuple[Node, str]]:
    for term in labelled_terms(qc.ontology):
        if qc.ontology.value(term, SKOS.definition) is None:
            yield term, "no skos:definition"


def _ontologies_without(qc: QcInput, predicate: URIRef) -> Iterator[tuple[Node, str]]:
    for ontology in ontologies(qc.ontology):
        if qc.ontology.value(ontology, predicate) is None:
            yield ontology, f"ontology header has no {compact(str(predicate))}"


def ontology_missing_title(qc: QcInput) -> Iterator[tuple[Node, str]]:
    return _ontologies_without(qc, DCTERMS.title)


def ontology_missing_description(qc: QcInput) -> Iterator[tuple[Node, str]]:
    return _ontologies_without(qc, DCTERMS.description)


def ontology_license(qc: QcInput) -> Iterator[tuple[Node, str]]:
    yield from _ontologies_without(qc, DCTERMS.license)
    for ontology in ontologies(qc.ontology):
        for license_ in qc.ontology.objects(ontology, DCTERMS.license):
            if not isinstance(license_, URIRef):
                yield ontology, f"dcterms:license must be an IRI, not {license_.n3()}"


def ontology_missing_creator(qc: QcInput) -> Iterator[tuple[Node, str]]:
    return _ontologies_without(qc, DCTERMS.creator)


def ontology_version_iri(qc: QcInput) -> Iterator[tuple[Node, str]]:
    yield from _ontologies_without(qc, OWL.versionIRI)
    for ontology in ontologies(qc.ontology):
        if qc.ontology.value(ontology, OWL.versionIRI) == ontology:
            yield ontology, "owl:versionIRI must differ from the ontology IRI"


def undeclared_term(qc: QcInput) -> Iterator[tuple[Node, str]]:
    declared = {s for s in qc.ontology.subjects(RDF.type, None) if isinstance(s, URIRef)}
    uses: dict[URIRef, set[str]] = defaultdict(set)
    for graph_label, graph in (("data", qc.data), ("shapes", qc.shapes)):
        for term, role in _term_uses(graph):
            if term.startswith(str(SG)) and term not in declared:
                uses[term].add(f"{role} in {graph_label}")
    for term in sorted(uses):
        yield term, "not declared in the ontology; used as " + ", ".join(sorted(uses[term]))


def _term_uses(graph: Graph) -> Iterator[tuple[URIRef, str]]:
    """(IRI, role) for every predicate, class and shape path/class/target in ``graph``."""
    for predicate in set(graph.predicates()):
        yield predicate, "predicate"
    for cls in set(graph.objects(None, RDF.type)):
        if isinstance(cls, URIRef):
            yield cls, "rdf:type object"
    for path in set(graph.objects(None, SH.path)):
        for term in _path_iris(graph, path):
            yield term, "sh:path"
    for predicate in SHAPE_TERM_PREDICATES:
        for term in set(graph.objects(None, predicate)):
            if isinstance(term, URIRef):
                yield term, compact(str(predicate))


def _path_iris(graph: Graph, path: Node) -> Iterator[URIRef]:
    """The IRIs in a SHACL property path, however nested."""
    if isinstance(path, URIRef):
        yield path
    elif isinstance(path, BNode):
        if graph.value(path, RDF.first) is not None:
            for step in Collection(graph, path):
                yield from _path_iris(graph, step)
        for _, inner in graph.predicate_objects(path):
            if inner != path:
                yield from _path_iris(graph, inner)


def property_kind_clash(qc: QcInput) -> Iterator[tuple[Node, str]]:
    kinds: dict[URIRef, list[str]] = defaultdict(list)
    for kind, label in PROPERTY_KINDS.items():
        for prop in qc.ontology.subjects(RDF.type, kind):
            if isinstance(prop, URIRef):
                kinds[prop].append(label)
    for prop in sorted(kinds):
        if len(kinds[prop]) > 1:
            yield prop, "declared as " + " and ".join(kinds[prop]) + " (illegal punning)"


def concept_without_scheme(qc: QcInput) -> Iterator[tuple[Node, str]]:
    for graph in (qc.ontology, qc.data):
        for concept in sorted(set(graph.subjects(RDF.type, SKOS.Concept)), key=str):
            in_scheme = any(
                (
                    graph.value(concept, SKOS.inScheme) is not None,
                    graph.value(concept, SKOS.topConceptOf) is not None,
                    graph.value(predicate=SKOS.hasTopConcept, object=concept) is not None,
                )
            )
            if not in_scheme:
                yield concept, "skos:Concept without skos:inScheme or skos:topConceptOf"


# --- WARN rules ------------------------------------------------------------------------


def _properties_without_domain_or_range(qc: QcInput, kind: URIRef) -> Iterator[tuple[Node, str]]:
    for prop in own_terms(qc.ontology):
        if (prop, RDF.type, kind) not in qc.ontology:
            continue
        missing = [
            name
            for name, predicate in (("rdfs:domain", RDFS.domain), ("rdfs:range", RDFS.range))
            if qc.ontology.value(prop, predicate) is None
        ]
        if missing:
            yield prop, "no " + " and no ".join(missing)


def object_property_domain_range(qc: QcInput) -> Iterator[tuple[Node, str]]:
    return _properties_without_domain_or_range(qc, OWL.ObjectProperty)


def datatype_property_domain_range(qc: QcInput) -> Iterator[tuple[Node, str]]:
    return _properties_without_domain_or_range(qc, OWL.DatatypeProperty)


ORPHAN_DETAIL = (
    "no named superclass and no subclasses: place it in the hierarchy "
    "(rdfs:subClassOf owl:Thing if it is a top-level class)"
)


def orphan_class(qc: QcInput) -> Iterator[tuple[Node, str]]:
    for cls in own_terms(qc.ontology):
        if not any((cls, RDF.type, kind) in qc.ontology for kind in CLASS_TYPES):
            continue
        parents = [p for p in qc.ontology.objects(cls, RDFS.subClassOf) if isinstance(p, URIRef)]
        children = list(qc.ontology.subjects(RDFS.subClassOf, cls))
        if not parents and not children:
            yield cls, ORPHAN_DETAIL


def ontology_missing_version_info(qc: QcInput) -> Iterator[tuple[Node, str]]:
    return _ontologies_without(qc, OWL.versionInfo)


def ontology_missing_prefix(qc: QcInput) -> Iterator[tuple[Node, str]]:
    return _ontologies_without(qc, VANN.preferredNamespacePrefix)


def ontology_missing_namespace(qc: QcInput) -> Iterator[tuple[Node, str]]:
    return _ontologies_without(qc, VANN.preferredNamespaceUri)


def ontology_missing_created(qc: QcInput) -> Iterator[tuple[Node, str]]:
    return _ontologies_without(qc, DCTERMS.created)


def ontology_missing_citation(qc: QcInput) -> Iterator[tuple[Node, str]]:
    return _ontologies_without(qc, DCTERMS.bibliographicCitation)


# --- INFO rules ------------------------------------------------------------------------


def missing_usage_note(qc: QcInput) -> Iterator[tuple[Node, str]]:
    for term in own_terms(qc.ontology):
        if not any(qc.ontology.value(term, note) is not None for note in USAGE_NOTES):
            yield term, "no rdfs:comment, skos:example or skos:scopeNote to show its use"


def missing_is_defined_by(qc: QcInput) -> Iterator[tuple[Node, str]]:
    for term in own_terms(qc.ontology):
        if qc.ontology.value(term, RDFS.isDefinedBy) is None:
            yield term, "no rdfs:isDefinedBy (the ontology module that defines it)"


RULES: tuple[Rule, ...] = (
    Rule("missing_label", ERROR, missing_label),
    Rule("multiple_english_labels", ERROR, multiple_english_labels),
    Rule("duplicate_label", ERROR, duplicate_label),
    Rule("label_whitespace", ERROR, label_whitespace),
    Rule("missing_definition", ERROR, missing_definition),
    Rule("ontology_missing_title", ERROR, ontology_missing_title),
    Rule("ontology_missing_description", ERROR, ontology_missing_description),
    Rule("ontology_license", ERROR, ontology_license),
    Rule("ontology_missing_creator", ERROR, ontology_missing_creator),
    Rule("ontology_version_iri", ERROR, ontology_version_iri),
    Rule("undeclared_term", ERROR, undeclared_term),
    Rule("property_kind_clash", ERROR, property_kind_clash),
    Rule("concept_without_scheme", ERROR, concept_without_scheme),
    Rule("object_property_domain_range", WARN, object_property_domain_range),
    Rule("datatype_property_domain_range", WARN, datatype_property_domain_range),
    Rule("orphan_class", WARN, orphan_class),
    Rule("ontology_missing_version_info", WARN, ontology_missing_version_info),
    Rule("ontology_missing_prefix", WARN, ontology_missing_prefix),
    Rule("ontology_missing_namespace", WARN, ontology_missing_namespace),
    Rule("ontology_missing_created", WARN, ontology_missing_created),
    Rule("ontology_missing_citation", WARN, ontology_missing_citation),
    Rule("missing_usage_note", INFO, missing_usage_note),
    Rule("missing_is_defined_by", INFO, missing_is_defined_by),
)


# --- running and printing --------------------------------------------------------------


def qc_input(loaded: LoadedDataset) -> QcInput:
    return QcInput(
        ontology=loaded.union(ONTOLOGY),
        data=loaded.union(DATA, SOURCES),
        shapes=loaded.union(SHAPES),
    )


def run_qc(qc: QcInput, rules: Iterable[Rule] = RULES) -> list[Issue]:
    """Every issue of every rule, errors first."""
    issues = [
        Issue(rule.level, rule.name, subject, detail)
        for rule in rules
        for subject, detail in rule.check(qc)
    ]
    issues.sort(key=lambda i: (LEVELS.index(i.level), i.rule, str(i.subject)))
    return issues


def has_errors(issues: Iterable[Issue]) -> bool:
    return any(issue.level == ERROR for issue in issues)


def render_issues(issues: list[Issue], fmt: str = "table") -> str:
    if fmt == "json":
        return render_json(issues)
    if fmt == "table":
        return render_table(issues)
    raise ValueError(f"unknown QC format {fmt!r}; expected one of {QC_FORMATS}")


def render_table(issues: list[Issue]) -> str:
    header = ("LEVEL", "RULE", "SUBJECT", "DETAIL")
    rows = [(i.level, i.rule, _show(i.subject), i.detail) for i in issues]
    widths = [max([len(h)] + [len(r[n]) for r in rows]) for n, h in enumerate(header[:3])]
    lines = [_row(header, widths)]
    lines.extend(_row(row, widths) for row in rows)
    lines.append(_summary(issues))
    return "\n".join(lines) + "\n"


def render_json(issues: list[Issue]) -> str:
    payload = {
        "counts": {level: sum(1 for i in issues if i.level == level) for level in LEVELS},
        "issues": [
            {"level": i.level, "rule": i.rule, "subject": _json_node(i.subject), "detail": i.detail}
            for i in issues
        ],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def _row(cells: tuple[str, ...], widths: list[int]) -> str:
    fixed = [cell.ljust(width) for cell, width in zip(cells[:3], widths, strict=True)]
    return "  ".join([*fixed, cells[3]]).rstrip()


def _summary(issues: list[Issue]) -> str:
    counts = {level: sum(1 for i in issues if i.level == level) for level in LEVELS}
    return f"{counts[ERROR]} error(s), {counts[WARN]} warning(s), {counts[INFO]} info(s)"


def _show(node: Node) -> str:
    return compact(str(node)) if isinstance(node, URIRef) else f"_:{node}"


def _json_node(node: Node) -> str:
    return str(node) if isinstance(node, URIRef) else f"_:{node}"
