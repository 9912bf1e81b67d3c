"""The ``sgkg`` command line.

One module per command group, each command an ``add_*`` function that declares its
arguments and sets its handler, a ``run_*`` function:

- :mod:`~api.cli.building`: build, validate, qc, reason, status;
- :mod:`~api.cli.querying`: query, questions, scenario (the query runner itself is
  :mod:`~api.cli.query`);
- :mod:`~api.cli.exporting`: export (and the codebook), publish, docs;
- :mod:`~api.cli.serving`: serve, with its limits, reload and store options;
- :mod:`~api.cli.synth`: synth;
- :mod:`~api.cli.options`: the options several commands share (project tree, store,
  interpretations); :mod:`~api.cli.console`: stdout, stderr and help texts.

This module assembles them: :data:`COMMANDS` lists the ``add_*`` functions in ``--help``
order, :func:`make_parser` builds the parser, :func:`main` runs a command. A new command
is one more ``add_*`` function and one more entry.

Conventions: data (reports, results, exports) go to stdout, messages to stderr. Exit
codes: 0 success, 1 the input was read but fails (SHACL violations, QC errors), 2 the
input cannot be used (parse error, missing files, invalid shapes, bad query). Expected
errors print one readable message, never a traceback.

The top layer: it may import every other.
"""

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from api import __version__
from api.build.pipeline import ValidationFailed
from api.cli.building import add_build, add_qc, add_reason, add_status, add_validate
from api.cli.console import description, info
from api.cli.exporting import add_docs, add_export, add_publish
from api.cli.options import add_tree_options
from api.cli.querying import add_query, add_questions, add_scenario
from api.cli.serving import add_serve
from api.cli.synth import add_synth
from api.core.errors import EXIT_OK, SgkgError
from api.core.layout import Layout, discover_layout
from api.validate.shacl import render_text

Handler = Callable[[argparse.Namespace, Layout], int]


#: One entry per subcommand, in ``--help`` order.
COMMANDS: tuple[Callable[[argparse._SubParsersAction], None], ...] = (
    add_build,
    add_validate,
    add_query,
    add_questions,
    add_export,
    add_qc,
    add_docs,
    add_reason,
    add_scenario,
    add_status,
    add_serve,
    add_synth,
    add_publish,
)


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sgkg",
        **description(
            "sgkg: a knowledge graph of the Paris Declaration of 6 January 2026 on "
            "security guarantees for Ukraine. Build, validate, query, export and check "
            "the graph. `sgkg COMMAND --help` describes each command.\n\n"
            "examples:\n"
            "  sgkg build\n"
            "  sgkg query 'SELECT * WHERE { ?s ?p ?o } LIMIT 5'\n"
            "  sgkg --root tests/fixtures/mini validate --format json"
        ),
    )
    parser.add_argument("--version", action="version", version=f"sgkg {__version__}")
    add_tree_options(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add_command in COMMANDS:
        add_command(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    try:
        layout = discover_layout(args.root, args.build_dir)
        return handler(args, layout)
    except ValidationFailed as error:
        sys.stderr.write(render_text(error.report))
        info(f"sgkg {args.command}: {error}")
        return error.exit_code
    except SgkgError as error:
        info(f"sgkg {args.command}: {error}")
        return error.exit_code
    except BrokenPipeError:  # `sgkg export ... | head`: not an error worth a traceback
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the exit-time flush does not fail again
        return EXIT_OK
    except KeyboardInterrupt:
        info("interrupted")
        return 130
