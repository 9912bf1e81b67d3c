"""Load the project's RDF files into one rdflib ``Dataset`` with sgkg's named graphs.

Each file is parsed on its own, so a syntax error names the file, line and column, and
so the loader can remember which file describes which subject: validation reports point
a person at the file to edit, not only at an IRI. ``owl:imports`` are never followed:
every module the project needs is a file under ``ontology/``, loaded like any other, and
:mod:`api.load.catalog` checks that the modules and ``catalog-v001.xml`` agree, so Protégé
opens the ontology offline too.

A file is read by what it holds, not by its name: Protégé keeps a file's name when it
saves it in another format, so ``sgkg.ttl`` may hold RDF/XML after an edit. Formats sgkg
cannot read (OWL/XML, OWL functional or Manchester syntax) are refused with a message
that says how to save the file instead.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax import SAXParseException

from rdflib import Dataset, Graph, URIRef
from rdflib.exceptions import ParserError
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID as DATASET_DEFAULT
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.term import Node, _is_valid_uri

from api.core.errors import MissingInputError, SgkgError
from api.core.layout import GRAPH_NAMES, INTERPRETATIONS, ONTOLOGY, Layout, graph_iri
from api.core.namespaces import bind_prefixes
from api.load.catalog import check_ontology_modules


class SourceError(SgkgError):
    """An input file that cannot be parsed. Carries the file, line and column."""

    def __init__(
        self, path: str, reason: str, *, line: int | None = None, column: int | None = None
    ) -> None:
        self.path = path
        self.reason = reason
        self.line = line
        self.column = column
        where = path
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        super().__init__(f"{where}: {reason}")


@dataclass
class LoadedDataset:
    """The dataset plus what the loader learnt on the way (which file says what)."""

    layout: Layout
    dataset: Dataset
    #: subject -> the input files (relative paths) that have it as a subject.
    subject_files: dict[Node, tuple[str, ...]] = field(default_factory=dict)

    def graph(self, name: str) -> Graph:
        """One named graph (live: adding to it changes the dataset)."""
        return self.dataset.graph(graph_iri(name))

    def union(self, *names: str) -> Graph:
        """A new graph holding the triples of the given named graphs (a copy)."""
        merged = bind_prefixes(Graph())
        for prefix, namespace in self.dataset.namespaces():
            merged.bind(prefix, namespace, override=False)
        for name in names:
            for triple in self.graph(name):
                merged.add(triple)
        return merged

    def prefixes(self) -> dict[str, str]:
        """Every prefix bound on the dataset: sgkg's plus those the input files declare."""
        return {prefix: str(namespace) for prefix, namespace in self.dataset.namespaces()}

    def files_describing(self, node: Node) -> tuple[str, ...]:
        """The files in which ``node`` is a subject (empty if none)."""
        return self.subject_files.get(node, ())

    def triple_counts(self) -> dict[str, int]:
        """Triples per named graph, in :data:`api.core.layout.GRAPH_NAMES` order."""
        return {name: len(self.graph(name)) for name in GRAPH_NAMES}

    def interpretation_graphs(self) -> dict[str, Graph]:
        """Each interpretation's graph (named by its IRI), by IRI, in IRI order."""
        from api.store.interpretations import is_interpretation_graph

        graphs = {
            str(context.identifier): context
            for context in self.dataset.graphs()
            if is_interpretation_graph(str(context.identifier)) and len(context)
        }
        return dict(sorted(graphs.items()))


def new_dataset() -> Dataset:
    """An empty Dataset with sgkg's named graphs and prefixes.

    ``default_union=True`` matches the rule that the SPARQL default graph is the union.
    """
    dataset = Dataset(default_union=True)
    bind_prefixes(dataset)
    for name in GRAPH_NAMES:
        dataset.graph(graph_iri(name))
    return dataset


def load_dataset(layout: Layout) -> LoadedDataset:
    """Parse every input file into its named graph.

    Raises :class:`api.core.errors.MissingInputError` when the tree lacks ontology, shapes or
    data files, and :class:`SourceError` on the first file that does not parse.
    """
    problems = layout.missing_inputs()
    if problems:
        raise MissingInputError("cannot build: " + "; ".join(problems))
    loaded = LoadedDataset(layout=layout, dataset=new_dataset())
    index: dict[Node, list[str]] = defaultdict(list)
    modules: dict[Path, Graph] = {}
    for path, graph_name in layout.rdf_files():
        relative = layout.relative(path)
        if graph_name == INTERPRETATIONS:
            parsed = _load_interpretations(loaded, path, relative)
        else:
            parsed = parse_file(path, display_path=relative)
            target = loaded.graph(graph_name)
            for triple in parsed:
                target.add(triple)
        if graph_name == ONTOLOGY:
            modules[path] = parsed
        for subject in set(parsed.subjects(unique=True)):
            index[subject].append(relative)
        for prefix, namespace in parsed.namespaces():
            # the files' own prefixes (e.g. for shapes), never overriding sgkg's
            loaded.dataset.bind(prefix, namespace, override=False)
    check_ontology_modules(layout, modules)
    loaded.subject_files = {node: tuple(files) for node, files in index.items()}
    return loaded


