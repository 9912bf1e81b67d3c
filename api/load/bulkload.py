"""Load the project into a pyoxigraph store: the loading step of large builds.

:func:`api.load.dataset.load_dataset` builds an rdflib ``Dataset``, which is what pyshacl
needs, and takes about a minute per million triples. A large build
(:mod:`api.build.pipeline` chooses) loads into a pyoxigraph store instead, with the same five
named graphs and the same errors:

- the ontology and shapes files (small) are read by :func:`api.load.dataset.parse_file`, as
  in every build, with the same module checks; the shapes also stay an rdflib graph,
  which the validator compiles;
- each data file is parsed by pyoxigraph straight into its named graph; a syntax error
  raises :class:`api.load.dataset.SourceError` with the file, line and column.

Two things the rdflib loader gets for free are worked out here:

- **which file describes a node**, for validation reports: an index built on first use
  (a build whose data conforms with no warnings never needs it);
- **literals the store would rewrite**. pyoxigraph's store keeps numbers, booleans,
  dates and durations by value: ``"05"^^xsd:integer`` comes back as ``"5"``, and
  ``"5"^^xsd:int`` as ``"5"^^xsd:integer``. A validator reading the store would then
  check other terms than the files hold (``sh:datatype xsd:integer`` would accept the
  ``xsd:int``). :func:`audit_literals` finds every such literal, by parsing each data
  file with pyoxigraph and putting each distinct typed literal through a scratch store;
  on large inputs it runs in a second process while this one loads and validates.
  The build refuses a graph with such literals (:class:`LiteralsNotPreserved`) rather
  than validate something else than what was written.
"""

import json
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from api.core.errors import MissingInputError, SgkgError
from api.core.layout import (
    DATA,
    GRAPH_NAMES,
    INTERPRETATIONS,
    ONTOLOGY,
    SHAPES,
    SOURCES,
    Layout,
    graph_iri,
)
from api.core.namespaces import PREFIXES, bind_prefixes, prefixed_name
from api.load.catalog import check_ontology_modules
from api.load.dataset import SourceError, detect_format, parse_file

XSD = "http://www.w3.org/2001/XMLSchema#"
#: Datatypes pyoxigraph's store keeps by value, so their lexical form may change.
VALUE_DATATYPES = frozenset(
    XSD + name
    for name in (
        *("boolean", "float", "double", "decimal", "integer", "nonPositiveInteger"),
        *("negativeInteger", "long", "int", "short", "byte", "nonNegativeInteger"),
        *("unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte", "positiveInteger"),
        *("dateTime", "dateTimeStamp", "time", "date", "gYearMonth", "gYear", "gMonthDay"),
        *("gDay", "gMonth", "duration", "yearMonthDuration", "dayTimeDuration"),
    )
)
#: Above this much RDF input the literal audit runs in a second process.
PARALLEL_AUDIT_BYTES = 16_000_000
#: The graphs a validation reads: everything but the shapes (and the empty inferred).
VALIDATED_GRAPHS = (ONTOLOGY, DATA, SOURCES, INTERPRETATIONS)

#: A language tag after a string's closing quote (``"x"@EN-GB``, ``'x'@en``).
_LANGUAGE_TAG = re.compile(rb"[\"']@([A-Za-z]+(?:-[A-Za-z0-9]+)*)")
_PARSE_POSITION = re.compile(r"^Parser error at line (\d+) between columns (\d+)")


class LiteralsNotPreserved(SgkgError):
    """Literals the pyoxigraph store would rewrite, so the store-based build refuses them."""


@dataclass(frozen=True)
class RewrittenLiteral:
    """A literal as a file writes it and as pyoxigraph's store would keep it."""

    file: str
    written: str
    stored: str

    def describe(self) -> str:
        return f"{self.file}: {self.written} would be stored as {self.stored}"


@dataclass(frozen=True)
class AuditResult:
    """What :func:`audit_literals` found, and the prefixes the files declare."""

    rewritten: tuple[RewrittenLiteral, ...]
    prefixes: dict[str, str]


