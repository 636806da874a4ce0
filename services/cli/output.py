"""How the CLI speaks: results on stdout (plain lines, or one JSON document with `--json`),
messages and progress on stderr, nothing but the result with `--quiet`, and exit codes that
say why a command failed. Paths and URLs are never wrapped, cut or styled."""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass, field
from enum import IntEnum
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:
    from services.cli.stack import Stack

__all__ = ["CommandFailed", "Exit", "Output", "escape"]

# Wide enough for any row: a table is measured at this width, then printed at its own.
_UNLIMITED = 100_000


class Exit(IntEnum):
    OK = 0
    FAILED = 1  # the job ended without a dataset, or the gateway refused the request
    USAGE = 2  # bad arguments, or a bad job or template file (argparse's own code too)
    UNAVAILABLE = 3  # no stack, gateway or Redis to talk to, or the stack did not start
    TIMEOUT = 4  # the job did not finish within --timeout
    INTERRUPTED = 130  # Ctrl-C, SIGTERM or SIGHUP


class CommandFailed(Exception):
    """Ends a command with `code`; `message` (rich markup) goes to stderr unless quiet."""

    def __init__(self, code: Exit, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def console(stderr: bool) -> Console:
    # rich drops colour when its stream is not a terminal, and colour alone for NO_COLOR;
    # no colour system at all also drops bold and italic, which are escape codes too.
    plain = os.environ.get("NO_COLOR", "") != ""
    return Console(stderr=stderr, color_system=None if plain else "auto")


@dataclass
class Output:
    json: bool = False
    quiet: bool = False
    err: Console = field(default_factory=lambda: console(stderr=True))
    out: Console = field(default_factory=lambda: console(stderr=False))

    @classmethod
    def of(cls, args: argparse.Namespace) -> Output:
        return cls(json=getattr(args, "json", False), quiet=getattr(args, "quiet", False))

    @property
    def bars(self) -> bool:
        """Progress bars are drawn on a terminal only; a log file gets plain lines."""
        return self.err.is_terminal and not self.quiet

    def say(self, message: str) -> None:
        """A message in rich markup on stderr; soft wrap, so a path in it stays whole."""
        if not self.quiet:
            self.err.print(message, soft_wrap=True, highlight=False)

    def failed(self, failure: CommandFailed) -> int:
        self.say(failure.message)
        return failure.code

    def line(self, text: str) -> None:
        """A result on stdout as it is: a path, a URL, an id."""
        sys.stdout.write(f"{text}\n")
        sys.stdout.flush()

    def document(self, value: Any) -> None:
        self.line(json.dumps(value, indent=2, ensure_ascii=False))

    def table(self, table: Table) -> None:
        """A table on stdout at its natural width: cells are never wrapped or cut to fit the
        terminal (a terminal wider lines wrap on screen only, and copy whole)."""
        measured = table.__rich_measure__(self.out, self.out.options.update_width(_UNLIMITED))
        screen = self.out.width
        self.out.width = max(screen, measured.maximum)
        try:
            self.out.print(table, crop=False)
        finally:
            self.out.width = screen


def started(stack: Stack) -> None:
    """Starts the stack; one that does not start is the command's
    failure, with the reason."""
    try:
        stack.start()
    except RuntimeError as exc:
        raise CommandFailed(
            Exit.UNAVAILABLE, f"[red]the stack did not start[/]: {escape(str(exc))}"
        ) from None
