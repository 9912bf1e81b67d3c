"""Options that several commands share, and what they select.

``--root`` and ``--build-dir`` (every command: which project tree, which build),
``--interpretations`` (query, questions, scenario) and the store options ``--store``,
``--store-dir``, ``--store-url`` (query, questions, serve; see the README's "Store
backends").
"""

import argparse

from api.build.pipeline import NQUADS_FILE
from api.cli.building import build_first
from api.core.layout import Layout
from api.store.backends import (
    AUTO as STORE_AUTO,
)
from api.store.backends import (
    AUTO_DISK_BYTES,
    DISK,
    EMBEDDED,
    REMOTE,
    STORE_DIR_ENV,
    STORE_ENV,
    STORE_URL_ENV,
    STORES,
    StoreChoice,
)
from api.store.base import Store
from api.store.interpretations import ALL as ALL_INTERPRETATIONS


def add_tree_options(parser: argparse.ArgumentParser) -> None:
    """``--root`` and ``--build-dir``: the project tree read and the folder built into."""
    parser.add_argument(
        "--root",
        metavar="DIR",
        help="project tree with ontology/, shapes/, data/ (default: this checkout; env SGKG_ROOT)",
    )
    parser.add_argument(
        "--build-dir",
        metavar="DIR",
        help="where builds are written (default: ROOT/build; env SGKG_BUILD_DIR)",
    )


def add_interpretations_option(parser: argparse.ArgumentParser) -> None:
    """``--interpretations [all|NAME,...]``: answer with interpretations as well."""
    parser.add_argument(
        "--interpretations",
        nargs="?",
        const=ALL_INTERPRETATIONS,
        action="append",
        default=[],
        metavar="all|NAME,...",
        help="include interpretations besides the words: all (also when no value is "
        "given), or names (the last segment of the interpretation's IRI; comma-separated "
        "or repeated). Default: none, a strict answer from the words alone",
    )


def add_store_options(parser: argparse.ArgumentParser) -> None:
    """``--store``, ``--store-dir``, ``--store-url`` (see the README's "Store backends")."""
    group = parser.add_argument_group("store")
    group.add_argument(
        "--store",
        choices=STORES,
        default=None,
        help=f"the engine: {EMBEDDED} (pyoxigraph in memory, a copy per worker), {DISK} "
        f"(pyoxigraph on disk, read-only, one copy for all workers), {REMOTE} (a SPARQL 1.1 "
        f"endpoint loaded with `sgkg publish`) or {STORE_AUTO} ({EMBEDDED} for small builds, "
        f"{DISK} from {AUTO_DISK_BYTES // 1_000_000} MB of N-Quads on) "
        f"(default: env {STORE_ENV}, else {STORE_AUTO})",
    )
    group.add_argument(
        "--store-dir",
        metavar="DIR",
        default=None,
        help=f"{DISK} and {STORE_AUTO}: where the on-disk stores are written, once per build "
        f"(default: env {STORE_DIR_ENV}, else BUILD_DIR/oxigraph)",
    )
    group.add_argument(
        "--store-url",
        metavar="URL",
        default=None,
        help=f"{REMOTE}: the SPARQL query endpoint, e.g. http://127.0.0.1:7878/query "
        f"(default: env {STORE_URL_ENV})",
    )


def store_choice(args: argparse.Namespace) -> StoreChoice:
    """The backend the store options name; the environment fills in what they leave out."""
    return StoreChoice.from_options(args.store, args.store_dir, args.store_url)


def chosen_store(args: argparse.Namespace, layout: Layout) -> Store:
    """The store ``--store`` names, building first for the local backends."""
    choice = store_choice(args)
    if choice.backend != REMOTE:  # a remote store holds what was published
        build_first(layout)
    return choice.factory(layout.build_dir / NQUADS_FILE, layout.build_dir)()
