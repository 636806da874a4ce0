"""Runs the real spider stage over probe URLs and looks for the secret wherever it could land."""

from __future__ import annotations

from ipaddress import ip_network
from pathlib import Path

from redis.asyncio import Redis

from services.spider.app import create_app
from services.spider.guard import Resolver, system_resolver
from shared.contract import streams
from shared.contract.config import JobConfig, ScrapingConfig
from shared.contract.events import FetchPage, ItemFailed, PageFetched
from shared.contract.ids import derive
from shared.settings import Settings
from tests.helpers import configure, entries, publish, read_all, running, wait_for
from tests.security.web import SECRET

# The spider may reach these; the secret host (and 127.0.0.1, where "localhost" resolves for
# anyone who looks it up again) is internal.
ALLOWED = ["127.0.0.40", "127.0.0.42", "127.0.0.43", "127.0.0.44"]
SECRET_HOST = "127.0.0.41"
HOSTS = ["127.0.0.1", SECRET_HOST, *ALLOWED]
Outcome = PageFetched | ItemFailed


def guarded(settings: Settings) -> Settings:
    allowed = [ip_network(f"{host}/32") for host in ALLOWED]
    return settings.model_copy(update={"allowed_networks": allowed})


def command(url: str, **scraping: object) -> tuple[FetchPage, JobConfig]:
    config = JobConfig(scraping=ScrapingConfig(**{"timeout_s": 15.0, **scraping}))
    job = derive(config.model_dump_json(), "job")
    return FetchPage(event_id=derive(job, "fetch", url), job_id=job, url=url), config


async def outcomes(
    settings: Settings,
    commands: list[tuple[FetchPage, JobConfig]],
    resolver: Resolver = system_resolver,
    timeout: float = 60,
) -> dict[str, Outcome]:
    """Runs one spider over `commands`; maps each URL to its PageFetched or ItemFailed."""
    redis = Redis.from_url(settings.redis_dsn)
    for event, config in commands:
        await configure(redis, event.job_id, config=config)
        await redis.hincrby(streams.tally_key(event.job_id), "outstanding", 1)
    await publish(redis, streams.SPIDER, *(event for event, _ in commands))
    ids = {event.event_id for event, _ in commands}

    async def settled() -> dict[str, Outcome]:
        events = [*await read_all(redis, streams.REFINER), *await read_all(redis, streams.EVENTS)]
        return {
            e.url: e
            for e in events
            if isinstance(e, PageFetched | ItemFailed) and e.caused_by in ids and e.url
        }

    async with running(create_app(settings, resolver)):
        return await wait_for(settled, lambda got: len(got) == len(commands), timeout)


def reason(outcome: Outcome) -> str:
    return outcome.reason if isinstance(outcome, ItemFailed) else "fetched"


async def leaks(settings: Settings) -> list[str]:
    """Every raw file and stream entry that holds the secret."""
    found = [str(p) for p in Path(settings.data_dir).rglob("*") if p.is_file() and _holds(p)]
    redis = Redis.from_url(settings.redis_dsn)
    async for key in redis.scan_iter(_type="STREAM"):
        for entry_id, fields in entries(await redis.xrange(key)):
            if any(SECRET.encode() in value for value in fields.values()):
                found.append(f"{key.decode()} {entry_id.decode()}")
    await redis.aclose()
    return found


def _holds(path: Path) -> bool:
    return SECRET.encode() in path.read_bytes()
