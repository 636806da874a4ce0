"""Bodies only the API has: its health check and the problem details of every error."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.gateway.queries.job_models import RejectedUrl


class Health(BaseModel):
    status: str
    redis: bool
    database: bool
    projector: dict[str, str]  # stream -> last projected entry id
    projection_failures: int  # log entries recorded as not applied (GET the job for which)


class InvalidValue(BaseModel):
    """One value that failed validation, as pydantic words it, its input cut short."""

    loc: list[str | int] = Field(description="where: body, query or path, then the keys")
    msg: str
    type: str
    input: Any = None
    ctx: dict[str, Any] | None = None


class Problem(BaseModel):
    """RFC 9457 problem details, served as application/problem+json: the body of every 4xx
    (and of a 503). Members beyond the RFC's are ours and present only when they apply."""

    # Extension members a command adds keep their names (RFC 9457 section 3.2).
    model_config = ConfigDict(extra="allow")
    type: str = Field(default="about:blank", description="about:blank: `title` says it all")
    title: str = Field(description="the status code's phrase")
    status: int = Field(ge=400, le=599)
    detail: str = Field(description="what went wrong with this request")
    field: str | None = Field(default=None, description="422: the first invalid field, dotted")
    errors: list[InvalidValue] | None = Field(default=None, description="422: every reason")
    rejected: list[RejectedUrl] | None = Field(
        default=None, description="422 of a submission: each URL refused and why"
    )
    active_jobs: list[str] | None = Field(
        default=None, description="409 of a project's deletion: its pending or running jobs"
    )
    reason: str | None = Field(default=None, description="a reason code, where one applies")
