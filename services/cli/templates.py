"""`datafactory templates list|show|add`: the gateway's templates from the command line."""

from __future__ import annotations

import argparse
import contextlib
import json
from pathlib import Path
from typing import Any

import httpx
from rich.table import Table

from services.cli.jobfile import JobFileError, load_template
from services.cli.output import CommandFailed, Exit, Output, escape
from services.cli.stack import gateway_client, running_gateway
from shared.settings import Settings


def templates(args: argparse.Namespace, out: Output) -> int:
    settings = Settings()
    gateway = args.gateway or running_gateway(settings)
    if gateway is None:
        message = "[red]no gateway running[/]: start one with datafactory up, or --gateway"
        raise CommandFailed(Exit.UNAVAILABLE, message)
    actions = {"list": _list, "show": _show, "add": _add}
    try:
        with gateway_client(settings, gateway) as client:
            return actions[args.action](client, args, out)
    except httpx.TransportError as exc:
        message = f"[red]gateway unreachable[/] at {escape(gateway)}: {escape(str(exc))}"
        raise CommandFailed(Exit.UNAVAILABLE, message) from None


def _answer(response: httpx.Response, *ok: int) -> Any:
    """The response's body, or the command fails with the gateway's reason."""
    if response.status_code in ok:
        return response.json()
    detail: Any = response.text
    with contextlib.suppress(ValueError):  # a problem's `detail` (RFC 9457)
        detail = response.json().get("detail", detail)
    raise CommandFailed(
        Exit.FAILED, f"[red]refused ({response.status_code})[/]: {escape(str(detail))}"
    )


def _list(client: httpx.Client, args: argparse.Namespace, out: Output) -> int:
    found = _answer(client.get("/api/templates"), 200)
    if out.json:
        out.document(found)
        return Exit.OK
    table = Table("name", "kind", "version", "params", "description")
    for t in found:
        params = ", ".join(f"{k}={json.dumps(p['default'])}" for k, p in t["params"].items())
        table.add_row(t["name"], t["kind"], str(t["version"] or ""), params, t["description"])
    out.table(table)
    return Exit.OK


def _show(client: httpx.Client, args: argparse.Namespace, out: Output) -> int:
    out.document(_answer(client.get(f"/api/templates/{args.name}"), 200))
    return Exit.OK


def _add(client: httpx.Client, args: argparse.Namespace, out: Output) -> int:
    """Creates the template, or saves its next version if it exists."""
    try:
        spec = load_template(Path(args.file))
    except JobFileError as exc:
        raise CommandFailed(Exit.USAGE, f"[red]bad template[/] {escape(str(exc))}") from None
    body = spec.model_dump(mode="json", exclude={"version"})
    response = client.post("/api/templates", json=body)
    if response.status_code == 409:
        response = client.put(f"/api/templates/{spec.name}", json=body)
    saved = _answer(response, 200, 201)
    out.say(f"[green]saved[/] {escape(saved['name'])}@{saved['version']}")
    return Exit.OK
