"""A user template's source, vetted before it is compiled: small, parseable, and free of the
constructs that reach internals or grow a value without bound (macros, imports, blocks, `set`);
it names only the render context, its params and `range`, and calls only safe methods."""

from __future__ import annotations

from typing import Any

from jinja2 import nodes
from jinja2.exceptions import TemplateSyntaxError
from jinja2.meta import find_undeclared_variables

from shared.contract.templates.errors import TemplateError
from shared.contract.templates.sandbox import MAX_SOURCE_CHARS, SAFE_METHODS, PromptSandbox

_FORBIDDEN = {
    nodes.Macro: "macros",
    nodes.CallBlock: "call blocks",
    nodes.Import: "imports",
    nodes.FromImport: "imports",
    nodes.Include: "includes",
    nodes.Extends: "extends",
    nodes.Block: "blocks",
    nodes.Assign: "set",
    nodes.AssignBlock: "set",
    nodes.FilterBlock: "filter blocks",
}


def checked(env: PromptSandbox, source: str, names: set[str], part: str) -> Any:
    """The compiled template, if its source is small and uses only what is allowed."""
    if len(source) > MAX_SOURCE_CHARS:
        raise TemplateError(f"{part}: longer than {MAX_SOURCE_CHARS} characters")
    try:
        tree = env.parse(source)
        problem = _forbidden(tree, names | set(env.globals))
    except TemplateSyntaxError as exc:  # also a filter or test the sandbox lacks
        raise TemplateError(f"{part}: does not parse: line {exc.lineno}: {exc.message}") from None
    if problem:
        raise TemplateError(f"{part}: {problem}")
    return env.from_string(tree)


def _forbidden(tree: nodes.Template, names: set[str]) -> str | None:
    for node in tree.find_all(nodes.Node):
        kind = next((what for cls, what in _FORBIDDEN.items() if isinstance(node, cls)), None)
        if kind:
            return f"{kind}: not allowed in templates"
        if isinstance(node, nodes.Name) and node.name == "self":
            return "'self': not allowed in templates"
        if isinstance(node, nodes.Getattr) and node.attr.startswith("_"):
            return f"attribute {node.attr!r} is not allowed"
        if isinstance(node, nodes.Getitem) and _private_key(node.arg):
            return "items named with '_' are not allowed"
        if isinstance(node, nodes.Call) and _unsafe_method(node.node):
            return f"method {getattr(node.node, 'attr', '')!r} is not allowed"
    unknown = sorted(find_undeclared_variables(tree) - names)
    return (
        f"unknown names: {', '.join(unknown)} (known: {', '.join(sorted(names))})"
        if unknown
        else None
    )


def _unsafe_method(called: nodes.Expr) -> bool:
    return isinstance(called, nodes.Getattr) and called.attr not in SAFE_METHODS


def _private_key(arg: nodes.Expr) -> bool:
    return isinstance(arg, nodes.Const) and str(arg.value).startswith("_")
