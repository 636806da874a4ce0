"""Dashboard pages: each module here with `register(app)` is one page, found at mount time.

A page module may also name its nav entry: `NAV = ("Label", "/path", order)`."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType
from typing import NamedTuple


class NavLink(NamedTuple):
    label: str
    path: str
    order: int


def modules() -> list[ModuleType]:
    """Every page module of this package, in name order."""
    names = sorted(info.name for info in pkgutil.iter_modules(__path__))
    return [importlib.import_module(f"{__name__}.{name}") for name in names]


def nav() -> list[NavLink]:
    """The nav entries that page modules declare, in their order."""
    links = [NavLink(*m.NAV) for m in modules() if getattr(m, "NAV", None)]
    return sorted(links, key=lambda link: link.order)
