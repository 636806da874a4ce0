"""Consumes FetchPage from `df:spider`; emits PageFetched to `df:refiner` or ItemFailed."""

from __future__ import annotations

import httpx
from faststream import FastStream

from services.spider import logic
from shared import streams
from shared.commit import Emit
from shared.events import FetchPage, PageFetched
from shared.ids import derive
from shared.runtime import StageContext, StageSpec, build_app, failure
from shared.settings import Settings


def create_app(settings: Settings | None = None) -> FastStream:
    settings = settings or Settings()
    client = httpx.AsyncClient(
        follow_redirects=True,
        max_redirects=5,
        headers={"User-Agent": settings.user_agent},
    )

    async def fetch(cmd: FetchPage, ctx: StageContext) -> list[Emit]:
        try:
            response = await client.get(cmd.url, timeout=cmd.config.scraping.timeout_s)
        except httpx.TimeoutException as exc:
            return [failure("spider", cmd, "timeout", repr(exc))]
        except httpx.HTTPError as exc:
            return [failure("spider", cmd, "connect_error", repr(exc))]
        content_type = response.headers.get("content-type", "")
        if reason := logic.failure_reason(response.status_code, content_type):
            return [failure("spider", cmd, reason, f"{response.status_code} {content_type}")]
        page_id = derive(cmd.event_id, "page")
        path = ctx.settings.path("raw", cmd.job_id, f"{page_id}.html")
        path.write_bytes(response.content)
        html = response.text
        page = PageFetched(
            event_id=page_id,
            job_id=cmd.job_id,
            caused_by=cmd.event_id,
            url=cmd.url,
            final_url=str(response.url),
            status_code=response.status_code,
            content_type=content_type,
            html_path=str(path),
            title=logic.title_of(html),
            language=logic.language_of(html),
            content_hash=logic.content_hash(response.content),
            config=cmd.config,
        )
        return [Emit(streams.REFINER, page)]

    spec = StageSpec("spider", {FetchPage: fetch}, concurrency=settings.stage_concurrency)
    app = build_app(spec, settings)
    app.after_shutdown(client.aclose)
    return app
