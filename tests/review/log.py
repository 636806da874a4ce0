"""A job with many scored examples on two sections of a site, and reviews of them."""

from __future__ import annotations

from datetime import datetime

from shared import streams
from shared.events import Event, ExampleReviewed, ExampleScored
from shared.ids import derive
from tests.gateway.story import Story, at


def _scores(i: int) -> dict[str, float]:
    return {"readability": (i % 10) / 10, "toxicity": 0.2 if i % 7 == 0 else 0.95}


def scored(story: Story, i: int) -> ExampleScored:
    """Example `i`: its section and its scores vary with `i`; toxic ones are rejected."""
    url = f"https://example.com/{'guide' if i % 2 else 'blog'}/{i // 10}"
    base = story.examples[0]
    example = base.model_copy(
        update={
            "event_id": f"ex_{i:05d}",
            "url": url,
            "input": f"Question {i} <b>bold</b>?",
            "output": f"Answer {i}.",
        }
    )
    scores = _scores(i)
    score = round(sum(scores.values()) / 2, 4)
    passed = score >= 0.7 and scores["toxicity"] >= 0.5
    return ExampleScored(
        event_id=derive(example.event_id, "scored"),
        job_id=story.job_id,
        caused_by=example.event_id,
        example=example,
        scores=scores,
        score=score,
        passed=passed,
        reasons=[] if passed else ["toxic(p=0.80)" if i % 7 == 0 else f"score {score} < 0.70"],
        at=at(5),
    )


def many(story: Story, n: int) -> list[ExampleScored]:
    return [scored(story, i) for i in range(n)]


def job_log(story: Story, examples: list[ExampleScored]) -> list[tuple[str, Event]]:
    return [*story.log(), *((streams.SHIPPER, s) for s in examples)]


def review(
    job_id: str, example_id: str, action: str, when: datetime, key: str = "", **text: str
) -> ExampleReviewed:
    return ExampleReviewed(
        event_id=derive(example_id, "review", key or f"{action}{when.isoformat()}"),
        job_id=job_id,
        example_id=example_id,
        action=action,  # type: ignore[arg-type]
        at=when,
        **text,
    )
