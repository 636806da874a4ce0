"""Events carry storage keys; events logged when they carried paths still read, as keys."""

from __future__ import annotations

import json

from shared.contract.events import (
    EVENT_TYPES,
    ChunkAnswered,
    ExportWritten,
    PageFetched,
    parse_event,
)

PAGE = {
    "type": "PageFetched",
    "event_id": "page_1",
    "job_id": "job_1",
    "url": "http://site.test/a",
    "final_url": "http://site.test/a",
    "status_code": 200,
    "content_type": "text/html",
    "content_hash": "h",
}
EXPORT = {
    "type": "ExportWritten",
    "event_id": "export_1",
    "job_id": "job_1",
    "export_id": "export_1",
    "format": "jsonl",
    "record_count": 1,
    "rejected_count": 0,
    "version": "v1",
}


def test_a_page_fetched_logged_with_a_path_reads_as_its_key() -> None:
    old = {**PAGE, "html_path": "/app/data/raw/job_1/page_1.html"}
    event = parse_event(json.dumps(old))
    assert isinstance(event, PageFetched)
    assert event.html_key == "raw/job_1/page_1.html"
    assert "html_path" not in event.model_dump_json()


def test_an_export_logged_with_paths_reads_as_its_keys() -> None:
    folder = "/srv/df/data/exports/job_1/v1-jsonl"
    old = {
        **EXPORT,
        "path": f"{folder}/dataset.jsonl",
        "card_path": f"{folder}/README.md",
        "manifest_path": f"{folder}/manifest.json",
    }
    event = parse_event(json.dumps(old))
    assert isinstance(event, ExportWritten)
    keys = (event.key, event.card_key, event.manifest_key)
    assert keys == tuple(
        f"exports/job_1/v1-jsonl/{n}" for n in ("dataset.jsonl", "README.md", "manifest.json")
    )


def test_an_old_export_without_a_manifest_keeps_an_empty_key() -> None:
    old = {
        **EXPORT,
        "path": "/d/exports/j/v1/dataset.jsonl",
        "card_path": "/d/exports/j/v1/README.md",
    }
    event = parse_event(json.dumps(old))
    assert isinstance(event, ExportWritten) and event.manifest_key == ""


def test_new_events_round_trip_with_keys() -> None:
    page = PageFetched.model_validate({**PAGE, "html_key": "raw/job_1/page_1.html"})
    assert parse_event(page.model_dump_json()) == page


def test_a_path_outside_any_data_folder_stays_as_given_for_the_reader_to_refuse() -> None:
    event = parse_event(json.dumps({**PAGE, "html_path": "/etc/passwd"}))
    assert isinstance(event, PageFetched) and event.html_key == "/etc/passwd"


def test_a_chunk_answered_event_logged_under_its_old_name_still_reads() -> None:
    old = (
        b'{"type": "ChunkGenerated", "event_id": "c_gen", "job_id": "j", "chunk_id": "c",'
        b' "examples": 3, "model": "m", "prompt_tokens": 10, "completion_tokens": 5,'
        b' "cost_usd": 0.001}'
    )
    event = parse_event(old)
    assert isinstance(event, ChunkAnswered) and event.examples == 3
    assert EVENT_TYPES["ChunkGenerated"] is EVENT_TYPES["ChunkAnswered"] is ChunkAnswered
