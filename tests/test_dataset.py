"""Loading files into the five named graphs; parse errors name file, line and column."""

from pathlib import Path

import pytest
from rdflib import URIRef

from api.core.errors import MissingInputError
from api.core.layout import GRAPH_NAMES, discover_layout, graph_iri
from api.load.dataset import SourceError, load_dataset, parse_file

from conftest import add_overlay

FRANCE = URIRef("https://w3id.org/sgkg/id/party/france")
MONITORING = URIRef("https://w3id.org/sgkg/id/mechanism/monitoring")
PASSAGE = URIRef("https://w3id.org/sgkg/id/passage/sample-3-15")


def test_loads_every_graph(mini_tree: Path) -> None:
    loaded = load_dataset(discover_layout(mini_tree))
    counts = loaded.triple_counts()
    assert list(counts) == list(GRAPH_NAMES)
    assert counts["inferred"] == 0
    assert all(counts[name] > 0 for name in ("ontology", "shapes", "data", "sources"))
    # TriG content lands in graph/data, the text layer in graph/sources
    assert (MONITORING, None, None) in loaded.graph("data")
    assert (PASSAGE, None, None) in loaded.graph("sources")
    assert (PASSAGE, None, None) not in loaded.graph("data")
    # the default graph is the union
    assert (PASSAGE, None, None) in loaded.dataset


def test_subject_index_names_the_files(mini_tree: Path) -> None:
    loaded = load_dataset(discover_layout(mini_tree))
    assert loaded.files_describing(FRANCE) == ("data/parties.ttl",)
    assert loaded.files_describing(MONITORING) == ("data/mechanisms.trig",)
    assert loaded.files_describing(PASSAGE) == ("data/text/sample.ttl",)
    assert loaded.files_describing(URIRef("https://example.org/none")) == ()


def test_union_copies_graphs(mini_tree: Path) -> None:
    loaded = load_dataset(discover_layout(mini_tree))
    union = loaded.union("data", "sources")
    assert len(union) == loaded.triple_counts()["data"] + loaded.triple_counts()["sources"]
    union.add((FRANCE, FRANCE, FRANCE))
    assert (FRANCE, FRANCE, FRANCE) not in loaded.dataset.graph(graph_iri("data"))


def test_turtle_parse_error_names_file_line_and_column(mini_tree: Path) -> None:
    add_overlay(mini_tree, "unparseable.ttl", "data/unparseable.ttl")
    with pytest.raises(SourceError) as caught:
        load_dataset(discover_layout(mini_tree))
    error = caught.value
    assert error.path == "data/unparseable.ttl"
    # line 6 is `    sg:hasParty ] .`; the parser stops at the `]` (column 17)
    assert error.line == 6
    assert error.column == 17
    assert str(error).startswith("data/unparseable.ttl:6:17: bad syntax")
    assert "\n" not in str(error)


def test_trig_parse_error_names_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.trig"
    broken.write_text(
        "@prefix ex: <http://example.org/> .\nex:g {\n  ex:a ex:b ex:c .\n  ex:a ex:b nope:x .\n}\n"
    )
    with pytest.raises(SourceError) as caught:
        parse_file(broken, display_path="broken.trig")
    assert caught.value.line == 4
    assert "nope:" in caught.value.reason


def test_unterminated_string_reports_its_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text(
        "@prefix ex: <http://example.org/> .\n"
        'ex:a ex:b "fine" .\n'
        "\n"
        'ex:c ex:d "open .\n'
        "ex:e ex:f ex:g .\n"
    )
    with pytest.raises(SourceError) as caught:
        parse_file(broken)
    assert caught.value.line == 4


def test_invalid_iri_is_rejected_with_its_line(tmp_path: Path) -> None:
    broken = tmp_path / "space.ttl"
    broken.write_text(
        "@prefix ex: <http://example.org/> .\n\nex:a ex:b <http://example.org/a b> .\n"
    )
    with pytest.raises(SourceError) as caught:
        parse_file(broken)
    assert caught.value.line == 3
    assert "invalid IRI" in caught.value.reason


def test_non_utf8_file(tmp_path: Path) -> None:
    broken = tmp_path / "latin1.ttl"
    broken.write_bytes(b'@prefix ex: <http://example.org/> .\nex:a ex:b "caf\xe9" .\n')
    with pytest.raises(SourceError) as caught:
        parse_file(broken)
    assert caught.value.line == 2


def test_missing_inputs_raise(tmp_path: Path) -> None:
    (tmp_path / "ontology").mkdir()
    with pytest.raises(MissingInputError, match="no Turtle files"):
        load_dataset(discover_layout(tmp_path))


def test_owl_imports_are_not_followed(mini_tree: Path) -> None:
    # sgkg.ttl imports the vocabularies module by IRI; nothing is fetched, and the module
    # is in the ontology graph only because its file is under ontology/.
    loaded = load_dataset(discover_layout(mini_tree))
    vocabularies = URIRef("https://w3id.org/sgkg/ontology/vocabularies")
    assert loaded.files_describing(vocabularies) == ("ontology/sgkg-vocabularies.ttl",)
