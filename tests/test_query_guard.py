"""The endpoint's checks, tried as an attacker would: a real parser judges, the engine runs
what it approved, and the fast path lets through only what its proof covers.

pyoxigraph runs in this process here, against a loopback listener: whatever it would
connect to shows there. ``tests/test_http_guard.py`` sends the same attacks to
``sgkg serve`` with each store backend.
"""

import itertools
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from api.analysis.competency import load_questions
from api.build.pipeline import NQUADS_FILE
from api.core.layout import discover_layout
from api.sparql.guard import (
    MAX_NESTING,
    MAX_OPERATORS,
    QueryRefused,
    UpdateRefused,
    check_query,
    normal_form,
    proven_safe,
)
from api.sparql.iris import resolve_iri
from api.sparql.lexer import SparqlLexer
from api.sparql.parser import (
    Position,
    QuerySyntaxError,
    QueryTooComplex,
    UpdateNotQuery,
    parse_query,
)
from api.store.embedded import EmbeddedStore

from attacks import BYPASSES, DEEP, LONG, Listener, listening
from conftest import REPO

DATA = "https://w3id.org/sgkg/graph/data"
GRAPHS = {DATA, "https://w3id.org/sgkg/graph/sources"}
QUESTIONS = load_questions(discover_layout(REPO))


def status_of(query: str, graphs: set[str] = GRAPHS) -> int:
    """The status the endpoint answers for a query, as far as the checks decide."""
    try:
        check_query(query, graphs)
    except UpdateRefused:
        return 403
    except (QueryRefused, QuerySyntaxError):
        return 400
    return 200


def engine() -> ox.Store:
    """A pyoxigraph store with one triple in its default graph, so that patterns match
    and the SERVICE calls beside them run."""
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), ox.NamedNode("urn:x:o")))
    return store


def run_raw(store: ox.Store, query: str, listener: Listener) -> bool:
    """Run a text on pyoxigraph as it is; whether it connected to the listener."""
    before = listener.connections
    try:
        result = store.query(query)
        if isinstance(result, ox.QuerySolutions | ox.QueryTriples):
            list(result)
    except (OSError, SyntaxError, ValueError, RuntimeError):
        pass
    return listener.settle() > before


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    with listening() as listener:
        yield listener


# --- the rules ----------------------------------------------------------------------------


def test_every_bypass_is_refused_and_the_danger_is_real(listener: Listener) -> None:
    """Each attempt gets its status; run as it is, most of them would call out."""
    store = engine()
    called_out = []
    for name, query, status in BYPASSES:
        query = listener.fill(query)
        assert status_of(query) == status, name
        if run_raw(store, query, listener):
            called_out.append(name)
    assert len(called_out) >= 20, called_out
    assert {"plain", "run-together-colon", "comment-between", "subquery"} <= set(called_out)


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
        "PREFIX service: <http://x/> SELECT * WHERE { ?s service:x ?o }",
        "PREFIX SERVICE: <http://x/> SELECT * WHERE { SERVICE:x ?p ?o }",
        'SELECT * WHERE { ?s ?p ?o FILTER(REGEX(?o, "\\\\bSERVICE\\\\b")) }',
        "SELECT * WHERE { ?s ?p ?o FILTER(?o<?p&&?s>?o) } # SERVICE <x> {}",
    ],
)
def test_the_words_in_strings_iris_comments_and_names_are_no_keywords(query: str) -> None:
    checked = check_query(query, GRAPHS)
    assert "SERVICE <" not in checked.text


def test_dataset_clauses_are_resolved_before_they_are_judged() -> None:
    check_query("BASE <https://w3id.org/sgkg/graph/> SELECT * FROM <data> {}", GRAPHS)
    check_query("PREFIX g: <https://w3id.org/sgkg/graph/> SELECT * FROM g:data {}", GRAPHS)
    check_query(
        "PREFIX : <https://w3id.org/sgkg/graph/> SELECT * FROM :data FROM NAMED :sources {}",
        GRAPHS,
    )
    parsed = parse_query(
        "PREFIX : <https://w3id.org/sgkg/graph/>\nSELECT *\nFROM NAMED :sources {}",
        max_depth=MAX_NESTING,
        max_operators=MAX_OPERATORS,
    )
    assert [(c.named, c.iri, c.position) for c in parsed.shape.dataset] == [
        (True, "https://w3id.org/sgkg/graph/sources", Position(3, 1))
    ]
    for sneaky in (
        "SELECT * FROM <file\\u003a///etc/passwd> {}",
        "BASE <file:///etc/> SELECT * FROM <passwd> {}",
        "BASE <https://w3id.org/sgkg/graph/data/> SELECT * FROM <../../../../x> {}",
        "PREFIX : <http://127.0.0.1:9/> SELECT * FROM :g {}",
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
        ("BASE <a:> PREFIX from: <a:> DROP GRAPH <a:g>", "DROP"),
    ],
)
def test_updates_are_refused_as_read_only(query: str, operation: str) -> None:
    with pytest.raises(UpdateRefused, match=f"read-only.*{operation}"):
        check_query(query, GRAPHS)


