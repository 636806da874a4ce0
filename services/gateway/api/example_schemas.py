"""The example routes' query parameters: the results filters and a page."""

from __future__ import annotations

from pydantic import Field

from services.gateway.queries.example_models import MAX_PAGE, ExampleFilters


class ExampleQuery(ExampleFilters):
    """The query of `GET /api/jobs/{id}/examples`: the filters and the page, from 1."""

    page: int = Field(default=1, ge=1, le=MAX_PAGE)
