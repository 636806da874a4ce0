"""Bodies only the API has: its health check."""

from __future__ import annotations

from pydantic import BaseModel


class Health(BaseModel):
    status: str
    redis: bool
    database: bool
    projector: dict[str, str]  # stream -> last projected entry id
    projection_failures: int  # log entries recorded as not applied (GET the job for which)
