"""The whole pipeline as processes against the bare work of the same pages in one process.

Corpus pages, cycled to `--pages`, are served on 50 loopback hosts (127.0.1.x) and go through
the stack `datafactory up` starts: Redis, the simulator at 200 ± 50 ms, one process per stage
and the gateway. One job is submitted through the REST API with generation.max_concurrent_llm
= 32 and polled until the API reports it completed; pages/s = pages ÷ (submission to
completion). A small warm-up job runs first, so process start-up and first use of parsers,
models and litellm are not counted. CPU per process (psutil, a worker pool's children
included) is taken right before submission and at completion.

Cycled pages are made distinct (bench/e2e_web.py): copy k of a page carries a marker word
every 20 words of its text. The job then holds 300 pages whose chunks are neither dropped as
duplicates (dedup is per job) nor answered from the factory's LLM cache (keyed by prompt, across
jobs), so it is as much work as 300 different pages; submitting each cycle as its own job would
still hit that cache. The markers add ~5% words, to the pipeline and the bare work alike.
The spider fetches with Chromium off (`use_playwright: never`) and 100 requests/s per host,
so neither a browser nor politeness is what is measured.

Projector: events/s while the job ran and the lag (entries on the streams past its
checkpoints) when it completed; then the finished log is replayed into a fresh SQLite file by
the gateway's Projector in a process pinned to one core: the projector's own rate.

Bare work, in the same run against the same simulator (bench/e2e_bare.py): the same pages
through the refiner's pure steps, a bare httpx client at the same concurrency and the
inspector's checks, in one asyncio process: `pipeline ÷ bare ratio`.

Blob storage: the run above keeps raw pages, text and exports in the data directory
(file://). The same job then runs on a fresh stack whose blobs go to a real S3 API server
(moto's, its own process on 127.0.0.1; bench/e2e_s3.py). Last line:
`ratio: <S3 pages/s ÷ file pages/s>`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from ipaddress import ip_network
from pathlib import Path
from typing import Any

import httpx
import psutil
from redis import Redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ROOT, tree_cpu_s
from bench.e2e_bare import BareResult, Check, bare_work, inspector_checks
from bench.e2e_s3 import on_s3, s3_server
from bench.e2e_web import Page, cycled_pages, publish, serve
from services.cli.stack import Stack, uses_simulator
from shared.contract import streams
from shared.contract.config import JobConfig
from shared.runtime.redis_server import free_port
from shared.settings import Settings

HOSTS = 50
WARM_PAGES = 6
DEADLINE_S = 900.0
# Each poll costs the gateway a query; a quarter second is ~1% of a 300-page run.
POLL_S = 0.25
SHARED_CORES = 0.2  # other processes' average load above which a figure is flagged
TARGETS = {"pages/s": 15.0, "ratio": 0.6, "replay events/s": 3000.0, "s3 ratio": 0.9}


@dataclass
class Run:
    pages: int
    seconds: float
    cpu_s: dict[str, float]
    job: dict[str, Any]
    projected: int  # log entries the gateway projected while the job ran
    lag: int  # entries past the projector's checkpoints when the job completed
    web_cpu_s: float  # this process: the loopback web server's threads, the polling
    machine_cpu_s: float  # every process on the machine
    stage_ends: dict[str, float]  # seconds from submission until each stage settled its last


def job_config(concurrency: int) -> dict[str, Any]:
    return {
        "scraping": {"max_concurrent": 32, "requests_per_second": 100, "use_playwright": "never"},
        "generation": {"max_concurrent_llm": concurrency},
    }


def start_stack(
    data_dir: Path,
    latency_ms: float,
    jitter_ms: float,
    sim_extra: tuple[str, ...] = (),
    **extra: Any,
) -> Stack:
    settings = Settings(
        data_dir=data_dir,
        gateway_port=free_port(),
        allowed_networks=[ip_network("127.0.0.0/8")],
        **extra,
    )
    if not uses_simulator(settings):
        raise SystemExit(
            "an LLM is configured (api base or key): unset it to bench on the simulator"
        )
    sim = ("--latency-ms", str(latency_ms), "--jitter-ms", str(jitter_ms), *sim_extra)
    stack = Stack(settings, sim_args=sim)
    try:
        return stack.start()
    except BaseException:
        stack.stop()
        raise


def processes(stack: Stack) -> dict[str, subprocess.Popen[bytes]]:
    found = dict(stack.children)
    if stack.redis and stack.redis.process:
        found["redis"] = stack.redis.process
    return found


def check_alive(stack: Stack) -> None:
    dead = [name for name, proc in processes(stack).items() if proc.poll() is not None]
    if dead:
        raise RuntimeError(f"{', '.join(dead)} exited; see {stack.data_dir / 'logs'}")


def cpu_snapshot(stack: Stack) -> dict[str, float]:
    return {name: sum(tree_cpu_s(proc)) for name, proc in processes(stack).items()}


def machine_cpu_s() -> tuple[float, float]:
    """Busy CPU seconds of the whole machine and of this process."""
    times, own = psutil.cpu_times(), psutil.Process().cpu_times()
    kernel = sum(getattr(times, name, 0.0) for name in ("nice", "irq", "softirq"))
    return times.user + times.system + kernel, own.user + own.system


def wait_until(ready: Callable[[], bool], what: str, stack: Stack, timeout_s: float) -> float:
    """Polls `ready()` until true; the time it was; fails when a process exits or time is up."""
    deadline = time.monotonic() + timeout_s
    while not ready():
        check_alive(stack)
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} not within {timeout_s:.0f}s; see {stack.data_dir / 'logs'}")
        time.sleep(POLL_S)
    return time.perf_counter()


def simulator_up(url: str) -> bool:
    try:
        return httpx.get(f"{url}/models", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


class Gateway:
    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.http = httpx.Client(base_url=stack.gateway_url, timeout=30)
        response = self.http.post("/api/projects", json={"name": "bench-e2e"})
        response.raise_for_status()
        self.project = response.json()["id"]
        self.history: list[tuple[float, dict[str, Any]]] = []

    def submit(self, pages: list[Page], config: dict[str, Any]) -> str:
        body = {"urls": [p.url for p in pages], "config": config}
        response = self.http.post(f"/api/projects/{self.project}/jobs", json=body)
        response.raise_for_status()
        accepted = response.json()
        if accepted["rejected"]:
            raise RuntimeError(f"URLs rejected: {accepted['rejected'][:3]}")
        return str(accepted["job_id"])

    def job(self, job_id: str) -> dict[str, Any]:
        response = self.http.get(f"/api/jobs/{job_id}")
        response.raise_for_status()
        job: dict[str, Any] = response.json()
        if job["status"] in ("cancelled", "failed"):
            raise RuntimeError(f"job {job_id} is {job['status']}")
        return job

    def wait(self, job_id: str) -> tuple[float, dict[str, Any]]:
        """The time the API first reports the job completed, and the job then; `history`
        holds each poll's time and stage counts."""
        seen: dict[str, Any] = {}
        self.history.clear()

        def completed() -> bool:
            seen.update(self.job(job_id))
            self.history.append((time.perf_counter(), seen.get("stages", {})))
            return bool(seen["status"] == "completed")

        return wait_until(completed, f"job {job_id} completed", self.stack, DEADLINE_S), seen

    def stage_ends(self, start: float) -> dict[str, float]:
        """Seconds from `start` to the first poll that saw each stage's final settled count."""
        final = self.history[-1][1]
        ends = {}
        for stage, counts in final.items():
            settled = counts.get("settled")
            ends[stage] = next(
                t for t, s in self.history if s.get(stage, {}).get("settled") == settled
            )
        return {stage: at - start for stage, at in ends.items()}


