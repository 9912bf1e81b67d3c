"""The on-disk pyoxigraph store: written once per build, opened read-only by every reader.

An in-memory store costs every query worker its own copy of the graph; on disk, the
server and all its workers open one copy (``pyoxigraph.Store.read_only``) and the
operating system's page cache shares it. It also serves graphs larger than memory.

Layout of the store folder (``--store-dir``, default ``BUILD/oxigraph``)::

    oxigraph/
      <digest>/            one store per distinct build, named by the N-Quads' SHA-256
        store/             the RocksDB files
        complete           written last: the store is whole (it names the N-Quads
                           file it was loaded from: inode, size, modification time)
        lock               readers hold a shared flock on it while they read

A build is written into a staging folder and renamed into place, so a reader never
sees half a store, and it is never written again: a reader opening ``<digest>`` reads
exactly the build it asked for, even while a newer build writes its own folder beside
it. Folders of older builds are removed once nobody holds their lock (a process's
locks go when it does, even if it is killed).
"""

import contextlib
import fcntl
import hashlib
import os
import shutil
import time
from pathlib import Path

import pyoxigraph as ox

from api.core.errors import SgkgError
from api.core.files import staging_folder

#: Default folder of on-disk stores, inside the build folder.
DEFAULT_STORE_DIR_NAME = "oxigraph"
STORE_SUBDIR = "store"
COMPLETE_FILE = "complete"
LOCK_FILE = "lock"
_STAGING_PREFIX = ".staging-"
_DIGEST_LENGTH = 16
_CHUNK = 1 << 20


class DiskStoreError(SgkgError):
    """The on-disk store could not be written or opened."""


def build_digest(nquads: Path) -> str:
    """A short SHA-256 of the N-Quads: the name of this build's store folder."""
    digest = hashlib.sha256()
    with nquads.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()[:_DIGEST_LENGTH]


def prepare_disk_store(nquads: Path, store_dir: Path) -> Path:
    """The folder of the on-disk store holding ``nquads``: reused if already written,
    else bulk-loaded now (once). Older builds' folders nobody reads are removed.

    A store written from this very file (the same inode, size and modification time,
    which its ``complete`` file records) is found without hashing the file again: at
    10k agreements that hash is most of a second of every server start."""
    folder = _written_from(nquads, store_dir) or store_dir / build_digest(nquads)
    if not (folder / COMPLETE_FILE).is_file():
        _write_store(nquads, store_dir, folder)
    _remove_unused(store_dir, keep=folder)
    return folder


def _file_identity(path: Path) -> str:
    status = path.stat()
    return f"{status.st_ino} {status.st_size} {status.st_mtime_ns}"


def _written_from(nquads: Path, store_dir: Path) -> Path | None:
    """The complete store folder whose ``complete`` file names this N-Quads file."""
    if not store_dir.is_dir():
        return None
    identity = _file_identity(nquads)
    for complete in store_dir.glob(f"*/{COMPLETE_FILE}"):
        with contextlib.suppress(OSError):
            if identity in complete.read_text(encoding="utf-8").splitlines()[1:]:
                return complete.parent
    return None


def _write_store(nquads: Path, store_dir: Path, folder: Path) -> None:
    try:
        with staging_folder(store_dir, _STAGING_PREFIX) as staging:
            store = ox.Store(str(staging / STORE_SUBDIR))
            store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
            store.optimize()
            del store  # closes RocksDB before the folder is renamed
            (staging / LOCK_FILE).touch()
            (staging / COMPLETE_FILE).write_text(
                f"{nquads.name}\n{_file_identity(nquads)}\n", encoding="utf-8"
            )
            try:
                staging.rename(folder)
            except OSError:  # another process wrote the same build meanwhile: use theirs
                if not (folder / COMPLETE_FILE).is_file():
                    raise
    except OSError as error:
        raise DiskStoreError(f"cannot write the on-disk store in {store_dir}: {error}") from None


def _remove_unused(store_dir: Path, keep: Path) -> None:
    """Remove other builds' folders (and dead staging folders) nobody holds a lock on."""
    for folder in store_dir.iterdir():
        if folder == keep or not folder.is_dir():
            continue
        lock = folder / LOCK_FILE
        if not lock.is_file():
            if folder.name.startswith(_STAGING_PREFIX) and _older_than_a_day(folder):
                shutil.rmtree(folder, ignore_errors=True)
            continue
        with lock.open("rb") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a server or worker still reads it
            shutil.rmtree(folder, ignore_errors=True)


def _older_than_a_day(folder: Path) -> bool:
    with contextlib.suppress(OSError):
        return time.time() - folder.stat().st_mtime > 86_400
    return False


class ReaderLock:
    """A shared lock on a store folder, held while this object lives: the store that
    keeps it (:class:`api.store.embedded.EmbeddedStore`) releases it when it is dropped, and the
    operating system when the process ends, however it ends."""

    def __init__(self, folder: Path) -> None:
        self._descriptor = os.open(folder / LOCK_FILE, os.O_RDONLY | os.O_CLOEXEC)
        fcntl.flock(self._descriptor, fcntl.LOCK_SH)

    def __del__(self) -> None:
        with contextlib.suppress(OSError, AttributeError):
            os.close(self._descriptor)


def open_read_only(folder: Path) -> tuple[ox.Store, ReaderLock]:
    """Open a prepared store read-only, with the shared lock that keeps
    :func:`_remove_unused` away from it; keep the lock as long as the store."""
    if not (folder / COMPLETE_FILE).is_file():
        raise DiskStoreError(f"{folder} is not a complete on-disk store; run `sgkg build`")
    try:
        lock = ReaderLock(folder)
        return ox.Store.read_only(str(folder / STORE_SUBDIR)), lock
    except OSError as error:
        raise DiskStoreError(f"cannot open the on-disk store {folder}: {error}") from None
