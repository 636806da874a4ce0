"""A template that renders harmlessly at save and at admission but runs a bomb on real chunks
(guarded by a word only they contain): the job still ends; those chunks fail with a reason
and the others make examples."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from shared.settings import Settings
from tests.e2e.conftest import Pipeline, pipeline
from tests.helpers import job_log
from tests.security import web as w
from tests.templates.bombs import DOC, compare_bomb
from tests.templates.samples import claims

# Whole processes on CI's two busy cores: minutes, not the one-minute default.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

HOSTS = ["127.0.0.61", "127.0.0.62", "127.0.0.63"]
# Neither the save's sample chunk nor the admission's ("A chisel is a hand tool…") has it.
TRIGGER = "workshop"
ARTICLES = [
    "Every morning the workshop smells of cut oak and linseed oil. Marta sharpens her plane "
    "iron on a water stone before the first board goes onto the bench, because a dull blade "
    "tears the grain instead of slicing it. She checks each board for twist with a pair of "
    "winding sticks, then flattens the high corners with long diagonal strokes. Only when the "
    "face is flat does she mark the thickness with a gauge and work down to the line. Visitors "
    "often ask why she does not simply buy planed timber from the yard. Her answer is that "
    "rough lumber is cheaper, and that reading the wood as it comes off the tree teaches her "
    "where a tabletop will move with the seasons.",
    "Our community workshop opened in a former bus depot on the edge of town. Members pay a "
    "small monthly fee and book time on the bandsaw, the lathe and the dust extraction system. "
    "New members take a safety course first, which covers push sticks, hearing protection and "
    "the emergency stop on every machine. On Thursday evenings a retired cabinetmaker runs a "
    "class on hand-cut dovetails, and the waiting list for it is long. The depot's high roof "
    "keeps the space cool in summer, although heating it through the winter costs a great "
    "deal. Volunteers repaired the old skylights last year with money raised at a furniture "
    "auction.",
    "Honey bees live in colonies of several thousand workers and a single queen. Foragers "
    "fly up to three kilometres from the hive to collect nectar and pollen, and they tell "
    "their sisters where the flowers are with a waggle dance on the comb. Nectar is stored in "
    "wax cells, where the bees fan it with their wings until most of the water evaporates. "
    "The result is honey, which keeps the colony fed through the winter months when nothing "
    "blooms. Beekeepers take only the surplus, leaving enough stores for the bees to survive "
    "until spring, and they inspect the brood regularly for signs of disease or mites.",
]


def article(topic: int) -> str:
    return f"<article><h1>Notes {topic}</h1><p>{ARTICLES[topic]}</p></article>"


@pytest.fixture
def site() -> Iterator[w.Web]:
    web = w.Web(HOSTS, [])
    for i, host in enumerate(HOSTS):
        web.routes[(host, "/notes")] = w.page(article(i))
    yield web
    web.close()


def finished(p: Pipeline, job_id: str, timeout: float = 180) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while not (job := p.job(job_id))["finished"]:
        assert time.monotonic() < deadline, f"job not finished in {timeout}s: {job}"
        time.sleep(0.2)
    return job


def test_a_job_whose_template_bombs_on_real_chunks_ends_with_those_chunks_failed(
    settings: Settings, site: w.Web
) -> None:
    guarded = (
        f"{{% if '{TRIGGER}' not in text %}}Find {{{{ n }}}} claims."
        f"{{% else %}}{compare_bomb()}{{% endif %}}"
    )
    with pipeline(settings, {}) as p:
        saved = p.client.post("/api/templates", json=claims(name="guarded", user=guarded + DOC))
        assert saved.status_code == 201, saved.text
        job_id = p.submit(
            [site.url(h, "/notes") for h in HOSTS], {"generation": {"template": "guarded"}}
        )
        finished(p, job_id)
        events = job_log(p.stack.env["DATAFACTORY_REDIS_URL"], job_id)
    chunks = {e.event_id: e for e in events if e.type == "ChunkMade"}
    failed = {e.item_id: e for e in events if e.type == "ItemFailed" and e.stage == "factory"}
    generated = {e.chunk_id for e in events if e.type == "ChunkAnswered"}
    bombed = {i for i, chunk in chunks.items() if TRIGGER in chunk.text}
    assert bombed and set(chunks) - bombed, [(e.type, getattr(e, "reason", "")) for e in events]
    # Each bombed chunk: its worker killed at the deadline, the next chunk on a fresh one.
    assert set(failed) == bombed
    assert {e.reason for e in failed.values()} == {"template_timeout"}
    assert generated == set(chunks) - bombed
