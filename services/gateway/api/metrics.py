"""GET /metrics: the operator's figures (shared.ops.snapshot) in Prometheus' text format.

Stage replicas push their counters through Redis, so this one endpoint on the gateway reports
every replica of every stage; Prometheus scrapes only the gateway."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector

from services.gateway.api.deps import GatewayDep
from shared.ops import snapshot
from shared.ops.snapshot import Snapshot

router = APIRouter()

PREFIX = "datafactory"
# (metric, help, FactoryTotals field) of the per-model LLM counters.
LLM_COUNTERS = (
    ("llm_calls", "HTTP calls to the LLM, failed ones included", "calls"),
    ("llm_retries", "LLM calls that were retried", "retries"),
    ("llm_prompt_tokens", "Prompt tokens sent", "prompt_tokens"),
    ("llm_completion_tokens", "Completion tokens received", "completion_tokens"),
    ("llm_cached_tokens", "Prompt tokens served from the provider's prompt cache", "cached_tokens"),
    ("llm_cost_usd", "Dollars spent on LLM calls", "spent_usd"),
)


def _gauge(name: str, doc: str, labels: list[str]) -> GaugeMetricFamily:
    return GaugeMetricFamily(f"{PREFIX}_{name}", doc, labels=labels)


def _counter(name: str, doc: str, labels: list[str]) -> CounterMetricFamily:
    return CounterMetricFamily(f"{PREFIX}_{name}", doc, labels=labels)


def queues(snap: Snapshot) -> Iterator[GaugeMetricFamily]:
    length = _gauge("stream_length", "Entries on the stream in Redis", ["stream"])
    dead = _gauge("dead_letters", "Entries on the stream's dead-letter stream", ["stream"])
    for figures in snap.streams:
        length.add_metric([figures.stream], figures.length)
        dead.add_metric([figures.stream], figures.dead_letters)
    lag = _gauge("group_lag", "Entries not yet delivered to the group", ["stream", "group"])
    pending = _gauge("group_pending", "Entries delivered, not yet acked", ["stream", "group"])
    consumers = _gauge("group_consumers", "Consumers known to the group", ["stream", "group"])
    for group in snap.groups:
        lag.add_metric([group.stream, group.group], group.lag)
        pending.add_metric([group.stream, group.group], group.pending)
        consumers.add_metric([group.stream, group.group], group.consumers)
    behind = _gauge("projector_lag_entries", "Entries not yet projected", ["stream"])
    age = _gauge("projector_lag_seconds", "Age of the oldest unprojected entry", ["stream"])
    for lagging in snap.projector:
        behind.add_metric([lagging.stream], lagging.entries)
        age.add_metric([lagging.stream], lagging.seconds)
    yield from (length, dead, lag, pending, consumers, behind, age)


def stages(
    snap: Snapshot,
) -> Iterator[GaugeMetricFamily | CounterMetricFamily | HistogramMetricFamily]:
    replicas = _gauge("stage_replicas", "Replicas that reported lately", ["stage"])
    items = _counter("stage_items", "Work items handled", ["stage"])
    errors = _counter("stage_errors", "Work items whose handler raised", ["stage"])
    latency = HistogramMetricFamily(
        f"{PREFIX}_stage_handler_seconds",
        "Handler time per call (one item, or one batch for batch stages)",
        labels=["stage"],
    )
    for stage in snap.stages:
        replicas.add_metric([stage.stage], stage.replicas)
        items.add_metric([stage.stage], stage.items)
        errors.add_metric([stage.stage], stage.errors)
        buckets = [(_bound(bound), count) for bound, count in stage.buckets]
        latency.add_metric([stage.stage], buckets, sum_value=stage.seconds)
    yield from (replicas, items, errors, latency)


def _bound(bound: float) -> str:
    return "+Inf" if bound == float("inf") else repr(bound)


def llm(snap: Snapshot) -> Iterator[CounterMetricFamily]:
    for name, doc, field in LLM_COUNTERS:
        family = _counter(name, doc, ["model"])
        for model, figures in snap.llm.items():
            family.add_metric([model], getattr(figures, field))
        yield family


class _Figures(Collector):
    def __init__(self, snap: Snapshot) -> None:
        self._snap = snap

    def collect(self) -> Iterable[GaugeMetricFamily | CounterMetricFamily | HistogramMetricFamily]:
        yield from queues(self._snap)
        yield from stages(self._snap)
        yield from llm(self._snap)


def render(snap: Snapshot) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Figures(snap))
    return generate_latest(registry)


@router.get("/metrics", include_in_schema=False)
async def prometheus_metrics(gw: GatewayDep) -> Response:
    snap = await snapshot.take(gw.redis, gw.projector.positions)
    return Response(render(snap), media_type=CONTENT_TYPE_LATEST)
