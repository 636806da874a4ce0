"""The `datafactory` command: up, run, status, templates, rebuild, gc, push, llm-sim."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import get_args

from services.cli import commands, status
from services.cli.templates import templates
from shared.config import ExportFormat


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="datafactory", description=__doc__)
    sub = root.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start Redis, every stage, the gateway (and the simulator)")
    up.add_argument("--replicas", action="append", default=[], metavar="STAGE=N")
    run = sub.add_parser("run", help="run a job end to end and print the dataset path")
    run.add_argument("urls", nargs="*")
    run.add_argument("--urls-file", help="a file with one URL per line")
    run.add_argument("--sample", action="store_true", help="serve and use the bundled sample site")
    run.add_argument("--project", default="default")
    run.add_argument(
        "--config", help="a job file (JSON or YAML): the job's config, or the API's body"
    )
    run.add_argument("--template", default=None, help="a template's name, or name@version")
    run.add_argument("--template-file", help="a one-off template (JSON or YAML), not saved")
    run.add_argument("--format", choices=get_args(ExportFormat), default=None)
    run.add_argument("--examples-per-chunk", type=int, default=None)
    run.add_argument("--timeout", type=float, default=1800.0)
    run.add_argument("--gateway", help="a running gateway's URL (default: this data directory's)")
    run.add_argument("--detach", action="store_true", help="print the job id and return")
    tpl = sub.add_parser("templates", help="list, show or add prompt templates")
    tpl.add_argument("--gateway", help="a running gateway's URL (default: this data directory's)")
    actions = tpl.add_subparsers(dest="action", required=True)
    actions.add_parser("list", help="every template with its params")
    actions.add_parser("show", help="a template with its source").add_argument("name")
    add = actions.add_parser("add", help="save a template file (its next version if it exists)")
    add.add_argument("file")
    rebuild = sub.add_parser("rebuild", help="replay the event log into a fresh database")
    rebuild.add_argument("--output", help="database file to write (default: replace the live one)")
    watch = sub.add_parser("status", help="queues, stages, LLM spend and projector lag")
    watch.add_argument("--interval", type=float, default=3.0, help="seconds to measure items/s")
    gc = sub.add_parser("gc", help="delete raw pages and extracted text of finished jobs")
    gc.add_argument("--dry-run", action="store_true", help="only say what would be freed")
    push = sub.add_parser("push", help="upload an export to a dataset repository on a hub")
    push.add_argument("export", metavar="JOB_OR_EXPORT", help="a job id, an export id or folder")
    push.add_argument("repo_id", metavar="REPO_ID", help="e.g. me/my-dataset")
    push.add_argument("--endpoint", default=None, help="the hub's URL (default: HF_ENDPOINT)")
    push.add_argument("--token", default=None, help="an access token (default: HF_TOKEN)")
    # Private unless asked: a dataset made from crawled pages may hold what nobody meant to
    # publish, and a public repository cannot be taken back from whoever copied it.
    seen = push.add_mutually_exclusive_group()
    seen.add_argument("--public", dest="private", action="store_false", help="a public repository")
    seen.add_argument("--private", dest="private", action="store_true", help="(the default)")
    push.set_defaults(private=True)
    sim = sub.add_parser("llm-sim", help="run the OpenAI-compatible LLM simulator")
    sim.add_argument("args", nargs=argparse.REMAINDER)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["llm-sim"]:  # its own flags, --help included, belong to the simulator
        return commands.llm_sim(argparse.Namespace(args=argv[1:]))
    args = parser().parse_args(argv)
    handler = {
        "up": commands.up,
        "run": commands.run,
        "templates": templates,
        "rebuild": commands.rebuild,
        "push": commands.push,
        "gc": commands.gc,
        "status": status.command,
        "llm-sim": commands.llm_sim,
    }[args.command]
    return handler(args)


if __name__ == "__main__":
    sys.exit(main())
