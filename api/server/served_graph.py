"""The graph a server answers from, and its loading.

:class:`ServedGraph` is one loaded build: its store, the query workers over it, the
static documents and the resource index. :func:`load_graph` reads a build into one. At
start-up, queries are answered as soon as the first query worker is ready; the static
documents (downloads, pages, the service description: a second or so of serialising)
are written meanwhile in a thread, and the resource index (every instance by kind, for
``/id/`` and the 404 suggestions: 15 s at 10k agreements on disk) is read after them in
the same thread. On the shipped graph the first query is thus answered in about half the
time: 1.1 to 1.2 s after the server starts instead of 2.1 to 2.3 s
(``tests/benchmarks/test_speedups_bench.py``).

The N-Quads file a served graph was loaded from is pinned (hard-linked into a folder of
its own), so a rebuild that replaces it never pulls it from under a running server.
"""

import asyncio
import logging
import os
import shutil
import tempfile
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from api.analysis.competency import CompetencyQuestion, load_questions
from api.analysis.reading import ReadingRoom
from api.build.pipeline import NQUADS_FILE, read_manifest
from api.core.errors import SgkgError
from api.core.layout import Layout
from api.linked_data.resource_index import ResourceIndex, load_resource_index
from api.query.executor import PoolLimits, ProcessQueryExecutor, QueryExecutor
from api.server.settings import Settings
from api.server.static_documents import StaticDocuments, build_documents
from api.store.backends import DEFAULT_REMOTE_TIMEOUT, RemoteStoreFactory, StoreFactory
from api.store.base import Store
from api.store.interpretations import INTERPRETATIONS_NQUADS_FILE

#: Folders (inside a build folder) that pin the N-Quads file a served graph was loaded
#: from: ``.serving-<pid>-<random>``.
PIN_PREFIX = ".serving-"

log = logging.getLogger("sgkg")


@dataclass(frozen=True)
class ServedGraph:
    """The loaded graph and everything derived from it once, at startup."""

    store: Store
    executor: QueryExecutor
    manifest: dict[str, Any]
    #: the static documents, being written or written (see :attr:`documents`)
    pending_documents: Future[StaticDocuments]
    #: the resource index, being read or read (see :meth:`resource_index`)
    pending_index: Future[ResourceIndex]
    questions: tuple[CompetencyQuestion, ...]
    loaded_at: str
    load_seconds: float
    #: the reading room: the texts as documents, what each passage grounds
    reading: ReadingRoom
    #: the folder holding the pinned copy of the N-Quads the workers load
    pin: Path | None = None
    #: where the store is (``/health``): a file, a folder or a URL
    store_location: str = ""
    #: which backend serves it (``/health``): embedded, disk or remote
    store_backend: str = ""

    @property
    def documents(self) -> StaticDocuments:
        """The static documents. Blocks while they are still being written at start-up,
        which no route meets: :func:`served_graph` has awaited them."""
        return self.pending_documents.result()

    async def documents_written(self) -> None:
        """Wait (without blocking the event loop) until the static documents exist.
        Raises what writing them raised."""
        if not self.pending_documents.done():
            await asyncio.wrap_future(self.pending_documents)
        self.pending_documents.result()

    async def resource_index(self) -> ResourceIndex:
        """The resource index, once read (without blocking the event loop)."""
        if not self.pending_index.done():
            await asyncio.wrap_future(self.pending_index)
        return self.pending_index.result()

    @property
    def version(self) -> str:
        return self.documents.facts.version

    def close(self) -> None:
        """Stop the workers and drop the pinned N-Quads."""
        self.executor.close()
        if self.pin is not None:
            shutil.rmtree(self.pin, ignore_errors=True)


