"""Errors the ``heat`` command reports as one line, with the exit status to leave with."""

from __future__ import annotations


class CommandError(Exception):
    """A failure shown to the user as ``heat: <message>``; no traceback."""

    def __init__(self, message: str, *, exit_status: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.exit_status = exit_status

    def __str__(self) -> str:
        return self.message


class UsageError(CommandError):
    """Bad arguments: reported like argparse does, exit status 2."""

    def __init__(self, message: str) -> None:
        super().__init__(message, exit_status=2)
