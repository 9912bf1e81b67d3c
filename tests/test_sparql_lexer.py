"""The query checks of issue 7 read SPARQL's tokens: what they see, and what they must not
miss (the spellings pyoxigraph's PEG parser accepts as SERVICE or FROM)."""

import socket
import threading
import time

import pyoxigraph as ox
import pytest

from api.query_guard import QueryRefused, UpdateRefused, check_query
from api.sparql_lexer import Position, inspect_query

DATA = "https://w3id.org/sgkg/graph/data"
GRAPHS = {DATA, "https://w3id.org/sgkg/graph/sources"}


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }",
        "select * where { service silent <http://x/> { } }",
        "PREFIX : <http://x/> SELECT * { SERVICE:x { ?s ?p ?o } }",
        "PREFIX a: <http://x/> SELECT * { SERVICEa:x { ?s ?p ?o } }",
        "PREFIX service: <http://x/> SELECT * { service:x { ?s ?p ?o } }",
        "SELECT * { SERVICESILENT<http://x/>{ } }",
        "SELECT * { SERVICE\t<http://x/>{} }",
        "SELECT * { SERVICE#comment\n<http://x/> {} }",
        'SELECT * { ?s ?p """a""" SERVICE <http://x/> {} }',
        "SELECT * { ?s ?p 'it''s' SERVICE ?endpoint {} }",
        'SELECT * { ?s ?p "unterminated SERVICE <http://x/> {} }',
    ],
)
def test_service_in_every_spelling_is_refused(query: str) -> None:
    with pytest.raises(QueryRefused, match="SERVICE"):
        check_query(query, GRAPHS)


@pytest.mark.parametrize(
    "query",
    [
        'ASK { ?s ?p "public SERVICE" } # SERVICE',
        "SELECT ?service WHERE { ?service <http://x/service> ?o }",
        "PREFIX ex: <http://x/> SELECT * WHERE { ?s ex:SERVICE ?o }",
        "SELECT * WHERE { ?s ?p '''SERVICE\n<http://x/> {}''' }",
        "SELECT * WHERE { <http://x/SERVICE> ?p ?o }",
        "SELECT * FROM <https://w3id.org/sgkg/graph/data> WHERE { ?s ?p ?o }",
        "SELECT ?from WHERE { ?from <http://x/from> ?o }",
        "PREFIX from: <http://x/> SELECT * WHERE { ?s from:p ?o }",
    ],
)
def test_the_words_in_strings_iris_comments_and_names_are_no_keywords(query: str) -> None:
    check_query(query, GRAPHS)


def test_dataset_clauses_are_resolved_before_they_are_judged() -> None:
    check_query("BASE <https://w3id.org/sgkg/graph/> SELECT * FROM <data> {}", GRAPHS)
    check_query("PREFIX g: <https://w3id.org/sgkg/graph/> SELECT * FROM g:data {}", GRAPHS)
    check_query(
        "PREFIX : <https://w3id.org/sgkg/graph/> SELECT * FROM:data FROMNAMED:sources {}", GRAPHS
    )
    shape = inspect_query(
        "PREFIX : <https://w3id.org/sgkg/graph/>\nSELECT *\nFROM NAMED :sources {}"
    )
    assert [(c.named, c.iri, c.position) for c in shape.dataset] == [
        (True, "https://w3id.org/sgkg/graph/sources", Position(3, 1))
    ]
    for sneaky in (
        "SELECT * FROM <file\\u003a///etc/passwd> {}",
        "BASE <file:///etc/> SELECT * FROM <passwd> {}",
        "PREFIX : <http://127.0.0.1:9/> SELECT * FROM:g {}",
        "SELECT * FROM ?g {}",
        "CONSTRUCT { ?s ?p ?o } FROM <http://x/> WHERE { ?s ?p ?o }",
    ):
        with pytest.raises(QueryRefused, match="outside this dataset"):
            check_query(sneaky, GRAPHS)


def test_dataset_parameters_must_name_the_dataset_graphs() -> None:
    check_query("ASK {}", GRAPHS, default_graph_uris=[DATA], named_graph_uris=[DATA])
    with pytest.raises(QueryRefused, match="named-graph-uri=http://x/"):
        check_query("ASK {}", GRAPHS, named_graph_uris=["http://x/"])


@pytest.mark.parametrize(
    ("query", "operation"),
    [
        ("INSERT DATA { <a:b> <a:c> <a:d> }", "INSERT"),
        ("PREFIX x: <a:> delete where { ?s ?p ?o }", "DELETE"),
        ("LOAD <http://x/data.ttl>", "LOAD"),
        ("# a comment\nCLEAR ALL", "CLEAR"),
        ("WITH <a:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH"),
    ],
)
def test_updates_are_refused_as_read_only(query: str, operation: str) -> None:
    with pytest.raises(UpdateRefused, match=f"read-only.*{operation}"):
        check_query(query, GRAPHS)


def test_the_query_form_is_read_after_the_prologue() -> None:
    shape = inspect_query("BASE <a:b>\nPREFIX x: <a:x>\n  DESCRIBE x:y")
    assert shape.form == "DESCRIBE" and shape.form_position == Position(3, 3)
    assert inspect_query("{ garbage").form == "{"


def test_whatever_pyoxigraph_calls_out_for_is_refused() -> None:
    """For each spelling: if pyoxigraph connects to a listener, the checks refuse it.
    (They refuse a little more: ``service:x`` calls out only when the empty prefix is
    declared too, which the lexer does not try to know.)"""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.1)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/"
    seen = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            seen.append(1)
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    spellings = [
        "SELECT * { SERVICE <URL> { ?s ?p ?o } }",
        "PREFIX : <URL> SELECT * { SERVICE:x { ?s ?p ?o } }",
        "PREFIX a: <URL> SELECT * { SERVICEa:x { ?s ?p ?o } }",
        "PREFIX : <URL> PREFIX service: <URL> SELECT * { service:x { ?s ?p ?o } }",
        "SELECT * { SERVICESILENT<URL>{ ?s ?p ?o } }",
        'SELECT * { ?s ?p "SERVICE <URL> { }" }',
        "SELECT * { ?s <URL> ?o } # SERVICE <URL> {}",
    ]
    harmless = spellings[-2:]
    calls = 0
    store = ox.Store()
    try:
        for spelling in spellings:
            query = spelling.replace("URL", url)
            before = len(seen)
            try:
                result = store.query(query)
                if isinstance(result, ox.QuerySolutions):
                    list(result)
            except (OSError, SyntaxError):
                pass
            time.sleep(0.2)
            connected = len(seen) > before
            try:
                check_query(query, GRAPHS)
                refused = False
            except QueryRefused:
                refused = True
            calls += connected
            assert refused or not connected, spelling
            assert refused is (spelling not in harmless), spelling
    finally:
        stop.set()
        thread.join(timeout=2)
        listener.close()
    assert calls == len(spellings) - len(harmless)  # the danger is real for each
