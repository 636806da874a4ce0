"""Storage keys: relative, `/`-separated object names (`raw/<job>/<page>.html`), the same on
every machine. Events carry keys, never a machine's paths; a key from an event is checked
before use, whatever the event says."""

from __future__ import annotations

from pathlib import PurePosixPath


class OutsideStorage(ValueError):
    """A key that is absolute, climbs out (`..`), or is not in the folder it must be in."""


def checked(key: str, *under: str) -> str:
    """`key` itself, if it names an object within the store (and within `under`)."""
    parts = key.split("/")
    if "\\" in key or any(p in ("", ".", "..") for p in parts):
        raise OutsideStorage(f"{key!r} is not a storage key")
    if parts[: len(under)] != list(under) or len(parts) <= len(under):
        raise OutsideStorage(f"{key!r} is outside {'/'.join(under)}/")
    return key


def stored_key(value: str, top: str) -> str:
    """The key of an object under `top/` that `value` names, a key or an older event's path;
    OutsideStorage when it names nothing there."""
    return checked(legacy_key(value, top), top)


def legacy_key(value: str, top: str) -> str:
    """The key for what an older event held, a path `<data_dir>/<top>/...`: the part from
    `top` on. Anything else comes back as given, for `checked` to refuse."""
    parts = PurePosixPath(value).parts
    for i in range(len(parts) - 2, -1, -1):
        if parts[i] == top:
            return "/".join(parts[i:])
    return value