@pytest.mark.parametrize(("name", "query"), DEEP, ids=[name for name, _ in DEEP])
def test_deep_nesting_is_refused_before_the_engine(name: str, query: str) -> None:
    with pytest.raises(QueryRefused, match=f"more than {MAX_NESTING} levels deep"):
        check_query(query, GRAPHS)


def test_long_chains_are_refused_before_the_engine() -> None:
    """pyoxigraph's process ends on about 2,500 MINUS in a row (one level of its algebra
    each): more keywords and operators than the limit are refused."""
    fits = "SELECT * { ?s ?p ?o " + "MINUS { ?s <urn:x:n> ?o } " * 1000 + "}"
    assert status_of(fits) == 200
    chain = "SELECT * { ?s ?p ?o " + "MINUS { ?s <urn:x:n> ?o } " * 2600 + "}"
    with pytest.raises(QueryRefused, match=f"more than {MAX_OPERATORS:,} keywords"):
        check_query(chain, GRAPHS)
    values = "SELECT * { VALUES ?x { " + "<urn:x:a> " * 20_000 + "} }"  # terms are no operators
    assert status_of(values) == 200


@pytest.mark.parametrize(("name", "query"), LONG, ids=[name for name, _ in LONG])
def test_long_texts_are_read(name: str, query: str) -> None:
    """About 100 KB each, shaped to make a backtracking lexer take quadratic time (the
    time bound is tested over HTTP, in tests/test_http_guard.py)."""
    with pytest.raises(QuerySyntaxError):
        normal_form(query)


def test_escapes_spell_no_keywords() -> None:
    """pyoxigraph reads ``\\u`` escapes in strings and IRIs only, and so do the checks."""
    store = engine()
    for query in (
        "SELECT * { \\u0053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
        "SELECT * \\u007B ?s ?p ?o }",
        "SELECT * { ?s ?p ?o } \\u0023 comment",
    ):
        with pytest.raises(SyntaxError):
            store.query(query)
        with pytest.raises(QuerySyntaxError, match="escapes only inside"):
            check_query(query, GRAPHS)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * { <http://a/\\u003E> ?p ?o }",
        "SELECT * { <http://a/\\u0020x> ?p ?o }",
        'SELECT * { BIND("\\uD800" AS ?x) }',
        "SELECT * { <http://a/\\U00110000> ?p ?o }",
        "SELECT * { <relative> ?p ?o }",
        "SELECT * { ex:a ?p ?o }",
    ],
)
def test_iris_and_strings_that_cannot_be_written_are_refused(query: str) -> None:
    with pytest.raises(QuerySyntaxError):
        normal_form(query)


@pytest.mark.parametrize("letter", ["\u017f", "\u0130", "\u0131", "\u212a"])
def test_letters_that_case_fold_to_ascii_spell_no_keyword(letter: str, listener: Listener) -> None:
    """The long s, the dotted capital I, the dotless i and the Kelvin sign become ASCII
    letters under Unicode's case rules; the engine compares keywords in ASCII only, and
    the checks do likewise."""
    spellings = [
        "SELECT * { " + "SERVICE".replace(ascii_letter, letter) + " <URL> { ?s ?p ?o } }"
        for ascii_letter in "SI"
    ] + ["SELECT * " + "FROM".replace("F", letter) + " <URL> { ?s ?p ?o }"]
    store = engine()
    for spelling in spellings:
        query = listener.fill(spelling)
        assert not run_raw(store, query, listener)
        try:  # the parser refuses it, or the proof lets it through to an engine that does
            checked = check_query(query, GRAPHS)
        except QuerySyntaxError:
            continue
        with pytest.raises(SyntaxError):
            store.query(checked.text)


# --- the normal form ------------------------------------------------------------------------


def answers(store: EmbeddedStore, query: str) -> object:
    result = store.query(query)
    rows = getattr(result, "rows", None)
    return sorted(map(repr, rows)) if rows is not None else result


