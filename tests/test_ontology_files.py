"""What Protégé may leave in ontology/: files read by content, catalogs it rewrites.

Protégé keeps a file's name when it saves it in another format, may save a module as
``.owl``, and adds its own entries to ``catalog-v001.xml``. These tests run on the mini
tree, with files written the way Protégé (the OWL API) writes them; the full round trip
through the OWL API itself is in test_protege_round_trip.py.
"""

import shutil
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

from api.core.layout import ONTOLOGY, discover_layout
from api.load.catalog import OntologyModuleError, read_catalog
from api.load.dataset import SourceError, detect_format, load_dataset, load_ontology, parse_file

from conftest import FIXTURES

SG_ONTOLOGY = URIRef("https://w3id.org/sgkg/ontology")
VOCABULARIES = "https://w3id.org/sgkg/ontology/vocabularies"


def to_rdfxml(turtle_file: Path, destination: Path) -> None:
    """Rewrite a Turtle module as RDF/XML, as Protégé does when the format changes."""
    graph = Graph()
    graph.parse(turtle_file, format="turtle")
    destination.write_text(graph.serialize(format="pretty-xml"), encoding="utf-8")


# --- reading files by content ----------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b'<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="x">', "xml"),
        (
            b'\xef\xbb\xbf  <?xml version="1.0"?><!-- c --><!DOCTYPE rdf:RDF [\n'
            b'<!ENTITY owl "http://www.w3.org/2002/07/owl#" >]>\n<rdf:RDF>',
            "xml",
        ),
        (b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">', "xml"),
        (b"@prefix sg: <https://w3id.org/sgkg/ontology#> .", "turtle"),
        (b"PREFIX sg: <https://w3id.org/sgkg/ontology#>", "turtle"),
        (
            b"<https://w3id.org/sgkg/ontology> a <http://www.w3.org/2002/07/owl#Ontology> .",
            "turtle",
        ),
        (b"# a comment\n<urn:x:a> <urn:x:b> <urn:x:c> .", "turtle"),
    ],
)
def test_format_is_detected_by_content(head: bytes, expected: str) -> None:
    assert detect_format(head, "ontology/x.ttl") == expected


@pytest.mark.parametrize(
    ("head", "named"),
    [
        (b'<?xml version="1.0"?>\n<Ontology xmlns="http://www.w3.org/2002/07/owl#">', "OWL/XML"),
        (b"Prefix(:=<https://w3id.org/sgkg/ontology#>)\nOntology(<x>)", "functional syntax"),
        (b"Prefix: sg: <https://w3id.org/sgkg/ontology#>\nOntology: <x>", "Manchester"),
        (b'<?xml version="1.0"?>\n<html><body/></html>', "not RDF/XML"),
    ],
)
def test_other_protege_formats_are_refused_with_advice(head: bytes, named: str) -> None:
    with pytest.raises(SourceError) as caught:
        detect_format(head, "ontology/sgkg.ttl")
    message = str(caught.value)
    assert message.startswith("ontology/sgkg.ttl")
    assert named in message
    assert "Save as" in message and "Turtle" in message and "RDF/XML" in message


def test_rdfxml_in_a_ttl_file_loads_like_the_turtle(mini_tree: Path) -> None:
    original = load_dataset(discover_layout(mini_tree)).graph(ONTOLOGY)
    module = mini_tree / "ontology" / "sgkg.ttl"
    to_rdfxml(module, module)  # same name, RDF/XML inside
    assert module.read_bytes().startswith(b"<?xml")
    loaded = load_dataset(discover_layout(mini_tree)).graph(ONTOLOGY)
    assert set(loaded) == set(original)


def test_owl_and_rdf_files_in_ontology_are_loaded(mini_tree: Path) -> None:
    folder = mini_tree / "ontology"
    to_rdfxml(folder / "sgkg.ttl", folder / "sgkg.owl")
    to_rdfxml(folder / "sgkg-vocabularies.ttl", folder / "sgkg-vocabularies.rdf")
    (folder / "sgkg.ttl").unlink()
    (folder / "sgkg-vocabularies.ttl").unlink()
    catalog = folder / "catalog-v001.xml"
    catalog.write_text(catalog.read_text().replace(".ttl", ".rdf"))
    layout = discover_layout(mini_tree)
    assert [p.name for p in layout.files_for(ONTOLOGY)] == ["sgkg-vocabularies.rdf", "sgkg.owl"]
    graph = load_ontology(layout)
    assert (SG_ONTOLOGY, RDF.type, OWL.Ontology) in graph
    assert (URIRef(VOCABULARIES), RDF.type, OWL.Ontology) in graph


