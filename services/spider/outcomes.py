"""The spider's events: a page fetched, the pages it leads to, or its failure or skip."""

from __future__ import annotations

from services.spider import logic
from services.spider.describe import Meta
from services.spider.page import Got
from shared.contract import streams
from shared.contract.events import FetchPage, PageFetched, caused
from shared.contract.ids import derive
from shared.runtime.commit import Emit
from shared.runtime.stage import failure


def page_key(cmd: FetchPage) -> str:
    """Where the page's UTF-8 HTML is stored; the event carries the key."""
    return f"raw/{cmd.job_id}/{derive(cmd.event_id, 'page')}.html"


def fetched(cmd: FetchPage, got: Got, meta: Meta, crawl_delay_s: float | None) -> Emit:
    event = caused(
        cmd,
        PageFetched,
        "page",
        project_id=cmd.project_id,
        url=cmd.url,
        final_url=got.final_url,
        status_code=got.status_code,
        content_type=got.kind,
        html_key=page_key(cmd),
        title=meta.title,
        language=meta.language,
        published=meta.published,
        encoding=got.charset,
        renderer=got.renderer,
        content_hash=meta.content_hash,
        crawl_delay_s=crawl_delay_s,
        text_tokens=meta.text_tokens,
    )
    return Emit(streams.REFINER, event)


def discovered(cmd: FetchPage, url: str, seed: str) -> Emit:
    """A page found from `cmd`'s page in crawl mode: one id per URL and job."""
    event = FetchPage(
        event_id=derive(cmd.job_id, "fetch", url),
        job_id=cmd.job_id,
        caused_by=cmd.event_id,
        project_id=cmd.project_id,
        url=url,
        depth=cmd.depth + 1,
        seed=seed,
    )
    return Emit(streams.SPIDER, event)


def failed(cmd: FetchPage, reason: str, detail: str) -> Emit:
    """The page's failure, or its skip when the reason says it is not worth tokens."""
    return failure("spider", cmd, reason, detail, outcome=logic.outcome_of(reason))


def slot_wait_expired(cmd: FetchPage, detail: str) -> Emit:
    return failure("spider", cmd, "slot_wait_expired", detail)


def rejected(cmd: FetchPage, reason: str, detail: str) -> Emit:
    return failure("spider", cmd, reason, detail, outcome="skipped")
