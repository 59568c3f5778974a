"""The error tree. Every error a user can cause carries its exit code and a one-line message.

The CLI maps these to exit codes in one place (``advisor.commands.main``); nothing else
calls sys.exit.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_INPUT = 2
EXIT_SOURCE = 3
EXIT_INTERNAL = 70  # sysexits EX_SOFTWARE: a bug in the advisor, never a policy result
EXIT_OUTPUT = 74  # sysexits EX_IOERR: an output could not be written (a full disk, ...)


class AdvisorError(Exception):
    """Base of every error the advisor raises on purpose."""

    exit_code = EXIT_INPUT

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def render(self) -> str:
        """One or two lines for a human: what is wrong, then what to do."""
        text = self.message
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class InputError(AdvisorError):
    """A file or argument the user wrote is wrong. Names the file and line where known."""

    exit_code = EXIT_INPUT

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.file = file
        self.line = line
        where = ""
        if file:
            where = f"{file}:{line}: " if line else f"{file}: "
        super().__init__(where + message, hint)
        self.bare_message = message


class PolicyError(InputError):
    """A policy pack is malformed (unknown severity, attribute, operator...)."""


class OutputError(AdvisorError):
    """An output (a file given with -o, or stdout) could not be written."""

    exit_code = EXIT_OUTPUT


class SourceError(AdvisorError):
    """A data source (cloud API, cluster, bucket, file store) failed or could not be reached."""

    exit_code = EXIT_SOURCE

    def __init__(self, source: str, message: str, hint: str | None = None) -> None:
        super().__init__(f"source {source}: {message}", hint)
        self.source = source
        self.detail = message
