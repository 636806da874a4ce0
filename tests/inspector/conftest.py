"""The inspector's models, loaded once for its tests (textstat's dictionary offline)."""

from __future__ import annotations

import pytest

from services.inspector import logic, models
from services.inspector.cmudict_offline import ensure_cmudict


@pytest.fixture(scope="session")
def inspector_models(tmp_path_factory: pytest.TempPathFactory) -> logic.Models:
    ensure_cmudict(tmp_path_factory.mktemp("cache"))
    return models.build(None, None)
