"""An edited example scored again: the checks that need no model (every side says
something, coherence) on the reviewer's text. Pure, so the results page and the export
judge an edit alike, from the edit's text in the log."""

from __future__ import annotations

from shared.contract.coherence import incoherent


def faults(input: str, output: str) -> list[str]:
    """Why the edited text is rejected; empty when it passes. The stop words of every
    language count: the results page does not know the example's language."""
    found = []
    for side, text in (("input", input), ("output", output)):
        if not text.strip():
            found.append(f"edited: empty_{side}")
        elif rule := incoherent(text, None):
            found.append(f"edited: {rule}" + ("" if side == "output" else " in input"))
    return found
