"""Queries an attacker sends to make the endpoint reach out, and a listener that counts.

Used by ``tests/test_query_guard.py`` (the guard and pyoxigraph in-process),
``tests/test_http_guard.py`` (``sgkg serve`` with each store backend) and the load runs
(:func:`attack_probes`: ``tests/test_http_load.py`` and, in ``make bench``,
``tests/benchmarks/test_endpoint_hardening_bench.py``).

:data:`BYPASSES` try to hide SERVICE (pyoxigraph would send an HTTP request to the
IRI it names) or FROM (a graph outside the dataset) from a guard that reads tokens:
comments, ``<`` comparisons that a lexer might take for an IRI, string and IRI
escapes, ``\\u`` escapes outside strings, run-together prefixed names, BASE, nested
groups, subqueries, EXISTS, VALUES... Each has the status the endpoint must answer.
``URL`` in a query stands for the listener's address (:meth:`Listener.fill`).
"""

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlencode

from loadgen import Probe

#: (name, query, status): SERVICE and FROM outside the dataset get 400, updates 403.
BYPASSES: list[tuple[str, str, int]] = [
    ("plain", "SELECT * { SERVICE <URL> { ?s ?p ?o } }", 400),
    ("lower-case-silent", "select * where { service silent <URL> { ?s ?p ?o } }", 400),
    ("mixed-case", "SELECT * { SeRvIcE <URL> { ?s ?p ?o } }", 400),
    ("variable-endpoint", "SELECT * { VALUES ?e { <URL> } SERVICE ?e { ?s ?p ?o } }", 400),
    ("less-than-hides-iri", "SELECT * { ?s ?p ?o FILTER(1<2)SERVICE<URL>#>\n{ ?s ?p ?o } }", 400),
    (
        "less-than-hides-pname",
        "PREFIX ex: <URL> SELECT * { ?s ?p ?o FILTER(1<2)SERVICEex:x#>\n{ ?s ?p ?o } }",
        400,
    ),
    (
        "less-than-then-string",
        'SELECT * { ?s ?p ?o FILTER(?o<"x") SERVICE <URL> { ?a ?b ?c } } # ">',
        400,
    ),
    ("run-together-colon", "PREFIX : <URL> SELECT * { SERVICE:x { ?s ?p ?o } }", 400),
    ("run-together-prefix", "PREFIX a: <URL> SELECT * { SERVICEa:x { ?s ?p ?o } }", 400),
    (
        "prefix-named-service",
        "PREFIX : <URL> PREFIX service: <URL> SELECT * { service:x { ?s ?p ?o } }",
        400,
    ),
    ("run-together-silent", "SELECT * { SERVICESILENT<URL>{ ?s ?p ?o } }", 400),
    ("comment-between", "SELECT * { SERVICE#comment\n<URL> { ?s ?p ?o } }", 400),
    ("comment-ends-at-cr", "SELECT * { ?s ?p ?o # note\rSERVICE <URL> { ?a ?b ?c } }", 400),
    ("escaped-keyword", "SELECT * { \\u0053ERVICE <URL> { ?s ?p ?o } }", 400),
    ("long-escaped-keyword", "SELECT * { \\U00000053ERVICE <URL> { ?s ?p ?o } }", 400),
    ("escape-in-iri", "SELECT * { SERVICE <http\\u003A//HOSTPORT/> { ?s ?p ?o } }", 400),
    ("base-empty-iri", "BASE <URL> SELECT * { SERVICE <> { ?s ?p ?o } }", 400),
    ("base-relative-iri", "BASE <URL> SELECT * { SERVICE <sparql> { ?s ?p ?o } }", 400),
    (
        "string-with-escaped-quote",
        'SELECT * { BIND("a\\"b" AS ?x) SERVICE <URL> { ?s ?p ?o } }',
        400,
    ),
    (
        "string-ending-in-backslash",
        'SELECT * { BIND("a\\\\" AS ?x) SERVICE <URL> { ?s ?p ?o } }',
        400,
    ),
    ("long-string", "SELECT * { BIND('''a''' AS ?x) SERVICE <URL> { ?s ?p ?o } }", 400),
    ("nested-groups", "SELECT * { { { { SERVICE <URL> { ?s ?p ?o } } } } }", 400),
    ("optional", "SELECT * { ?s ?p ?o OPTIONAL { SERVICE <URL> { ?s ?p ?o } } }", 400),
    ("union", "SELECT * { { ?s ?p ?o } UNION { SERVICE <URL> { ?s ?p ?o } } }", 400),
    ("minus", "SELECT * { ?s ?p ?o MINUS { SERVICE <URL> { ?s ?p ?o } } }", 400),
    ("graph", "SELECT * { GRAPH ?g { SERVICE <URL> { ?s ?p ?o } } }", 400),
    ("subquery", "SELECT * { { SELECT * { SERVICE <URL> { ?s ?p ?o } } LIMIT 1 } }", 400),
    (
        "exists",
        "SELECT * { ?s ?p ?o FILTER EXISTS { SERVICE <URL> { ?a ?b ?c } } } LIMIT 1",
        400,
    ),
    ("not-exists", "ASK { FILTER NOT EXISTS { SERVICE <URL> { ?s ?p ?o } } }", 400),
    ("construct", "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <URL> { ?s ?p ?o } }", 400),
    ("describe", "DESCRIBE ?s WHERE { SERVICE <URL> { ?s ?p ?o } }", 400),
    ("from-url", "SELECT * FROM <URL> { ?s ?p ?o }", 400),
    ("from-named-file", "SELECT * FROM NAMED <file:///etc/passwd> { ?s ?p ?o }", 400),
    ("from-run-together", "PREFIX : <URL> SELECT * FROM:g { ?s ?p ?o }", 400),
    ("from-named-run-together", "PREFIX : <URL> SELECT * FROMNAMED:g { ?s ?p ?o }", 400),
    ("from-escaped-iri", "SELECT * FROM <file\\u003a///etc/passwd> { ?s ?p ?o }", 400),
    ("from-base", "BASE <file:///etc/> SELECT * FROM <passwd> { ?s ?p ?o }", 400),
    ("from-less-than", "SELECT * FROM <URL> WHERE { FILTER(1<2) } #>", 400),
    ("from-after-comment", "SELECT * # {\nFROM <URL> { ?s ?p ?o }", 400),
    ("from-ask", "ASK FROM <URL> { }", 400),
    ("load", "LOAD <URL>", 403),
    ("load-silent-lower", "load silent <URL> into graph <urn:x:g>", 403),
    ("load-after-prologue", "PREFIX : <URL> # c\nLOAD :data", 403),
    ("insert", "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }", 403),
]

