"""Whole jobs through real processes: a user template created over the API shapes the
export's records as its mapping says; a conversation job exports every turn as OpenAI messages
and as ShareGPT."""

from __future__ import annotations

import time
from typing import Any

import pytest

from shared.settings import Settings
from tests.e2e.conftest import Pipeline, pipeline
from tests.shipper.test_formats import openai_format_errors
from tests.templates.samples import claims

# Whole processes on CI's two busy cores: minutes, not the one-minute default.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


def exported(p: Pipeline, job_id: str, count: int, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while len((job := p.job(job_id)).get("exports") or []) < count:
        assert time.monotonic() < deadline, f"export {count} not written in {timeout}s: {job}"
        time.sleep(0.2)
    return job


def test_a_user_template_and_a_conversation_run_end_to_end(
    settings: Settings, corpus_urls: list[str]
) -> None:
    urls = corpus_urls[:3]
    with pipeline(settings, {}) as p:
        created = p.client.post("/api/templates", json=claims())
        assert created.status_code == 201, created.text
        job_id = p.submit(urls, {"generation": {"template": "claims", "examples_per_chunk": 2}})
        records = p.records(p.wait_exported(job_id))
        talk = {"template": "conversation", "template_params": {"turns": 3}}
        talk_id = p.submit(urls, {"generation": talk, "export": {"format": "openai"}})
        chats = p.records(p.wait_exported(talk_id))
        again = p.client.post(f"/api/jobs/{talk_id}/exports", json={"format": "sharegpt"})
        assert again.status_code == 202, again.text
        shared = p.records(exported(p, talk_id, 2))
    assert records, "the user template's job exported examples"
    for record in records:
        assert record["template"] == "claims"
        assert record["input"] == record["fields"]["claim"]
        assert record["output"] == record["fields"]["evidence"]
    assert chats and len(chats) == len(shared)
    for chat in chats:
        assert openai_format_errors(chat) == []
        assert [m["role"] for m in chat["messages"]] == ["system"] + ["user", "assistant"] * 3
    for record in shared:
        turns = record["conversations"]
        assert [t["from"] for t in turns] == ["system"] + ["human", "gpt"] * 3
        assert all(t["value"].strip() for t in turns)
    by_reply = {c["messages"][-1]["content"] for c in chats}
    assert {r["conversations"][-1]["value"] for r in shared} == by_reply