@dataclass
class StoreDataset:
    """The project loaded into a pyoxigraph store, as a large build uses it."""

    layout: Layout
    store: ox.Store
    #: the shapes as an rdflib graph (small), with the prefixes of the shapes files
    shapes: Graph
    #: prefix -> namespace for display: sgkg's, then those the input files declare
    prefixes: dict[str, str]
    #: the data files in load order: (path, path relative to the root, graph name)
    data_files: tuple[tuple[Path, str, str], ...]
    #: the literal audit, running or done (see :func:`audit_literals`)
    audit: "PendingAudit | AuditResult"
    _subject_files: dict[str, tuple[str, ...]] | None = field(default=None, repr=False)
    _small_files: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def graph(self, name: str) -> ox.NamedNode:
        return ox.NamedNode(str(graph_iri(name)))

    def validated_graphs(self) -> list[ox.NamedNode]:
        return [self.graph(name) for name in VALIDATED_GRAPHS]

    def triple_counts(self) -> dict[str, int]:
        """Triples per named graph, in :data:`api.core.layout.GRAPH_NAMES` order."""
        counts = {}
        for name in GRAPH_NAMES:
            query = f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{graph_iri(name)}> {{ ?s ?p ?o }} }}"
            counts[name] = int(next(iter(self.store.query(query)))["n"].value)
        return counts

    def interpretation_counts(self) -> dict[str, int]:
        """Triples per interpretation graph (see :mod:`api.store.interpretations`), by IRI."""
        from api.store.interpretations import INTERPRETATION_NS

        query = (
            "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } "
            f'FILTER (STRSTARTS(STR(?g), "{INTERPRETATION_NS}")) }} GROUP BY ?g ORDER BY ?g'
        )
        return {row["g"].value: int(row["n"].value) for row in self.store.query(query)}

    def files_describing(self, node: Node) -> tuple[str, ...]:
        """The input files in which ``node`` is a subject (empty if none, or a blank node).

        Blank nodes get no file: the store's blank node labels are not the parser's.
        """
        if isinstance(node, BNode):
            return ()
        if self._subject_files is None:
            self._subject_files = _subject_index(self.data_files)
        key = str(node)
        return (*self._small_files.get(key, ()), *self._subject_files.get(key, ()))

    def cancel_audit(self) -> None:
        """Stop a running audit (a failed validation does not need it)."""
        if isinstance(self.audit, PendingAudit):
            self.audit.cancel()

    def finish_audit(self) -> AuditResult:
        """Wait for the literal audit; raise :class:`LiteralsNotPreserved` if it found any."""
        if isinstance(self.audit, PendingAudit):
            self.audit = self.audit.result()
        rewritten = self.audit.rewritten
        if rewritten:
            listed = "; ".join(found.describe() for found in rewritten[:5])
            more = f" (and {len(rewritten) - 5} more)" if len(rewritten) > 5 else ""
            raise LiteralsNotPreserved(
                f"{len(rewritten)} literal(s) would change in the pyoxigraph store, so the "
                f"SPARQL validator would not check them as written: {listed}{more}. Write "
                'them in canonical form (e.g. "5"^^xsd:integer) or build with '
                "--validator pyshacl"
            )
        for prefix, namespace in self.audit.prefixes.items():
            self.prefixes.setdefault(prefix, namespace)
        return self.audit


