"""The query workers' job in a ``pebble`` process pool, for the speed-ups bench.

Each pebble worker does what a query worker (:mod:`api.query.worker`) does: it leaves
the network in pebble's initializer (which runs before the worker starts any thread,
as a user namespace requires), loads its store from the factory, and answers each
request with :func:`api.query.work.answer_query`. The bench times this pool against
:class:`api.query.executor.ProcessQueryExecutor` on the same queries.
"""

from api.query.work import Answer, Failure, QueryRequest, QueryRules, answer_query
from api.query.worker import isolate_network
from api.store.backends import StoreFactory
from api.store.base import Store

_store: Store | None = None
_rules: QueryRules | None = None
_network = "not set up"


def set_up(factory: StoreFactory, rules: QueryRules) -> None:
    """pebble's initializer: leave the network, then load the store."""
    global _store, _rules, _network
    _network = isolate_network()
    _store, _rules = factory(), rules


def answer(request: QueryRequest) -> Answer | Failure:
    assert _store is not None and _rules is not None
    return answer_query(_store, request, _rules)


def network() -> str:
    """Whether this worker left the network (``isolated``), or why not."""
    return _network
