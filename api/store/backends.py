"""Which store serves the queries, and the picklable factories that open it.

A person chooses a backend with ``--store`` (or ``SGKG_STORE``) on ``sgkg serve`` and
``sgkg query``; :class:`StoreChoice` holds that choice, checked, and makes the
:class:`StoreFactory` for a build. A factory is a small frozen dataclass, so it can
travel to the query worker processes (:mod:`api.query.worker`) and each of them opens
the store itself:

- ``auto`` (default): ``embedded`` for a build whose N-Quads are under
  :data:`AUTO_DISK_BYTES`, ``disk`` from there on (:func:`auto_backend`). In memory,
  every process holds its own copy, loaded at start: at 10k synthetic agreements (2.9
  million quads) that is five copies, 4.9 GB, and 23 s before the first answer. On disk,
  one copy serves them all and opens at once, for queries that read more of it 2 to 10
  times slower (``tests/benchmarks/RESULTS.md``, scale section). ``sgkg build`` writes
  the on-disk store of such a build (:func:`api.store.disk.prepare_disk_store`), so the
  server is ready within seconds after it;
- ``embedded``: :class:`NQuadsStoreFactory`, pyoxigraph in memory, loaded
  from ``build/sgkg.nq`` (one copy per process);
- ``disk``: :class:`DiskStoreFactory`, a pyoxigraph folder written once per build
  (``--store-dir``, default ``BUILD/oxigraph``) and opened read-only by every process;
- ``remote``: :class:`RemoteStoreFactory`, a SPARQL 1.1 endpoint (``--store-url``) that
  ``sgkg publish --to`` has loaded. Its workers keep network access, to reach it.
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Protocol
from urllib.parse import urlsplit

from api.core.errors import SgkgError
from api.core.layout import GRAPH_NAMES, graph_iri
from api.store.base import Store
from api.store.embedded import EmbeddedStore

AUTO = "auto"
EMBEDDED = "embedded"
DISK = "disk"
REMOTE = "remote"
#: The backends, in ``--help`` order.
STORES: tuple[str, ...] = (AUTO, EMBEDDED, DISK, REMOTE)
#: ``auto`` serves a build from the on-disk store from this size of its N-Quads on
#: (about 500,000 quads; 1,000 synthetic agreements are 60 MB, 10,000 are 600 MB).
AUTO_DISK_BYTES = 100_000_000

STORE_ENV = "SGKG_STORE"
STORE_DIR_ENV = "SGKG_STORE_DIR"
STORE_URL_ENV = "SGKG_STORE_URL"
#: Seconds the remote store may take to answer one request (``sgkg query``; the server
#: uses its own query time limit).
DEFAULT_REMOTE_TIMEOUT = 60.0


class StoreChoiceError(SgkgError):
    """An unknown backend, or a backend without what it needs (a URL for remote)."""


class StoreFactory(Protocol):
    """Opens a store; picklable, so that worker processes can open their own."""

    #: the backend's name, one of :data:`STORES`
    backend: ClassVar[str]
    #: whether the store is reached over the network (worker processes then keep it)
    needs_network: ClassVar[bool]

    def __call__(self) -> Store: ...

    def location(self) -> str:
        """Where the graph is, for ``/health`` and messages."""
        ...


@dataclass(frozen=True)
class NQuadsStoreFactory:
    """An in-memory pyoxigraph store loaded from an N-Quads file (``build/sgkg.nq``)."""

    backend: ClassVar[str] = EMBEDDED
    needs_network: ClassVar[bool] = False
    path: Path

    def __call__(self) -> Store:
        return EmbeddedStore.from_nquads(self.path)  # with the readings beside it, if any

    def location(self) -> str:
        return f"in memory, loaded from {self.path.name}"


@dataclass(frozen=True)
class DiskStoreFactory:
    """A prepared on-disk pyoxigraph store (:func:`api.store.disk.prepare_disk_store`),
    opened read-only."""

    backend: ClassVar[str] = DISK
    needs_network: ClassVar[bool] = False
    folder: Path
    #: the build's N-Quads: with the interpretation graphs beside them, they make the
    #: (small, in-memory) store of answers that include interpretations
    nquads: Path | None = None

    def __call__(self) -> Store:
        from api.store.disk import open_read_only
        from api.store.embedded import interpretation_files_beside

        store, lock = open_read_only(self.folder)
        readings = interpretation_files_beside(self.nquads) if self.nquads else None
        return EmbeddedStore(store, holds=lock, interpretation_files=readings)

    def location(self) -> str:
        return str(self.folder)


@dataclass(frozen=True)
class RemoteStoreFactory:
    """A SPARQL 1.1 query endpoint holding sgkg's named graphs."""

    backend: ClassVar[str] = REMOTE
    needs_network: ClassVar[bool] = True
    url: str
    timeout: float = DEFAULT_REMOTE_TIMEOUT
    graphs: tuple[str, ...] = field(default_factory=lambda: sgkg_graphs())

    def __call__(self) -> Store:
        from api.store.remote import RemoteStore

        return RemoteStore(self.url, self.graphs, self.timeout)

    def location(self) -> str:
        return self.url


