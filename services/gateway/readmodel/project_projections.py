"""Projects ProjectUpdated and ProjectDeleted into the projects table."""

from __future__ import annotations

from typing import Any

from services.gateway.readmodel.rows import Upsert, Write, ts
from services.gateway.readmodel.tables import projects
from shared.contract.events import ProjectDeleted, ProjectUpdated


def project_updated(e: ProjectUpdated) -> list[Write]:
    row: dict[str, Any] = {"id": e.project_id, "name": e.name, "description": e.description}
    return [Upsert(projects, row | {"updated_at": ts(e.at)})]


def project_deleted(e: ProjectDeleted) -> list[Write]:
    # The row stays, marked: the project's jobs still name it.
    return [Upsert(projects, {"id": e.project_id, "deleted_at": ts(e.at)})]