#: Deep nesting: pyoxigraph's parser recurses; 5,000 levels end its process.
DEEP: list[tuple[str, str]] = [
    ("parentheses", "SELECT * { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"),
    ("groups", "SELECT * " + "{" * 5000 + "}" * 5000),
    ("subqueries", "SELECT * {" + " { SELECT * {" * 2500 + "}}" * 2500 + "}"),
    ("exists", "ASK {" + " FILTER EXISTS {" * 3000 + "}" * 3000 + "}"),
    ("blank-nodes", "SELECT * { ?s ?p " + "[ ?p " * 3000 + "1" + " ]" * 3000 + " }"),
]

#: About 100 KB each, within the default --max-query-length: texts a naive lexer takes
#: quadratic time on.
LONG: list[tuple[str, str]] = [
    ("from-and-dots", "SELECT ?from {} " + "a." * 49_990),
    ("dots-in-braces", "SELECT * { ?s ?p " + "a." * 49_990 + " }"),
    ("open-iris", "SELECT * { FILTER(?a" + "<a" * 49_980 + ") }"),
    ("colons", "SELECT * { ?s ?p " + "a:" * 49_990 + " }"),
    ("unclosed-string", 'SELECT * { ?s ?p "' + "a" * 99_970),
]


#: pyoxigraph's process ends on about 2,500 MINUS in a row (one level of its algebra each).
CHAIN = "SELECT * { ?s ?p ?o " + "MINUS { ?s <urn:x:n> ?o } " * 2600 + "}"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
DIRECT = {"Content-Type": "application/sparql-query"}


