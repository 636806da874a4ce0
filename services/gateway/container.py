"""The gateway's resources, built once and passed to routes, pages and commands: settings,
Redis, the read models' reader, the projector, blob storage and cached job reads."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, partial

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from services.gateway.queries import job_estimate, views
from services.gateway.queries.cache import JobReads
from services.gateway.queries.job_models import (
    BatchSaving,
    Estimate,
    JobStatus,
)
from services.gateway.readmodel.projector import Projector
from shared.settings import Settings
from shared.storage.blobs import Storage


@dataclass(frozen=True)
class Gateway:
    settings: Settings
    redis: Redis
    reader: AsyncEngine
    projector: Projector
    # How long a lookup of an unknown id waits for the projector to reach the stream tips:
    # a project or job created a moment ago through the log may not be projected yet.
    catch_up_s: float = 3.0
    # How long a command's route waits for the projector to apply what the command wrote.
    write_visible_s: float = 5.0

    @cached_property
    def reads(self) -> JobReads:
        """A job's status and costs as last read, until the projector changes the job."""
        return JobReads(self.projector)

    async def job_status(self, job_id: str) -> JobStatus | None:
        """The job's status, read again only once the projector changed the job."""
        return await self.reads.read(
            "status", job_id, partial(views.job_status, self.reader, job_id)
        )

    async def job_costs(self, job: JobStatus) -> tuple[Estimate | None, BatchSaving | None]:
        """The job's cost estimate and batch saving, read again only once the job changed."""
        load = partial(job_estimate.job_costs, self.reader, self.settings, job)
        return await self.reads.read("costs", job.id, load)

    @cached_property
    def storage(self) -> Storage:
        """Blob storage, built on first use; its client's connections serve every request."""
        return Storage.from_settings(self.settings)


async def written_visible(gw: Gateway, written: dict[str, str]) -> None:
    """Returns once a command's entries are projected, or after `write_visible_s`: reads of
    what it created then fall back to its receipt, so either way they never 404."""
    await gw.projector.passed(written, gw.write_visible_s)
