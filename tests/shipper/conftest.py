"""Shipper fixtures: a data directory with one job's examples staged."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.shipper import staging
from tests.shipper.samples import examples


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """Job `j`: 60 examples (45 pass, 15 rejected) on 10 documents, staged in two batches
    that overlap, as after a redelivery."""
    items = examples(60)
    staging.append(tmp_path, "j", "2-0", items[20:], 0.7)
    staging.append(tmp_path, "j", "1-0", items[:30], 0.7)
    return tmp_path
