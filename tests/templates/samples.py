"""A user template as a user would write it: (claim, evidence) pairs from a chunk."""

from __future__ import annotations

import copy
from typing import Any

CLAIMS: dict[str, Any] = {
    "name": "claims",
    "description": "Claims the document makes, each with the sentence that supports it.",
    "system": "You extract claims from documents{% if strict %}, quoting only{% endif %}.",
    "user": (
        "Find {{ n }} claims in the document below{% if topics %}, about "
        "{{ topics | join(', ') }}{% endif %}. Each item follows {{ schema }}.\n\n"
        "<document>\n{{ text }}\n</document>"
    ),
    "params": {
        "strict": {"type": "boolean", "default": True, "description": "quote the evidence"},
        "topics": {"type": "list", "default": []},
    },
    "output_schema": {
        "type": "object",
        "properties": {
            "claim": {"type": "string", "minLength": 1},
            "evidence": {"type": "string", "minLength": 1},
            "confidence": {"type": "number", "minimum": 0, "maximum": 1},
        },
        "required": ["claim", "evidence"],
    },
    "mapping": {
        "input": "claim",
        "output": "evidence",
        "chat": {"system": "You back claims with evidence.", "user": "claim"},
    },
}


def claims(**changes: Any) -> dict[str, Any]:
    """The sample template with top-level fields replaced."""
    return copy.deepcopy(CLAIMS) | changes
