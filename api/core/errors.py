"""The base of the errors a person is expected to meet, and their exit codes.

The CLI catches :class:`SgkgError` and prints its message (no traceback); anything else
is a bug and keeps its traceback. Each module raises its own subclass so a caller can
tell a parse error from a failed validation without reading messages.
"""

#: Exit codes shared by every subcommand.
EXIT_OK = 0
EXIT_FAILED = 1  # the input was read, but it does not pass (violations, QC errors)
EXIT_UNUSABLE = 2  # the input could not be used (parse error, missing files, bad query)


class SgkgError(Exception):
    """An expected error with a message for a person and the exit code to use."""

    exit_code: int = EXIT_UNUSABLE

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message


class MissingInputError(SgkgError):
    """The project tree lacks the files a build needs (no ontology, no shapes...)."""