def test_rdfxml_with_entity_declarations_loads(tmp_path: Path) -> None:
    """Older Protégé versions (OWL API 3) write a DOCTYPE of entities and ``&sg;Party``."""
    module = tmp_path / "sgkg.owl"
    module.write_text(
        '<?xml version="1.0"?>\n'
        "<!DOCTYPE rdf:RDF [\n"
        '    <!ENTITY owl "http://www.w3.org/2002/07/owl#" >\n'
        '    <!ENTITY sg "https://w3id.org/sgkg/ontology#" >\n'
        "]>\n"
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"\n'
        '     xmlns:owl="&owl;">\n'
        '    <owl:Class rdf:about="&sg;Party"/>\n'
        "</rdf:RDF>\n"
    )
    party = URIRef("https://w3id.org/sgkg/ontology#Party")
    assert set(parse_file(module)) == {(party, RDF.type, OWL.Class)}


def test_rdfxml_syntax_error_names_file_line_and_column(tmp_path: Path) -> None:
    broken = tmp_path / "sgkg.ttl"
    broken.write_text(
        '<?xml version="1.0"?>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"\n'
        '         xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">\n'
        '  <rdf:Description rdf:about="https://w3id.org/sgkg/ontology#A">\n'
        "    <rdfs:label>A</rdfs:comment>\n"
        "  </rdf:Description>\n"
        "</rdf:RDF>\n"
    )
    with pytest.raises(SourceError) as caught:
        parse_file(broken, display_path="ontology/sgkg.ttl")
    assert caught.value.line == 5
    assert caught.value.column is not None
    assert str(caught.value).startswith("ontology/sgkg.ttl:5:")
    assert "bad RDF/XML" in caught.value.reason and "mismatched tag" in caught.value.reason


def test_rdfxml_grammar_error_names_its_line(tmp_path: Path) -> None:
    broken = tmp_path / "sgkg.owl"
    broken.write_text(
        '<?xml version="1.0"?>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"\n'
        '         xmlns:ex="http://example.org/">\n'
        '  <rdf:Description rdf:about="http://example.org/a">\n'
        '    <ex:p><ex:B rdf:about="http://example.org/b"/><ex:C rdf:about="http://example.org/c"/></ex:p>\n'
        "  </rdf:Description>\n"
        "</rdf:RDF>\n"
    )
    with pytest.raises(SourceError) as caught:
        parse_file(broken, display_path="ontology/sgkg.owl")
    assert caught.value.line == 5
    assert "bad RDF/XML" in caught.value.reason


# --- the catalog and the modules -------------------------------------------------------


PROTEGE_CATALOG = FIXTURES / "protege" / "catalog-v001.xml"


def test_a_catalog_protege_has_rewritten_is_accepted(mini_tree: Path) -> None:
    shutil.copyfile(PROTEGE_CATALOG, mini_tree / "ontology" / "catalog-v001.xml")
    graph = load_ontology(discover_layout(mini_tree))
    assert (SG_ONTOLOGY, RDF.type, OWL.Ontology) in graph


def test_catalog_entries_resolve_relative_to_xml_base(tmp_path: Path) -> None:
    catalog = tmp_path / "ontology" / "catalog-v001.xml"
    catalog.parent.mkdir()
    catalog.write_text(
        '<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">\n'
        '  <group xml:base="modules/">\n'
        '    <uri name="https://example.org/a" uri="a.ttl"/>\n'
        "  </group>\n"
        '  <uri name="https://example.org/b" uri="b.ttl"/>\n'
        "</catalog>\n"
    )
    entries = read_catalog(catalog)
    assert [(e.name, e.path, e.line) for e in entries] == [
        ("https://example.org/a", catalog.parent / "modules" / "a.ttl", 3),
        ("https://example.org/b", catalog.parent / "b.ttl", 5),
    ]


