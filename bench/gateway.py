"""Gateway read latency on a job of 10,000 examples, and the results page's first render.

A log of one job (1,112 pages, a tenth failing at the spider, 10 examples a page: 10,010
examples) is written to a real redis-server and projected by `python -m services.gateway`.
Measured, after the projector has caught up:
- p50/p95 of `GET /health` and `GET /api/jobs/{id}` over HTTP on 127.0.0.1 (one client,
  sequential requests);
- p50/p95 of the results page's data query (`queries.examples.examples_page`) in this process
  on the gateway's SQLite file: the first page, a deep page, and filtered pages;
- the first render of `/jobs/{id}/results` in headless Chromium: from navigation to the first
  example row shown, in a fresh browser context each time.
Last line: `ratio: <p95 job detail / p95 /health>` (target <= 5; first render < 1 s).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path

import httpx
from playwright.async_api import Browser, async_playwright
from redis.asyncio import Redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import stage_process, start_redis
from bench.event_log import job_log, publish
from services.gateway.queries.example_models import ExampleFilters
from services.gateway.queries.examples import examples_page
from services.gateway.queries.views import job_status
from services.gateway.readmodel.db import reader_engine, sqlite_url_for
from shared.contract.events import ExampleScored
from shared.runtime.redis_server import free_port

JOB = "job_0"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def p(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def line(name: str, samples: list[float]) -> str:
    ms = [s * 1e3 for s in samples]
    return f"{name + ':':34} p50 {p(ms, 0.5):7.2f} ms  p95 {p(ms, 0.95):7.2f} ms  (n={len(ms)})"


async def timed(call: Callable[[], Awaitable[object]], n: int) -> list[float]:
    for _ in range(min(10, n)):  # warm-up: connections, caches, the price map
        await call()
    found = []
    for _ in range(n):
        start = time.perf_counter()
        await call()
        found.append(time.perf_counter() - start)
    return found


async def projected(http: httpx.AsyncClient, examples: int, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = await http.get(f"/api/jobs/{JOB}")
        if response.status_code == 200:
            inspector = response.json()["stages"]["inspector"]
            if inspector["passed"] + inspector["rejected"] >= examples:
                return
        await asyncio.sleep(0.5)
    raise SystemExit(f"the gateway did not project {examples} examples in {timeout:.0f} s")


async def wait_healthy(http: httpx.AsyncClient, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if (await http.get("/health")).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        await asyncio.sleep(0.2)
    raise SystemExit("the gateway did not become healthy")


async def first_renders(browser: Browser, url: str, n: int) -> list[float]:
    found = []
    for _ in range(n):
        context = await browser.new_context(viewport={"width": 1500, "height": 1000})
        page = await context.new_page()
        start = time.perf_counter()
        await page.goto(url)
        await page.locator(".df-example").first.wait_for(timeout=30_000)
        found.append(time.perf_counter() - start)
        await context.close()
    return found


async def query_latencies(data_dir: Path, n: int) -> dict[str, list[float]]:
    reader = reader_engine(sqlite_url_for(data_dir / "datafactory.db"))
    cases = {
        "results query, page 1": (ExampleFilters(), 1),
        "results query, page 100": (ExampleFilters(), 100),
        "results query, rejected": (ExampleFilters(verdict="rejected"), 1),
        "results query, score 0.8-0.9 + url": (
            ExampleFilters(min_score=0.8, max_score=0.9, url="example/5"), 1,
        ),
    }  # fmt: skip
    # What GET /api/jobs/{id} costs when the job changed since its last read (the route
    # serves a job the projector has not touched since from memory).
    found = {"job status query, uncached": await timed(lambda: job_status(reader, JOB), n)}
    for name, (filters, page) in cases.items():
        found[name] = await timed(partial(examples_page, reader, JOB, filters, page), n)
    await reader.dispose()
    return found


async def run(pages: int, n: int, renders: int) -> None:
    redis_process, data_dir = start_redis(), Path(tempfile.mkdtemp(prefix="bench-gateway-"))
    log = job_log(0, pages)
    examples = sum(1 for _, event in log if isinstance(event, ExampleScored))
    redis = Redis.from_url(redis_process.url)
    await publish(redis, log)
    await redis.aclose()
    port = free_port()
    env = {
        "DATAFACTORY_REDIS_URL": redis_process.url,
        "DATAFACTORY_DATA_DIR": str(data_dir),
        "DATAFACTORY_GATEWAY_PORT": str(port),
    }
    gateway = stage_process("gateway", env)
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            await wait_healthy(http)
            start = time.perf_counter()
            await projected(http, examples)
            caught_up = time.perf_counter() - start
            health = await timed(lambda: http.get("/health"), n)
            detail = await timed(lambda: http.get(f"/api/jobs/{JOB}"), n)
        queries = await query_latencies(data_dir, n)
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
            )
            renders_s = await first_renders(browser, f"{base}/jobs/{JOB}/results", renders)
            await browser.close()
    finally:
        gateway.terminate()
        gateway.wait(15)
        redis_process.stop()
    print(f"log: {len(log)} events, job {JOB}: {pages} pages, {examples} examples")
    print(f"projected by the gateway in {caught_up:.1f} s after it was healthy")
    print(line("GET /health", health))
    print(line(f"GET /api/jobs/{JOB}", detail))
    for name, samples in queries.items():
        print(line(name, samples))
    first, median = renders_s[0], statistics.median(renders_s)
    print(f"first render of /jobs/{JOB}/results: first {first * 1e3:.0f} ms, "
          f"median {median * 1e3:.0f} ms of {len(renders_s)} (target < 1000 ms)")  # fmt: skip
    print(f"load average over the last minute: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"ratio: {p(detail, 0.95) / p(health, 0.95):.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pages", type=int, default=1112, help="pages of the job (10 examples each)"
    )
    parser.add_argument("-n", type=int, default=200, help="requests per measured call")
    parser.add_argument("--renders", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(run(args.pages, args.n, args.renders))


if __name__ == "__main__":
    main()
