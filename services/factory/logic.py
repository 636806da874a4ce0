"""Pure decisions of the factory: model routing, retry timing, answer ceilings, repair prompts."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from shared.contract.templates import ChatMessage, TemplateOutputError

# OpenAI-compatible servers (the simulator, vLLM, llama.cpp) ignore the key but the client
# refuses to send a request without one.
PLACEHOLDER_KEY = "sk-datafactory-no-key"
# An answer may run this far past its template's expected size before it is cut off: a cut
# answer is malformed and costs a repair call, so the margin is generous.
_ANSWER_MARGIN = 3
_ANSWER_FLOOR = 256


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    base_s: float = 0.5
    cap_s: float = 30.0
    repairs: int = 2  # extra calls that show the LLM its unusable answer


def route_model(model: str, api_base: str | None, providers: Collection[str]) -> str:
    """With an api_base, a bare model name goes to litellm's OpenAI-compatible client."""
    if api_base is None or model.split("/", 1)[0] in providers:
        return model
    return f"openai/{model}"


def api_key(configured: str | None, api_base: str | None) -> str | None:
    """None lets litellm read the provider's own environment variable."""
    if configured:
        return configured
    return PLACEHOLDER_KEY if api_base else None


def retry_after_s(headers: Mapping[str, str]) -> float | None:
    """The server's requested wait: `retry-after-ms`, else `retry-after` in seconds."""
    lowered = {k.lower(): v for k, v in headers.items()}
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        try:
            return max(0.0, float(lowered[name]) / scale)
        except (KeyError, ValueError):
            continue
    return None


def max_tokens(expected: int, ceiling: int) -> int:
    """The answer limit sent with a call: its expected size with a margin, at most `ceiling`."""
    return min(ceiling, _ANSWER_MARGIN * expected + _ANSWER_FLOOR)


def backoff_s(attempt: int, retry_after: float | None, jitter: float, policy: RetryPolicy) -> float:
    """Wait before retry number `attempt` (1-based); `jitter` in [0, 1) spreads replicas out."""
    exponential = policy.base_s * 2.0 ** (attempt - 1) * (0.5 + jitter / 2)
    wanted = max(exponential, retry_after or 0.0)
    return min(wanted, policy.cap_s)


def repair(
    messages: list[ChatMessage], answer: str, error: TemplateOutputError
) -> list[ChatMessage]:
    """The conversation so far plus the unusable answer and a request to fix it."""
    request = (
        f"Your answer could not be used ({error}). Reply again with only the JSON object "
        "in the form requested above, and nothing else."
    )
    return [
        *messages,
        ChatMessage(role="assistant", content=answer),
        ChatMessage(role="user", content=request),
    ]