@pytest.fixture(scope="module")
def built_store(served_build: Path) -> EmbeddedStore:
    return EmbeddedStore.from_nquads(served_build / NQUADS_FILE)


@pytest.mark.parametrize("question", QUESTIONS, ids=[q.name for q in QUESTIONS])
def test_the_normal_form_answers_like_the_question(question, built_store: EmbeddedStore) -> None:
    normal = normal_form(question.sparql).text
    assert "PREFIX" not in normal and "#+" not in normal  # no prologue, no comments
    assert answers(built_store, normal) == answers(built_store, question.sparql)


@pytest.mark.parametrize(
    "query",
    [
        'SELECT ?x { BIND("a\\"b\\\\c\\nd\\u00e9\\U0001F600\\t" AS ?x) }',
        "SELECT ?x { BIND('''it's\n\"quoted\"''' AS ?x) }",
        'SELECT ?x { BIND("chat"@fr-CA AS ?x) }',
        'SELECT ?x { BIND("1"^^<http://www.w3.org/2001/XMLSchema#integer> AS ?x) }',
        "PREFIX ex: <http://x/> SELECT ?x { BIND(ex:a\\.b\\~c%41 AS ?x) }",
        "PREFIX : <http://x/> SELECT ?x { BIND(:a.b AS ?x) }",
        "BASE <http://x/y/z> SELECT ?x { BIND(<../a?b#c> AS ?x) }",
        "BASE <http://x/> PREFIX p: <y/> BASE <http://z/> SELECT ?x { BIND(p:q AS ?x) }",
        "SELECT $x ?y { BIND(-1 AS $x) BIND(?x-1 AS ?y) }",
        "SELECT ?x { BIND(1.5e3 + .5 - +2 AS ?x) }",
        "SELECT ?x { VALUES (?x ?y) { (1 UNDEF) (2 3) } }",
        "ASK { FILTER(?a<?b&&?c>?d || 1<=2 && !(3>=4)) }",
        "SELECT (COUNT(DISTINCT ?s) AS ?n) (GROUP_CONCAT(?s; SEPARATOR=',') AS ?g) "
        "{ ?s a [] } GROUP BY ?s HAVING (COUNT(*) > 0) ORDER BY DESC(?n) LIMIT 1 OFFSET 0",
        "SELECT * { ?s <http://x/p>/^<http://x/q>|!(<http://x/r>|^a)* ?o }",
        "SELECT * { ?s ?p (1 2 [ a ?o ]) . _:b1 ?p _:b2 }",
        "DESCRIBE <http://x/a> ?s",
        "CONSTRUCT WHERE { ?s ?p ?o }",
    ],
)
def test_the_normal_form_means_what_the_query_means(query: str) -> None:
    store = engine()
    normal = normal_form(query).text
    assert answers_of(store, normal) == answers_of(store, query)


ONE_ARGUMENT = """
    STR LANG DATATYPE IRI URI ABS CEIL FLOOR ROUND STRLEN UCASE LCASE ENCODE_FOR_URI YEAR
    MONTH DAY HOURS MINUTES SECONDS TIMEZONE TZ MD5 SHA1 SHA256 SHA384 SHA512 isIRI isURI
    isBLANK isLITERAL isNUMERIC BNODE SUM MIN MAX AVG SAMPLE COUNT GROUP_CONCAT
"""
TWO_ARGUMENTS = """
    LANGMATCHES CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER STRLANG STRDT sameTerm REGEX
    SUBSTR CONCAT COALESCE
"""
OTHER_CALLS = [
    "BNODE()",
    "RAND()",
    "NOW()",
    "UUID()",
    "STRUUID()",
    "CONCAT()",
    "COALESCE(?u, 1, 2)",
    "IF(true, 1, 2)",
    'REGEX("a", "b", "i")',
    'SUBSTR("abc", 1, 2)',
    'REPLACE("a", "b", "c")',
    'REPLACE("a", "b", "c", "i")',
    "BOUND(?u)",
    "COUNT(*)",
    "COUNT(DISTINCT *)",
    "SUM(DISTINCT 1)",
    'GROUP_CONCAT(DISTINCT "a"; SEPARATOR="-")',
    "EXISTS { ?s ?p ?o }",
    "NOT EXISTS { ?s ?p ?o }",
    "1 IN (1, 2)",
    "1 NOT IN ()",
    '<http://www.w3.org/2001/XMLSchema#integer>("1")',
]


