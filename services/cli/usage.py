"""The command line's grammar: every subcommand, its flags, and an example in its `--help`."""

from __future__ import annotations

import argparse
from typing import TypeAlias, get_args

from shared.contract.config import ExportFormat

Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"

EXIT_CODES = """exit codes: 0 done; 1 the job ended without a dataset, or the gateway refused;
  2 bad arguments or file; 3 no stack, gateway or Redis to reach; 4 timed out; 130 stopped"""

EXAMPLES = {
    "datafactory": "datafactory run --sample\n  datafactory run --json https://example.com/a",
    "up": "datafactory up --replicas refiner=2",
    "run": "datafactory run https://example.com/a https://example.com/b\n"
    "  datafactory run --urls-file urls.txt --template qa --format csv --json > job.json\n"
    '  dataset=$(datafactory run -q --config job.yaml) || echo "failed: exit $?"',
    "templates": "datafactory templates list --json",
    "list": "datafactory templates list --json | jq -r '.[].name'",
    "show": "datafactory templates show qa@1",
    "add": "datafactory templates add my-template.yaml",
    "rebuild": "datafactory rebuild --output /tmp/replayed.db --json",
    "status": "datafactory status --interval 5 --json",
    "gc": "datafactory gc --dry-run --json",
    "push": "datafactory push job_0123abcd me/my-dataset --json",
    "llm-sim": "datafactory llm-sim --port 8100 --latency-ms 200 --rate-429 0.1",
}


def epilog(name: str, codes: bool = True) -> str:
    example = f"example:\n  {EXAMPLES[name]}"
    return f"{example}\n\n{EXIT_CODES}" if codes else example


def _command(sub: Commands, name: str, summary: str) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        name,
        help=summary,
        description=summary,
        epilog=epilog(name),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return parser


def _json(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--json", action="store_true", help=f"print {what} as one JSON document")


def _gateway(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--gateway", help="a running gateway's URL (default: this data directory's)"
    )


def _run(sub: Commands) -> None:
    run = _command(sub, "run", "run a job end to end and print the dataset path")
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
    _gateway(run)
    run.add_argument("--detach", action="store_true", help="print the job id and return")
    said = run.add_mutually_exclusive_group()
    said.add_argument(
        "--json",
        action="store_true",
        help="print the job's id, status, error, counts per stage, cost and dataset as JSON",
    )
    said.add_argument(
        "-q", "--quiet", action="store_true", help="print the dataset path only, else nothing"
    )


def _templates(sub: Commands) -> None:
    tpl = _command(sub, "templates", "list, show or add prompt templates")
    _gateway(tpl)
    actions = tpl.add_subparsers(dest="action", required=True)
    _json(_command(actions, "list", "every template with its params"), "the templates")
    show = _command(actions, "show", "a template with its source")
    show.add_argument("name", help="NAME or NAME@VERSION")
    show.add_argument("--json", action="store_true", help="(the default: it is JSON already)")
    _command(actions, "add", "save a template file (its next version if it exists)").add_argument(
        "file"
    )


def _push(sub: Commands) -> None:
    push = _command(sub, "push", "upload an export to a dataset repository on a hub")
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
    _json(push, "the export, the repository and the commit's URL")


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="datafactory",
        description="The AI Data Factory: web pages in, a curated training dataset out.",
        epilog=epilog("datafactory"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = root.add_subparsers(dest="command", required=True)
    up = _command(sub, "up", "start Redis, every stage, the gateway (and the simulator)")
    up.add_argument("--replicas", action="append", default=[], metavar="STAGE=N")
    _run(sub)
    _templates(sub)
    rebuild = _command(sub, "rebuild", "replay the event log into a fresh database")
    rebuild.add_argument(
        "--output",
        help="database file to write (default: datafactory.rebuilt.db beside the live one)",
    )
    _json(rebuild, "the events replayed and the database written")
    watch = _command(sub, "status", "queues, stages, LLM spend and projector lag")
    watch.add_argument("--interval", type=float, default=3.0, help="seconds to measure items/s")
    _json(watch, "the figures")
    gc = _command(sub, "gc", "delete raw pages and extracted text of finished jobs")
    gc.add_argument("--dry-run", action="store_true", help="only say what would be freed")
    _json(gc, "what is (or would be) freed")
    _push(sub)
    sim = _command(sub, "llm-sim", "run the OpenAI-compatible LLM simulator")
    sim.add_argument("args", nargs=argparse.REMAINDER)
    return root
