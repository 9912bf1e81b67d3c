"""The ontology modules and Protégé's catalog: which file holds which ontology, and
whether ``ontology/catalog-v001.xml`` lets Protégé open them offline.

sgkg never follows ``owl:imports``: it loads every file under ``ontology/``. Protégé
does follow them, through the catalog beside the file it opens. After an edit in Protégé
three things can go wrong that a build would otherwise not notice:

- two files define the same ontology: after *Save as* ``sgkg.owl`` the old ``sgkg.ttl``
  stays, both would be loaded, and whatever was deleted in Protégé would live on;
- a module imports an ontology that no file under ``ontology/`` defines (Protégé's
  *Direct imports* of an online ontology): sgkg would not load it, and Protégé could not
  open the ontology offline;
- the catalog sends an ontology IRI to a file that is gone or holds another ontology.

:func:`check_ontology_modules` refuses each with a message that names the file, and the
catalog line, to fix. The catalog is read as OASIS XML Catalogs and Protégé read it:
``<uri name="IRI" uri="file"/>`` entries, anywhere in the document (Protégé adds its own
``<group>`` of automatically generated entries), relative to the catalog's folder and
any ``xml:base``; the first entry for a name wins.
"""

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse
from xml.parsers import expat

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

from api.core.errors import SgkgError
from api.core.layout import Layout

CATALOG_NAMESPACE = "urn:oasis:names:tc:entity:xmlns:xml:catalog"
XML_BASE = "http://www.w3.org/XML/1998/namespace base"


class OntologyModuleError(SgkgError):
    """The ontology files and the catalog disagree (exit code 2: fix the files first)."""


@dataclass(frozen=True)
class CatalogEntry:
    """One ``<uri name="..." uri="..."/>`` entry of a catalog."""

    #: the IRI the entry maps (an ontology IRI or version IRI)
    name: str
    #: the ``uri`` attribute as written
    uri: str
    #: the local file it points to, or None when it is no ``file:`` or relative reference
    path: Path | None
    #: line of the entry in the catalog file (1-based)
    line: int


def read_catalog(catalog: Path, shown: str | None = None) -> list[CatalogEntry]:
    """The ``uri`` entries of an XML catalog, in document order.

    Raises :class:`OntologyModuleError` naming the file and line if it is not well-formed
    XML. External entities are never fetched (expat's default).
    """
    shown = shown or str(catalog)
    try:
        data = catalog.read_bytes()
    except OSError as error:
        raise OntologyModuleError(f"{shown}: cannot read file: {error.strerror}") from None
    folder_uri = catalog.resolve().parent.as_uri() + "/"
    entries: list[CatalogEntry] = []
    bases: list[str] = [folder_uri]
    parser = expat.ParserCreate(namespace_separator=" ")

    def start(name: str, attributes: dict[str, str]) -> None:
        base = urljoin(bases[-1], attributes[XML_BASE]) if XML_BASE in attributes else bases[-1]
        bases.append(base)
        if name == f"{CATALOG_NAMESPACE} uri" and "name" in attributes and "uri" in attributes:
            target = urljoin(base, attributes["uri"])
            entries.append(
                CatalogEntry(
                    name=attributes["name"],
                    uri=attributes["uri"],
                    path=_local_path(target),
                    line=parser.CurrentLineNumber,
                )
            )

    def end(name: str) -> None:
        bases.pop()

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        reason = expat.ErrorString(error.code)
        raise OntologyModuleError(
            f"{shown}:{error.lineno}: not well-formed XML: {reason}"
        ) from None
    return entries


def check_ontology_modules(layout: Layout, modules: dict[Path, Graph]) -> None:
    """Refuse ontology files that Protégé and sgkg would read differently.

    ``modules`` maps each file under ``ontology/`` to its parsed graph. Raises
    :class:`OntologyModuleError` on the first problem (see the module docstring).
    """
    defined = _defined_ontologies(modules)
    for iri, paths in sorted(defined.items()):
        if len(paths) > 1:
            files = " and ".join(layout.relative(path) for path in sorted(paths))
            raise OntologyModuleError(
                f"{files} both define the ontology <{iri}>, and sgkg would load both: keep "
                "only the file you saved from Protégé (delete the other) and make "
                "ontology/catalog-v001.xml point at it"
            )
    imports = _imports(modules)
    for iri, importer in sorted(imports.items()):
        if iri not in defined:
            raise OntologyModuleError(
                f"{layout.relative(importer)} imports <{iri}>, which no file in ontology/ "
                "defines: sgkg reads only ontology/ and never downloads imports, and "
                "Protégé could not open it offline. Remove the import and declare the few "
                "terms you reuse instead, or add the module's file to ontology/"
            )
    if layout.catalog is None:
        if imports:
            iri, importer = sorted(imports.items())[0]
            raise OntologyModuleError(
                f"{layout.relative(importer)} imports <{iri}>, but ontology/catalog-v001.xml "
                "is missing, so Protégé would look for the module online"
            )
        return
    _check_catalog(layout, defined, imports)


def _check_catalog(
    layout: Layout, defined: dict[str, list[Path]], imports: dict[str, Path]
) -> None:
    """Every imported ontology has a catalog entry, and every entry for one of the
    project's ontologies points at the file that defines it."""
    assert layout.catalog is not None
    shown = layout.relative(layout.catalog)
    first: dict[str, CatalogEntry] = {}
    for entry in read_catalog(layout.catalog, shown):
        first.setdefault(entry.name, entry)
    for iri, importer in sorted(imports.items()):
        if iri not in first:
            target = layout.relative(defined[iri][0])
            raise OntologyModuleError(
                f"{shown} has no entry for <{iri}>, which {layout.relative(importer)} "
                f'imports: add <uri name="{iri}" uri="{Path(target).name}"/> so Protégé '
                "opens the ontology offline"
            )
    for iri, paths in sorted(defined.items()):
        entry = first.get(iri)
        if entry is None:
            continue
        actual = paths[0]
        where = f"{shown}:{entry.line}"
        if entry.path is None or not entry.path.is_file():
            raise OntologyModuleError(
                f'{where}: maps <{iri}> to "{entry.uri}", which does not exist; point it '
                f'at "{actual.name}", the file that defines that ontology'
            )
        if entry.path.resolve() != actual.resolve():
            raise OntologyModuleError(
                f'{where}: maps <{iri}> to "{entry.uri}", but {layout.relative(actual)} '
                f'defines that ontology; point the entry at "{actual.name}"'
            )


def _defined_ontologies(modules: dict[Path, Graph]) -> dict[str, list[Path]]:
    """Ontology IRI or version IRI -> the files that declare it."""
    defined: dict[str, list[Path]] = defaultdict(list)
    for path, graph in modules.items():
        for ontology in graph.subjects(RDF.type, OWL.Ontology):
            if isinstance(ontology, URIRef):
                defined[str(ontology)].append(path)
                for version in graph.objects(ontology, OWL.versionIRI):
                    defined[str(version)].append(path)
    return {iri: sorted(set(paths)) for iri, paths in defined.items()}


def _imports(modules: dict[Path, Graph]) -> dict[str, Path]:
    """Imported ontology IRI -> the first file (in path order) that imports it."""
    imports: dict[str, Path] = {}
    for path in sorted(modules):
        for target in modules[path].objects(None, OWL.imports):
            imports.setdefault(str(target), path)
    return imports


def _local_path(reference: str) -> Path | None:
    parsed = urlparse(reference)
    if parsed.scheme != "file":
        return None
    return Path(unquote(parsed.path))
