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

    def render_all(self, prefix: str = "") -> str:
        """Every problem this error holds, each rendered after ``prefix``."""
        return prefix + self.render()


class InputError(AdvisorError):
    """A file or argument the user wrote is wrong. Names the file and line where known; the
    column and the key path inside the file are kept as fields (for editors and --format json),
    not in the message."""

    exit_code = EXIT_INPUT

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        hint: str | None = None,
        column: int | None = None,
        keypath: tuple[str | int, ...] | None = None,
    ) -> None:
        self.file = file
        self.line = line
        self.column = column
        self.keypath = keypath
        where = ""
        if file:
            where = f"{file}:{line}: " if line else f"{file}: "
        super().__init__(where + message, hint)
        self.bare_message = message

    def as_dict(self) -> dict[str, object]:
        """The problem as data: file, line, column, key path, message and hint."""
        return {"file": self.file, "line": self.line, "column": self.column,
                "path": list(self.keypath) if self.keypath is not None else None,
                "message": self.bare_message, "hint": self.hint}


SHOWN_ERRORS = 20  # problems rendered for a human; the rest are counted


class InputErrors(InputError):
    """Several problems found in one run (all of a file's, in file order). Reads as its first
    problem where one error is expected (``message``, ``file``, ``line``)."""

    def __init__(self, problems: list[InputError]) -> None:
        assert problems
        self.problems = problems
        first = problems[0]
        super().__init__(first.bare_message, file=first.file, line=first.line, hint=first.hint,
                         column=first.column, keypath=first.keypath)
        self.message = first.message

    def render_all(self, prefix: str = "") -> str:
        shown = [prefix + p.render() for p in self.problems[:SHOWN_ERRORS]]
        more = len(self.problems) - SHOWN_ERRORS
        if more > 0:
            shown.append(f"{prefix}and {more} more problem{'s' if more != 1 else ''} "
                         f"({len(self.problems)} in all); fix these and run again")
        return "\n".join(shown)


def collect(problems: list[InputError]) -> None:
    """Raise the problems found (nothing if none): one alone as itself, several as InputErrors,
    grouped by file (in the order the files were read) and in line order within a file."""
    flat: list[InputError] = []
    for p in problems:
        flat.extend(p.problems if isinstance(p, InputErrors) else [p])
    if len(flat) == 1:
        raise flat[0]
    if flat:
        order: dict[str | None, int] = {}
        for p in flat:
            order.setdefault(p.file, len(order))
        flat.sort(key=lambda p: (order[p.file], p.line or 0, p.column or 0))
        raise InputErrors(flat)


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
