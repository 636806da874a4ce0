"""User templates render only in the sandbox: escapes and runaway renders are refused."""

from __future__ import annotations

import time

import pytest

from shared.contract.templates import TemplateError, TemplateSpec, checked_spec
from shared.contract.templates.sandbox import MAX_OUTPUT_CHARS, MAX_RENDER_S
from tests.templates.bombs import concat_growth
from tests.templates.samples import claims

DOC = "\n<document>\n{{ text }}\n</document>"
# 30,000 zeros pass every cap (60 KB as text); three aliases of them do not.
ALIASED = "{{% for a in [[0]*30000] %}}{{{{ {} }}}}{{% endfor %}}"

ESCAPES = {
    "mro": "{{ ''.__class__.__mro__ }}",
    "subclasses": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "globals": "{{ cycler.__init__.__globals__ }}",
    "getitem": "{{ text['__class__'] }}",
    "attr_filter": "{{ text | attr('__class__') }}",
    "self": "{{ self }}",
    "lipsum": "{{ lipsum.__globals__ }}",
    "namespace": "{% set ns = namespace(s=text) %}{{ ns.s }}",
    "macro_bomb": "{% macro f(x) %}{{ f(x ~ x) }}{% endmacro %}{{ f(text) }}",
    "set_doubling": "{% set a = text ~ text %}{% set b = a ~ a %}{{ b }}",
    "import": "{% import 'qa.j2' as qa %}",
    "include": "{% include 'qa.j2' %}",
    "format_method": "{{ '{:>999999999}'.format(text) }}",
    "center": "{{ text.center(10**9) }}",
    "percent": "{{ '%999999999s' % text }}",
    "huge_range": "{{ range(10**9) | list }}",
    "repeat": "{{ 'a' * 10**9 }}",
    "power": "{{ 9 ** 9999999 }}",
    "unknown_filter": "{{ text | wordwrap(9) }}",
    "pow_chain": "{{ 10**64**64**64**64 }}",
    "big_product": "{{ (10**60)**60 * (10**60)**60 }}",
    "aliased_repeat": "{{ ([[0]*100000]*100) | string }}",
    "aliased_string": ALIASED.format("[a, a, a] | string"),
    "aliased_tojson": ALIASED.format("[a, a, a] | tojson"),
    "aliased_sum": ALIASED.format("[a, a, a] | sum(start=[])"),
    "aliased_join": ALIASED.format("[a, a, a] | join"),
    "aliased_upper": ALIASED.format("[a, a, a] | upper"),
    "aliases_written": ALIASED.format("[a, a, a]"),
    "aliases_concat": ALIASED.format("[a, a, a] ~ ''"),
    "json_indent": "{{ [1, [2]] | tojson(indent=10000000) }}",
    "json_indent_text": "{{ [1, [2]] | tojson(indent='" + " " * 100 + "') }}",
    "format_aliased": "{{ ['{:>999999999}'.format][0](text) }}",
    "format_map": "{{ text.format_map({}) }}",
    "concat_growth": concat_growth(),
}


@pytest.mark.parametrize("source", ESCAPES.values(), ids=ESCAPES.keys())
def test_a_template_that_escapes_the_sandbox_is_refused(source: str) -> None:
    with pytest.raises(TemplateError):
        checked_spec(TemplateSpec(**claims(user=source + DOC)))


def test_a_loop_of_huge_output_stops_at_the_output_limit() -> None:
    loop = "{% for i in range(1000) %}{% for j in range(1000) %}{{ text }}{% endfor %}{% endfor %}"
    with pytest.raises(TemplateError, match=f"longer than {MAX_OUTPUT_CHARS}"):
        checked_spec(TemplateSpec(**claims(user=loop + DOC)))


def test_a_render_that_runs_too_long_stops_at_the_time_limit() -> None:
    loops = "".join("{% for i" + str(k) + " in range(1000) %}" for k in range(3))
    source = loops + "{% endfor %}" * 3 + DOC
    started = time.monotonic()
    with pytest.raises(TemplateError, match="render took longer"):
        checked_spec(TemplateSpec(**claims(user=source)))
    assert time.monotonic() - started < MAX_RENDER_S + 2


def test_a_source_beyond_the_size_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="at most 10000 characters"):
        TemplateSpec(**claims(user="x" * 10_001))


def test_the_allowed_constructs_render() -> None:
    source = (
        "{% for t in topics %}{{ loop.index }}. {{ t | upper }}{% endfor %} "
        "{{ text.split() | length }} words; {{ n * 2 }} items{% if strict %}, strictly{% endif %}"
        + DOC
    )
    template = checked_spec(TemplateSpec(**claims(user=source)))
    [_, user] = template.render("Bees make honey.", 3, topics=["bees", "honey"])
    assert user["content"].startswith("1. BEES2. HONEY 3 words; 6 items, strictly")


def test_values_within_the_caps_render_as_before() -> None:
    source = (
        "{% for a in [[0]*30000] %}{{ a | length }} {{ (a | join) | length }}{% endfor %} "
        "{{ 2**64 * 3 }} {{ text.missing | default('no such field') }} "
        "{{ [1, [2]] | tojson(indent=2) | length }} {{ text ~ '!' }}" + DOC
    )
    [_, user] = checked_spec(TemplateSpec(**claims(user=source))).render("Bees.", 1)
    assert user["content"].startswith("30000 30000 55340232221128654848 no such field 22 Bees.!")
