"""A local stand-in for a Hugging Face hub: answers the calls that creating a dataset repository
and committing small files make, and records every request it gets."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

import yaml

from tests.web import Loopback


@dataclass
class Hub:
    url: str
    requests: list[tuple[str, str, str]] = field(default_factory=list)  # method, path, auth
    repos: list[dict[str, Any]] = field(default_factory=list)
    commits: list[dict[str, bytes]] = field(default_factory=list)  # path in repo -> content
    validated: list[str] = field(default_factory=list)  # READMEs whose metadata was checked


def _metadata_errors(readme: str) -> list[dict[str, str]]:
    """The hub's check, in part: YAML front matter that parses, with data files and a license."""
    try:
        meta = yaml.safe_load(readme.split("---\n")[1])
    except (IndexError, yaml.YAMLError) as exc:
        return [{"message": f"no readable front matter: {exc}"}]
    missing = [k for k in ("license", "configs", "task_categories") if k not in meta]
    return [{"message": f"missing {k}"} for k in missing]


def _committed(body: bytes) -> dict[str, bytes]:
    """The files of a commit's NDJSON payload (header line, then one line per operation)."""
    files = {}
    for line in body.splitlines():
        op = json.loads(line)
        if op.get("key") == "file":
            files[op["value"]["path"]] = base64.b64decode(op["value"]["content"])
    return files


def _handler(hub: Hub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _reply(self, payload: Any, status: int = 200) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            hub.requests.append(("POST", self.path, self.headers.get("Authorization", "")))
            if self.path == "/api/repos/create":
                asked = json.loads(body)
                hub.repos.append(asked)
                repo = f"{asked.get('organization')}/{asked['name']}"
                self._reply({"url": f"{hub.url}/datasets/{repo}"})
            elif self.path == "/api/validate-yaml":
                errors = _metadata_errors(json.loads(body)["content"])
                hub.validated.append(json.loads(body)["content"])
                self._reply({"errors": errors, "warnings": []}, 400 if errors else 200)
            elif "/preupload/" in self.path:
                files = json.loads(body)["files"]
                self._reply(
                    {
                        "files": [
                            {"path": f["path"], "uploadMode": "regular", "shouldIgnore": False}
                            for f in files
                        ]
                    }
                )
            elif "/commit/" in self.path:
                hub.commits.append(_committed(body))
                oid = "0" * 40
                repo = self.path.split("/api/datasets/")[1].split("/commit/")[0]
                self._reply(
                    {"commitUrl": f"{hub.url}/datasets/{repo}/commit/{oid}", "commitOid": oid}
                )
            else:
                self._reply({"error": f"unexpected {self.path}"}, 404)

        def do_GET(self) -> None:
            hub.requests.append(("GET", self.path, self.headers.get("Authorization", "")))
            self._reply({"error": f"unexpected {self.path}"}, 404)

    return Handler


@contextmanager
def fake_hub() -> Iterator[Hub]:
    with Loopback(BaseHTTPRequestHandler) as web:
        hub = Hub(url=web.bases[0])
        web.servers[0].RequestHandlerClass = _handler(hub)
        yield hub
