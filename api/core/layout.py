"""Where the project's files are, and which named graph each RDF file goes to.

This is the ONE place that maps files to named graphs. The rule:

=================================  ==============================  ===========================
files                              named graph                     what they hold
=================================  ==============================  ===========================
``ontology/*.{ttl,owl,rdf}``       ``.../graph/ontology``          OWL ontology (both modules)
``shapes/*.ttl``                   ``.../graph/shapes``            SHACL shapes
``data/text/**/*.ttl``, ``.trig``  ``.../graph/sources``           text layer: works,
                                                                   versions, passages
``data/interpretations/**``        ``.../graph/interpretations``   descriptions of the
                                   and one graph per               interpretations; each
                                   interpretation                  one's triples in the graph
                                                                   named by its IRI
every other ``data/**/*.ttl``      ``.../graph/data``              semantic and coding layers
and ``data/**/*.trig``
(none)                             ``.../graph/inferred``          filled by the reasoner
=================================  ==============================  ===========================

``data/sources/`` holds the raw ``.txt`` source texts: they are no RDF, but they are build
inputs (passages point at character offsets in them), so they are hashed with the RDF
files. A TriG file's own graph names are not kept: all its triples go to the graph its
path selects, so the dataset always has the six graphs above, and the interpretation
graphs. The exception is ``data/interpretations/``: there a TriG file's graphs are kept,
because an interpretation's triples live in the graph its IRI names
(:mod:`api.store.interpretations`); the SPARQL default graph is the union of the six graphs
only, so queries answer from the words unless asked to include interpretations. The ontology
folder also takes ``.owl`` and ``.rdf`` files because Protégé may save a module under
such a name; the loader reads each file by its content (Turtle or RDF/XML), not by its
name (see :mod:`api.load.dataset`).

The project root is found relative to this package (the repository checkout), and can be
overridden with ``--root`` or ``SGKG_ROOT``; the build folder defaults to ``ROOT/build``
and can be overridden with ``--build-dir`` or ``SGKG_BUILD_DIR``.
"""

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rdflib import URIRef

from api.core.namespaces import GRAPH

ONTOLOGY = "ontology"
DATA = "data"
SHAPES = "shapes"
INFERRED = "inferred"
SOURCES = "sources"
INTERPRETATIONS = "interpretations"

#: The six named graphs, in the order they are loaded and reported; their union is the
#: SPARQL default graph. The interpretation graphs (one per interpretation) are not
#: among them.
GRAPH_NAMES: tuple[str, ...] = (ONTOLOGY, SHAPES, DATA, SOURCES, INTERPRETATIONS, INFERRED)

#: Graphs filled from files (``inferred`` is computed).
FILE_GRAPHS: tuple[str, ...] = (ONTOLOGY, SHAPES, DATA, SOURCES, INTERPRETATIONS)

ROOT_ENV = "SGKG_ROOT"
BUILD_DIR_ENV = "SGKG_BUILD_DIR"

ONTOLOGY_DIR = "ontology"
SHAPES_DIR = "shapes"
DATA_DIR = "data"
TEXT_DIR = "data/text"
INTERPRETATIONS_DIR = "data/interpretations"
SOURCE_TEXTS_DIR = "data/sources"
CATALOG_FILE = "ontology/catalog-v001.xml"
RDF_SUFFIXES = (".ttl", ".trig")
#: What Protégé may name an ontology module it saves (Turtle or RDF/XML inside).
ONTOLOGY_SUFFIXES = (".ttl", ".owl", ".rdf")


def graph_iri(name: str) -> URIRef:
    """The IRI of a named graph, e.g. ``graph_iri("data")``."""
    if name not in GRAPH_NAMES:
        raise ValueError(f"unknown graph {name!r}; expected one of {', '.join(GRAPH_NAMES)}")
    return URIRef(GRAPH[name])


def graph_name(iri: str) -> str | None:
    """The short name of a named graph IRI, or None if it is not one of ours."""
    for name in GRAPH_NAMES:
        if str(GRAPH[name]) == iri:
            return name
    return None