def test_catalog_pointing_at_a_missing_file_is_refused(mini_tree: Path) -> None:
    catalog = mini_tree / "ontology" / "catalog-v001.xml"
    catalog.write_text(catalog.read_text().replace("sgkg-vocabularies.ttl", "gone.ttl"))
    with pytest.raises(OntologyModuleError) as caught:
        load_dataset(discover_layout(mini_tree))
    message = str(caught.value)
    assert message.startswith("ontology/catalog-v001.xml:3:")
    assert '"gone.ttl", which does not exist' in message
    assert '"sgkg-vocabularies.ttl"' in message


def test_catalog_pointing_at_the_wrong_module_is_refused(mini_tree: Path) -> None:
    catalog = mini_tree / "ontology" / "catalog-v001.xml"
    catalog.write_text(catalog.read_text().replace('uri="sgkg-vocabularies.ttl"', 'uri="sgkg.ttl"'))
    with pytest.raises(OntologyModuleError, match=r"ontology/sgkg-vocabularies\.ttl defines"):
        load_dataset(discover_layout(mini_tree))


def test_catalog_without_an_entry_for_an_import_is_refused(mini_tree: Path) -> None:
    catalog = mini_tree / "ontology" / "catalog-v001.xml"
    catalog.write_text('<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog"></catalog>\n')
    with pytest.raises(OntologyModuleError) as caught:
        load_dataset(discover_layout(mini_tree))
    assert f"has no entry for <{VOCABULARIES}>" in str(caught.value)
    assert f'<uri name="{VOCABULARIES}" uri="sgkg-vocabularies.ttl"/>' in str(caught.value)


def test_missing_catalog_is_refused_when_a_module_imports(mini_tree: Path) -> None:
    (mini_tree / "ontology" / "catalog-v001.xml").unlink()
    with pytest.raises(OntologyModuleError, match=r"catalog-v001\.xml is missing"):
        load_dataset(discover_layout(mini_tree))


def test_malformed_catalog_names_its_line(mini_tree: Path) -> None:
    catalog = mini_tree / "ontology" / "catalog-v001.xml"
    catalog.write_text('<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">\n<uri>\n')
    with pytest.raises(
        OntologyModuleError, match=r"^ontology/catalog-v001\.xml:3: not well-formed"
    ):
        load_dataset(discover_layout(mini_tree))


def test_two_files_defining_one_ontology_are_refused(mini_tree: Path) -> None:
    folder = mini_tree / "ontology"
    to_rdfxml(folder / "sgkg.ttl", folder / "sgkg.owl")  # "Save as" left the old file
    with pytest.raises(OntologyModuleError) as caught:
        load_dataset(discover_layout(mini_tree))
    message = str(caught.value)
    assert "ontology/sgkg.owl and ontology/sgkg.ttl both define the ontology" in message
    assert "keep only the file you saved from Protégé" in message


def test_import_of_an_ontology_outside_the_project_is_refused(mini_tree: Path) -> None:
    module = mini_tree / "ontology" / "sgkg.ttl"
    module.write_text(
        module.read_text().replace(
            "owl:imports <https://w3id.org/sgkg/ontology/vocabularies> ;",
            "owl:imports <https://w3id.org/sgkg/ontology/vocabularies>, "
            "<http://www.w3.org/ns/prov-o> ;",
        )
    )
    with pytest.raises(OntologyModuleError) as caught:
        load_dataset(discover_layout(mini_tree))
    message = str(caught.value)
    assert message.startswith("ontology/sgkg.ttl imports <http://www.w3.org/ns/prov-o>")
    assert "never downloads imports" in message


def test_module_errors_are_unusable_input_for_the_cli(mini_tree: Path, sgkg, tmp_path) -> None:
    (mini_tree / "ontology" / "catalog-v001.xml").unlink()
    result = sgkg("--root", mini_tree, "--build-dir", tmp_path / "build", "validate")
    assert result.code == 2
    assert "sgkg validate: ontology/sgkg.ttl imports" in result.err
    assert "Traceback" not in result.err
