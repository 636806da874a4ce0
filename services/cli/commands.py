"""The CLI's commands; each takes parsed arguments and returns an exit code."""

from __future__ import annotations

import argparse
import json
import os
import runpy
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from services.cli import jobfile
from services.cli.run import console, follow, submit
from services.cli.sample import serve_sample_site
from services.cli.stack import Stack, gateway_client, running_gateway
from shared.redis_server import RedisProcess
from shared.settings import Settings
from shared.storage.blobs import Storage

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Stopped(Exception):
    """A stop signal arrived; the stack is being stopped."""


def _stop_on_signals() -> None:
    """SIGTERM, SIGHUP and Ctrl-C stop the stack gracefully; signals that arrive while it
    stops are ignored, so a second Ctrl-C cannot leave children behind."""

    def stop(signum: int, _frame: object) -> None:
        for sig in STOP_SIGNALS:
            signal.signal(sig, signal.SIG_IGN)
        raise Stopped(signal.Signals(signum).name)

    for sig in STOP_SIGNALS:
        signal.signal(sig, stop)


def up(args: argparse.Namespace) -> int:
    replicas = {k: int(v) for k, v in (item.split("=", 1) for item in args.replicas)}
    _stop_on_signals()
    stack = Stack(Settings(), replicas)
    try:
        stack.start()
        console.print(f"[cyan]datafactory[/] up: dashboard and API at {stack.gateway_url}")
        console.print(f"logs in {stack.data_dir / 'logs'}; Ctrl-C stops everything")
        while True:
            time.sleep(0.5)
            for name in stack.restart_dead():
                console.print(f"[yellow]{name} exited[/]; restarted (see its log)")
    except Stopped as why:
        console.print(f"{why}: stopping")
        return 0
    finally:
        stack.stop()


def _urls(args: argparse.Namespace, job: jobfile.JobFile) -> list[str]:
    urls = [*job.urls, *args.urls]
    if args.urls_file:
        lines = Path(args.urls_file).read_text().splitlines()
        urls += [u.strip() for u in lines if u.strip() and not u.startswith("#")]
    return urls


def run(args: argparse.Namespace) -> int:
    try:
        request = jobfile.from_args(args)
    except jobfile.JobFileError as exc:
        console.print(f"[red]bad job[/] {exc}")
        return 2
    urls = _urls(args, request)
    if args.sample:
        # The sample site is served on loopback, which the spider refuses unless allowed.
        os.environ.setdefault("DATAFACTORY_ALLOWED_NETWORKS", "127.0.0.0/8")
        _server, sample_urls = serve_sample_site()
        urls += sample_urls
    if not urls:
        console.print("[red]no URLs[/]: pass URLs, --urls-file FILE or --sample")
        return 2
    settings = Settings()
    stack = None
    _stop_on_signals()
    try:
        gateway = args.gateway or running_gateway(settings)
        if gateway is not None and args.sample:
            # Started without --sample, that stack's spider refuses the loopback sample site.
            console.print(
                "[yellow]using the running stack[/]: its spider fetches the sample site only "
                "if it was started with DATAFACTORY_ALLOWED_NETWORKS=127.0.0.0/8"
            )
        if gateway is None and args.detach:
            console.print("[red]--detach needs a running gateway[/]: datafactory up, or --gateway")
            return 2
        if gateway is None:
            console.print("starting the embedded stack (Redis, stages, gateway)...")
            stack = Stack(settings)
            stack.start()
            gateway = stack.gateway_url
        with gateway_client(settings, gateway) as client:
            job_id = submit(client, urls, args.project, request.config)
            console.print(f"job {job_id}: {len(urls)} URLs; dashboard at {gateway}/")
            if args.detach:
                sys.stdout.write(f"{job_id}\n")
                return 0
            job = follow(client, job_id, args.timeout)
    except Stopped as why:
        console.print(f"{why}: stopping")
        return 130
    finally:
        if stack:
            stack.stop()
    if args.gateway:  # another machine's gateway: its files are reached through it
        routes = {"path": "download", "card_path": "card"}
        base = f"{args.gateway.rstrip('/')}/api/exports"
        return _report(job, lambda export, field: f"{base}/{export['id']}/{routes[field]}")
    storage = Storage.from_settings(settings)
    return _report(job, lambda export, field: storage.location(export[field]))


def _report(job: dict[str, Any], where: Callable[[dict[str, Any], str], str]) -> int:
    """Prints where the job's last export is: a path on this machine's store, or a URL."""
    exports = job.get("exports") or []
    if not exports:
        console.print(f"[red]job ended without a dataset[/]: status {job.get('status')}")
        return 1
    export = exports[-1]
    card = where(export, "card_path")
    console.print(f"[green]{export['record_count']} examples[/]; card: {card}")
    sys.stdout.write(f"{where(export, 'path')}\n")
    return 0


def rebuild(args: argparse.Namespace) -> int:
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
    console.print(f"replayed {count} events into {target}")
    return 0


def gc(args: argparse.Namespace) -> int:
    from services.cli.gc import collect

    freed = collect(Settings(), dry_run=args.dry_run)
    verb = "would free" if args.dry_run else "freed"
    console.print(
        f"{verb} {freed.bytes / 2**20:.1f} MB in {freed.files} files of {freed.jobs} jobs"
    )
    return 0


def push(args: argparse.Namespace) -> int:
    from services.shipper.push import NoExport, export_folder
    from services.shipper.push import push as upload
    from shared.storage.blobs import Storage

    options = {"endpoint": args.endpoint, "token": args.token, "private": args.private}
    try:
        with export_folder(Storage.from_settings(Settings()), args.export) as folder:
            url = upload(folder, args.repo_id, **options)
    except NoExport as exc:
        console.print(f"[red]{exc}[/]")
        return 2
    console.print(f"[green]pushed[/] {args.export} to {args.repo_id}")
    sys.stdout.write(f"{url}\n")
    return 0


def llm_sim(args: argparse.Namespace) -> int:
    sys.argv = ["datafactory llm-sim", *args.args]
    runpy.run_module("services.llm_sim", run_name="__main__")
    return 0