@dataclass(frozen=True)
class Layout:
    """The project tree as found on disk: the root, the build folder and the inputs.

    ``files`` maps each file-backed graph name to its RDF files, sorted so every build
    loads them in the same order.
    """

    root: Path
    build_dir: Path
    files: dict[str, tuple[Path, ...]]
    source_texts: tuple[Path, ...]
    catalog: Path | None

    def files_for(self, graph: str) -> tuple[Path, ...]:
        """The RDF files that make up one named graph (empty for ``inferred``)."""
        return self.files.get(graph, ())

    def rdf_files(self) -> Iterator[tuple[Path, str]]:
        """Every RDF input as ``(path, graph name)``, graph by graph."""
        for graph in FILE_GRAPHS:
            for path in self.files_for(graph):
                yield path, graph

    def input_files(self) -> tuple[Path, ...]:
        """Every file a build depends on: RDF, the source texts, the ontology catalog."""
        inputs = [path for path, _ in self.rdf_files()]
        inputs.extend(self.source_texts)
        if self.catalog is not None:
            inputs.append(self.catalog)
        return tuple(sorted(inputs))

    def relative(self, path: Path) -> str:
        """A path relative to the root, with ``/``: how files are named in reports."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def missing_inputs(self) -> list[str]:
        """Human-readable reasons the tree cannot be built, empty when it can."""
        problems = []
        if not self.root.is_dir():
            return [f"project root {self.root} is not a directory"]
        if not self.files_for(ONTOLOGY):
            problems.append(
                f"no Turtle files (nor RDF/XML .owl or .rdf) in {self.root / ONTOLOGY_DIR}/"
            )
        if not self.files_for(SHAPES):
            problems.append(f"no Turtle files in {self.root / SHAPES_DIR}/")
        if not self.files_for(DATA) and not self.files_for(SOURCES):
            problems.append(f"no Turtle or TriG files in {self.root / DATA_DIR}/")
        return problems


def package_root() -> Path:
    """The repository checkout this package lives in (the parent of ``api/``)."""
    return Path(__file__).resolve().parent.parent.parent


def resolve_root(root: str | os.PathLike[str] | None = None) -> Path:
    """The project root: the argument, else ``$SGKG_ROOT``, else the package's checkout."""
    chosen = root if root is not None else os.environ.get(ROOT_ENV) or None
    return Path(chosen).resolve() if chosen is not None else package_root()


def resolve_build_dir(root: Path, build_dir: str | os.PathLike[str] | None = None) -> Path:
    """The build folder: the argument, else ``$SGKG_BUILD_DIR``, else ``ROOT/build``."""
    chosen = build_dir if build_dir is not None else os.environ.get(BUILD_DIR_ENV) or None
    return Path(chosen).resolve() if chosen is not None else root / "build"


def discover_layout(
    root: str | os.PathLike[str] | None = None,
    build_dir: str | os.PathLike[str] | None = None,
) -> Layout:
    """Scan the project tree and sort its files into the named graphs."""
    root_path = resolve_root(root)
    data_dir = root_path / DATA_DIR
    text_dir = root_path / TEXT_DIR
    interpretations_dir = root_path / INTERPRETATIONS_DIR
    sources_dir = root_path / SOURCE_TEXTS_DIR
    data_files, text_files, interpretation_files = [], [], []
    for path in _rdf_files_under(data_dir):
        if _is_within(path, sources_dir):
            continue
        if _is_within(path, text_dir):
            text_files.append(path)
        elif _is_within(path, interpretations_dir):
            interpretation_files.append(path)
        else:
            data_files.append(path)
    catalog = root_path / CATALOG_FILE
    return Layout(
        root=root_path,
        build_dir=resolve_build_dir(root_path, build_dir),
        files={
            ONTOLOGY: _ontology_files(root_path / ONTOLOGY_DIR),
            SHAPES: tuple(sorted((root_path / SHAPES_DIR).glob("*.ttl"))),
            DATA: tuple(sorted(data_files)),
            SOURCES: tuple(sorted(text_files)),
            INTERPRETATIONS: tuple(sorted(interpretation_files)),
        },
        source_texts=tuple(sorted(sources_dir.glob("*.txt"))) if sources_dir.is_dir() else (),
        catalog=catalog if catalog.is_file() else None,
    )


def _ontology_files(folder: Path) -> tuple[Path, ...]:
    """The modules in ``folder``; hidden files (an editor's backups) are not modules."""
    if not folder.is_dir():
        return ()
    found = (
        path
        for path in folder.iterdir()
        if path.is_file() and path.suffix in ONTOLOGY_SUFFIXES and not path.name.startswith(".")
    )
    return tuple(sorted(found))


def _rdf_files_under(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return [p for p in folder.rglob("*") if p.is_file() and p.suffix in RDF_SUFFIXES]


def _is_within(path: Path, folder: Path) -> bool:
    """``path`` is ``folder`` or inside it. Compared part by part: ``folder in
    path.parents`` builds every parent, a second for the 30,000 files of 10k agreements."""
    return path.parts[: len(folder.parts)] == folder.parts