class Log:
    """The stack's streams against the projector's checkpoints in the gateway's SQLite file."""

    def __init__(self, stack: Stack) -> None:
        self.redis = Redis.from_url(stack.env["DATAFACTORY_REDIS_URL"])
        self.db = stack.data_dir / "datafactory.db"

    def checkpoints(self) -> dict[str, str]:
        with sqlite3.connect(f"file:{self.db}?mode=ro", uri=True) as conn:
            return dict(conn.execute("SELECT stream, last_id FROM checkpoints").fetchall())

    def counts(self) -> tuple[int, int]:
        """(entries projected, entries not yet projected) over every stream of the log."""
        positions, total, behind = self.checkpoints(), 0, 0
        for stream in streams.ALL_STREAMS:
            total += int(self.redis.xlen(stream))
            after = positions.get(stream, "0-0")
            behind += len(self.redis.xrange(stream, f"({after}", "+") or [])
        return total - behind, behind


def measure_pipeline(
    stack: Stack, pages: list[Page], warm: list[Page], config: dict[str, Any]
) -> Run:
    gateway, log = Gateway(stack), Log(stack)
    gateway.wait(gateway.submit(warm, config))
    wait_until(lambda: log.counts()[1] == 0, "projector caught up", stack, 60)
    before_projected, before_cpu = log.counts()[0], cpu_snapshot(stack)
    machine, own = machine_cpu_s()
    start = time.perf_counter()
    end, job = gateway.wait(gateway.submit(pages, config))
    projected, lag = log.counts()
    used, (machine_end, own_end) = cpu_snapshot(stack), machine_cpu_s()
    cpu = {name: used[name] - before_cpu.get(name, 0.0) for name in used}
    seconds, projected = end - start, projected - before_projected
    web, machine = own_end - own, machine_end - machine
    ends = gateway.stage_ends(start)
    return Run(len(pages), seconds, cpu, job, projected, lag, web, machine, ends)


