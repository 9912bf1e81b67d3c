"""The engine: rules run in the store, stratum by stratum, each to its fixpoint.

Every rule reads the asserted graphs and the inferred graph (SPARQL ``USING``) and
inserts into the inferred graph. A rule runs again only for what grew since it last
ran.
"""

import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib.term import Node

from api.core.errors import SgkgError
from api.reason.materialiser.compiler import compile_schema, read_schema
from api.reason.materialiser.reported import add_class_axioms, keep_what_reasoners_report
from api.reason.materialiser.rules import Rule, Schema, sparql_term

#: Rule runs after which the fixpoint is given up (a bug; real schemas need a few dozen).
MAX_RUNS = 10_000


class MaterialiserError(SgkgError):
    """The rules did not reach a fixpoint, or the store refused an update."""


@dataclass(frozen=True)
class Materialised:
    """What a run of the rules did."""

    triples: int
    #: how many rule updates ran in all (each rule at least once)
    runs: int
    seconds: float
    rules: int
    unsupported: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.unsupported


def materialise(
    store: ox.Store,
    graphs: Iterable[ox.NamedNode],
    into: ox.NamedNode,
    schema: Schema | None = None,
) -> Materialised:
    """Run the rules of the axioms in ``graphs`` over ``graphs`` to a fixpoint, writing
    what they derive (and what is not asserted) into the graph ``into``.

    The rules run stratum by stratum (:func:`strata`): a stratum's rules read nothing a
    later stratum writes, so each stratum reaches its fixpoint once, in turn."""
    started = time.perf_counter()
    graphs = list(graphs)
    if schema is None:
        schema = compile_schema(read_schema(store, graphs))
    using = " ".join(f"USING <{g.value}>" for g in [*graphs, into])
    runs = 0
    for stratum in strata(schema.rules):
        runs += _run_to_fixpoint(store, stratum, using, into)
    keep_what_reasoners_report(store, graphs, into, schema)
    add_class_axioms(store, into, schema)
    return Materialised(
        triples=_size(store, into),
        runs=runs,
        seconds=time.perf_counter() - started,
        rules=len(schema.rules),
        unsupported=tuple(schema.unsupported),
    )


def strata(rules: list[Rule]) -> list[list[Rule]]:
    """The rules grouped into strongly connected components of "writes what the other
    reads", writers before readers (Tarjan's algorithm, whose components come out
    readers first), each in the compiled order."""
    feeds = {
        index: [
            other
            for other, reader in enumerate(rules)
            if rule.writes & reader.reads and not (other == index and rule.closed)
        ]
        for index, rule in enumerate(rules)
    }
    order: dict[int, int] = {}
    lowest: dict[int, int] = {}
    stack: list[int] = []
    components: list[list[int]] = []

    def visit(index: int) -> None:
        order[index] = lowest[index] = len(order)
        stack.append(index)
        for other in feeds[index]:
            if other not in order:
                visit(other)
                lowest[index] = min(lowest[index], lowest[other])
            elif other in stack:
                lowest[index] = min(lowest[index], order[other])
        if lowest[index] == order[index]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == index:
                    break
            components.append(sorted(component))

    for index in range(len(rules)):
        if index not in order:
            visit(index)
    return [[rules[index] for index in component] for component in reversed(components)]


def _run_to_fixpoint(store: ox.Store, stratum: list[Rule], using: str, into: ox.NamedNode) -> int:
    """Run a stratum's rules until none has anything new to read; the number of runs.

    A rule runs again only when a signature it reads has grown since it last ran (a
    table rule, with the rows of those signatures only). Whether a run added anything
    is the store's size before and after, counted only where another rule of the
    stratum (or the rule itself, unless closed) reads what it writes."""
    runs, clock = 0, 0
    ran_at: dict[Rule, int] = {}
    grown_at: dict[str, int] = defaultdict(int)
    readers = {
        rule: frozenset().union(
            *(other.reads for other in stratum if other is not rule or not rule.closed)
        )
        for rule in stratum
    }
    while True:
        ran = False
        for rule in stratum:
            since = ran_at.get(rule)
            grown = {s for s in rule.reads if since is None or grown_at[s] > since}
            if not grown:
                continue
            runs += 1
            if runs > MAX_RUNS:
                raise MaterialiserError(
                    f"the OWL rules did not reach a fixpoint in {MAX_RUNS} rule runs"
                )
            ran = True
            watched = bool(rule.writes & readers[rule])
            before = len(store) if watched else 0
            store.update(_update(rule, grown, using, into))
            clock += 1
            ran_at[rule] = clock
            if watched and len(store) > before:
                clock += 1
                for signature in rule.writes:
                    grown_at[signature] = clock
                if rule.closed:
                    ran_at[rule] = clock
        if not ran:
            return runs


def _update(rule: Rule, grown: set[str], using: str, into: ox.NamedNode) -> str:
    """The SPARQL update of ``rule``; a table rule with the rows of ``grown`` only."""
    where = rule.pattern
    if rule.rows:
        rows = [cells for read, cells in rule.rows if read in grown]
        where = f"{_values(rule.variables, rows)} {where}"
    return f"INSERT {{ GRAPH <{into.value}> {{ {rule.template} }} }} {using} WHERE {{ {where} }}"


def _size(store: ox.Store, graph: ox.NamedNode) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph.value}> {{ ?s ?p ?o }} }}"
    return int(next(iter(store.query(query)))["n"].value)


def _values(variables: str, rows: Iterable[tuple[Node, ...]]) -> str:
    rendered = " ".join("(" + " ".join(sparql_term(cell) for cell in row) + ")" for row in rows)
    return f"VALUES ({variables}) {{ {rendered} }}"
