"""One finished job's log as the stages write it: pages on three domains, some refused by
robots.txt or failing, a page skipped for its language, duplicate chunks, a chunk whose paid
answer was unusable, and scored examples (some rejected)."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.factory.values import Usage
from services.refiner.dedup import Decision
from shared.contract.config import JobConfig
from shared.contract.events import JobCompleted, PageFetched
from shared.contract.ids import derive
from shared.contract.templates import ExampleFields
from tests.log import Log
from tests.shipper.samples import FIELDS

DOMAINS = ("a.test", "b.test", "c.test")


@dataclass
class JobLog(Log):
    job_id: str = "job_story"
    config: JobConfig = field(default_factory=JobConfig)

    @property
    def completed(self) -> JobCompleted:
        """The job's completion, left for a test to publish."""
        return JobCompleted(event_id=derive(self.job_id, "done"), job_id=self.job_id)

    def page(self, page: PageFetched, i: int, n: int) -> int:
        """Two chunks made and a third dropped; three examples of the first, scored from
        example `n` on, and the second's answer unusable. Returns the next example's number."""
        reason = "near_duplicate" if i % 2 else "duplicate"
        made = self.refine(page, ["text 0", "text 1", "text 2"], 3, {2: Decision(reason)}, span=10)
        items = [
            ExampleFields(
                input=f"Question {k}, with a comma?",
                output=f"Answer {k}.\nA second line.",
                fields=FIELDS["qa"](k),
            )
            for k in range(n, n + 3)
        ]
        examples = self.generate(made[0], items, Usage(300, 90, 0.000123), 4)
        self.generation_failed(made[1], "llm_invalid_json", Usage(200, 50, 0.000077), 4)
        for k, example in enumerate(examples, n):
            passed = k % 4 != 1
            self.score(
                example, 5, 0.95 if passed else 0.4, passed,
                {"format": 1.0, "readability": 0.9 if passed else 0.3},
                [] if passed else ["hard_to_read(flesch=12)", "score 0.40 < 0.70"],
            )  # fmt: skip
        return n + 3


def job_log(job_id: str = "job_story", pages: int = 9, config: JobConfig | None = None) -> JobLog:
    urls = [f"http://{DOMAINS[i % 3]}/p{i}" for i in range(pages)]
    log = JobLog(job_id=job_id, config=config or JobConfig())
    job = log.submit(job_id, "proj", urls, log.config)
    log.invalid(job, 0, "ftp://nowhere", "scheme not allowed", 1)
    n = 0
    for i, url in enumerate(urls):
        cmd = log.fetch(job, url, 1)
        if i in (1, 2):
            log.fetch_failed(cmd, "robots_disallowed" if i == 1 else "http_404", 2)
            continue
        page = log.fetched(cmd, 2)
        if i == 4:
            log.refine_failed(page, "language:de", 3)
            continue
        n = log.page(page, i, n)
    return log
