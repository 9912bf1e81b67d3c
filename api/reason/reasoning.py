"""The build's reasoning step: the ``inferred`` graph from OWL 2 RL rules, consistency
judged by HermiT.

:func:`reason` is the build's reasoning step (:data:`api.build.pipeline.Reasoner`), the
same at every size:

- the ``inferred`` graph comes from the OWL 2 RL rules of :mod:`api.reason.materialiser`,
  run in the build's pyoxigraph store: the same triples HermiT infers for the constructs
  the ontology uses (``tests/test_materialiser.py``), in seconds at two million triples,
  where HermiT needs minutes and more than its 2 GB of memory;
- HermiT (:mod:`api.reason.hermit`) judges consistency, in a Java process running
  meanwhile: the schema (every class and property axiom, from whichever graph states
  it) is classified, so a class that can have no member is named; the whole graph
  (ontology, data, text layer) is checked for consistency up to
  :data:`HERMIT_DATA_LIMIT` triples. Above that, the data is checked by the rules
  instead (an individual in two disjoint classes or in owl:Nothing, two values of a
  functional data property), which is what the clash patterns of
  :mod:`api.reason.inconsistency` explain.

:func:`reason_with_hermit` is HermiT's own answer, the reference the rules are tested
against: it hands the ontology (both modules), the data and the text layer to HermiT,
and returns what HermiT entails that the files do not state. :func:`inferred_summary`
counts what the built ``inferred`` graph holds, for ``sgkg reason``.
"""

import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import OWL, RDF, RDFS

from api.core.errors import SgkgError
from api.core.layout import DATA, INFERRED, ONTOLOGY, SOURCES, graph_iri
from api.core.namespaces import compact
from api.load.dataset import LoadedDataset
from api.reason.hermit import (
    HERMIT_CLASSIFY,
    HERMIT_CONSISTENCY,
    HermitCheck,
    InconsistentOntology,
    infer,
)
from api.reason.inconsistency import Clash, FileLookup, disjoint_class_pairs, find_clashes
from api.reason.materialiser.compiler import compile_schema, read_schema
from api.reason.materialiser.fixpoint import materialise as run_rules
from api.reason.step import ReasoningInput
from api.store.base import Store
from api.store.results import SelectResult

#: The named graphs HermiT reasons over (shapes are SHACL, not OWL; inferred is output).
REASONED_GRAPHS = (ONTOLOGY, DATA, SOURCES)

#: Up to this many triples in the reasoned graphs, HermiT checks them all for
#: consistency (``-k``; measured: 1.3 s on the shipped graph, 2.4 s at 100 synthetic
#: agreements, 15 s at 1,000, out of its 2 GB heap after 3.5 minutes at 10,000).
HERMIT_DATA_LIMIT = 100_000
#: How many clashing individuals the rules look for before they explain them.
RULE_CLASH_LIMIT = 20


def reason(given: ReasoningInput) -> dict[str, Any]:
    """The build's reasoning step: the rules fill ``graph/inferred`` while HermiT checks
    consistency; raises :class:`~api.reason.hermit.InconsistentOntology`,
    :class:`~api.reason.hermit.UnsatisfiableClasses` or
    :class:`~api.reason.hermit.ReasonerError`. Returns the record the manifest keeps."""
    store = given.store
    graphs = [ox.NamedNode(str(graph_iri(name))) for name in REASONED_GRAPHS]
    inferred = ox.NamedNode(str(graph_iri(INFERRED)))
    schema = read_schema(store, graphs)
    triples = sum(_graph_size(store, graph) for graph in graphs)
    whole = triples <= HERMIT_DATA_LIMIT
    with tempfile.TemporaryDirectory(prefix="sgkg-hermit-") as folder:
        checks = _start_checks(store, graphs, schema, whole, Path(folder))
        try:
            materialised = run_rules(store, graphs, inferred, compile_schema(schema))
        except BaseException:
            for check in checks:
                check.stop()
            raise
        for check in checks:
            check.finish(given.files_describing)
    if whole:
        consistency = "HermiT: ontology, data and text layer"
    else:
        _raise_rule_clashes(store, graphs, inferred, schema, given.files_describing)
        consistency = (
            f"HermiT: the schema; OWL 2 RL rules: the data ({triples} triples, over "
            f"HermiT's limit of {HERMIT_DATA_LIMIT})"
        )
    return {
        "engine": "OWL 2 RL rules (api.reason.materialiser)",
        "complete": materialised.complete,
        "unsupported": list(materialised.unsupported),
        "consistency": consistency,
        "inferred_triples": materialised.triples,
        "rules": materialised.rules,
        "rule_runs": materialised.runs,
        "rules_seconds": round(materialised.seconds, 3),
    }


def _start_checks(
    store: ox.Store, graphs: list[ox.NamedNode], schema: Graph, whole: bool, folder: Path
) -> list[HermitCheck]:
    """HermiT on the whole graph (when small enough), and on the schema: both at once."""
    from api.load.bulkload import oxigraph_term

    checks = []
    if whole:
        imports = ox.NamedNode(str(OWL.imports))
        everything = (
            ox.Triple(q.subject, q.predicate, q.object)
            for graph in graphs
            for q in store.quads_for_pattern(None, None, None, graph)
            if q.predicate != imports
        )
        checks.append(HermitCheck(folder, "whole", everything, HERMIT_CONSISTENCY))
    axioms = (ox.Triple(*(oxigraph_term(term) for term in triple)) for triple in schema)
    checks.append(HermitCheck(folder, "schema", axioms, HERMIT_CLASSIFY))
    return checks


