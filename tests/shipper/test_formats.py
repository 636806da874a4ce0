"""Chat and instruction formats per template, and CSV cells no spreadsheet runs."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from services.shipper.formats import alpaca, openai, sharegpt, tabular
from services.shipper.records import record
from services.shipper.writers import CsvWriter, defuse
from tests.shipper.samples import FIELDS, scored

TEMPLATES = sorted(FIELDS)
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
    line = openai(record(scored(1, template=template)))
    assert openai_format_errors(line) == []
    assert line["messages"][-1]["content"] == "Answer 1.\nA second line."


@pytest.mark.parametrize("template", TEMPLATES)
def test_sharegpt_records_alternate_human_and_gpt_after_the_system_turn(template: str) -> None:
    line = sharegpt(record(scored(2, template=template)))
    turns = line["conversations"]
    assert [t["from"] for t in turns] == ["system", "human", "gpt"]
    assert all(isinstance(t["value"], str) and t["value"].strip() for t in turns)
    assert line["metadata"]["source_url"] and line["id"] == "ex000002"


@pytest.mark.parametrize("template", TEMPLATES)
def test_alpaca_records_have_instruction_input_and_output(template: str) -> None:
    line = alpaca(record(scored(3, template=template)))
    assert {"instruction", "input", "output"} <= set(line)
    assert line["instruction"].strip() and line["output"].strip()
    assert all(isinstance(line[k], str) for k in ("instruction", "input", "output", "system"))


def test_each_template_decides_how_its_examples_read_as_turns() -> None:
    summary = alpaca(record(scored(4, template="summarization", text="The long chunk.")))
    assert (summary["instruction"], summary["input"]) == (
        "Summarize the following text.",
        "The long chunk.",
    )
    label = alpaca(record(scored(5, template="classification")))
    assert "science, other" in label["instruction"] and label["input"]
    told = alpaca(record(scored(6, template="instruction")))
    assert (told["instruction"], told["input"]) == ("Do 6.", "")
    qa = openai(record(scored(7, template="qa")))["messages"]
    assert qa[1] == {"role": "user", "content": "Question 7, with a comma?"}


def test_an_unknown_template_still_exports_plain_turns() -> None:
    rec = record(scored(8)) | {"template": "retired-template"}
    assert [m["role"] for m in openai(rec)["messages"]] == ["user", "assistant"]


@pytest.mark.parametrize("text", ["=SUM(A1:A9)", "+1", "-2+3", "@cmd", "\tx", "\r=1"])
def test_csv_cells_that_a_spreadsheet_would_run_are_made_inert(text: str) -> None:
    assert defuse(text) == "'" + text
    assert defuse("plain = text") == "plain = text" and defuse(0.5) == 0.5


def test_csv_files_quote_commas_and_newlines_and_defuse_every_text_cell(tmp_path: Path) -> None:
    writer = CsvWriter(tmp_path / "d.csv")
    for i, text in enumerate(["=HYPERLINK(evil)", "a, b\nc", "-minus"]):
        writer.add(tabular(record(scored(i, text=text))))
    written = writer.close()
    rows = list(csv.DictReader(io.StringIO((tmp_path / "d.csv").read_text())))
    assert [r["input"] for r in rows] == ["'=HYPERLINK(evil)", "a, b\nc", "'-minus"]
    assert written.records == 3 and rows[0]["source_url"] == "http://site0.test/page0"
