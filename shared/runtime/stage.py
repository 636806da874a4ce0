"""What a stage declares: handlers over a job's config, one item or a whole batch at a time."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from shared import secrets
from shared.contract import streams
from shared.contract.config import JobConfig
from shared.contract.events import Event, ItemFailed, caused
from shared.runtime.commit import Emit

E = TypeVar("E", bound=Event)


@dataclass(frozen=True)
class Work(Generic[E]):
    """One consumed entry, with the config of its job."""

    entry_id: str
    event: E
    config: JobConfig


# An item handler runs `concurrency` items at once; a batch handler gets every item of its
# type in a read and returns one outcome per item, in order: its emits, or the exception
# that failed that item alone.
Handler = Callable[[Any, JobConfig], Awaitable[Sequence[Emit]]]
Outcome = Sequence[Emit] | Exception
BatchHandler = Callable[[list[Work[Any]]], Awaitable[list[Outcome]]]
Hook = Callable[[], Awaitable[None]]


@dataclass(frozen=True)
class StageSpec:
    name: str
    handlers: Mapping[type[Event], Handler] = field(default_factory=dict)
    batch_handlers: Mapping[type[Event], BatchHandler] = field(default_factory=dict)
    concurrency: int = 1
    input_stream: str | None = None  # defaults to the stage's own stream
    # Entries per read; None takes the deployment's `max_records`. Batch stages read more,
    # since their cost per call is mostly fixed.
    max_records: int | None = None
    # A batch handler's items that arrive in small reads are held this long for more, up to
    # `max_records` (0: handled as read).
    linger_s: float = 0.0
    # Longest a handler may run on one item (or one batch); None takes the deployment's.
    time_limit_s: float | None = None
    # `start` runs before the first read (a model loaded then costs no item its time limit);
    # `close` runs after the last commit, once the stage's Redis client is closed.
    start: Hook | None = None
    close: Hook | None = None

    @property
    def stream(self) -> str:
        return self.input_stream or streams.STAGE_STREAM[self.name]

    def accepts(self, event: Event) -> bool:
        return type(event) in self.handlers or type(event) in self.batch_handlers


def failure(stage: str, event: Event, reason: str, detail: str = "", **extra: Any) -> Emit:
    """The failure outcome of a work item, with an id derived from the item's id. Its detail
    (often an error's text) is redacted before it goes on the log everyone reads."""
    failed = caused(
        event,
        ItemFailed,
        f"{stage}-failed",
        stage=stage,
        item_id=event.event_id,
        reason=reason,
        detail=secrets.redact(detail)[:2000],
        url=getattr(event, "url", None),
        **extra,
    )
    return Emit(streams.EVENTS, failed)
