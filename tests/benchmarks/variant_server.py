"""``sgkg serve`` with one of its speed-ups switched off, for the speed-ups bench.

Run as ``python tests/benchmarks/variant_server.py VARIANT SGKG-ARGUMENTS...``: the
same command line as ``python -m api.cli SGKG-ARGUMENTS...``, after one change to the
server process (the query workers are untouched):

- ``all-on``: no change (the server as shipped);
- ``no-fast-path``: queries go through FastAPI's routing like every other request
  (:class:`api.server.routes.sparql.SparqlFastPath` passes everything on);
- ``oldest-worker``: the idle worker freed first is taken, so workers take turns,
  instead of the one freed last (whose caches are warm);
- ``documents-first``: the server answers its first query only once the static
  documents are written, instead of writing them in the background.

What each one buys is the difference between ``all-on`` and its variant, measured side
by side by ``test_speedups_bench.py``.
"""

import sys
from collections.abc import Callable

import api.server.routes.sparql as sparql_route
import api.server.state as server_state
from api.cli import main
from api.query.executor import ProcessQueryExecutor
from api.server.served_graph import ServedGraph, load_graph


def no_fast_path() -> None:
    async def pass_on(self: sparql_route.SparqlFastPath, scope, receive, send) -> None:
        await self.app(scope, receive, send)

    sparql_route.SparqlFastPath.__call__ = pass_on


def oldest_worker() -> None:
    take_free = ProcessQueryExecutor._free_worker

    async def oldest_first(self: ProcessQueryExecutor):
        if self._idle:
            return self._idle.popleft()
        return await take_free(self)

    ProcessQueryExecutor._free_worker = oldest_first


def documents_first() -> None:
    def load_waiting_for_documents(*arguments, **options) -> ServedGraph:
        options["documents_in_background"] = False
        return load_graph(*arguments, **options)

    server_state.load_graph = load_waiting_for_documents


VARIANTS: dict[str, Callable[[], None]] = {
    "all-on": lambda: None,
    "no-fast-path": no_fast_path,
    "oldest-worker": oldest_worker,
    "documents-first": documents_first,
}


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in VARIANTS:
        sys.exit(f"usage: variant_server.py {{{','.join(VARIANTS)}}} SGKG-ARGUMENTS...")
    VARIANTS[sys.argv[1]]()
    sys.exit(main(sys.argv[2:]))
