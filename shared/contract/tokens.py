"""tiktoken's cl100k_base, offline: litellm ships the encoding file tiktoken would download."""

from __future__ import annotations

import functools
import importlib.util
import os
from pathlib import Path

import tiktoken


def _bundled_cache_dir() -> str | None:
    spec = importlib.util.find_spec("litellm")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "litellm_core_utils" / "tokenizers"
    return str(folder) if folder.is_dir() else None


@functools.cache
def cl100k() -> tiktoken.Encoding:
    if "TIKTOKEN_CACHE_DIR" not in os.environ and (bundled := _bundled_cache_dir()):
        os.environ["TIKTOKEN_CACHE_DIR"] = bundled
    return tiktoken.get_encoding("cl100k_base")
