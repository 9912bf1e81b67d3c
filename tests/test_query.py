"""The store, the result formats and the query command."""

import csv
import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef

from api.build.pipeline import NQUADS_FILE, build
from api.cli.query import open_store, query_to_text, read_query
from api.core.layout import discover_layout
from api.formats.result_text import format_result
from api.store.base import QuerySyntaxError, Store
from api.store.embedded import EmbeddedStore
from api.store.results import AskResult, GraphResult, SelectResult

SG = "https://w3id.org/sgkg/ontology#"
LABELS = f"""
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?party ?label WHERE {{
  ?party a <{SG}State> ; rdfs:label ?label .
}}
"""


@pytest.fixture
def store(mini_tree: Path, build_dir: Path) -> EmbeddedStore:
    layout = discover_layout(mini_tree, build_dir)
    build(layout)
    return open_store(layout)


def test_embedded_store_counts_its_quads(store: EmbeddedStore, build_dir: Path) -> None:
    assert isinstance(store, Store)
    lines = [line for line in (build_dir / NQUADS_FILE).read_text().splitlines() if line]
    assert store.quad_count() == len(lines)


def test_default_graph_is_the_union(store: EmbeddedStore) -> None:
    ask = f"ASK {{ ?p a <{SG}Passage> . ?c a <http://www.w3.org/2002/07/owl#Class> }}"
    assert store.query(ask) == AskResult(True)


def test_dataset_iris_restrict_the_query(store: EmbeddedStore) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    data = "https://w3id.org/sgkg/graph/data"
    only_data = store.query(count, default_graph_uris=[data])
    everything = store.query(count)
    assert isinstance(only_data, SelectResult)
    assert isinstance(everything, SelectResult)
    assert 0 < int(only_data.rows[0][0]) < int(everything.rows[0][0])
    # named graphs only: the default graph is empty, GRAPH sees the named one
    named = store.query(count, named_graph_uris=[data])
    assert int(named.rows[0][0]) == 0
    in_graph = store.query(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", named_graph_uris=[data]
    )
    assert in_graph.rows[0][0] == only_data.rows[0][0]


def test_select_terms_are_rdflib_terms(store: EmbeddedStore) -> None:
    result = store.query(LABELS)
    assert result == SelectResult(
        variables=("party", "label"),
        rows=((URIRef("https://w3id.org/sgkg/id/party/france"), Literal("France", lang="en")),),
    )


def test_construct_returns_triples(store: EmbeddedStore) -> None:
    result = store.query(f"CONSTRUCT {{ ?s a <{SG}Passage> }} WHERE {{ ?s a <{SG}Passage> }}")
    assert isinstance(result, GraphResult)
    assert len(result.triples) == 1


def test_syntax_error_has_line_and_column(store: EmbeddedStore) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        store.query("SELECT * WHERE {\n  ?s ?p\n}")
    assert caught.value.line == 3
    assert caught.value.column is not None
    assert caught.value.exit_code == 2
    assert str(caught.value).startswith("SPARQL syntax error at line 3, column")


def test_table_format(store: EmbeddedStore) -> None:
    table = query_to_text(store, LABELS, "table").splitlines()
    assert table[0].split() == ["?party", "?label"]
    assert set(table[1].replace(" ", "")) == {"-"}
    assert table[2].split() == ["sgid:party/france", '"France"@en']
    # columns are aligned
    assert table[0].index("?label") == table[2].index('"France"@en')


def test_json_format(store: EmbeddedStore) -> None:
    payload = json.loads(query_to_text(store, LABELS, "json"))
    assert payload["head"]["vars"] == ["party", "label"]
    assert payload["results"]["bindings"] == [
        {
            "party": {"type": "uri", "value": "https://w3id.org/sgkg/id/party/france"},
            "label": {"type": "literal", "value": "France", "xml:lang": "en"},
        }
    ]


def test_csv_and_tsv_formats(store: EmbeddedStore) -> None:
    rows = list(csv.reader(io.StringIO(query_to_text(store, LABELS, "csv"))))
    assert rows == [["party", "label"], ["https://w3id.org/sgkg/id/party/france", "France"]]
    tsv = query_to_text(store, LABELS, "tsv").splitlines()
    assert tsv == ["?party\t?label", '<https://w3id.org/sgkg/id/party/france>\t"France"@en']


def test_typed_literals_keep_their_datatype_in_json() -> None:
    result = ox.Store().query(f'SELECT ?n WHERE {{ VALUES ?n {{ "3"^^<{SG}x> UNDEF }} }}')
    text = format_result(result, "json")
    assert text.startswith('{\n  "head"')  # indented, to read at a terminal
    assert json.loads(text)["results"]["bindings"] == [
        {"n": {"type": "literal", "value": "3", "datatype": SG + "x"}},
        {},
    ]


def test_table_shows_control_characters_and_unbound_values() -> None:
    result = ox.Store().query('SELECT ?a ?b WHERE { VALUES (?a ?b) { ("two\\nlines\\tx" UNDEF) } }')
    assert format_result(result).splitlines()[2] == "two\\nlines\\tx"


def test_ask_and_construct_output(store: EmbeddedStore) -> None:
    assert query_to_text(store, "ASK { ?s ?p ?o }") == "true\n"
    assert json.loads(query_to_text(store, "ASK { ?s ?p ?o }", "json"))["boolean"] is True
    turtle = query_to_text(store, f"CONSTRUCT {{ ?s a <{SG}State> }} WHERE {{ ?s a <{SG}State> }}")
    assert len(Graph().parse(data=turtle, format="turtle")) == 1
    assert f"@prefix sg: <{SG}> ." in turtle
    assert "a sg:State" in turtle


def test_read_query_from_text_or_file(tmp_path: Path) -> None:
    query_file = tmp_path / "q.rq"
    query_file.write_text("ASK {}")
    assert read_query(str(query_file)) == "ASK {}"
    assert read_query("ASK { ?s ?p ?o }") == "ASK { ?s ?p ?o }"
    assert read_query("x" * 5000) == "x" * 5000
