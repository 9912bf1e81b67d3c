"""The worker pool's life with real worker processes: stopping it while workers start,
and killing one worker from two threads at once (a server stopping while a worker is
being replaced)."""

import contextlib
import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.build.pipeline import NQUADS_FILE
from api.query.executor import PoolLimits, ProcessQueryExecutor, launch_worker, wait_until_ready
from api.query.work import QueryRules
from api.query.worker import WorkerSetup
from api.store.backends import NQuadsStoreFactory

LIMITS = PoolLimits(workers=4, timeout=10, queue=4, max_rows=100)


def children() -> set[int]:
    """This process's child processes, zombies included: each thread's, from /proc (a
    worker started by a pool thread is that thread's child)."""
    found: set[int] = set()
    for task in Path("/proc/self/task").iterdir():
        with contextlib.suppress(OSError):  # a thread that ended meanwhile
            found.update(int(pid) for pid in (task / "children").read_text().split())
    return found


@pytest.fixture
def thread_errors() -> Iterator[list[BaseException]]:
    """Exceptions that end a thread, collected instead of printed."""
    errors: list[BaseException] = []
    previous = threading.excepthook
    threading.excepthook = lambda failure: errors.append(failure.exc_value)
    yield errors
    threading.excepthook = previous


def join_pool_threads() -> None:
    for thread in threading.enumerate():
        if thread.name.startswith("sgkg-worker"):
            thread.join(timeout=60)
            assert not thread.is_alive(), thread.name


def test_closing_while_workers_start_leaves_no_process_and_no_error(
    served_build: Path, thread_errors: list[BaseException], caplog: pytest.LogCaptureFixture
) -> None:
    factory = NQuadsStoreFactory(served_build / NQUADS_FILE)
    before = children()
    with caplog.at_level(logging.WARNING, logger="sgkg"):
        for _ in range(5):
            executor = ProcessQueryExecutor(factory, frozenset(), LIMITS).start()
            executor.close()  # the other three workers are still loading their stores
            join_pool_threads()
    assert thread_errors == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert children() - before == set()


def test_a_worker_killed_from_two_threads_at_once(
    served_build: Path, thread_errors: list[BaseException]
) -> None:
    setup = WorkerSetup(
        NQuadsStoreFactory(served_build / NQUADS_FILE), QueryRules(frozenset(), 100, 10_000)
    )
    for _ in range(20):
        worker = wait_until_ready(launch_worker(setup))
        killers = [threading.Thread(target=worker.kill) for _ in range(2)]
        for killer in killers:
            killer.start()
        for killer in killers:
            killer.join()
        assert worker.connection.closed
        assert worker.process.returncode is not None
    assert thread_errors == []