def _load_interpretations(loaded: LoadedDataset, path: Path, shown: str) -> Graph:
    """An interpretations file: its graphs are kept (see :mod:`api.store.interpretations`).

    The default graph and ``graph/interpretations`` hold the descriptions; every other
    graph must be named by an interpretation IRI. Returns all its triples, for the index
    of which file describes what.
    """
    from api.store.interpretations import DESCRIPTIONS_GRAPH, is_interpretation_graph

    merged = Graph()
    for graph_iri_, triples in parse_graphs(path, display_path=shown):
        name = DESCRIPTIONS_GRAPH if graph_iri_ is None else str(graph_iri_)
        if name != DESCRIPTIONS_GRAPH and not is_interpretation_graph(name):
            raise SourceError(
                shown,
                f"graph <{name}> is neither <{DESCRIPTIONS_GRAPH}> nor named by an "
                "interpretation (https://w3id.org/sgkg/id/interpretation/...)",
            )
        target = loaded.dataset.graph(URIRef(name))
        for triple in triples:
            target.add(triple)
            merged.add(triple)
        for prefix, namespace in triples.namespaces():
            merged.bind(prefix, namespace, override=False)
    return merged


def load_ontology(layout: Layout) -> Graph:
    """The ontology graph alone (every file under ``ontology/``), checked like a build
    checks it (:func:`api.load.catalog.check_ontology_modules`), for tools that need no data,
    such as the documentation. Raises :class:`SourceError` or
    :class:`api.load.catalog.OntologyModuleError`."""
    files = layout.files_for(ONTOLOGY)
    if not files:
        raise MissingInputError(
            f"no Turtle files (nor RDF/XML .owl or .rdf) in {layout.root / 'ontology'}/"
        )
    modules = {path: parse_file(path, display_path=layout.relative(path)) for path in files}
    check_ontology_modules(layout, modules)
    graph = bind_prefixes(Graph())
    for module in modules.values():
        for prefix, namespace in module.namespaces():
            graph.bind(prefix, namespace, override=False)
        for triple in module:
            graph.add(triple)
    return graph


