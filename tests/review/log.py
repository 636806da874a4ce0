"""A job with many scored examples on two sections of a site, and reviews of them."""

from __future__ import annotations

from shared.contract import streams
from shared.contract.events import Event, ExampleScored
from tests.factories import review, scored
from tests.gateway.story import Story, at

__all__ = ["job_log", "many", "review", "section_scored"]


def _scores(i: int) -> dict[str, float]:
    return {"readability": (i % 10) / 10, "toxicity": 0.2 if i % 7 == 0 else 0.95}


def section_scored(story: Story, i: int) -> ExampleScored:
    """Example `i` of the story's first chunk: its section and its scores vary with `i`;
    toxic ones are rejected."""
    url = f"https://example.com/{'guide' if i % 2 else 'blog'}/{i // 10}"
    text = {"input": f"Question {i} <b>bold</b>?", "output": f"Answer {i}."}
    update = {"event_id": f"ex_{i:05d}", "url": url, **text}
    example = story.examples[0].model_copy(update=update)
    scores = _scores(i)
    score = round(sum(scores.values()) / 2, 4)
    passed = score >= 0.7 and scores["toxicity"] >= 0.5
    reasons = [] if passed else ["toxic(p=0.80)" if i % 7 == 0 else f"score {score} < 0.70"]
    return scored(example, score, passed, scores, reasons, at=at(5))


def many(story: Story, n: int) -> list[ExampleScored]:
    return [section_scored(story, i) for i in range(n)]


def job_log(story: Story, examples: list[ExampleScored]) -> list[tuple[str, Event]]:
    return [*story.log(), *((streams.SHIPPER, s) for s in examples)]
