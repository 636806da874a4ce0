"""`datafactory templates list|show|add`: the gateway's templates from the command line."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

from services.cli.jobfile import JobFileError, load_template
from services.cli.run import console
from services.cli.stack import gateway_client, running_gateway
from shared.settings import Settings


def templates(args: argparse.Namespace) -> int:
    settings = Settings()
    gateway = args.gateway or running_gateway(settings)
    if gateway is None:
        console.print("[red]no gateway running[/]: start one with datafactory up, or --gateway")
        return 2
    actions = {"list": _list, "show": _show, "add": _add}
    with gateway_client(settings, gateway) as client:
        return actions[args.action](client, args)


def _failed(response: httpx.Response) -> int:
    detail: Any = response.text
    with contextlib.suppress(ValueError):
        detail = response.json().get("detail", detail)
    message = detail.get("message", detail) if isinstance(detail, dict) else detail
    console.print(f"[red]refused ({response.status_code})[/]: {message}")
    return 1


def _list(client: httpx.Client, args: argparse.Namespace) -> int:
    response = client.get("/api/templates")
    if response.status_code != 200:
        return _failed(response)
    table = Table("name", "kind", "version", "params", "description")
    for t in response.json():
        params = ", ".join(f"{k}={json.dumps(p['default'])}" for k, p in t["params"].items())
        table.add_row(t["name"], t["kind"], str(t["version"] or ""), params, t["description"])
    Console().print(table)
    return 0


def _show(client: httpx.Client, args: argparse.Namespace) -> int:
    response = client.get(f"/api/templates/{args.name}")
    if response.status_code != 200:
        return _failed(response)
    sys.stdout.write(json.dumps(response.json(), indent=2) + "\n")
    return 0


def _add(client: httpx.Client, args: argparse.Namespace) -> int:
    """Creates the template, or saves its next version if it exists."""
    try:
        spec = load_template(Path(args.file))
    except JobFileError as exc:
        console.print(f"[red]bad template[/] {exc}")
        return 2
    body = spec.model_dump(mode="json", exclude={"version"})
    response = client.post("/api/templates", json=body)
    if response.status_code == 409:
        response = client.put(f"/api/templates/{spec.name}", json=body)
    if response.status_code not in (200, 201):
        return _failed(response)
    saved = response.json()
    console.print(f"[green]saved[/] {saved['name']}@{saved['version']}")
    return 0
