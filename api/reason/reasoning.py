"""OWL reasoning: consistency with HermiT, the ``inferred`` graph with OWL 2 RL rules.

:func:`reason` is the build's reasoning step (:data:`api.build.pipeline.Reasoner`), the same at
every size:

- the ``inferred`` graph comes from the OWL 2 RL rules of :mod:`api.reason.materialiser`, run
  in the build's pyoxigraph store: the same triples HermiT infers for the constructs
  the ontology uses (``tests/test_materialiser.py``), in seconds at two million triples,
  where HermiT needs minutes and more than its 2 GB of memory;
- HermiT judges consistency, in a Java process running meanwhile: the schema (every
  class and property axiom, from whichever graph states it) is classified, so a class
  that can have no member is named; the whole graph (ontology, data, text layer) is
  checked for consistency up to :data:`HERMIT_DATA_LIMIT` triples. Above that, the
  data is checked by the rules instead (an individual in two disjoint classes or in
  owl:Nothing, two values of a functional data property), which is what the clash
  patterns of :mod:`api.reason.inconsistency` explain.

:func:`reason_with_hermit` is HermiT's own answer, the reference the rules are tested
against: it hands the ontology (both modules), the data and the text layer to HermiT,
and returns what HermiT entails that the files do not state:

- class memberships: every named class of every individual, the defined classes
  included (``sg:ConditionalCommitment``, ``sg:LedElement``), and the superclasses of
  its classes, so ``?x a sg:EvidencedEntity`` needs no ``rdfs:subClassOf*`` path;
- property assertions: inverses (``sg:hasPassage``, ``sg:hasPart``...), symmetric
  properties, transitive closures (``sg:partOf``, ``sg:entailsCondition``) and the
  property chain of ``sg:involves`` (``sg:hasParticipation`` o ``sg:participant``);
- class axioms HermiT finds that the ontology does not state (subclass, equivalence).

An inconsistent ontology raises :class:`InconsistentOntology` with the clashing
individuals and axioms in plain words (:mod:`api.reason.inconsistency`); a class that can have
no member raises :class:`UnsatisfiableClasses`; HermiT failing (out of memory, past its
time limit) raises :class:`ReasonerError`, which says so and is never reported as an
inconsistency. None ever shows a Java stack trace.

How HermiT is run. owlready2 ships HermiT and finds Java (``owlready2.JAVA_EXE``); its
``sync_reasoner_hermit`` writes the world as N-Triples and calls HermiT's command line.
We call the same command line on the same kind of file, written by rdflib, for two
measured reasons (``tests/benchmarks/test_reasoning_bench.py``):

1. owlready2 asks HermiT for the object and data property hierarchies too (``-O -D``)
   and runs the JVM with its defaults; asking only for the class hierarchy, the types
   and the property values (``-c -I -Y``), with a JVM tuned for a short run
   (:data:`JVM_OPTIONS`), is about twice as fast, and this runs on every build;
2. owlready2 keeps a property value only once per pair of inverse properties, and only
   the most specific types; reading HermiT's own output gives every entailed value in
   both directions, which is what the ``inferred`` graph is for.

HermiT never reaches the network: ``owl:imports`` triples are dropped (both ontology
modules are in the input already) and the input is a local file.
"""

import re
import shutil
import subprocess
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from api.core.errors import EXIT_FAILED, SgkgError
from api.core.layout import DATA, INFERRED, ONTOLOGY, SOURCES, graph_iri
from api.core.namespaces import bind_prefixes, compact
from api.load.dataset import LoadedDataset
from api.reason.inconsistency import (
    Clash,
    FileLookup,
    describe_clashes,
    disjoint_class_pairs,
    explain_unsatisfiable,
    find_clashes,
)
from api.reason.materialiser import compile_schema, read_schema
from api.reason.materialiser import materialise as run_rules
from api.reason.step import ReasoningInput
from api.store.base import Store
from api.store.results import SelectResult

#: The named graphs HermiT reasons over (shapes are SHACL, not OWL; inferred is output).
REASONED_GRAPHS = (ONTOLOGY, DATA, SOURCES)

#: HermiT's command line: classify classes (-c), realise individuals (-I), and list
#: the values of every object property (-Y).
HERMIT_MAIN = "org.semanticweb.HermiT.cli.CommandLine"
HERMIT_TASKS = ("-c", "-I", "-Y")

