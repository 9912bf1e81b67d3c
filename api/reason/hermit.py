"""HermiT, run as a Java process: its command line, its output, its failures.

HermiT is complete for OWL 2 DL; the build runs it to judge consistency
(:mod:`api.reason.reasoning`), and the tests run it as the reference the OWL 2 RL rules
(:mod:`api.reason.materialiser`) are checked against. :func:`infer` returns what HermiT
entails that the input does not state:

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
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from api.core.errors import EXIT_FAILED, SgkgError
from api.core.namespaces import bind_prefixes, compact
from api.reason.inconsistency import (
    FileLookup,
    describe_clashes,
    explain_unsatisfiable,
    find_clashes,
)

#: HermiT's command line: classify classes (-c), realise individuals (-I), and list
#: the values of every object property (-Y).
HERMIT_MAIN = "org.semanticweb.HermiT.cli.CommandLine"
HERMIT_TASKS = ("-c", "-I", "-Y")

#: A short-lived JVM: the C1 compiler alone and the serial collector halve HermiT's CPU
#: time on this graph (a run is seconds; the C2 compiler never pays off).
JVM_OPTIONS = ("-Xmx2g", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")

#: Seconds before a HermiT run is given up.
HERMIT_TIMEOUT = 900

#: HermiT's task for the whole graph (consistency) and for the schema (classification).
HERMIT_CONSISTENCY = ("-k",)
HERMIT_CLASSIFY = ("-c",)

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


class HermitCheck:
    """One HermiT run in its own Java process, started now, awaited by :meth:`finish`."""

    def __init__(self, folder: Path, name: str, triples: Iterable[ox.Triple], tasks: tuple) -> None:
        self.path = folder / f"{name}.nt"
        with self.path.open("wb") as output:
            ox.serialize(triples, output, format=ox.RdfFormat.N_TRIPLES)
        command = [*_hermit_command(), *tasks, self.path.resolve().as_uri()]
        try:
            self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
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
    return entailed_triples(asserted, output)


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
    command = [*_hermit_command(), *tasks, path.resolve().as_uri()]
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
        command = _hermit_command()
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


def entailed_triples(asserted: Graph, output: HermitOutput) -> Graph:
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


def _hermit_command() -> list[str]:
    """Java with :data:`JVM_OPTIONS`, running HermiT's command line (tasks to follow)."""
    return [_java(), *JVM_OPTIONS, "-cp", _hermit_classpath(), HERMIT_MAIN]


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
