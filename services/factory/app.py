"""Consumes ChunkMade from `df:factory`; emits ExampleGenerated, ChunkAnswered or ItemFailed."""

from __future__ import annotations

from faststream import FastStream

from services.factory import llm
from services.factory.batch_api import BatchAPI, OpenAIBatches
from services.factory.batch_records import BatchRecords
from services.factory.batches import Batcher
from services.factory.calls import Caller
from services.factory.generate import Generator
from services.factory.handler import Factory
from services.factory.ledger import Ledger
from services.factory.limits import LocalLimiter, ProviderLimits
from services.factory.logic import RetryPolicy
from services.factory.message_batches import MessageBatches
from shared.contract.events import ChunkMade
from shared.runtime import redis_client
from shared.runtime.runtime import build_app
from shared.runtime.stage import StageSpec
from shared.settings import Settings

# A crashed replica's slots and budget reservations lapse this long after its call's timeout.
_HOLD_MARGIN_S = 30.0
_MAX_POLL_S = 60.0  # a provider batch takes minutes to hours: poll it at most this often


def create_app(
    settings: Settings | None = None,
    policy: RetryPolicy | None = None,
    consumer: str | None = None,
) -> FastStream:
    settings, policy = settings or Settings(), policy or RetryPolicy()
    llm.quiet()
    redis = redis_client.connect(settings)
    hold_s = settings.llm_timeout_s + _HOLD_MARGIN_S
    ledger = Ledger(redis, hold_s, settings.default_max_cost_usd)
    client = llm.LiteLLM(settings)
    local = LocalLimiter(settings.llm_concurrency)
    caller = Caller(client, redis, local, ledger, ProviderLimits(settings.redis_dsn), policy)
    poll_s = settings.llm_batch_poll_s
    messages = MessageBatches(*client.api, poll_s, _MAX_POLL_S)
    openai_batches = OpenAIBatches(client.batch_client(), poll_s, _MAX_POLL_S)
    apis: dict[str, BatchAPI] = {"openai": openai_batches, "anthropic": messages}
    closers = [client.aclose, messages.aclose]
    batch_hold_s = settings.llm_batch_wait_s + _HOLD_MARGIN_S
    records = BatchRecords(redis)
    batcher = Batcher(client, apis, records, ledger, settings.llm_batch_window_s, batch_hold_s)
    factory = Factory(Generator(caller, batcher, settings, policy.repairs), closers)
    # A batch-mode chunk waits in its handler for the provider's batch, up to a day.
    limit_s = max(settings.handler_time_limit_s, settings.llm_batch_wait_s)
    spec = StageSpec(
        "factory",
        {ChunkMade: factory},
        concurrency=settings.llm_concurrency,
        time_limit_s=limit_s,
        close=factory.close,
    )
    return build_app(spec, settings, redis, consumer)
