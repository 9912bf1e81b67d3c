"""Writing outputs so that a reader never sees them half-written.

The build outputs, a reload's rebuild, the on-disk store and the synthetic trees are
written into a staging folder beside where they belong, then moved into place with
``os.replace`` (one atomic rename each): a failure on the way leaves the old outputs,
or nothing, never a mix. A single file (the ontology documentation's pages) is written
the same way, through a hidden file beside it.
"""

import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def staging_folder(parent: Path, prefix: str) -> Iterator[Path]:
    """A new, empty folder inside ``parent`` (created if missing) to write into.

    It sits in ``parent`` so that moving what it holds into place is a rename on the same
    file system, never a copy. On leaving, whatever is still in it (all of it, after a
    failure) is removed.
    """
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def move_files(staging: Path, target: Path, names: Iterable[str]) -> None:
    """Move the files ``names`` from ``staging`` into ``target``, one ``os.replace``
    each, in the order given: name last the file that says the others are complete."""
    for name in names:
        os.replace(staging / name, target / name)


def write_text_atomically(path: Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` through a hidden file beside it, renamed into
    place: a reader sees the old file or the new one, never half of it. The file is
    readable by anyone, like a file written with ``open``."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temporary, 0o644)  # mkstemp makes it private
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
