"""The file watcher behind ``sgkg serve --watch``, on real files in a temporary tree.

An editor's save in steps (a temporary file renamed over the real one, then touched)
is one reload naming the real file; backups, locks and swap files are no change; a
reload that fails leaves the watcher watching. Each test waits for what it expects,
and a last edit shows that nothing else was reported in between.
"""

import os
import queue
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.server.watch import FileWatcher

#: seconds without a change before the watcher acts (the server's default)
INTERVAL = 1.0


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for folder, name in (("ontology", "o.ttl"), ("shapes", "s.ttl"), ("data", "d.ttl")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / name).write_text("# a file\n")
    return tmp_path


@pytest.fixture
def reloads(tree: Path) -> Iterator[queue.Queue[list[str]]]:
    """The changed files of each call the watcher makes, in order."""
    calls: queue.Queue[list[str]] = queue.Queue()
    watcher = FileWatcher(tree, INTERVAL, calls.put).start()
    assert watcher.watching.wait(timeout=30), "the watcher did not start"
    yield calls
    watcher.stop()


def next_call(calls: queue.Queue[list[str]]) -> list[str]:
    return calls.get(timeout=30)


def test_a_save_in_steps_is_one_change_of_the_real_file(
    tree: Path, reloads: queue.Queue[list[str]]
) -> None:
    temporary = tree / "data" / "d.ttl.tmp-1234"
    temporary.write_text("# saved\n")
    os.replace(temporary, tree / "data" / "d.ttl")
    (tree / "data" / "d.ttl").touch()
    (tree / "shapes" / "s.ttl").write_text("# edited\n")
    assert next_call(reloads) == ["data/d.ttl", "shapes/s.ttl"]
    (tree / "ontology" / "o.ttl").write_text("# the last edit\n")
    assert next_call(reloads) == ["ontology/o.ttl"]


def test_backups_locks_and_swap_files_are_no_change(
    tree: Path, reloads: queue.Queue[list[str]]
) -> None:
    (tree / "data" / "d.ttl~").write_text("backup")
    (tree / "data" / ".d.ttl.swp").write_text("swap")
    (tree / "ontology" / ".#o.ttl").write_text("lock")
    (tree / "ontology" / "o.ttl").write_text("# the last edit\n")
    assert next_call(reloads) == ["ontology/o.ttl"]


def test_added_and_removed_files_are_changes(tree: Path, reloads: queue.Queue[list[str]]) -> None:
    (tree / "data" / "n.ttl").write_text("# new\n")
    (tree / "shapes" / "s.ttl").unlink()
    assert next_call(reloads) == ["data/n.ttl", "shapes/s.ttl"]


def test_a_new_folder_is_a_change(tree: Path, reloads: queue.Queue[list[str]]) -> None:
    """The file written into it at once may raise no notification of its own (it can
    come before the folder is watched): the folder's does, and the reload reads both."""
    (tree / "data" / "new").mkdir()
    (tree / "data" / "new" / "n.ttl").write_text("# new\n")
    assert "data/new" in next_call(reloads)
    (tree / "ontology" / "o.ttl").write_text("# the last edit\n")
    assert next_call(reloads) == ["ontology/o.ttl"]


def test_the_watcher_outlives_a_failed_reload(tree: Path) -> None:
    calls: queue.Queue[list[str]] = queue.Queue()

    def reload(changed: list[str]) -> None:
        calls.put(changed)
        raise RuntimeError("the reload failed")

    watcher = FileWatcher(tree, INTERVAL, reload).start()
    try:
        assert watcher.watching.wait(timeout=30)
        (tree / "data" / "d.ttl").write_text("# first\n")
        assert next_call(calls) == ["data/d.ttl"]
        (tree / "data" / "d.ttl").write_text("# second\n")
        assert next_call(calls) == ["data/d.ttl"]
    finally:
        watcher.stop()
