"""The issue's probes over the API: each hostile template or schema is refused with a clear
422 within 3 s, nothing it names is fetched, no file's content comes back, and the gateway's
/health stays fast while it is checked."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from referencing.exceptions import Unresolvable

from shared.contract.templates.output_schema import validator
from tests.security import web as w
from tests.templates import bombs
from tests.templates.samples import claims

HOST = "127.0.0.1"
PLANTED = "sk-planted-in-a-settings-file-5e1d"
WITHIN_S, HEALTH_S = 3.0, 0.5


@pytest.fixture(scope="module")
def web() -> Iterator[w.Web]:
    """A schema server that logs every request it gets (it must get none)."""
    site = w.Web([HOST], [])
    site.routes[("*", "/schema.json")] = w.text(b'{"type": "string"}')
    yield site
    site.close()


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    found = tmp_path / "user_settings.json"
    found.write_text(f'{{"llm_api_key": "{PLANTED}", "type": "string"}}')
    return found


def probes(web: w.Web, secret_file: Path) -> dict[str, tuple[dict[str, Any], str]]:
    """Each probe, and a phrase of the reason it is refused for."""
    url, file = web.url(HOST, "/schema.json"), secret_file.as_uri()
    user = bombs.DOC
    return {
        "file_id": (bombs.with_schema(note={"x": {"$id": file}}), "$id not allowed"),
        "file_ref": (bombs.with_schema(note={"$ref": file}), "only references within"),
        "http_id": (bombs.with_schema(note={"$id": url, "$ref": "#"}), "$id not allowed"),
        "http_ref": (bombs.with_schema(note={"$ref": url}), "only references within"),
        "anchor": (bombs.with_schema(note={"$anchor": "a", "$ref": "#a"}), "$anchor"),
        "pow_chain": (claims(user="{{ 10**64**64**64 }}" + user), "an integer of about"),
        "aliased_string": (claims(user="{{ ([[0]*100000]*100)|string }}" + user), "longer than"),
        "json_indent": (
            claims(user="{{ [1, [2]]|tojson(indent=10000000) }}" + user),
            "tojson indent",
        ),
        "concat_growth": (claims(user=bombs.concat_growth() + user), "longer than 100000"),
        "format_alias": (
            claims(user="{% for s in [text] %}{{ [s.format][0]('{:>999999999}') }}{% endfor %}"),
            "method 'format' is not allowed",
        ),
        "allof_chain": (bombs.doubling_chain(26), "expand to more than"),
        "if_guard": (bombs.doubling_chain(26, guarded=True), "expand to more than"),
        "min_items": (bombs.with_schema(note=bombs.nested_min_items()), "declare a sample"),
        "c_call": (claims(user=bombs.compare_bomb() + user), "rendering took longer than"),
    }


async def timed(
    client: httpx.AsyncClient, body: dict[str, Any]
) -> tuple[httpx.Response, float, float]:
    """The response, how long it took, and the slowest /health answered meanwhile."""
    done, slowest = asyncio.Event(), 0.0

    async def health() -> None:
        nonlocal slowest
        while not done.is_set():
            started = time.monotonic()
            assert (await client.get("/health")).status_code == 200
            slowest = max(slowest, time.monotonic() - started)
            await asyncio.sleep(0.05)

    polling = asyncio.create_task(health())
    started = time.monotonic()
    response = await client.post("/api/templates", json=body)
    took = time.monotonic() - started
    done.set()
    await polling
    return response, took, slowest


PROBES = [
    "file_id", "file_ref", "http_id", "http_ref", "anchor", "pow_chain", "aliased_string",
    "json_indent", "concat_growth", "format_alias", "allof_chain", "if_guard", "min_items",
    "c_call",
]  # fmt: skip


@pytest.mark.parametrize("name", PROBES)
async def test_a_hostile_template_is_refused_fast_without_fetching_or_stalling_the_gateway(
    client: httpx.AsyncClient, web: w.Web, secret_file: Path, name: str
) -> None:
    await client.post("/api/templates", json=claims(name="warm"))  # a worker is running
    body, reason = probes(web, secret_file)[name]
    response, took, slowest_health = await timed(client, body)
    assert response.status_code == 422, response.text
    assert reason in response.json()["detail"]
    assert took < WITHIN_S, f"answered in {took:.2f} s"
    assert slowest_health < HEALTH_S, f"/health took {slowest_health:.2f} s meanwhile"
    assert PLANTED not in response.text and len(response.text) < 1_000
    assert web.hits(HOST) == [], "nothing a schema names is fetched"


def test_a_validator_resolves_nothing_outside_its_schema_even_unvetted(
    web: w.Web, secret_file: Path
) -> None:
    """The save refuses such schemas; the validator would not fetch them anyway."""
    for ref in (web.url(HOST, "/schema.json"), secret_file.as_uri()):
        with pytest.raises(Unresolvable) as caught:
            validator({"$ref": ref}).is_valid("a claim")
        assert PLANTED not in str(caught.value)
    assert web.hits(HOST) == []
