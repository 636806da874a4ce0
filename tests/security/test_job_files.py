"""A YAML job file with aliases is refused at once with a clear error: an alias bomb (each
level a list of nine references to the one before) would otherwise make 9^9 values for
whatever walks it."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from services.cli import main
from services.cli.jobfile import JobFileError, load_job

BOMB = "\n".join(
    ["a0: &a0 [x]"]
    + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    + ["generation: {template_params: {bomb: *a9}}"]
)


def test_a_yaml_alias_bomb_is_refused_at_once_naming_the_alias(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(BOMB)
    started = time.monotonic()
    with pytest.raises(JobFileError, match=r"aliases \(\*name\) are refused") as caught:
        load_job(path)
    assert time.monotonic() - started < 1.0
    assert str(path) in str(caught.value) and "line 2" in str(caught.value)


def test_the_cli_refuses_a_job_file_with_an_alias_before_sending_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "job.yaml"
    path.write_text("shared: &s {chunk_size: 256}\nprocessing: *s\n")
    gateway = "http://127.0.0.1:9"  # never asked: nothing listens there
    assert main(["run", "https://example.org/a", "--config", str(path), "--gateway", gateway]) == 2
    said = " ".join(capsys.readouterr().err.split())  # rich wraps long lines
    assert "bad job" in said and "aliases (*name) are refused" in said


def test_anchors_without_aliases_and_plain_files_still_load(tmp_path: Path) -> None:
    path = tmp_path / "job.yaml"
    path.write_text("processing: &p {chunk_size: 256}\n")
    assert load_job(path).config == {"processing": {"chunk_size": 256}}