def test_the_engine_reads_the_normal_form_of_every_call() -> None:
    """Every built-in function and aggregate, written in the normal form, is a query the
    engine reads (it does not take every white space the grammar allows)."""
    calls = [f'{name}("a")' for name in ONE_ARGUMENT.split()]
    calls += [f'{name}("a", "b")' for name in TWO_ARGUMENTS.split()]
    store = ox.Store()
    for call in calls + OTHER_CALLS:
        for query in (f"SELECT ({call} AS ?x) {{}}", f"SELECT * {{ FILTER({call}) }}"):
            try:
                store.query(query)
            except SyntaxError:
                continue  # not a query the engine reads as written either
            except (RuntimeError, ValueError):
                pass  # read, then refused to run
            try:
                store.query(normal_form(query).text)
            except (RuntimeError, ValueError):
                pass
            except SyntaxError as error:
                pytest.fail(f"{normal_form(query).text}: {error}")


def answers_of(store: ox.Store, query: str) -> object:
    result = store.query(query)
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if isinstance(result, ox.QuerySolutions):
        return sorted(repr([solution[v] for v in result.variables]) for solution in result)
    return sorted(map(repr, result))


RFC_3986_EXAMPLES = """
    g:h g ./g g/ /g //g ?y g?y #s g#s g?y#s ;x g;x g;x?y#s . ./ .. ../ ../g ../.. ../../
    ../../g ../../../g ../../../../g /./g /../g g. .g g.. ..g ./../g ./g/. g/./h g/../h
    g;x=1/./y g;x=1/../y g?y/./x g?y/../x g#s/./x g#s/../x
"""


def test_iri_resolution_agrees_with_the_engine() -> None:
    """RFC 3986, section 5.4's examples and a few more, against pyoxigraph's own."""
    base = "http://a/b/c/d;p?q"
    references = RFC_3986_EXAMPLES.split()
    store = ox.Store()
    for reference in [*references, ""]:
        query = f"BASE <{base}> SELECT ?x {{ BIND(<{reference}> AS ?x) }}"
        expected = next(iter(store.query(query)))["x"].value
        assert resolve_iri(base, reference) == expected, reference


# --- the proof: the fast path says "safe" only where the parser agrees -------------------------

WORDS = """
    SELECT select ASK ask CONSTRUCT DESCRIBE PREFIX prefix BASE WHERE FILTER OPTIONAL GRAPH
    EXISTS NOT VALUES UNDEF BIND AS a true SERVICE service SeRvIcE SILENT FROM from FrOm
    NAMED LOAD load INSERT DATA DELETE WITH CLEAR DROP INTO ex: ex:a : :a a: SERVICEex:x
    SERVICE: FROM:g FROMNAMED:g SERVICESILENT _:b @en ^^ <http://x/> <URL> <> <a#> < > <=
    { } ( ) [ ] . ; , * / | ^ ! = + - && || ? 1 2.5 ?s ?p ?o $o ?from ?service 1<2 ?a<?b
    ?b>?a
"""
FRAGMENTS = [
    *WORDS.split(),
    '"',
    "'",
    '"""',
    "'''",
    '"a"',
    "'b'",
    '"SERVICE"',
    '"\\""',
    "#",
    "# SERVICE",
    "\\u0053",
    "\\",
    "\u017fERVICE",
    "SERV\u0130CE",
    " ",
    "  ",
    "\n",
    "\r",
    "\t",
    "\u00a0",
    "\x0c",
]
texts = st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=30).map("".join)
spaced = st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=30).map(" ".join)
characters = st.text(alphabet=st.sampled_from(sorted(set("".join(FRAGMENTS)))), max_size=80)
#: Texts that start as a query would, so that the proof has something to hold for.
STARTS = ["SELECT", "ask", "CONSTRUCT", "DESCRIBE", "PREFIX a: <x:> SELECT", "BASE <x:> #\nASK"]
queries = st.tuples(st.sampled_from(STARTS), st.sampled_from(["", " ", "\n"]), texts).map("".join)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(queries, texts, spaced, characters))
@example("SELECT * { ?s ?p ?o FILTER(1<2)SERVICE<URL>#>\n{ ?s ?p ?o } }")
@example("SELECT * # x\rSERVICE <URL> {}")
def test_the_fast_path_never_lets_through_what_the_parser_refuses(text: str) -> None:
    shape = proven_safe(text)
    if shape is None:
        return
    try:
        parsed = parse_query(text, max_depth=MAX_NESTING, max_operators=MAX_OPERATORS)
    except QuerySyntaxError:
        return  # the engine refuses it too; it cannot reach out
    except (UpdateNotQuery, QueryTooComplex) as error:
        pytest.fail(f"the fast path let through {text!r}: {error}")
    assert not parsed.services, text
    assert not parsed.shape.dataset, text
    assert parsed.shape.form == shape.form