def load_store(layout: Layout) -> StoreDataset:
    """Parse every input file into a new pyoxigraph store, graph by graph.

    Raises :class:`MissingInputError`, :class:`SourceError` (file, line, column) or
    :class:`api.load.catalog.OntologyModuleError`, like :func:`api.load.dataset.load_dataset`.
    The literal audit is started here; :meth:`StoreDataset.finish_audit` collects it.
    """
    problems = layout.missing_inputs()
    if problems:
        raise MissingInputError("cannot build: " + "; ".join(problems))
    store = ox.Store()
    prefixes = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
    small_files: dict[str, list[str]] = defaultdict(list)
    modules = {}
    for path in layout.files_for(ONTOLOGY):
        modules[path] = _load_small(layout, store, path, ONTOLOGY, prefixes, small_files)
    check_ontology_modules(layout, modules)
    shapes = bind_prefixes(Graph())
    for path in layout.files_for(SHAPES):
        parsed = _load_small(layout, store, path, SHAPES, prefixes, small_files)
        for prefix, namespace in parsed.namespaces():
            shapes.bind(prefix, namespace, override=False)
        for triple in parsed:
            shapes.add(triple)
    data_files = tuple(
        (path, layout.relative(path), name)
        for name in (DATA, SOURCES)
        for path in layout.files_for(name)
    )
    audited = [(path, layout.relative(path)) for path in layout.files_for(ONTOLOGY)]
    audit = PendingAudit([*audited, *((path, shown) for path, shown, _ in data_files)])
    try:
        for path, shown, name in data_files:
            _load_data_file(store, path, shown, ox.NamedNode(str(graph_iri(name))))
        _load_interpretations(layout, store, small_files)
    except BaseException:
        audit.cancel()
        raise
    return StoreDataset(
        layout=layout,
        store=store,
        shapes=shapes,
        prefixes=prefixes,
        data_files=data_files,
        audit=audit,
        _small_files=dict(small_files),
    )


def _load_interpretations(
    layout: Layout, store: ox.Store, small_files: dict[str, list[str]]
) -> None:
    """The interpretation files (small, hand-written): parsed by rdflib with their graphs
    kept, checked to hold together, then stored graph by graph."""
    from api.load.dataset import LoadedDataset, new_dataset
    from api.load.dataset import _load_interpretations as load_into
    from api.store.interpretations import require_consistent

    files = layout.files_for(INTERPRETATIONS)
    if not files:
        return
    loaded = LoadedDataset(layout=layout, dataset=new_dataset())
    for path in files:
        shown = layout.relative(path)
        for subject in set(load_into(loaded, path, shown).subjects(unique=True)):
            if not isinstance(subject, BNode):
                small_files[str(subject)].append(shown)
    defining = [ox.NamedNode(str(graph_iri(name))) for name in (ONTOLOGY, DATA, SOURCES)]

    def known(term: URIRef) -> bool:
        node = ox.NamedNode(str(term))
        return any(
            next(store.quads_for_pattern(node, None, None, graph), None) is not None
            for graph in defining
        )

    graphs = loaded.interpretation_graphs()
    require_consistent(loaded.graph(INTERPRETATIONS), graphs, known)
    for name, graph in [
        (str(graph_iri(INTERPRETATIONS)), loaded.graph(INTERPRETATIONS)),
        *graphs.items(),
    ]:
        target = ox.NamedNode(name)
        store.extend(
            ox.Quad(oxigraph_term(s), oxigraph_term(p), oxigraph_term(o), target)
            for s, p, o in graph
        )


def _load_small(
    layout: Layout,
    store: ox.Store,
    path: Path,
    name: str,
    prefixes: dict[str, str],
    small_files: dict[str, list[str]],
) -> Graph:
    """An ontology or shapes file: parsed by rdflib as every build does, then stored."""
    shown = layout.relative(path)
    parsed = parse_file(path, display_path=shown)
    target = ox.NamedNode(str(graph_iri(name)))
    store.extend(
        ox.Quad(oxigraph_term(s), oxigraph_term(p), oxigraph_term(o), target) for s, p, o in parsed
    )
    for subject in set(parsed.subjects(unique=True)):
        if not isinstance(subject, BNode):
            small_files[str(subject)].append(shown)
    for prefix, namespace in parsed.namespaces():
        if prefix:
            prefixes.setdefault(prefix, str(namespace))
    return parsed


