"""The contract between the build and its reasoning step.

The build hands the reasoner its validated graphs in a pyoxigraph store and takes back a
record for the manifest; it does not care which engine reasons. The contract lives here,
with the reasoners, so that they need nothing from the build that calls them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox


@dataclass(frozen=True)
class ReasoningInput:
    """What the reasoning step gets: the build's named graphs in a pyoxigraph store
    (whichever engine loaded them), and where each individual is described."""

    store: ox.Store
    files_describing: Callable[[Any], tuple[str, ...]]


#: The reasoning hook: it fills ``graph/inferred`` in the input's store and returns a
#: JSON-ready record of what it did (engine, checks, figures) for the manifest.
Reasoner = Callable[[ReasoningInput], dict[str, Any]]
