"""Safe reload: rebuild from the edited files, and serve the result only if all of it works.

A researcher edits the ontology in Protégé and saves; sometimes the file is broken, or
the data no longer satisfies the shapes. :func:`reload_graph` never lets that reach
the served graph:

1. build into a staging folder inside the build folder (``.reload-*``): load every
   input file (rediscovered, so added and removed files count), validate against the
   shapes, reason (as ``sgkg build`` does), write the outputs there;
2. load that build like a server start does: a new store, new static documents, and a
   new pool of query workers, started and ready;
3. only then publish the outputs into the build folder (file by file with
   ``os.replace``, the manifest last, as ``sgkg build`` writes) and swap the new graph
   in (:meth:`api.server.state.AppState.swap`): one assignment; the old graph answers the
   queries already under way and is closed after the longest a query can take.

Any failure on the way leaves the served graph and the build folder as they were, and
says why in the :class:`~api.server.state.ReloadRecord` that ``/health`` shows. Queries
are answered throughout: the rebuild runs in a thread, and the old workers keep serving.
One reload runs at a time.
"""

import logging
import time
from datetime import UTC, datetime

from api.build.pipeline import OUTPUT_FILES, ValidationFailed, build
from api.core.errors import SgkgError
from api.core.files import move_files, staging_folder
from api.core.layout import discover_layout
from api.server.served_graph import load_graph
from api.server.state import AppState, ReloadRecord
from api.validate.shacl import VIOLATION

log = logging.getLogger("sgkg")

RELOADED = "reloaded"
REFUSED = "refused"
#: Violations quoted in the reason of a refused reload (the rest are counted).
QUOTED_VIOLATIONS = 3


def reload_graph(state: AppState, trigger: str, *, wait: bool = False) -> ReloadRecord | None:
    """Rebuild, validate, reason, load and swap (blocking; run it in a thread).

    Returns the record (also kept in ``state.last_reload``), or None when another reload
    is running and ``wait`` is false."""
    if not state.reload_lock.acquire(blocking=wait):
        return None
    try:
        record = _reload(state, trigger)
        state.last_reload = record
        level = logging.INFO if record.reloaded else logging.WARNING
        log.log(level, "sgkg: reload (%s) %s: %s", trigger, record.outcome, record.reason)
        return record
    finally:
        state.reload_lock.release()


def _reload(state: AppState, trigger: str) -> ReloadRecord:
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    started = time.perf_counter()
    settings = state.settings
    build_dir = settings.layout.build_dir
    try:
        with staging_folder(build_dir, ".reload-") as staging:
            layout = discover_layout(settings.layout.root, staging)
            result = build(layout, reason=_reasoner(settings.reason))
            graph = load_graph(settings, staging, layout)
            try:
                move_files(staging, build_dir, OUTPUT_FILES)  # the manifest last
            except BaseException:
                graph.close()
                raise
        state.swap(graph)
        outcome = RELOADED
        reason = (
            f"serving {result.manifest['total_triples']} triples built from "
            f"{len(result.manifest['inputs'])} input files"
        )
    except ValidationFailed as error:
        outcome, reason = REFUSED, _violations(error)
    except SgkgError as error:  # unparseable file, invalid shapes, inconsistency, workers
        outcome, reason = REFUSED, str(error)
    except Exception as error:  # unexpected: kept serving, reason logged in full
        log.exception("sgkg: reload failed unexpectedly")
        outcome, reason = REFUSED, f"unexpected error: {error!r}"
    if outcome == REFUSED:
        reason += "; still serving the previous graph"
    return ReloadRecord(trigger, started_at, time.perf_counter() - started, outcome, reason)


def _reasoner(reason: bool):
    if not reason:
        return None
    from api.reason.reasoning import reason  # Java and owlready2: only when reloading

    return reason


def _violations(error: ValidationFailed) -> str:
    results = [r for r in error.report.results if r.severity == VIOLATION]
    quoted = [
        f"{r.message} (focus {r.focus_node}"
        + (f", in {', '.join(r.files)}" if r.files else "")
        + ")"
        for r in results[:QUOTED_VIOLATIONS]
    ]
    more = len(results) - len(quoted)
    tail = f"; and {more} more" if more > 0 else ""
    return f"{error}: " + "; ".join(quoted) + tail
