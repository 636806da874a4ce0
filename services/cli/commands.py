"""The CLI's smaller commands; each takes parsed arguments and the output, and returns an exit
code (`run`, `status` and `templates` have their own modules)."""

from __future__ import annotations

import argparse
import json
import runpy
import sys
import time
from pathlib import Path

from services.cli.output import CommandFailed, Exit, Output, escape, started
from services.cli.signals import Stopped, stop_on_signals
from services.cli.stack import Stack
from shared.runtime.redis_server import RedisProcess
from shared.settings import Settings


def up(args: argparse.Namespace, out: Output) -> int:
    replicas = {k: int(v) for k, v in (item.split("=", 1) for item in args.replicas)}
    stop_on_signals()
    stack = Stack(Settings(), replicas)
    try:
        started(stack)
        out.say(f"[cyan]datafactory[/] up: dashboard and API at {escape(stack.gateway_url)}")
        out.say(f"logs in {escape(str(stack.data_dir / 'logs'))}; Ctrl-C stops everything")
        while True:
            time.sleep(0.5)
            for name in stack.restart_dead():
                out.say(f"[yellow]{name} exited[/]; restarted (see its log)")
    except Stopped as why:
        out.say(f"{why}: stopping")
        return Exit.OK
    finally:
        stack.stop()


def rebuild(args: argparse.Namespace, out: Output) -> int:
    from services.gateway.readmodel.rebuild import rebuild as replay

    settings = Settings()
    redis = None
    if settings.redis_url is None:
        state = settings.data_dir.resolve() / "stack.json"
        if state.exists():
            url = json.loads(state.read_text())["redis_url"]
        else:
            redis = RedisProcess(settings.data_dir.resolve() / "redis").start()
            url = redis.url
        settings = settings.model_copy(update={"redis_url": url})
    live = Path(settings.sqlite_url.split("///", 1)[1])
    target = Path(args.output) if args.output else live.with_suffix(".rebuilt.db")
    target.unlink(missing_ok=True)
    try:
        count = replay(settings, target)
    finally:
        if redis:
            redis.stop()
    if out.json:
        out.document({"events": count, "database": str(target.resolve())})
    else:
        out.line(f"replayed {count} events into {target}")
    return Exit.OK


def gc(args: argparse.Namespace, out: Output) -> int:
    from services.cli.gc import collect

    freed = collect(Settings(), dry_run=args.dry_run)
    if out.json:
        figures = {"jobs": freed.jobs, "files": freed.files, "bytes": freed.bytes}
        out.document({"dry_run": args.dry_run, **figures})
        return Exit.OK
    verb = "would free" if args.dry_run else "freed"
    out.line(f"{verb} {freed.bytes / 2**20:.1f} MB in {freed.files} files of {freed.jobs} jobs")
    return Exit.OK


def push(args: argparse.Namespace, out: Output) -> int:
    from services.shipper.push import NoExport, export_folder
    from services.shipper.push import push as upload
    from shared.storage.blobs import Storage

    options = {"endpoint": args.endpoint, "token": args.token, "private": args.private}
    try:
        with export_folder(Storage.from_settings(Settings()), args.export) as folder:
            url = upload(folder, args.repo_id, **options)
    except NoExport as exc:
        raise CommandFailed(Exit.USAGE, f"[red]{escape(str(exc))}[/]") from None
    if out.json:
        out.document(
            {"export": args.export, "repo_id": args.repo_id, "private": args.private, "url": url}
        )
        return Exit.OK
    out.say(f"[green]pushed[/] {escape(args.export)} to {escape(args.repo_id)}")
    out.line(url)
    return Exit.OK


def llm_sim(args: argparse.Namespace) -> int:
    sys.argv = ["datafactory llm-sim", *args.args]
    runpy.run_module("services.llm_sim", run_name="__main__")
    return Exit.OK
