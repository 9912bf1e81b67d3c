"""``sgkg serve --watch``: reload when a file under ontology/, shapes/ or data/ changes.

Polling, not inotify: a look at a hundred files' sizes and modification times each
second costs nothing, needs no dependency, and works on every file system (network
mounts and container volumes included, where change notifications often do not).
A change is acted on once the files have stopped changing for one interval, since
editors save in steps (write a temporary file, rename, touch). Files whose names start
with a dot or end with ``~`` (editors' backups and locks) are ignored.
"""

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from api.core.layout import DATA_DIR, ONTOLOGY_DIR, SHAPES_DIR

log = logging.getLogger("sgkg")

#: The folders watched, relative to the project root.
WATCHED = (ONTOLOGY_DIR, SHAPES_DIR, DATA_DIR)

#: path relative to the root -> (modification time in ns, size)
Signature = dict[str, tuple[int, int]]


def signature(root: Path) -> Signature:
    """What the watched files look like now."""
    found: Signature = {}
    for folder in WATCHED:
        for path in (root / folder).rglob("*"):
            if path.name.startswith(".") or path.name.endswith("~"):
                continue
            try:
                stat = path.stat()
            except OSError:  # removed while we looked
                continue
            if path.is_file():
                found[path.relative_to(root).as_posix()] = (stat.st_mtime_ns, stat.st_size)
    return found


def changes(before: Signature, after: Signature) -> list[str]:
    """The files added, removed or changed, sorted."""
    return sorted(
        name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
    )


class FileWatcher:
    """A daemon thread that calls ``on_change(changed files)`` when the inputs change."""

    def __init__(self, root: Path, interval: float, on_change: Callable[[list[str]], None]) -> None:
        self.root = root
        self.interval = interval
        self.on_change = on_change
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sgkg-watch", daemon=True)

    def start(self) -> "FileWatcher":
        self._thread.start()
        log.info("sgkg: watching %s for changes", ", ".join(f"{f}/" for f in WATCHED))
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        seen = signature(self.root)
        while not self._stop.wait(self.interval):
            now = signature(self.root)
            if now == seen:
                continue
            now = self._settled(now)
            if now is None:
                return
            changed = changes(seen, now)
            seen = now
            try:
                self.on_change(changed)
            except Exception:  # the watcher must outlive any one reload
                log.exception("sgkg: reload after a file change failed")

    def _settled(self, now: Signature) -> Signature | None:
        """Wait until two looks one interval apart agree; None if stopped meanwhile."""
        while not self._stop.wait(self.interval):
            again = signature(self.root)
            if again == now:
                return now
            now = again
        return None
