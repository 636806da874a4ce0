"""What a check sees (an example with its job's quality config) and what it finds."""

from __future__ import annotations

from dataclasses import dataclass

from shared.contract.config import QualityConfig
from shared.contract.events import ExampleGenerated

# Templates whose output is a label: the prose worth judging is the input.
LABEL_TEMPLATES = frozenset({"classification"})
# Templates whose input is the source chunk itself.
SOURCE_INPUT_TEMPLATES = frozenset({"summarization"})
# Templates whose examples are whole dialogues: every turn is in `fields["turns"]`.
DIALOGUE_TEMPLATES = frozenset({"conversation"})


def said(ex: ExampleGenerated, role: str | None = None) -> list[str]:
    """A dialogue's turns (of one role, if named); empty for other templates."""
    if ex.template not in DIALOGUE_TEMPLATES:
        return []
    turns = ex.fields.get("turns")
    if not isinstance(turns, list):  # the format check names a malformed dialogue
        return []
    return [
        str(t.get("content", ""))
        for t in turns
        if isinstance(t, dict) and (role is None or t.get("role") == role)
    ]


@dataclass(frozen=True)
class Finding:
    """One check's judgement of one example. `failed` says the example is bad on the check's
    axis; a gated check then rejects it whatever the score."""

    score: float
    reason: str | None = None
    failed: bool = False
    backend: str | None = None


PASS = Finding(1.0)


@dataclass(frozen=True)
class Item:
    example: ExampleGenerated
    quality: QualityConfig

    @property
    def prose(self) -> str:
        """The generated text a reader of the dataset learns from."""
        ex = self.example
        if ex.template in DIALOGUE_TEMPLATES:  # the user's turns are generated too
            return "\n".join(said(ex)) or ex.output
        return ex.input if ex.template in LABEL_TEMPLATES else ex.output

    @property
    def source(self) -> str | None:
        ex = self.example
        if ex.source is not None:
            return ex.source
        return ex.input if ex.template in SOURCE_INPUT_TEMPLATES else None

    @property
    def pair(self) -> str:
        """The text two examples must not share: a summary's input is its chunk, which
        several summaries share by design."""
        ex = self.example
        if ex.template in SOURCE_INPUT_TEMPLATES:
            return ex.output
        return f"{ex.input}\n{ex.output}"