def replay_pinned(redis_url: str, target: Path) -> tuple[int, float, float]:
    """(events, seconds, CPU seconds) of a replay of the whole log in a process on one core."""
    command = [sys.executable, __file__, "--replay", redis_url, str(target)]
    out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        raise RuntimeError(f"replay failed:\n{out.stderr[-3000:]}")
    found = json.loads(out.stdout.strip().splitlines()[-1])
    return int(found["events"]), float(found["seconds"]), float(found["cpu_s"])


def replay_main(redis_url: str, target: str) -> None:
    from services.gateway.readmodel.rebuild import replay

    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    cpu, start = time.process_time(), time.perf_counter()
    events = asyncio.run(replay(redis_url, Path(target)))
    seconds, cpu_s = time.perf_counter() - start, time.process_time() - cpu
    print(json.dumps({"events": events, "seconds": seconds, "cpu_s": cpu_s}))


def log_problems(logs: Path) -> dict[str, int]:
    """Tracebacks and ERROR lines per process log: anything there is worth a look."""
    found = {}
    for path in sorted(logs.glob("*.log")):
        text = path.read_text(errors="replace")
        count = text.count("Traceback") + text.count(" ERROR ")
        if count:
            found[path.stem] = count
    return found


def commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True).stdout.decode().strip()

    head = git("rev-parse", "--short", "HEAD") or "an unknown commit (no git checkout)"
    dirty = git("status", "--porcelain", "--", "services", "shared")
    return head + (" + uncommitted changes in services/shared" if dirty else "")


def warn_if_shared(other_cpu_s: float, seconds: float) -> None:
    """Figures taken while other work took a share of the two cores are not comparable."""
    if other_cpu_s / seconds > SHARED_CORES:
        print(f"  WARNING: other processes kept {other_cpu_s / seconds:.2f} cores busy meanwhile")


def verdict(value: float, target: float) -> str:
    return f"target ≥ {target:g}: {'met' if value >= target else 'NOT met'}"


def report_pipeline(run: Run) -> float:
    rate = run.pages / run.seconds
    print(f"pipeline: {run.pages} pages in {run.seconds:.1f} s = {rate:.1f} pages/s")
    print(f"  job stages: {json.dumps(run.job.get('stages', {}), separators=(',', ':'))}")
    ends = ", ".join(f"{stage} {at:.1f} s" for stage, at in run.stage_ends.items())
    print(f"  each stage settled its last item after: {ends}")
    print("  CPU-s per page (user+system, children included):")
    for name, used in sorted(run.cpu_s.items()):
        print(f"    {name:<10} {used / run.pages:.4f}")
    total = sum(run.cpu_s.values())
    cores = total / run.seconds
    print(f"    {'total':<10} {total / run.pages:.4f}  ({total:.1f} CPU-s, {cores:.2f} cores busy)")
    other = max(run.machine_cpu_s - total - run.web_cpu_s, 0.0)
    print(f"  outside the stack: web server and polling {run.web_cpu_s:.1f} CPU-s, ", end="")
    print(f"other processes on the machine {other:.1f} CPU-s")
    warn_if_shared(other, run.seconds)
    live = run.projected / run.seconds
    print(f"  projector live: {run.projected} events in {run.seconds:.1f} s = {live:.0f} events/s")
    per_page = run.projected / run.pages
    print(f"  projector lag at completion: {run.lag} entries ({per_page:.1f} events per page)")
    return rate


def report_bare(bare: BareResult, pages: int) -> float:
    rate = pages / bare.seconds
    print(f"bare work: {pages} pages in {bare.seconds:.1f} s = {rate:.1f} pages/s, "
          f"{bare.cpu_s / pages:.4f} CPU-s per page")  # fmt: skip
    print(f"  chunks {bare.chunks} (duplicates {bare.duplicates}), examples {bare.examples}, "
          f"passed {bare.passed}, failed calls {bare.failed_calls}")  # fmt: skip
    return rate


def bare_config(concurrency: int) -> JobConfig:
    return JobConfig.model_validate({"generation": {"max_concurrent_llm": concurrency}})


def measure_on_s3(
    args: argparse.Namespace, pages: list[Page], warm: list[Page], data_dir: Path
) -> float:
    """The same job on a fresh stack whose blobs live in a real S3 API server; pages/s."""
    with s3_server() as (endpoint, server):
        stack = start_stack(data_dir, args.latency_ms, args.jitter_ms, **on_s3(endpoint))
        try:
            print(f"on S3 storage ({endpoint}, moto's server in its own process):")
            run = measure_pipeline(stack, pages, warm, job_config(args.concurrency))
            rate = report_pipeline(run)
        finally:
            stack.stop()
        used = sum(tree_cpu_s(server))
    print(f"  S3 server, whole run with warm-up and start: {used:.1f} CPU-s")
    return rate


