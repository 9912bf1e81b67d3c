"""Serving: ``serve`` runs the SPARQL endpoint, linked data, downloads and query UI, with
its limits (timeout, workers, queue, sizes), reload (``--admin-token``, ``--watch``) and
store options.

The web stack is imported only when ``serve`` runs: it is slow to import, and every
other command would pay for it.
"""

import argparse
import os

from api.cli.building import build_first
from api.cli.console import description, info
from api.cli.options import add_store_options, store_choice
from api.core.errors import EXIT_OK
from api.core.layout import Layout
from api.server.settings import (
    ADMIN_TOKEN_ENV,
    DEFAULT_HOST,
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_QUERY_LENGTH,
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RESULT_ROWS,
    DEFAULT_PORT,
    DEFAULT_QUERY_QUEUE,
    DEFAULT_QUERY_TIMEOUT,
    DEFAULT_QUERY_WORKERS,
    Settings,
)


def add_serve(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="serve the graph: SPARQL endpoint, linked data, downloads, query UI",
        **description(
            "Serve the built graph over HTTP (building first if the build is missing or "
            "stale): the SPARQL 1.1 endpoint at /sparql, every https://w3id.org/sgkg/ IRI "
            "at /id/..., /ontology and /shapes, downloads at /download/, VoID at /void, "
            "the query UI at / and the API description at /docs. Prints the URL and "
            "serves until interrupted. The query UI needs `make ui` (YASGUI from npm).\n\n"
            "examples:\n"
            "  sgkg serve\n"
            "  sgkg serve --port 8080\n"
            "  sgkg serve --host 0.0.0.0 --no-access-log\n"
            "  sgkg serve --timeout 5 --workers 2 --max-rows 10000\n"
            "  sgkg serve --store disk\n"
            "  sgkg serve --store remote --store-url http://127.0.0.1:7878/query\n"
            "  SGKG_ADMIN_TOKEN=... sgkg serve --watch"
        ),
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address (default {DEFAULT_HOST})")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})"
    )
    parser.add_argument(
        "--no-access-log", action="store_true", help="do not log one line per request"
    )
    _add_limit_options(parser)
    _add_reload_options(parser)
    add_store_options(parser)
    parser.set_defaults(handler=run_serve)


def _add_limit_options(parser: argparse.ArgumentParser) -> None:
    """How long a query may run, how many wait, how large a request and an answer may
    be (see the README's server section)."""
    limits = parser.add_argument_group("limits")
    limits.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_QUERY_TIMEOUT,
        metavar="SECONDS",
        help="a query running longer is stopped (its worker process killed), 503 "
        f"(default {DEFAULT_QUERY_TIMEOUT:g})",
    )
    limits.add_argument(
        "--workers",
        type=int,
        default=DEFAULT_QUERY_WORKERS,
        metavar="N",
        help="query worker processes (with the store in memory, each holds a copy) "
        f"(default {DEFAULT_QUERY_WORKERS})",
    )
    limits.add_argument(
        "--queue",
        type=int,
        default=DEFAULT_QUERY_QUEUE,
        metavar="N",
        help="requests that may wait for a busy worker; more get 429 with Retry-After "
        f"(default {DEFAULT_QUERY_QUEUE})",
    )
    limits.add_argument(
        "--max-query-length",
        type=int,
        default=DEFAULT_MAX_QUERY_LENGTH,
        metavar="CHARS",
        help=f"longest query accepted, 413/414 (default {DEFAULT_MAX_QUERY_LENGTH})",
    )
    limits.add_argument(
        "--max-body",
        type=int,
        default=DEFAULT_MAX_BODY_BYTES,
        metavar="BYTES",
        help=f"largest request body accepted, 413 (default {DEFAULT_MAX_BODY_BYTES})",
    )
    limits.add_argument(
        "--max-rows",
        type=int,
        default=DEFAULT_MAX_RESULT_ROWS,
        metavar="N",
        help="rows or triples an answer may have; more are cut, with the header "
        f"X-Sgkg-Truncated: true (default {DEFAULT_MAX_RESULT_ROWS})",
    )
    limits.add_argument(
        "--max-response-bytes",
        type=int,
        default=DEFAULT_MAX_RESPONSE_BYTES,
        metavar="BYTES",
        help="bytes an answer may have; rows or triples past it are cut, with the headers "
        f"X-Sgkg-Truncated: true and X-Sgkg-Byte-Limit (default {DEFAULT_MAX_RESPONSE_BYTES})",
    )


def _add_reload_options(parser: argparse.ArgumentParser) -> None:
    """Serving a new build without a restart: on request (POST /admin/reload) or when
    an input file changes (``--watch``)."""
    reload = parser.add_argument_group("reload")
    reload.add_argument(
        "--admin-token",
        default=os.environ.get(ADMIN_TOKEN_ENV) or None,
        metavar="TOKEN",
        help="enable POST /admin/reload for requests with `Authorization: Bearer TOKEN` "
        f"(at least 16 characters; default: env {ADMIN_TOKEN_ENV}; none: disabled)",
    )
    reload.add_argument(
        "--watch",
        action="store_true",
        help="rebuild, validate and reason when a file under ontology/, shapes/ or data/ "
        "changes, and serve the result only if all of it passes",
    )
    reload.add_argument(
        "--no-reason-on-reload",
        action="store_true",
        help="skip reasoning when rebuilding for a reload (faster; graph inferred empty)",
    )


def _serve_settings(args: argparse.Namespace, layout: Layout) -> Settings:
    """The server's settings, from the options (the store's from the environment too)."""
    return Settings(
        layout=layout,
        host=args.host,
        port=args.port,
        access_log=not args.no_access_log,
        query_timeout=args.timeout,
        query_workers=args.workers,
        query_queue=args.queue,
        max_query_length=args.max_query_length,
        max_body_bytes=args.max_body,
        max_result_rows=args.max_rows,
        max_response_bytes=args.max_response_bytes,
        admin_token=args.admin_token,
        watch=args.watch,
        reason=not args.no_reason_on_reload,
        store=store_choice(args),
    )


def run_serve(args: argparse.Namespace, layout: Layout) -> int:
    settings = _serve_settings(args, layout)
    build_first(layout)
    from api.server.run import (
        run_server,  # here: the web stack is slow to import for other commands
    )

    run_server(
        settings,
        on_listening=lambda: info(
            f"sgkg: serving {layout.build_dir} at {settings.base_url}/ (SPARQL at /sparql)"
        ),
    )
    return EXIT_OK
