"""Every command's `--help` ends with an example and the exit codes."""

from __future__ import annotations

import pytest

from services.cli import main

COMMANDS = [
    (),
    ("up",),
    ("run",),
    ("templates",),
    ("templates", "list"),
    ("templates", "show"),
    ("templates", "add"),
    ("rebuild",),
    ("status",),
    ("gc",),
    ("push",),
    ("llm-sim",),
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "datafactory")
def test_every_help_shows_an_example(
    command: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        main([*command, "--help"])
    assert done.value.code == 0
    shown = capsys.readouterr().out
    example = shown.split("example:\n", 1)[1].splitlines()[0].strip()
    assert example.startswith("datafactory "), shown
    if command != ("llm-sim",):
        assert "exit codes:" in shown
