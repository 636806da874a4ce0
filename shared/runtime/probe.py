"""An exec probe for stage containers: exits 0 when a heartbeat file (see `shared.ops.metrics`) was
touched within the last MAX_AGE_S seconds, else 1 with the reason on stderr.

Usage: python -m shared.runtime.probe FILE [MAX_AGE_S]"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path


def fresh(path: Path, max_age_s: float) -> str | None:
    """None when the file is fresh, else why not."""
    try:
        age = time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return f"{path} does not exist"
    return None if age <= max_age_s else f"{path} is {age:.0f}s old (limit {max_age_s:.0f}s)"


def main(argv: Sequence[str]) -> int:
    if not 1 <= len(argv) <= 2:
        sys.stderr.write(f"{__doc__}\n")
        return 2
    problem = fresh(Path(argv[0]), float(argv[1]) if len(argv) > 1 else 60.0)
    if problem:
        sys.stderr.write(f"{problem}\n")
    return 1 if problem else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