def attack_probes(listener: "Listener") -> list[Probe]:
    """Every attack above as a request of a load run, aimed at ``listener``, with the
    status it must get; none may make the server connect anywhere."""
    probes = [
        Probe(
            f"bypass-{name}",
            "POST",
            "/sparql",
            body=urlencode({"query": listener.fill(query)}).encode(),
            headers=FORM,
            expected=status,
        )
        for name, query, status in BYPASSES
    ]
    probes += [
        Probe(f"deep-{name}", "POST", "/sparql", body=query.encode(), headers=DIRECT, expected=400)
        for name, query in DEEP
    ]
    probes += [
        Probe(f"long-{name}", "POST", "/sparql", body=query.encode(), headers=DIRECT, expected=400)
        for name, query in LONG
    ]
    probes += [
        Probe("minus-chain", "POST", "/sparql", body=CHAIN.encode(), headers=DIRECT, expected=400),
        Probe("unknown-method", "FOO", "/sparql", expected=400),
        Probe(
            "many-unknown-events",
            "POST",
            "/scenarios",
            body=('{"events": [' + ", ".join(f'"e{n}"' for n in range(5000)) + "]}").encode(),
            headers={"Content-Type": "application/json"},
            expected=422,
        ),
    ]
    return probes


#: Where the tests' own canary connections come from (:meth:`Listener.settle`): another
#: loopback address than the server's, so they are never taken for one of its.
CANARY_HOST = "127.0.0.2"


@dataclass
class Listener:
    """A loopback TCP listener that counts the connections it accepts."""

    port: int
    #: the peer address of every connection accepted, in the order accepted
    accepted: list[tuple[str, int]] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition, repr=False)

    @property
    def connections(self) -> int:
        """Connections accepted so far, the canaries of :meth:`settle` left out."""
        return sum(1 for host, _ in self.accepted if host != CANARY_HOST)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def fill(self, query: str) -> str:
        """A query of :data:`BYPASSES` with ``URL`` (and ``HOSTPORT``) made this listener's."""
        return query.replace("URL", self.url).replace("HOSTPORT", f"127.0.0.1:{self.port}")

    def settle(self, seconds: float = 30) -> int:
        """:attr:`connections`, once every connection opened before this call is counted.

        A canary connection opened now is queued behind every connection already made
        to this port (the kernel hands connections to ``accept`` in the order their
        handshakes completed), so once the listener has accepted the canary, none made
        earlier is still waiting to be counted.
        """
        with socket.create_connection(
            ("127.0.0.1", self.port), timeout=seconds, source_address=(CANARY_HOST, 0)
        ) as canary:
            address = canary.getsockname()
        with self.arrived:
            if not self.arrived.wait_for(lambda: address in self.accepted, timeout=seconds):
                raise AssertionError(f"the listener did not accept a connection in {seconds} s")
        return self.connections


@contextmanager
def listening() -> Iterator[Listener]:
    """A :class:`Listener` on a free loopback port, accepting until the block ends."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    server.settimeout(0.05)
    listener = Listener(server.getsockname()[1])
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, address = server.accept()
            except TimeoutError:
                continue
            with listener.arrived:
                listener.accepted.append(address)
                listener.arrived.notify_all()
            connection.close()

    thread = threading.Thread(target=accept, name="attack-listener", daemon=True)
    thread.start()
    try:
        yield listener
    finally:
        stop.set()
        thread.join(timeout=2)
        server.close()
