"""What generation will cost before it runs: tokens from the job's template, dollars from litellm's
bundled price map (offline). Pure apart from reading that map; litellm is imported on first use."""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from shared.contract.config import GenerationConfig
from shared.contract.templates import TemplateSpec, template_for
from shared.contract.tokens import cl100k

# OpenAI's chat accounting: every message costs its content plus 3 tokens of framing, and the
# reply is primed with 3 more.
_PER_MESSAGE_TOKENS = 3
_REPLY_PRIMER_TOKENS = 3


@dataclass(frozen=True)
class CostEstimate:
    chunks: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float
    priced: bool  # False: the price map does not know the model and cost_usd is 0


def message_tokens(messages: Sequence[Mapping[str, Any]]) -> int:
    """Prompt tokens of a chat request, counted with cl100k_base."""
    encoding = cl100k()
    content = sum(len(encoding.encode_ordinary(str(m["content"]))) for m in messages)
    return content + _PER_MESSAGE_TOKENS * len(messages) + _REPLY_PRIMER_TOKENS


def price(
    model: str, per_1k: float | None = None, batch: bool = False
) -> tuple[float, float] | None:
    """Dollars per (prompt, completion) token of `model`: the map's price (its batch price for
    `batch` where it lists one), else the operator's flat `per_1k` (dollars per 1,000 tokens)
    for models the map does not price, else None.

    A provider-prefixed name ("openai/gpt-4o-mini") falls back to the bare name. A listed
    price of 0 counts as none: the map lists local models at 0, and a job spending on a
    model that costs "nothing" could never reach its cap."""
    entry = _entry(model)
    if entry and "input_cost_per_token" in entry:
        suffix = "_batches" if batch and "input_cost_per_token_batches" in entry else ""
        listed = (
            float(entry[f"input_cost_per_token{suffix}"]),
            float(entry.get(f"output_cost_per_token{suffix}", 0)),
        )
        if any(listed):
            return listed
    return None if per_1k is None else (per_1k / 1000, per_1k / 1000)


def cost_usd(
    model: str,
    prompt_tokens: int,
    completion_tokens: int,
    per_1k: float | None = None,
    batch: bool = False,
    cached_tokens: int = 0,
) -> float | None:
    """What a call's usage costs. `cached_tokens` (part of `prompt_tokens`) were read from the
    provider's prompt cache and cost the map's cache-read price online; a batch is billed at
    its own price for every prompt token."""
    per_token = price(model, per_1k, batch)
    if per_token is None:
        return None
    cached = float((_entry(model) or {}).get("cache_read_input_token_cost") or per_token[0])
    if batch or not cached_tokens:
        cached = per_token[0]
    fresh = prompt_tokens - cached_tokens
    return fresh * per_token[0] + cached_tokens * cached + completion_tokens * per_token[1]


def estimate(
    gen: GenerationConfig, model: str, chunk_tokens: Iterable[int], per_1k: float | None = None
) -> CostEstimate:
    """The tokens and dollars of generating from chunks of the given token counts.

    Assumptions: one LLM call per chunk (retries of failed calls and repair calls for
    malformed answers come on top; cache hits come off); the prompt is the template rendered
    around the chunk; the answer is the template's expected size for `examples_per_chunk`
    items (`Template.completion_tokens`); the price is the job's mode's (batch or online);
    tokens are counted with cl100k_base, which the gpt-4o family's o200k_base matches within
    a few percent on English text."""
    template = template_for(gen.template, gen.template_spec)
    spec = gen.template_spec.model_dump_json() if gen.template_spec else ""
    frame = _template_tokens(gen.template, spec, gen.examples_per_chunk, _params_key(gen))
    chunks = prompt = completion = 0
    for tokens in chunk_tokens:
        chunks += 1
        prompt += frame + tokens
        completion += template.completion_tokens(
            tokens, gen.examples_per_chunk, **gen.template_params
        )
    dollars = cost_usd(model, prompt, completion, per_1k, batch=gen.mode == "batch")
    return CostEstimate(chunks, prompt, completion, dollars or 0.0, dollars is not None)


def estimate_average(
    gen: GenerationConfig, model: str, chunks: int, average_tokens: int, per_1k: float | None = None
) -> CostEstimate:
    """The estimate for `chunks` chunks of `average_tokens` tokens each."""
    return estimate(gen, model, [average_tokens] * chunks, per_1k)


@functools.cache
def _template_tokens(template: str, spec: str, n: int, params: str) -> int:
    """Prompt tokens of the template around an empty document; `spec`: a user template's."""
    found = template_for(template, TemplateSpec.model_validate_json(spec) if spec else None)
    messages = found.render("", n=n, **json.loads(params))
    return message_tokens(messages)


def _params_key(gen: GenerationConfig) -> str:
    return json.dumps(gen.template_params, sort_keys=True)


def _entry(model: str) -> Mapping[str, Any] | None:
    prices = _price_map()
    found: Mapping[str, Any] | None = prices.get(model) or prices.get(model.split("/", 1)[-1])
    return found


def _price_map() -> Mapping[str, Any]:
    # Without this, importing litellm downloads the price map; the bundled copy is offline.
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm  # lazy: the gateway imports shared code and should not pay ~3 s for litellm

    prices: Mapping[str, Any] = litellm.model_cost
    return prices


def batch_saving(
    model: str, prompt_tokens: int, completion_tokens: int, paid_usd: float, per_1k: float | None
) -> tuple[float, float] | None:
    """(online cost, saving) of a batch-mode job: what its tokens cost without the batch
    discount, and how much less it paid; None for a model with no price."""
    online = cost_usd(model, prompt_tokens, completion_tokens, per_1k, batch=False)
    return None if online is None else (online, online - paid_usd)