def parse_file(path: Path, *, display_path: str | None = None) -> Graph:
    """Parse one TriG (``.trig``), Turtle or RDF/XML file into a plain graph.

    A TriG file's named graphs are merged: the file's path, not its content, decides
    which sgkg graph its triples belong to (see :mod:`api.core.layout`). Any other file is
    Turtle or RDF/XML, whichever its content is (:func:`detect_format`).
    """
    shown = display_path or str(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SourceError(shown, f"cannot read file: {error.strerror}") from None
    base = path.resolve().as_uri()
    rdf_format = "trig" if path.suffix == ".trig" else detect_format(data, shown)
    try:
        if rdf_format == "xml":
            graph = Graph()
            graph.parse(data=data, format="xml", publicID=base)
        elif rdf_format == "trig":
            quads = Dataset()
            quads.parse(data=data, format="trig", publicID=base)
            graph = Graph()
            for s, p, o, _ in quads.quads((None, None, None, None)):
                graph.add((s, p, o))
        else:
            graph = Graph()
            graph.parse(data=data, format="turtle", publicID=base)
    except BadSyntax as error:
        line, column = _bad_syntax_position(error)
        raise SourceError(shown, _bad_syntax_reason(error), line=line, column=column) from None
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise SourceError(shown, "file is not valid UTF-8", line=line) from None
    except SAXParseException as error:
        reason = _one_line(f"bad RDF/XML: {error.getMessage()}")
        line, column = error.getLineNumber(), error.getColumnNumber()
        raise SourceError(shown, reason, line=line, column=column + 1) from None
    except ParserError as error:
        raise _rdfxml_error(shown, str(error)) from None
    except Exception as error:  # rdflib raises many kinds; all mean "this file is broken"
        raise SourceError(shown, _one_line(f"{type(error).__name__}: {error}")) from None
    _reject_invalid_iris(graph, data, shown)
    return graph


def parse_graphs(
    path: Path, *, display_path: str | None = None
) -> list[tuple[URIRef | None, Graph]]:
    """Parse a TriG or Turtle file keeping its graphs: (graph IRI or None, triples).

    Used where a file's graph names matter (``data/interpretations/``); errors are
    :class:`SourceError` with file, line and column, as for :func:`parse_file`.
    """
    if path.suffix != ".trig":
        return [(None, parse_file(path, display_path=display_path))]
    shown = display_path or str(path)
    parse_file(path, display_path=shown)  # the same checks and error messages
    quads = Dataset()
    quads.parse(data=path.read_bytes(), format="trig", publicID=path.resolve().as_uri())
    graphs: dict[URIRef | None, Graph] = {}
    for s, p, o, context in quads.quads((None, None, None, None)):
        name = context if isinstance(context, URIRef) and context != DATASET_DEFAULT else None
        graphs.setdefault(name, Graph()).add((s, p, o))
    for graph in graphs.values():
        for prefix, namespace in quads.namespaces():
            graph.bind(prefix, namespace, override=False)
    return list(graphs.items())


#: The start of an XML document after an optional byte order mark and blanks.
_XML_START = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*<[?!]")
#: The root element of an XML document: the first tag that is no declaration or comment.
_XML_ROOT = re.compile(rb"<(?![?!/])(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
_XML_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)
_RDFXML_ROOT = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*<(?:[A-Za-z_][\w.-]*:)?RDF[\s>]")
_OTHER_SYNTAXES = (
    (re.compile(rb"\A\s*(?:Prefix|Ontology)\("), "OWL functional syntax"),
    (re.compile(rb"\A\s*(?:Prefix|Ontology):\s"), "Manchester syntax"),
)
_SAVE_AS = (
    "sgkg reads Turtle and RDF/XML: in Protégé, use File > Save as... and choose "
    "'Turtle Syntax' or 'RDF/XML Syntax'"
)


def detect_format(data: bytes, shown: str) -> str:
    """``"xml"`` for RDF/XML, ``"turtle"`` otherwise, judged by the file's first bytes.

    Turtle may itself start with ``<`` (an IRI), so XML is recognised by its prolog
    (``<?xml``, ``<!DOCTYPE``, a comment) or by an ``rdf:RDF`` root element. OWL/XML and
    the OWL functional and Manchester syntaxes, which Protégé can also write, raise a
    :class:`SourceError` that says how to save the file instead.
    """
    head = data[:65536]
    if _XML_START.match(head) or _RDFXML_ROOT.match(head):
        root = _XML_ROOT.search(_XML_COMMENT.sub(b"", head))
        name = root.group(1).decode("ascii") if root else None
        if name == "RDF":
            return "xml"
        if name == "Ontology":
            raise SourceError(shown, f"this file is OWL/XML; {_SAVE_AS}", line=1)
        kind = f"<{name}>" if name else "no root element"
        raise SourceError(shown, f"this file is XML ({kind}) but not RDF/XML; {_SAVE_AS}")
    for pattern, syntax in _OTHER_SYNTAXES:
        if pattern.match(head):
            raise SourceError(shown, f"this file is in {syntax}; {_SAVE_AS}", line=1)
    return "turtle"


def _rdfxml_error(shown: str, message: str) -> SourceError:
    """A SourceError from rdflib's RDF/XML ``ParserError`` (``"<id>:<line>:<col>: why"``)."""
    position = re.search(r":(\d+):(\d+): ", message)
    if position is None:
        return SourceError(shown, _one_line(f"bad RDF/XML: {message}"))
    reason = _one_line(f"bad RDF/XML: {message[position.end() :]}")
    line, column = int(position.group(1)), int(position.group(2)) + 1
    return SourceError(shown, reason, line=line, column=column)


def _reject_invalid_iris(graph: Graph, data: bytes, shown: str) -> None:
    """Fail on IRIs with spaces or other forbidden characters.

    rdflib's Turtle parser accepts ``<a b>`` with only a logged warning, and the graph
    then cannot be written back out; better to stop at the file and line that has it.
    """
    for term in _all_terms(graph):
        if isinstance(term, URIRef) and not _is_valid_uri(term):
            position = data.find(str(term).encode("utf-8"))
            line = data.count(b"\n", 0, position) + 1 if position >= 0 else None
            reason = f"invalid IRI <{term}> (spaces, quotes or braces are not allowed)"
            raise SourceError(shown, reason, line=line)


def _all_terms(graph: Graph) -> set[Node]:
    terms: set[Node] = set()
    for triple in graph:
        terms.update(triple)
    return terms


def _bad_syntax_position(error: BadSyntax) -> tuple[int | None, int | None]:
    """Line and column (both 1-based) of a notation3/Turtle/TriG parser error.

    rdflib's ``BadSyntax`` keeps the whole text (``_str``), the offset of the error
    (``_i``) and the number of newlines before it (``lines``, 0-based).
    """
    text = getattr(error, "_str", None)
    offset = getattr(error, "_i", None)
    if not isinstance(text, bytes | str) or not isinstance(offset, int):
        lines = getattr(error, "lines", None)
        return (lines + 1 if isinstance(lines, int) else None), None
    newline = b"\n" if isinstance(text, bytes) else "\n"
    blanks = (b" ", b"\t") if isinstance(text, bytes) else (" ", "\t")
    while offset < len(text) and text[offset : offset + 1] in blanks:
        offset += 1  # point at the offending token, not at the blank before it
    line = text.count(newline, 0, offset) + 1
    column = offset - (text.rfind(newline, 0, offset) + 1) + 1
    return line, column


def _bad_syntax_reason(error: BadSyntax) -> str:
    reason = getattr(error, "_why", None) or str(error)
    return _one_line(f"bad syntax: {reason}")


def _one_line(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else "unknown error"
    return first if len(first) <= 300 else first[:297] + "..."