#: A short-lived JVM: the C1 compiler alone and the serial collector halve HermiT's CPU
#: time on this graph (a run is seconds; the C2 compiler never pays off).
JVM_OPTIONS = ("-Xmx2g", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")

#: Seconds before a HermiT run is given up.
HERMIT_TIMEOUT = 900

#: Up to this many triples in the reasoned graphs, HermiT checks them all for
#: consistency (``-k``; measured: 1.3 s on the shipped graph, 2.4 s at 100 synthetic
#: agreements, 15 s at 1,000, out of its 2 GB heap after 3.5 minutes at 10,000).
HERMIT_DATA_LIMIT = 100_000
#: HermiT's task for the whole graph (consistency) and for the schema (classification).
HERMIT_CONSISTENCY = ("-k",)
HERMIT_CLASSIFY = ("-c",)
#: How many clashing individuals the rules look for before they explain them.
RULE_CLASH_LIMIT = 20

_IRI = r"<([^>]*)>"
_AXIOM_LINE = re.compile(r"^(SubClassOf|EquivalentClasses|Type)\( ((?:<[^>]*>\s*)+)\)\s*$")
_PROPERTY_LINE = re.compile(r"^<([^>]*)> \(known instances:(.*?)\|\s*possible instances:")
_PAIR = re.compile(r"\(<([^>]*)>, <([^>]*)>\)")
_EXCEPTION = re.compile(r'^Exception in thread "main" ([\w.$]+)(?::\s*(.*))?$')
_NOTHING = str(OWL.Nothing)
_THING = str(OWL.Thing)


class ReasonerError(SgkgError):
    """HermiT could not run or could not read the input (exit code 2)."""


class InconsistentOntology(SgkgError):
    """HermiT found the ontology and data inconsistent (exit code 1).

    ``clashes`` holds what :func:`api.reason.inconsistency.find_clashes` recognised; it may be
    empty when the clash is of a kind it does not know.
    """

    exit_code = EXIT_FAILED

    def __init__(self, clashes: list) -> None:
        self.clashes = clashes
        if clashes:
            message = (
                f"the ontology and data are inconsistent (HermiT); {len(clashes)} "
                f"clash(es):\n{describe_clashes(clashes)}"
            )
        else:
            message = (
                "the ontology and data are inconsistent (HermiT), but the clash is none "
                "of the patterns sgkg explains (disjoint classes, domains and ranges, "
                "datatype ranges, functional properties). Open ontology/sgkg.ttl with the "
                "data in Protégé, run HermiT and use 'Explain inconsistent ontology', or "
                "undo the latest changes to ontology/ and data/ until it passes."
            )
        super().__init__(message)


class UnsatisfiableClasses(SgkgError):
    """The ontology has classes that can have no member (exit code 1)."""

    exit_code = EXIT_FAILED

    def __init__(self, classes: list[str], reasons: list[str]) -> None:
        self.classes = classes
        listed = "\n".join(f"  - {reason}" for reason in reasons)
        super().__init__(
            f"{len(classes)} class(es) of the ontology can have no member (HermiT):\n{listed}"
        )


@dataclass
class HermitOutput:
    """What HermiT's command line prints, as IRIs."""

    subclasses: list[tuple[str, str]] = field(default_factory=list)
    equivalences: list[tuple[str, ...]] = field(default_factory=list)
    types: list[tuple[str, str]] = field(default_factory=list)
    property_values: list[tuple[str, str, str]] = field(default_factory=list)

    def unsatisfiable(self) -> list[str]:
        """Named classes HermiT puts under owl:Nothing."""
        return sorted(
            {iri for group in self.equivalences if _NOTHING in group for iri in group} - {_NOTHING}
        )


def reason(given: ReasoningInput) -> dict[str, Any]:
    """The build's reasoning step: the rules fill ``graph/inferred`` while HermiT checks
    consistency; raises :class:`InconsistentOntology`, :class:`UnsatisfiableClasses` or
    :class:`ReasonerError`. Returns the record the manifest keeps."""
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


class _HermitCheck:
    """One HermiT run in its own Java process, started now, awaited by :meth:`finish`."""

    def __init__(self, folder: Path, name: str, triples: Iterable[ox.Triple], tasks: tuple) -> None:
        self.path = folder / f"{name}.nt"
        with self.path.open("wb") as output:
            ox.serialize(triples, output, format=ox.RdfFormat.N_TRIPLES)
        command = [_java(), *JVM_OPTIONS, "-cp", _hermit_classpath(), HERMIT_MAIN]
        try:
            self.process = subprocess.Popen(
                [*command, *tasks, self.path.resolve().as_uri()],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        except OSError as error:
            raise ReasonerError(f"cannot run Java for HermiT: {error.strerror}") from None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.communicate()

    def finish(self, files_describing: FileLookup) -> HermitOutput:
        """HermiT's output; raises what it found (an explanation needs the input as
        rdflib, which only failures read back)."""
        try:
            stdout, stderr = self.process.communicate(timeout=HERMIT_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.stop()
            raise ReasonerError(
                f"HermiT did not finish within {HERMIT_TIMEOUT} s, so consistency is "
                "unknown; build with --no-reason to skip it"
            ) from None
        completed = subprocess.CompletedProcess(self.process.args, self.process.returncode)
        completed.stdout, completed.stderr = stdout, stderr
        if completed.returncode == 0:
            output = parse_hermit_output(stdout.decode("utf-8", errors="replace"))
        else:
            graph = Graph().parse(self.path, format="nt")
            output = _hermit_result(completed, graph, files_describing)
        unsatisfiable = output.unsatisfiable()
        if unsatisfiable:
            graph = Graph().parse(self.path, format="nt")
            reasons = [explain_unsatisfiable(graph, URIRef(iri)) for iri in unsatisfiable]
            raise UnsatisfiableClasses(unsatisfiable, reasons)
        return output


def _start_checks(
    store: ox.Store, graphs: list[ox.NamedNode], schema: Graph, whole: bool, folder: Path
) -> list[_HermitCheck]:
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
        checks.append(_HermitCheck(folder, "whole", everything, HERMIT_CONSISTENCY))
    axioms = (ox.Triple(*(oxigraph_term(term) for term in triple)) for triple in schema)
    checks.append(_HermitCheck(folder, "schema", axioms, HERMIT_CLASSIFY))
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


def infer(asserted: Graph, *, files_describing: FileLookup | None = None) -> Graph:
    """Run HermiT on ``asserted`` and return the entailed triples it does not contain.

    Raises :class:`InconsistentOntology`, :class:`UnsatisfiableClasses` or
    :class:`ReasonerError`.
    """
    output = run_hermit(asserted, files_describing=files_describing)
    unsatisfiable = output.unsatisfiable()
    if unsatisfiable:
        reasons = [explain_unsatisfiable(asserted, URIRef(iri)) for iri in unsatisfiable]
        raise UnsatisfiableClasses(unsatisfiable, reasons)
    return materialise(asserted, output)


def run_hermit(
    graph: Graph,
    *,
    files_describing: FileLookup | None = None,
    tasks: tuple[str, ...] = HERMIT_TASKS,
) -> HermitOutput:
    """Write ``graph`` as N-Triples, run HermiT's ``tasks`` on it, and parse what it prints."""
    if (None, OWL.imports, None) in graph:
        graph = _without_imports(graph)
    with tempfile.TemporaryDirectory(prefix="sgkg-hermit-") as folder:
        path = Path(folder) / "input.nt"
        graph.serialize(destination=path, format="nt", encoding="utf-8")
        completed = _run_java(path, tasks)
    return _hermit_result(completed, graph, files_describing)


def _run_java(path: Path, tasks: tuple[str, ...]) -> subprocess.CompletedProcess[bytes]:
    command = [_java(), *JVM_OPTIONS, "-cp", _hermit_classpath(), HERMIT_MAIN]
    command += [*tasks, path.resolve().as_uri()]
    try:
        return subprocess.run(command, capture_output=True, timeout=HERMIT_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise ReasonerError(
            f"HermiT did not finish within {HERMIT_TIMEOUT} s, so consistency is unknown; "
            "build with --no-reason to skip it"
        ) from None
    except OSError as error:
        raise ReasonerError(f"cannot run Java for HermiT: {error.strerror}") from None


def _hermit_result(
    completed: subprocess.CompletedProcess[bytes],
    graph: Graph,
    files_describing: FileLookup | None,
) -> HermitOutput:
    """HermiT's output, or the error its exit says: an inconsistency only when HermiT's
    own exception is InconsistentOntologyException (its stack trace names that class in
    other failures too, such as running out of memory while checking consistency)."""
    stdout = completed.stdout.decode("utf-8", errors="replace")
    stderr = completed.stderr.decode("utf-8", errors="replace")
    if completed.returncode != 0:
        failure = _main_exception(stderr)
        if failure is not None and failure[0] == "InconsistentOntologyException":
            raise InconsistentOntology(find_clashes(graph, files_describing))
        raise ReasonerError(_java_failure(stderr or stdout, graph))
    return parse_hermit_output(stdout)


def hermit_entails(premise: Graph, conclusion: Iterable[tuple]) -> bool:
    """Whether HermiT finds the triples ``conclusion`` entailed by ``premise`` (its
    ``--checkEntailment``); the premise's declarations go with the conclusion, so its
    triples read as the same kind of axioms."""
    declared = Graph()
    for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty):
        for term in premise.subjects(RDF.type, kind):
            declared.add((term, RDF.type, kind))
    for triple in conclusion:
        declared.add(triple)
    with tempfile.TemporaryDirectory(prefix="sgkg-hermit-") as folder:
        files = {}
        for name, graph in (("premise", _without_imports(premise)), ("conclusion", declared)):
            files[name] = Path(folder) / f"{name}.nt"
            graph.serialize(destination=files[name], format="nt", encoding="utf-8")
        command = [_java(), *JVM_OPTIONS, "-cp", _hermit_classpath(), HERMIT_MAIN]
        command += [f"--{name}={path.resolve().as_uri()}" for name, path in files.items()]
        completed = subprocess.run(
            [*command, "--checkEntailment"], capture_output=True, timeout=HERMIT_TIMEOUT
        )
    answer = completed.stdout.decode("utf-8", errors="replace").split()
    if completed.returncode != 0 or not answer or answer[-1] not in ("true", "false"):
        raise ReasonerError(_java_failure(completed.stderr.decode("utf-8", "replace"), premise))
    return answer[-1] == "true"


def parse_hermit_output(text: str) -> HermitOutput:
    """Read HermiT's class hierarchy, types and property values (``-c -I -Y``)."""
    output = HermitOutput()
    for line in text.splitlines():
        axiom = _AXIOM_LINE.match(line)
        if axiom is not None:
            kind, iris = axiom.group(1), tuple(re.findall(_IRI, axiom.group(2)))
            if kind == "EquivalentClasses":
                output.equivalences.append(iris)
            elif len(iris) == 2:
                target = output.subclasses if kind == "SubClassOf" else output.types
                target.append((iris[0], iris[1]))
            continue
        values = _PROPERTY_LINE.match(line)
        if values is not None:
            prop = values.group(1)
            for subject, value in _PAIR.findall(values.group(2)):
                output.property_values.append((subject, prop, value))
    return output


def materialise(asserted: Graph, output: HermitOutput) -> Graph:
    """The triples HermiT's output entails that ``asserted`` does not contain."""
    inferred = bind_prefixes(Graph())
    superclasses = _superclass_map(output)
    for individual, cls in output.types:
        for named in _with_ancestors(cls, superclasses):
            inferred.add((URIRef(individual), RDF.type, URIRef(named)))
    for subject, prop, value in output.property_values:
        inferred.add((URIRef(subject), URIRef(prop), URIRef(value)))
    for sub, sup in output.subclasses:
        if _THING not in (sub, sup) and _NOTHING not in (sub, sup):
            inferred.add((URIRef(sub), RDFS.subClassOf, URIRef(sup)))
    for group in output.equivalences:
        named = [iri for iri in group if iri not in (_THING, _NOTHING)]
        for one in named:
            for other in named:
                if one != other:
                    inferred.add((URIRef(one), OWL.equivalentClass, URIRef(other)))
    for triple in list(inferred):
        if triple in asserted or _equivalence_asserted(asserted, triple):
            inferred.remove(triple)
    return inferred


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


# --- helpers -------------------------------------------------------------------------


def _without_imports(graph: Graph) -> Graph:
    """A copy of ``graph`` without ``owl:imports``, so nothing is ever fetched."""
    copy = Graph()
    for triple in graph:
        if triple[1] != OWL.imports:
            copy.add(triple)
    return copy


def _superclass_map(output: HermitOutput) -> dict[str, set[str]]:
    supers: dict[str, set[str]] = defaultdict(set)
    for sub, sup in output.subclasses:
        supers[sub].add(sup)
    for group in output.equivalences:
        for one in group:
            supers[one].update(other for other in group if other != one)
    return supers


def _with_ancestors(cls: str, supers: dict[str, set[str]]) -> set[str]:
    found, stack = set(), [cls]
    while stack:
        current = stack.pop()
        if current in found or current in (_THING, _NOTHING):
            continue
        found.add(current)
        stack.extend(supers.get(current, ()))
    return found


def _equivalence_asserted(asserted: Graph, triple: tuple) -> bool:
    subject, predicate, value = triple
    return predicate == OWL.equivalentClass and (value, predicate, subject) in asserted


def _count_lines(counts: dict[str, int]) -> list[str]:
    width = max((len(name) for name in counts), default=0)
    return [f"  {name:<{width}}  {count}" for name, count in counts.items()]


def _java() -> str:
    import owlready2  # imported here: only reasoning needs it, and it is slow to import

    java = shutil.which(owlready2.JAVA_EXE) or shutil.which("java")
    if java is None:
        raise ReasonerError(
            "HermiT needs Java and there is no `java` on PATH; install a Java runtime "
            "(`make system-deps` installs one)"
        )
    return java


def _hermit_classpath() -> str:
    """HermiT as owlready2 ships it: its folder (for owlready2's helper) and the jar."""
    import owlready2

    folder = Path(owlready2.__file__).resolve().parent / "hermit"
    jar = folder / "HermiT.jar"
    if not jar.is_file():
        raise ReasonerError(f"owlready2's HermiT.jar is missing ({jar}); reinstall owlready2")
    return f"{folder}:{jar}"


def _main_exception(text: str) -> tuple[str, str] | None:
    """The exception that ended HermiT (its class's simple name) and its message."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        match = _EXCEPTION.match(line.strip())
        if match is None:
            continue
        message = [match.group(2) or ""]
        for more in lines[index + 1 :]:
            if more.startswith("\tat ") or more.strip().startswith("at "):
                break
            message.append(more.strip())
        return match.group(1).rsplit(".", 1)[-1], " ".join(part for part in message if part)
    return None


def _java_failure(text: str, graph: Graph) -> str:
    """HermiT's error in one or two sentences, without the Java stack trace."""
    failure = _main_exception(text)
    if failure is not None:
        return _explain_java_exception(*failure, graph)
    lines = text.splitlines()
    last = next((line.strip() for line in reversed(lines) if line.strip()), "no output")
    return f"HermiT failed: {last}"


def _explain_java_exception(exception: str, detail: str, graph: Graph) -> str:
    if exception == "OutOfMemoryError":
        heap = next((o.removeprefix("-Xmx") for o in JVM_OPTIONS if o.startswith("-Xmx")), "?")
        return (
            f"HermiT ran out of memory (Java heap limit {heap}) on {len(graph)} triples "
            "before it could decide whether they are consistent: this is no inconsistency. "
            "HermiT is for the ontology and small graphs; build without it (--no-reason) "
            "or with the default reasoner, which checks large graphs with OWL 2 RL rules"
        )
    if exception == "UnsupportedDatatypeException":
        found = re.search(r"datatype '([^']+)'", detail)
        datatype = found.group(1) if found else "?"
        used = _uses_of_datatype(graph, datatype)
        return (
            f"HermiT cannot reason over literals of datatype {compact(datatype)}, which is "
            "not in the OWL 2 datatype map (https://www.w3.org/TR/owl2-syntax/#Datatype_Maps)"
            f"{used}. Use a datatype of the map (xsd:string, xsd:integer, xsd:dateTime...) "
            "or make the property an annotation property."
        )
    if exception == "MalformedLiteralException":
        return f"HermiT cannot read a literal: {detail}. Fix its lexical form or datatype."
    return f"HermiT failed ({exception}): {detail}"


def _uses_of_datatype(graph: Graph, datatype: str, limit: int = 5) -> str:
    annotation = set(graph.subjects(RDF.type, OWL.AnnotationProperty))
    uses = sorted(
        f"{compact(str(s))} {compact(str(p))}"
        for s, p, o in graph
        if getattr(o, "datatype", None) is not None
        and str(o.datatype) == datatype
        and p not in annotation
    )
    if not uses:
        return ""
    more = f" and {len(uses) - limit} more" if len(uses) > limit else ""
    return f"; used by {', '.join(uses[:limit])}{more}"
