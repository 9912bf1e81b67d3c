"""What the command line prints, and how its help reads.

Data (reports, results, exports) go to stdout, messages to stderr, so that
``sgkg export ... > file`` or ``sgkg query ... | sort`` carry the data alone.
"""

import argparse
import sys
import textwrap


def info(message: str) -> None:
    """A message for the person at the terminal: on stderr, never mixed into the data."""
    print(message, file=sys.stderr)


def write_stdout(text: str | bytes) -> None:
    """Data on stdout; bytes (xlsx, N-Quads) go to the binary buffer once the text before
    them is flushed, so the two keep their order."""
    if isinstance(text, bytes):
        sys.stdout.flush()
        sys.stdout.buffer.write(text)
        sys.stdout.buffer.flush()
    else:
        sys.stdout.write(text)


def description(text: str) -> dict[str, object]:
    """Wrap the prose of a ``--help`` text to 88 columns, keep the examples as written."""
    paragraphs = [
        paragraph if paragraph.startswith("example") else textwrap.fill(paragraph, width=88)
        for paragraph in text.split("\n\n")
    ]
    return {
        "description": "\n\n".join(paragraphs),
        "formatter_class": argparse.RawDescriptionHelpFormatter,
    }
