"""`datafactory run`: submits a job to the gateway (a running stack's, or one started for the
job), follows it, and reports where its dataset is: a path on stdout, the whole report as JSON
with --json, or the path alone with --quiet."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from services.cli import jobfile, report
from services.cli.output import CommandFailed, Exit, Output, escape, started
from services.cli.progress import TimedOut, follow
from services.cli.sample import serve_sample_site
from services.cli.signals import Stopped, stop_on_signals
from services.cli.stack import Stack, gateway_client, running_gateway
from shared.settings import Settings
from shared.storage.blobs import Storage


def _urls(args: argparse.Namespace, job: jobfile.JobFile) -> list[str]:
    urls = [*job.urls, *args.urls]
    if args.urls_file:
        try:
            lines = Path(args.urls_file).read_text().splitlines()
        except OSError as exc:
            message = f"[red]{escape(args.urls_file)}[/]: {exc.strerror}"
            raise CommandFailed(Exit.USAGE, message) from None
        urls += [u.strip() for u in lines if u.strip() and not u.startswith("#")]
    if args.sample:
        # The sample site is served on loopback, which the spider refuses unless allowed.
        os.environ.setdefault("DATAFACTORY_ALLOWED_NETWORKS", "127.0.0.0/8")
        _server, sample_urls = serve_sample_site()
        urls += sample_urls
    if not urls:
        raise CommandFailed(Exit.USAGE, "[red]no URLs[/]: pass URLs, --urls-file FILE or --sample")
    return urls


def submit(
    client: httpx.Client, urls: list[str], project: str, config: dict[str, Any], out: Output
) -> str:
    project_id = _project_id(client, project)
    response = client.post(
        f"/api/projects/{project_id}/jobs", json={"urls": urls, "config": config}
    )
    if response.status_code >= 400:
        why = f"{response.status_code} {response.text}"
        raise CommandFailed(Exit.FAILED, f"[red]job refused[/]: {escape(why)}")
    body = response.json()
    for bad in body.get("rejected_urls", []):
        out.say(
            f"[yellow]skipped[/] {escape(str(bad.get('url')))}: {escape(str(bad.get('reason')))}"
        )
    return str(body["job_id"])


def _project_id(client: httpx.Client, name: str) -> str:
    for project in client.get("/api/projects").raise_for_status().json():
        if project["name"] == name:
            return str(project["id"])
    return str(client.post("/api/projects", json={"name": name}).raise_for_status().json()["id"])


@contextmanager
def _gateway(
    args: argparse.Namespace, settings: Settings, out: Output
) -> Iterator[tuple[str, bool]]:
    """The gateway to submit to: --gateway, the running stack's, or a stack started for the
    job; and whether it stays up after the job."""
    gateway = args.gateway or running_gateway(settings)
    if gateway is not None:
        if args.sample:
            # Started without --sample, that stack's spider refuses the loopback sample site.
            out.say(
                "[yellow]using the running stack[/]: its spider fetches the sample site only "
                "if it was started with DATAFACTORY_ALLOWED_NETWORKS=127.0.0.0/8"
            )
        yield gateway, True
        return
    if args.detach:
        raise CommandFailed(
            Exit.USAGE, "[red]--detach needs a running gateway[/]: datafactory up, or --gateway"
        )
    out.say("starting the embedded stack (Redis, stages, gateway)...")
    stack = Stack(settings)
    try:
        started(stack)
        yield stack.gateway_url, False
    finally:
        stack.stop()


def _locate(args: argparse.Namespace, settings: Settings) -> report.Locate:
    if args.gateway:  # another machine's gateway: its files are reached through it
        routes = {"path": "download", "card_path": "card"}
        base = f"{args.gateway.rstrip('/')}/api/exports"
        return lambda export, field: f"{base}/{export['id']}/{routes[field]}"
    storage = Storage.from_settings(settings)
    return lambda export, field: storage.location(export[field])


def _follow(
    args: argparse.Namespace,
    settings: Settings,
    urls: list[str],
    config: dict[str, Any],
    out: Output,
) -> int:
    with (
        _gateway(args, settings, out) as (gateway, lasting),
        gateway_client(settings, gateway) as client,
    ):
        job_id = submit(client, urls, args.project, config, out)
        out.say(f"job {job_id}: {len(urls)} URLs; dashboard at {escape(gateway)}/")
        if args.detach:
            if out.json:
                out.document({"job_id": job_id, "status": "submitted"})
            else:
                out.line(job_id)
            return Exit.OK
        try:
            job = follow(client, job_id, args.timeout, out)
        except TimedOut as timed_out:
            job, code = timed_out.job, timed_out.code
            out.say(timed_out.message)
        else:
            code = Exit.OK if report.succeeded(job) else Exit.FAILED
        dashboard = gateway if lasting else None
        return _report(job, code, _locate(args, settings), dashboard, out)


def _report(
    job: dict[str, Any], code: int, where: report.Locate, dashboard: str | None, out: Output
) -> int:
    found = report.document(job, where, dashboard)
    if out.json:
        out.document(found)
    elif code == Exit.FAILED:
        out.say(f"[red]{escape(report.why_failed(job))}[/]")
    elif code == Exit.OK:
        count = found["export"]["record_count"]
        out.say(f"[green]{count} examples[/]; card: {escape(found['card'])}")
        out.line(found["dataset"])
    return code


def run(args: argparse.Namespace, out: Output) -> int:
    try:
        request = jobfile.from_args(args)
    except jobfile.JobFileError as exc:
        raise CommandFailed(Exit.USAGE, f"[red]bad job[/] {escape(str(exc))}") from None
    urls = _urls(args, request)
    settings = Settings()
    stop_on_signals()
    try:
        return _follow(args, settings, urls, request.config, out)
    except Stopped as why:
        raise CommandFailed(Exit.INTERRUPTED, f"{why}: stopping") from None
    except httpx.HTTPStatusError as exc:
        raise CommandFailed(Exit.FAILED, f"[red]refused[/]: {escape(str(exc))}") from None
    except httpx.HTTPError as exc:
        raise CommandFailed(
            Exit.UNAVAILABLE, f"[red]gateway unreachable[/]: {escape(str(exc))}"
        ) from None