def _load_data_file(store: ox.Store, path: Path, shown: str, graph: ox.NamedNode) -> None:
    """One data file into ``graph``: TriG's own graph names are dropped, as in the layout."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SourceError(shown, f"cannot read file: {error.strerror}") from None
    syntax = _format(path, data, shown)
    # the layout's paths are absolute already; resolving 30k of them costs seconds
    base = (path if path.is_absolute() else path.resolve()).as_uri()
    try:
        if syntax == ox.RdfFormat.TRIG:
            store.extend(
                ox.Quad(q.subject, q.predicate, q.object, graph)
                for q in ox.parse(data, format=syntax, base_iri=base)
            )
        else:
            store.load(data, format=syntax, base_iri=base, to_graph=graph)
    except SyntaxError as error:
        raise _source_error(shown, error) from None


def _format(path: Path, data: bytes, shown: str) -> ox.RdfFormat:
    if path.suffix == ".trig":
        return ox.RdfFormat.TRIG
    return ox.RdfFormat.RDF_XML if detect_format(data, shown) == "xml" else ox.RdfFormat.TURTLE


def _source_error(shown: str, error: SyntaxError) -> SourceError:
    """pyoxigraph's parse error as a :class:`SourceError` with line and column (1-based)."""
    message = str(error.args[0] if error.args else error)
    reason = re.sub(r"^Parser error at line \d+ between columns \d+ and \d+: ", "", message)
    reason = re.sub(r"\s*\((?:[^()]*, )?line \d+\)$", "", reason)
    position = _PARSE_POSITION.match(message)
    line = getattr(error, "lineno", None) or (int(position.group(1)) if position else None)
    column = getattr(error, "offset", None) or (int(position.group(2)) if position else None)
    if "invalid utf-8" in message.lower() or "utf-8" in reason.lower():
        reason = "file is not valid UTF-8"
    return SourceError(shown, f"bad syntax: {reason.strip()}", line=line, column=column)


# --- the literal audit -------------------------------------------------------------------


def audit_literals(files: Iterable[tuple[str, str]]) -> AuditResult:
    """Typed literals that pyoxigraph's store would keep in another form, and prefixes.

    ``files`` are (path, shown name) pairs. A plain function of plain arguments, so it
    can run in another process.
    """
    first_seen: dict[tuple[str, str], str] = {}
    prefixes: dict[str, str] = {}
    rewritten: list[RewrittenLiteral] = []
    for path, shown in files:
        data = Path(path).read_bytes()
        syntax = ox.RdfFormat.TRIG if path.endswith(".trig") else _sniff(data, shown)
        rewritten.extend(_upper_case_languages(data, shown))
        parser = ox.parse(data, format=syntax)
        for triple in parser:
            value = triple.object
            if type(value) is ox.Literal and value.language is None:
                datatype = value.datatype.value
                if datatype in VALUE_DATATYPES:
                    first_seen.setdefault((value.value, datatype), shown)
        for prefix, namespace in parser.prefixes.items():
            if prefix:
                prefixes.setdefault(prefix, namespace)
    rewritten.extend(_rewritten(first_seen))
    return AuditResult(rewritten=tuple(rewritten), prefixes=prefixes)


def _upper_case_languages(data: bytes, shown: str) -> Iterable[RewrittenLiteral]:
    """Language tags with capitals: pyoxigraph's parser writes them in lower case
    (``"x"@EN-GB`` becomes ``"x"@en-gb``), rdflib keeps them as written."""
    seen = set()
    for match in _LANGUAGE_TAG.finditer(data):
        tag = match.group(1).decode("ascii")
        if tag != tag.lower() and tag not in seen:
            seen.add(tag)
            yield RewrittenLiteral(file=shown, written=f"@{tag}", stored=f"@{tag.lower()}")


def _sniff(data: bytes, shown: str) -> ox.RdfFormat:
    try:
        xml = detect_format(data, shown) == "xml"
    except SourceError:
        xml = False  # the loader reports the file itself
    return ox.RdfFormat.RDF_XML if xml else ox.RdfFormat.TURTLE