async def run_bare(pages: list[Page], sim_url: str, concurrency: int, check: Check) -> BareResult:
    return await bare_work(pages, sim_url, concurrency, bare_config(concurrency), check)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--latency-ms", type=float, default=200)
    parser.add_argument("--jitter-ms", type=float, default=50)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--skip-bare", action="store_true")
    parser.add_argument("--skip-s3", action="store_true", help="no run on S3 storage")
    parser.add_argument("--keep", action="store_true", help="keep the data directory")
    parser.add_argument("--replay", nargs=2, metavar=("REDIS_URL", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.replay:
        return replay_main(*args.replay)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so `finally` stops the stack
    data_dir = Path(tempfile.mkdtemp(prefix="bench-e2e-"))
    # The bare work's checks are built first: an inspector API they do not know stops the
    # run before anything is measured.
    try:
        check = (
            None if args.skip_bare else inspector_checks(bare_config(args.concurrency), data_dir)
        )
    except BaseException:
        shutil.rmtree(data_dir, ignore_errors=True)
        raise
    bases, servers, bodies = serve(HOSTS)
    pages = cycled_pages(args.pages, bases)
    warm = cycled_pages(WARM_PAGES, bases[::-1], first_copy=1000)
    publish(pages + warm, bodies)
    sim = f"{args.latency_ms:g} ± {args.jitter_ms:g} ms"
    print(f"e2e on {commit()}: {args.pages} pages on {HOSTS} hosts, simulator {sim}, ", end="")
    print(f"c={args.concurrency}; data in {data_dir}")
    stack, ok = None, False
    try:
        stack = start_stack(data_dir, args.latency_ms, args.jitter_ms)
        sim_url = stack.env["DATAFACTORY_LLM_API_BASE"]
        wait_until(lambda: simulator_up(sim_url), "simulator up", stack, 30)
        run = measure_pipeline(stack, pages, warm, job_config(args.concurrency))
        rate = report_pipeline(run)
        events, seconds, cpu_s = replay_pinned(
            stack.env["DATAFACTORY_REDIS_URL"], data_dir / "replay.db"
        )
        replayed = events / seconds
        per_cpu = f"{events / cpu_s:.0f} events per CPU-s" if cpu_s else "no CPU measured"
        print(f"projector replay on one core: {events} events in {seconds:.2f} s ", end="")
        print(f"= {replayed:.0f} events/s ({cpu_s / seconds:.2f} of the core; {per_cpu})")
        bare_rate = None
        if check is not None:
            stack_cpu, (machine, own) = cpu_snapshot(stack), machine_cpu_s()
            bare = asyncio.run(run_bare(pages, sim_url, args.concurrency, check))
            bare_rate = report_bare(bare, args.pages)
            used, (machine_end, own_end) = cpu_snapshot(stack), machine_cpu_s()
            sim_cpu = used["llm-sim"] - stack_cpu["llm-sim"]
            idle = sum(used.values()) - sum(stack_cpu.values()) - sim_cpu
            other = machine_end - machine - (own_end - own) - sim_cpu - idle
            print(
                f"  meanwhile: simulator {sim_cpu:.1f} CPU-s, idle stack {idle:.1f} CPU-s, ", end=""
            )
            print(f"other processes on the machine {max(other, 0.0):.1f} CPU-s")
            warn_if_shared(other, bare.seconds)
        if problems := log_problems(stack.data_dir / "logs"):
            print(f"logs with tracebacks or errors (count): {problems}")
        print(f"target: pipeline {rate:.1f} pages/s, {verdict(rate, TARGETS['pages/s'])}")
        replay_target = verdict(replayed, TARGETS["replay events/s"])
        print(f"target: projector replay {replayed:.0f} events/s, {replay_target}")
        if bare_rate is not None:
            ratio = rate / bare_rate
            print(f"target: ratio {ratio:.2f}, {verdict(ratio, TARGETS['ratio'])}")
            print(f"pipeline ÷ bare ratio: {ratio:.2f}")
        if not args.skip_s3:
            stack.stop()
            stack = None
            s3_rate = measure_on_s3(args, pages, warm, data_dir / "on-s3")
            s3_ratio = s3_rate / rate
            print(f"target: S3 {s3_rate:.1f} ÷ file {rate:.1f} pages/s, ", end="")
            print(verdict(s3_ratio, TARGETS["s3 ratio"]))
            print(f"ratio: {s3_ratio:.2f}")
        ok = True
    finally:
        if stack is not None:
            stack.stop()
        for server in servers:
            server.shutdown()
        if ok and not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
        elif not ok:
            print(f"data and logs kept in {data_dir}", file=sys.stderr)


if __name__ == "__main__":
    main()
