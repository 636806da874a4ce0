"""Every built-in template puts its stable instructions first and the chunk last, so a
provider's automatic prefix caching serves everything but the chunk from its cache."""

from __future__ import annotations

import pytest

from shared.contract.templates import get_template, list_templates

CHUNKS = (
    "Honey bees keep their hive at about 35 degrees Celsius while the brood develops.",
    "The Forth Bridge in Scotland opened in 1890 and carries trains across the firth.",
)


def common_prefix(a: str, b: str) -> int:
    return next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )


def prompt(name: str, chunk: str) -> str:
    params = {"labels": ["science", "history"]} if name == "classification" else {}
    messages = get_template(name).render(chunk, n=3, **params)
    return "".join(f"<{m['role']}>{m['content']}" for m in messages)


@pytest.mark.parametrize("name", [info.name for info in list_templates()])
def test_two_chunks_share_the_whole_prompt_but_the_chunk(name: str) -> None:
    first, second = (prompt(name, chunk) for chunk in CHUNKS)
    shared = common_prefix(first, second)
    assert shared > 200, "the instructions come first"
    assert len(first) - shared <= len(CHUNKS[0]) + 40, "only the chunk (and a closing line) differ"