def _raise_rule_clashes(
    store: ox.Store,
    graphs: list[ox.NamedNode],
    inferred: ox.NamedNode,
    schema: Graph,
    files_describing: FileLookup,
) -> None:
    """The data's clashes the rules can see (after materialising): individuals in two
    disjoint classes or in owl:Nothing, two values of a functional data property;
    explained by :mod:`api.reason.inconsistency` from the triples around them."""
    suspects = _rule_suspects(store, [*graphs, inferred], schema)
    if not suspects:
        return
    around = Graph()
    for triple in schema:
        around.add(triple)
    from api.store.base import rdflib_term

    for iri in suspects:
        node = ox.NamedNode(iri)
        for graph in graphs:
            for quad in [
                *store.quads_for_pattern(node, None, None, graph),
                *store.quads_for_pattern(None, None, node, graph),
            ]:
                around.add(
                    tuple(rdflib_term(t) for t in (quad.subject, quad.predicate, quad.object))
                )
    clashes = find_clashes(around, files_describing) or [
        Clash((iri,), (), f"{compact(iri)} clashes with the ontology (OWL 2 RL rules)")
        for iri in suspects
    ]
    raise InconsistentOntology(clashes)


def _rule_suspects(store: ox.Store, graphs: list[ox.NamedNode], schema: Graph) -> list[str]:
    pairs = " ".join(f"(<{a}> <{b}>)" for a, b in disjoint_class_pairs(schema))
    functional = sorted(
        set(schema.subjects(RDF.type, OWL.FunctionalProperty))
        & set(schema.subjects(RDF.type, OWL.DatatypeProperty))
    )
    parts = [f"{{ ?x a <{OWL.Nothing}> }}"]
    if pairs:
        parts.append(f"{{ VALUES (?a ?b) {{ {pairs} }} ?x a ?a . ?x a ?b }}")
    if functional:
        listed = " ".join(f"<{p}>" for p in functional)
        parts.append(f"{{ VALUES ?p {{ {listed} }} ?x ?p ?one, ?two FILTER(?one != ?two) }}")
    query = f"SELECT DISTINCT ?x WHERE {{ {' UNION '.join(parts)} FILTER(isIRI(?x)) }}"
    solutions = store.query(f"{query} LIMIT {RULE_CLASH_LIMIT}", default_graph=graphs)
    return sorted(solution["x"].value for solution in solutions)


def _graph_size(store: ox.Store, graph: ox.NamedNode) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph.value}> {{ ?s ?p ?o }} }}"
    return int(next(iter(store.query(query)))["n"].value)


def reason_with_hermit(loaded: LoadedDataset) -> Graph:
    """HermiT's inferences: the triples it entails beyond the asserted ones (the
    reference the rules of :func:`reason` are measured and tested against)."""
    return infer(reasoning_input(loaded), files_describing=loaded.files_describing)


def reasoning_input(loaded: LoadedDataset) -> Graph:
    """Ontology, data and text layer in one graph, without ``owl:imports``."""
    graph = loaded.union(*REASONED_GRAPHS)
    graph.remove((None, OWL.imports, None))
    return graph


@dataclass(frozen=True)
class InferenceSummary:
    """Counts of what the ``inferred`` graph holds, for ``sgkg reason``."""

    triples: int
    class_memberships: dict[str, int]
    property_assertions: dict[str, int]
    class_axioms: int
    #: who judged consistency, and on what
    checked_by: str = "HermiT"

    def to_json(self) -> dict:
        return {
            "consistent": True,
            "checked_by": self.checked_by,
            "triples": self.triples,
            "class_memberships": self.class_memberships,
            "property_assertions": self.property_assertions,
            "class_axioms": self.class_axioms,
        }

    def to_text(self) -> str:
        lines = [f"consistent: yes ({self.checked_by})", f"inferred triples: {self.triples}"]
        lines.append(f"class memberships: {sum(self.class_memberships.values())}")
        lines += _count_lines(self.class_memberships)
        lines.append(f"property assertions: {sum(self.property_assertions.values())}")
        lines += _count_lines(self.property_assertions)
        lines.append(f"class axioms: {self.class_axioms}")
        return "\n".join(lines) + "\n"


def summarise(inferred: Iterable[tuple]) -> InferenceSummary:
    """Count inferred triples by class (memberships) and by property (assertions)."""
    memberships: dict[str, int] = defaultdict(int)
    properties: dict[str, int] = defaultdict(int)
    axioms = total = 0
    for _, predicate, value in inferred:
        total += 1
        if predicate == RDF.type:
            memberships[compact(str(value))] += 1
        elif predicate in (RDFS.subClassOf, OWL.equivalentClass):
            axioms += 1
        else:
            properties[compact(str(predicate))] += 1
    return InferenceSummary(
        triples=total,
        class_memberships=dict(sorted(memberships.items())),
        property_assertions=dict(sorted(properties.items())),
        class_axioms=axioms,
    )


def inferred_summary(store: Store, reasoning: dict[str, Any] | None = None) -> InferenceSummary:
    """Count what the built ``inferred`` graph holds, through the store; ``reasoning``
    (the manifest's record) says who checked consistency."""
    sparql = f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph_iri(INFERRED)}> {{ ?s ?p ?o }} }}"
    result = store.query(sparql)
    if not isinstance(result, SelectResult):
        raise SgkgError(f"the store answered a SELECT with {type(result).__name__}")
    summary = summarise(result.rows)
    if reasoning and reasoning.get("consistency"):
        summary = replace(summary, checked_by=reasoning["consistency"])
    return summary


def _count_lines(counts: dict[str, int]) -> list[str]:
    width = max((len(name) for name in counts), default=0)
    return [f"  {name:<{width}}  {count}" for name, count in counts.items()]