def load_graph(
    settings: Settings,
    build_dir: Path | None = None,
    layout: Layout | None = None,
    *,
    documents_in_background: bool = False,
) -> ServedGraph:
    """Read a build into a store, start the query workers and serialise the static
    documents. ``build_dir`` defaults to the settings' build folder, ``layout`` (where
    the competency questions are) to the settings' layout. Raises :class:`SgkgError`
    when the build is missing or invalid, or the workers cannot start.

    The workers are launched first and load their stores while this process builds
    its own documents; it returns once the first worker is ready (the others join as
    they become ready), so start-up is about the longer of the two, not their sum.
    With ``documents_in_background`` (a server start), it returns without waiting for
    the static documents either: a thread finishes them (see :class:`ServedGraph`)."""
    started = time.perf_counter()
    build_dir = build_dir or settings.layout.build_dir
    manifest = _valid_manifest(build_dir)
    pin = pin_nquads(build_dir / NQUADS_FILE, settings.layout.build_dir)
    executor: ProcessQueryExecutor | None = None
    try:
        factory = settings.store.factory(
            pin / NQUADS_FILE, settings.layout.build_dir, timeout=settings.query_timeout
        )
        graphs = graph_names(manifest)
        executor = ProcessQueryExecutor(factory, graphs, _limits(settings)).launch()
        store = _own_store(factory)
        documents, index = _start_writing_documents(store, manifest)
        questions = tuple(load_questions(layout or settings.layout))
        executor.wait_for_first()
        if not documents_in_background:
            documents.result()  # raises what writing them raised
    except BaseException:
        if executor is not None:
            executor.close()
        shutil.rmtree(pin, ignore_errors=True)
        raise
    return ServedGraph(
        store=store,
        executor=executor,
        manifest=manifest,
        pending_documents=documents,
        pending_index=index,
        questions=questions,
        loaded_at=datetime.now(UTC).isoformat(timespec="seconds"),
        load_seconds=time.perf_counter() - started,
        pin=pin,
        store_location=factory.location(),
        store_backend=factory.backend,
        reading=ReadingRoom(
            store, settings.layout.root, sorted(manifest.get("interpretation_graphs", {}))
        ),
    )


def _valid_manifest(build_dir: Path) -> dict[str, Any]:
    """The manifest of a complete build that conforms to the shapes, or the error that
    says why the build cannot be served."""
    manifest = read_manifest(build_dir)
    if manifest is None or not (build_dir / NQUADS_FILE).is_file():
        raise SgkgError(f"no build in {build_dir}; run `sgkg build` first")
    if not manifest.get("validation", {}).get("conforms", False):
        raise SgkgError(f"the build in {build_dir} does not conform to the shapes")
    return manifest


def graph_names(manifest: dict[str, Any]) -> frozenset[str]:
    """Every named graph of the build: the six and the interpretation graphs."""
    return frozenset(
        [str(g["iri"]) for g in manifest.get("graphs", {}).values()]
        + list(manifest.get("interpretation_graphs", {}))
    )


def _start_writing_documents(
    store: Store, manifest: dict[str, Any]
) -> tuple[Future[StaticDocuments], Future[ResourceIndex]]:
    """Write the static documents, then read the resource index, in a thread of their
    own; each future is set when its part is done (or failed)."""
    documents: Future[StaticDocuments] = Future()
    index: Future[ResourceIndex] = Future()
    writer = threading.Thread(
        target=_write_documents,
        args=(documents, index, store, manifest),
        name="sgkg-documents",
        daemon=True,
    )
    writer.start()
    return documents, index


def _write_documents(
    into: Future[StaticDocuments],
    index: Future[ResourceIndex],
    store: Store,
    manifest: dict[str, Any],
) -> None:
    """The static documents, then the resource index (each kept for whoever asks)."""
    try:
        into.set_result(build_documents(store, manifest))
    except BaseException as error:
        log.error("sgkg: the static documents could not be written: %r", error)
        into.set_exception(error)
    try:
        index.set_result(load_resource_index(store))
    except BaseException as error:
        log.error("sgkg: the resource index could not be read: %r", error)
        index.set_exception(error)


def _own_store(factory: StoreFactory) -> Store:
    """The server process's own store (documents, index, scenarios): the workers'.
    A remote store gets a longer time limit here: the downloads read whole graphs."""
    if isinstance(factory, RemoteStoreFactory):
        factory = replace(factory, timeout=max(factory.timeout, DEFAULT_REMOTE_TIMEOUT))
    return factory()


def _limits(settings: Settings) -> PoolLimits:
    return PoolLimits(
        workers=settings.query_workers,
        timeout=settings.query_timeout,
        queue=settings.query_queue,
        max_rows=settings.max_result_rows,
        max_bytes=settings.max_response_bytes,
    )


def pin_nquads(nquads: Path, folder: Path) -> Path:
    """A private folder (in ``folder``) holding this N-Quads file as it is now, and the
    interpretation graphs' beside it: hard links, or copies across file systems. Workers
    started later (after a timeout kill) load the same graph as the first ones, even if
    ``sgkg build`` or a reload replaces or removes the file."""
    _remove_stale_pins(folder)
    pin = Path(tempfile.mkdtemp(prefix=f"{PIN_PREFIX}{os.getpid()}-", dir=folder))
    readings = nquads.with_name(INTERPRETATIONS_NQUADS_FILE)
    for source in (nquads, readings) if readings.is_file() else (nquads,):
        try:
            os.link(source, pin / source.name)
        except OSError:
            shutil.copyfile(source, pin / source.name)
    return pin


def _remove_stale_pins(folder: Path) -> None:
    """Pins left by servers that were killed (their process id is gone)."""
    for pin in folder.glob(f"{PIN_PREFIX}*"):
        pid = pin.name[len(PIN_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(pin, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