VALID = [
    "SELECT * WHERE { ?s ?p ?o }",
    "ASK { ?s ?p ?o FILTER(?o < 3) }",
    "PREFIX ex: <http://x/> CONSTRUCT { ?s ex:p ?o } WHERE { ?s ?p ?o OPTIONAL { ?o ?q ?r } }",
    "DESCRIBE ?s WHERE { ?s ?p ?o } LIMIT 1",
    *(question.sparql for question in QUESTIONS[:8]),
]
INSERTED = [
    "SERVICE <URL> { ?s ?p ?o }",
    "SERVICE SILENT <URL> {}",
    "SERVICE<URL>{}",
    "SERVICE",
    "service ",
    " SERVICE:x { ?s ?p ?o } ",
    "#\nSERVICE <URL> { }\n",
    "FROM <URL>",
    "FROM NAMED <URL>",
    "FROM",
    "from<URL>",
    "LOAD <URL>",
    "LOAD",
    "; LOAD <URL>",
    "<",
    "1<2)",
    "#>",
    ">",
]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(VALID),
    st.lists(st.tuples(st.sampled_from(INSERTED), st.floats(0, 1)), min_size=1, max_size=3),
)
def test_service_from_and_load_anywhere_in_a_valid_query(
    listener: Listener, query: str, insertions: list[tuple[str, float]]
) -> None:
    """Whatever the checks accept of it, run on pyoxigraph, calls nobody."""
    for fragment, where in insertions:
        at = int(where * len(query))
        query = query[:at] + listener.fill(fragment) + query[at:]
    try:
        checked = check_query(query, GRAPHS)
    except (QueryRefused, UpdateRefused, QuerySyntaxError):
        return
    assert not run_raw(engine(), checked.text, listener), query


def test_the_competency_questions_take_the_fast_path() -> None:
    """Their texts prove themselves safe (the parser's half millisecond is saved), but
    for the few that name the word "from" or "service" (in a comment, say)."""
    fast = [q.name for q in QUESTIONS if proven_safe(q.sparql) is not None]
    assert len(fast) >= len(QUESTIONS) * 0.8, fast


def test_the_fast_path_needs_its_whole_proof() -> None:
    assert proven_safe("PREFIX ex: <http://x/> # x\n select * { ?s ?p ?o }").form == "SELECT"
    for text in (
        "SELECT * { ?s ?p ?o } # from",  # the word anywhere
        "SELECT * { ?s ?p 'service' }",
        'SELECT * { ?s ?p "\\u0041" }',  # a backslash
        "PREFIXex: <http://x/> SELECT * {}",  # one prefixed name, no declaration
        "SELECTx:y {}",  # a prefixed name, not the form
        "INSERT DATA {}",
        "SELECT * " + "{" * (MAX_NESTING + 1) + "}" * (MAX_NESTING + 1),
        "SELECT * {" + " " * MAX_OPERATORS + "}",
    ):
        assert proven_safe(text) is None, text


def test_every_terminal_pair_stays_apart_in_the_normal_form() -> None:
    """Each pair of tokens, written as the normal form writes them, reads back as the
    same two tokens: one space between tokens is enough for any reader. (``(`` then
    ``)`` never come apart out of the lexer: with only spaces between, they are ``()``.)"""
    samples = [
        "?a",
        "<http://x/>",
        '"s"',
        '"s"@en',
        "1",
        "-1",
        "+1.5",
        ".5",
        "1e3",
        "_:b",
        "a",
        "true",
        "()",
        "[]",
        "(",
        ")",
        "{",
        "}",
        "[",
        "]",
        ".",
        ";",
        ",",
        "*",
        "/",
        "|",
        "^",
        "^^",
        "!",
        "!=",
        "<",
        "<=",
        ">",
        ">=",
        "=",
        "+",
        "-",
        "&&",
        "||",
        "?",
        "SERVICE",
        "FROM",
        "SELECT",
    ]

    def tokens(text: str) -> list[str]:
        lexer = SparqlLexer(text)
        out = []
        while (token := lexer.next(lambda _: True)) is not None:
            out.append(str(token))
        return out

    for left, right in itertools.product(samples, repeat=2):
        if (left, right) in (("(", ")"), ("[", "]")):
            continue
        assert tokens(f"{left} {right}") == [*tokens(left), *tokens(right)], (left, right)
