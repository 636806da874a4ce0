"""The `datafactory` command: up, run, status, templates, rebuild, gc, push, llm-sim."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from services.cli import commands, status
from services.cli.output import CommandFailed, Output
from services.cli.run import run
from services.cli.templates import templates
from services.cli.usage import epilog, parser

__all__ = ["main", "parser"]


def _llm_sim(argv: list[str]) -> int:
    """The simulator's flags, --help included, belong to the simulator; its help ends with
    an example like every other command's."""
    try:
        return commands.llm_sim(argparse.Namespace(args=argv))
    except SystemExit as done:
        if {"-h", "--help"} & set(argv):
            sys.stdout.write(f"\n{epilog('llm-sim', codes=False)}\n")
        raise done from None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["llm-sim"]:
        return _llm_sim(argv[1:])
    args = parser().parse_args(argv)
    handler = {
        "up": commands.up,
        "run": run,
        "templates": templates,
        "rebuild": commands.rebuild,
        "push": commands.push,
        "gc": commands.gc,
        "status": status.command,
    }[args.command]
    out = Output.of(args)
    try:
        return handler(args, out)
    except CommandFailed as failure:
        return out.failed(failure)


if __name__ == "__main__":
    sys.exit(main())
