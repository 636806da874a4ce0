"""Chat and instruction formats per template, and CSV cells no spreadsheet runs."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from services.shipper.columns import parsed
from services.shipper.formats import alpaca, openai, sharegpt
from services.shipper.records import Row, row, staged_line
from services.shipper.writers import CsvWriter
from tests.shipper.samples import FIELDS, scored

TEMPLATES = sorted(FIELDS)


def staged(i: int, **kw: Any) -> Row:
    return row(scored(i, **kw), 0.7)


def written(shape: Callable[[Row], Row], staged_row: Row) -> Any:
    """A format's row as it lands in the file."""
    return orjson.loads(orjson.dumps(shape(staged_row)))


# What OpenAI's fine-tuning format check accepts (the cookbook's validation rules).
MESSAGE_KEYS = {"role", "content", "name", "function_call", "weight"}
ROLES = ("system", "user", "assistant")


def openai_format_errors(line: dict[str, Any]) -> list[str]:
    errors = [f"unknown key {k}" for k in line if k != "messages"]
    messages = line.get("messages") or []
    if not messages:
        errors.append("no messages")
    for m in messages:
        errors += [f"unknown message key {k}" for k in m if k not in MESSAGE_KEYS]
        if m.get("role") not in ROLES:
            errors.append(f"role {m.get('role')!r}")
        if not isinstance(m.get("content"), str) or not m["content"].strip():
            errors.append("empty content")
    roles = [m.get("role") for m in messages]
    if roles and roles[0] == "system":
        roles = roles[1:]
    if roles != ["user", "assistant"] * (len(roles) // 2) or not roles:
        errors.append(f"turns out of order: {roles}")
    return errors


@pytest.mark.parametrize("template", TEMPLATES)
def test_openai_records_pass_the_fine_tuning_format_rules(template: str) -> None:
    line = written(openai, staged(1, template=template))
    assert openai_format_errors(line) == []
    assert line["messages"][-1]["content"] == "Answer 1.\nA second line."


@pytest.mark.parametrize("template", TEMPLATES)
def test_sharegpt_records_alternate_human_and_gpt_after_the_system_turn(template: str) -> None:
    line = written(sharegpt, staged(2, template=template))
    turns = line["conversations"]
    assert [t["from"] for t in turns] == ["system", "human", "gpt"]
    assert all(isinstance(t["value"], str) and t["value"].strip() for t in turns)
    assert line["metadata"]["source_url"] and line["id"] == "ex000002"


@pytest.mark.parametrize("template", TEMPLATES)
def test_alpaca_records_have_instruction_input_and_output(template: str) -> None:
    line = written(alpaca, staged(3, template=template))
    assert {"instruction", "input", "output"} <= set(line)
    assert line["instruction"].strip() and line["output"].strip()
    assert all(isinstance(line[k], str) for k in ("instruction", "input", "output", "system"))


def test_each_template_decides_how_its_examples_read_as_turns() -> None:
    summary = written(alpaca, staged(4, template="summarization", text="The long chunk."))
    assert (summary["instruction"], summary["input"]) == (
        "Summarize the following text.",
        "The long chunk.",
    )
    label = written(alpaca, staged(5, template="classification"))
    assert "science, other" in label["instruction"] and label["input"]
    told = written(alpaca, staged(6, template="instruction"))
    assert (told["instruction"], told["input"]) == ("Do 6.", "")
    qa = written(openai, staged(7, template="qa"))["messages"]
    assert qa[1] == {"role": "user", "content": "Question 7, with a comma?"}


def test_an_unknown_template_still_exports_plain_turns() -> None:
    rec = staged(8) | {"template": "retired-template"}
    assert [m["role"] for m in written(openai, rec)["messages"]] == ["user", "assistant"]


@pytest.mark.parametrize("text", ["=SUM(A1:A9)", "+1", "-2+3", "@cmd", "\tx", "\r=1"])
def test_csv_cells_that_a_spreadsheet_would_run_are_made_inert(tmp_path: Path, text: str) -> None:
    rows = written_csv(tmp_path, [text, "plain = text"])
    assert [r["input"] for r in rows] == ["'" + text, "plain = text"]


def written_csv(tmp_path: Path, texts: list[str]) -> list[dict[str, str]]:
    writer = CsvWriter(tmp_path / "d.csv")
    lines = [staged_line(scored(i, text=t), 0.7) for i, t in enumerate(texts)]
    writer.add_table(parsed(lines))
    assert writer.close().records == len(texts)
    return list(csv.DictReader(io.StringIO((tmp_path / "d.csv").read_bytes().decode(), newline="")))


def test_csv_files_quote_commas_and_newlines_and_keep_numbers_plain(tmp_path: Path) -> None:
    rows = written_csv(tmp_path, ["=HYPERLINK(evil)", "a, b\nc", "-minus"])
    assert [r["input"] for r in rows] == ["'=HYPERLINK(evil)", "a, b\nc", "'-minus"]
    assert rows[0]["source_url"] == "http://site0.test/page0"
    assert rows[0]["quality_score"] == "0.95" and rows[1]["scores"].startswith("{")
