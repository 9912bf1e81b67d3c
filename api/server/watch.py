"""``sgkg serve --watch``: reload when a file under ontology/, shapes/ or data/ changes.

The files are watched with watchfiles: the operating system's change notifications
(inotify on Linux), or polling when the environment sets ``WATCHFILES_FORCE_POLLING=1``,
for network mounts and container volumes whose changes raise no notification.

A change is acted on once the files have stopped changing for one interval, since
editors save in steps (write a temporary file, rename, touch): changes are gathered
until an interval passes without one (watchfiles' own grouping closes a batch 50 ms
after the last new path or kind of change, and repeated writes to one file are not
new). Files whose names start with a dot or end with
``~`` (editors' backups, locks and swap files) are ignored, and so is a file created
and gone again while the changes were gathered (an editor's temporary file). A new
folder is a change of its own: the files written into it at once may come before the
folder is watched and raise no notification, but the reload reads them.
"""

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

from watchfiles import Change, watch

from api.core.layout import DATA_DIR, ONTOLOGY_DIR, SHAPES_DIR

log = logging.getLogger("sgkg")

#: The folders watched, relative to the project root.
WATCHED = (ONTOLOGY_DIR, SHAPES_DIR, DATA_DIR)


def wanted(change: Change, path: str) -> bool:
    """Whether a change counts: not an editor's backup, lock or swap file."""
    name = Path(path).name
    return not (name.startswith(".") or name.endswith("~"))


class FileWatcher:
    """A daemon thread that calls ``on_change(changed files)`` when the inputs change."""

    def __init__(self, root: Path, interval: float, on_change: Callable[[list[str]], None]) -> None:
        self.root = root.resolve()
        self.interval = interval
        self.on_change = on_change
        #: set once the files are watched: a change from then on is seen
        self.watching = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sgkg-watch", daemon=True)

    def start(self) -> "FileWatcher":
        # watchfiles logs each batch of changes; the reload's own line says what changed
        logging.getLogger("watchfiles").setLevel(logging.WARNING)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        folders = [self.root / folder for folder in WATCHED if (self.root / folder).is_dir()]
        touched: set[str] = set()  # paths changed since the last reload, relative to the root
        added: set[str] = set()  # those of them created meanwhile
        batches = watch(
            *folders,
            watch_filter=wanted,
            stop_event=self._stop,
            rust_timeout=max(1, round(self.interval * 1000)),
            yield_on_timeout=True,  # an empty batch: one interval without a change
            raise_interrupt=False,
        )
        for batch in batches:
            if not self.watching.is_set():  # the first batch: the watch is set up
                self.watching.set()
                log.info("sgkg: watching %s for changes", ", ".join(f"{f}/" for f in WATCHED))
            for change, path in batch:
                name = Path(os.path.relpath(path, self.root)).as_posix()
                touched.add(name)
                if change == Change.added:
                    added.add(name)
            if batch or not touched:
                continue
            changed = sorted(n for n in touched if n not in added or (self.root / n).exists())
            touched, added = set(), set()
            if changed:
                self._reload(changed)

    def _reload(self, changed: list[str]) -> None:
        try:
            self.on_change(changed)
        except Exception:  # the watcher must outlive any one reload
            log.exception("sgkg: reload after a file change failed")