def sgkg_graphs() -> tuple[str, ...]:
    """The IRIs of sgkg's named graphs, whose union is the default graph."""
    return tuple(str(graph_iri(name)) for name in GRAPH_NAMES)


@dataclass(frozen=True)
class StoreChoice:
    """The backend a person chose, and what it needs."""

    backend: str = AUTO
    #: ``disk`` (and ``auto``): the folder of on-disk stores (None: ``BUILD/oxigraph``)
    directory: Path | None = None
    #: ``remote``: the SPARQL query endpoint, e.g. ``http://127.0.0.1:7878/query``
    url: str | None = None

    def __post_init__(self) -> None:
        if self.backend not in STORES:
            raise StoreChoiceError(
                f"unknown store {self.backend!r}; expected one of {', '.join(STORES)}"
            )
        if self.backend == REMOTE:
            if not self.url:
                raise StoreChoiceError(
                    f"--store remote needs the SPARQL endpoint's URL: --store-url URL "
                    f"(or env {STORE_URL_ENV}), e.g. http://127.0.0.1:7878/query"
                )
            check_http_url(self.url)
        elif self.url:
            raise StoreChoiceError(f"--store-url is for --store remote, not {self.backend}")
        if self.directory is not None and self.backend not in (DISK, AUTO):
            raise StoreChoiceError(f"--store-dir is for --store disk, not {self.backend}")

    @classmethod
    def from_options(
        cls,
        backend: str | None,
        directory: str | Path | None,
        url: str | None,
        environ: Mapping[str, str] = os.environ,
    ) -> "StoreChoice":
        """Options first, then ``SGKG_STORE``, ``SGKG_STORE_DIR``, ``SGKG_STORE_URL``."""
        backend = backend or environ.get(STORE_ENV) or AUTO
        directory = directory or (environ.get(STORE_DIR_ENV) if backend in (DISK, AUTO) else None)
        url = url or (environ.get(STORE_URL_ENV) if backend == REMOTE else None)
        return cls(backend, Path(directory) if directory else None, url or None)

    def store_dir(self, build_dir: Path) -> Path:
        from api.store.disk import DEFAULT_STORE_DIR_NAME

        return self.directory or build_dir / DEFAULT_STORE_DIR_NAME

    def serves_from_disk(self, nquads: Path) -> bool:
        """Whether this choice serves the build of ``nquads`` from the on-disk store."""
        return self.backend == DISK or (self.backend == AUTO and auto_backend(nquads) == DISK)

    def factory(
        self, nquads: Path | None, build_dir: Path, timeout: float | None = None
    ) -> StoreFactory:
        """The factory for this build (``disk``: writes the on-disk store if it is not
        there yet). ``nquads`` (the build's N-Quads) is needed by every backend but
        ``remote``; ``timeout``: seconds a remote request may take."""
        if self.backend == REMOTE:
            assert self.url is not None
            return RemoteStoreFactory(self.url, timeout or DEFAULT_REMOTE_TIMEOUT)
        if nquads is None or not nquads.is_file():
            raise SgkgError(f"no build found ({nquads} is missing); run `sgkg build` first")
        if self.serves_from_disk(nquads):
            from api.store.disk import prepare_disk_store

            return DiskStoreFactory(prepare_disk_store(nquads, self.store_dir(build_dir)), nquads)
        return NQuadsStoreFactory(nquads)


def auto_backend(nquads: Path) -> str:
    """The backend ``auto`` takes for a build: by the size of its N-Quads."""
    return DISK if nquads.stat().st_size >= AUTO_DISK_BYTES else EMBEDDED


def check_http_url(url: str) -> None:
    """Refuse what is not an http(s) URL with a host, before anything is sent."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise StoreChoiceError(f"{url!r} is not an http:// or https:// URL")