def _rewritten(first_seen: dict[tuple[str, str], str]) -> Iterable[RewrittenLiteral]:
    """Put each distinct literal through a scratch store and compare what comes back."""
    scratch = ox.Store()
    keys = sorted(first_seen)
    predicate = ox.NamedNode("urn:sgkg:audit")
    scratch.extend(
        ox.Quad(ox.NamedNode(f"urn:sgkg:{i}"), predicate, _literal(lexical, datatype))
        for i, (lexical, datatype) in enumerate(keys)
    )
    for quad in scratch:
        lexical, datatype = keys[int(quad.subject.value.rsplit(":", 1)[1])]
        stored = quad.object
        if stored.value != lexical or stored.datatype.value != datatype:
            yield RewrittenLiteral(
                file=first_seen[(lexical, datatype)],
                written=f'"{lexical}"^^{_short(datatype)}',
                stored=f'"{stored.value}"^^{_short(stored.datatype.value)}',
            )


def _literal(lexical: str, datatype: str) -> ox.Literal:
    return ox.Literal(lexical, datatype=ox.NamedNode(datatype))


class PendingAudit:
    """The literal audit of some files: in a second Python process for large inputs
    (started at once, so it runs while this process loads and validates), here and
    when asked for small ones (where starting a process would cost more)."""

    def __init__(self, inputs: list[tuple[Path, str]]) -> None:
        self.files = [(str(path), shown) for path, shown in inputs]
        self.process: subprocess.Popen[bytes] | None = None
        if sum(path.stat().st_size for path, _ in inputs) >= PARALLEL_AUDIT_BYTES:
            with tempfile.TemporaryFile() as listing:  # the child reads it all at once
                listing.write(json.dumps(self.files).encode("utf-8"))
                listing.seek(0)
                self.process = subprocess.Popen(
                    [sys.executable, "-m", "api.load.bulkload"],
                    stdin=listing,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                )

    def result(self) -> AuditResult:
        if self.process is None:
            return audit_literals(self.files)
        output, errors = self.process.communicate()
        if self.process.returncode != 0:
            lines = errors.decode("utf-8", "replace").strip().splitlines() or ["no output"]
            raise SgkgError(f"the literal audit failed: {lines[-1]}")
        return _audit_from_json(json.loads(output))

    def cancel(self) -> None:
        """Stop the audit process, if any (the build failed before it was needed)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.communicate()


def _audit_to_json(result: AuditResult) -> dict:
    return {"rewritten": [asdict(r) for r in result.rewritten], "prefixes": result.prefixes}


def _audit_from_json(data: dict) -> AuditResult:
    return AuditResult(
        rewritten=tuple(RewrittenLiteral(**found) for found in data["rewritten"]),
        prefixes=dict(data["prefixes"]),
    )


def _short(datatype: str) -> str:
    return prefixed_name(datatype, {"xsd": XSD}) or f"<{datatype}>"


# --- which file describes a node ---------------------------------------------------------


def _subject_index(data_files: tuple[tuple[Path, str, str], ...]) -> dict[str, tuple[str, ...]]:
    """IRI -> the data files in which it is a subject (parsed again, once, on demand)."""
    index: dict[str, list[str]] = defaultdict(list)
    for path, shown, _ in data_files:
        data = path.read_bytes()
        syntax = ox.RdfFormat.TRIG if path.suffix == ".trig" else _sniff(data, shown)
        subjects = {
            t.subject.value
            for t in ox.parse(data, format=syntax)
            if type(t.subject) is ox.NamedNode
        }
        for subject in subjects:
            index[subject].append(shown)
    return {subject: tuple(files) for subject, files in index.items()}


# --- terms between rdflib and pyoxigraph -------------------------------------------------


def oxigraph_term(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as a pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unsupported term {term!r}")


if __name__ == "__main__":  # the audit process of PendingAudit: JSON in, JSON out
    json.dump(_audit_to_json(audit_literals(json.load(sys.stdin))), sys.stdout)
