"""How requests and answers name things: events and versions by the last segment of
their IRI (a slug), a scenario by a stable IRI; and the error that names what a request
got wrong."""

from collections import defaultdict

from api.core.errors import SgkgError
from api.core.namespaces import ID

#: What a scenario IRI's events segment says when no event is stated.
NO_EVENTS = "no-events"
#: The path segment of a scenario IRI that introduces the interpretations it includes:
#: ``.../scenario/{version}/{events}/interpretations/{all | name+name...}``.
INTERPRETATIONS_SEGMENT = "interpretations"
#: The interpretations segment naming every interpretation the graph holds.
ALL_INTERPRETATIONS = "all"


class UnknownScenarioInput(SgkgError):
    """An event or version the graph does not hold (exit code 2, HTTP 422)."""

    def __init__(
        self,
        *,
        unknown_events: list[str],
        unknown_version: str | None,
        valid_events: list[str],
        valid_versions: list[str],
    ) -> None:
        self.unknown_events = unknown_events
        self.unknown_version = unknown_version
        self.valid_events = valid_events
        self.valid_versions = valid_versions
        parts = []
        if unknown_events:
            parts.append(
                f"unknown event(s): {_few(unknown_events)}; valid events: {', '.join(valid_events)}"
            )
        if unknown_version is not None:
            parts.append(
                f"unknown version {_shortened(unknown_version)!r}; "
                f"valid versions: {', '.join(valid_versions)}"
            )
        super().__init__("; ".join(parts))


#: How many unknown names a message quotes, and how much of each: a request may name
#: any number of them, and the message goes to the client and to the log.
_QUOTED_NAMES = 10
_QUOTED_LENGTH = 80


def _few(names: list[str]) -> str:
    quoted = ", ".join(_shortened(name) for name in names[:_QUOTED_NAMES])
    more = len(names) - _QUOTED_NAMES
    return quoted + (f" and {more:,} more" if more > 0 else "")


def _shortened(name: str) -> str:
    return name if len(name) <= _QUOTED_LENGTH else name[:_QUOTED_LENGTH] + "..."


def scenario_iri(version: str, events: list[str], interpretations: str = "") -> str:
    """A stable IRI for a scenario: its version, its sorted events and, for an
    interpreted answer, the interpretations it includes (``all``, or their slugs sorted
    and joined by ``+``)."""
    named = "+".join(sorted(events)) or NO_EVENTS
    path = f"scenario/{version}/{named}"
    if interpretations:
        path += f"/{INTERPRETATIONS_SEGMENT}/{interpretations}"
    return str(ID[path])


def slug_of(iri: str) -> str:
    """The last path segment of an IRI: how scenarios name events and versions."""
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def refuse_shared_slugs(what: str, iris: list[str]) -> None:
    """Requests name events and versions by slug, so two must never share one."""
    by_slug: dict[str, list[str]] = defaultdict(list)
    for iri in iris:
        by_slug[slug_of(iri)].append(iri)
    shared = {slug: named for slug, named in by_slug.items() if len(named) > 1}
    if shared:
        listed = "; ".join(f"{slug}: {', '.join(named)}" for slug, named in sorted(shared.items()))
        raise SgkgError(f"{what} must end in distinct names, but these share one: {listed}")
