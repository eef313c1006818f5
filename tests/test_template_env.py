"""The theme's jinja environment (jinjaenv.Environment) gives jinja2's own results: `x.name` on a
dict finds the dict's methods first, then its keys, else undefined; templates are found by name
once loaded; escaping and contexts as jinja2's."""
from __future__ import annotations

import jinja2
import jinja2.runtime
import pytest
from markupsafe import Markup

from kbgen.jinjaenv import Environment


@pytest.mark.parametrize("source", [
    "{{ d.title }}|{{ d['title'] }}",
    "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}",  # a key named items: still the method
    "{{ d.get('title') }}|{{ d.keys() | list | length }}",
    "{{ d.nested.inner }}|{{ (d.nested.missing is defined) }}|{{ d.absent is defined }}",
    "{{ o.real }}|{{ t.count }}",  # not dicts: attributes as before
])
def test_lookups_match_jinja2(source: str) -> None:
    values = {"d": {"title": "T<", "items": "shadow", "nested": {"inner": 1}}, "o": 3, "t": (1, 2)}
    ours = Environment(autoescape=True).from_string(source).render(values)
    theirs = jinja2.Environment(autoescape=True).from_string(source).render(values)
    assert ours == theirs


def test_a_missing_key_is_strictly_undefined() -> None:
    env = Environment(undefined=jinja2.StrictUndefined)
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ d.absent }}").render(d={"title": "x"})


def test_templates_found_by_name_once_loaded_unless_they_reload(tmp_path) -> None:
    (tmp_path / "page.html").write_text("a{% include 'part.html' %}")
    (tmp_path / "part.html").write_text("b")
    loader = jinja2.FileSystemLoader(str(tmp_path))
    env = Environment(loader=loader, auto_reload=False, cache_size=0)  # no jinja2 cache at all
    first = env.get_template("page.html")
    assert env.get_template("page.html") is first and env.get_template("part.html", "page.html") is \
        env.get_template("part.html")
    (tmp_path / "part.html").write_text("c")
    assert first.render() == "ab"  # never reloaded: the theme makes a new environment instead
    live = Environment(loader=loader, auto_reload=True)
    assert live.get_template("page.html").render() == "ac"
    (tmp_path / "part.html").write_text("d")
    import os
    os.utime(tmp_path / "part.html", (1, 1))  # a new modification time: jinja2 reloads it
    assert live.get_template("page.html").render() == "ad"
    with pytest.raises(jinja2.TemplateNotFound):
        env.get_template("missing.html")
    with pytest.raises(jinja2.TemplateNotFound):
        env.get_template("missing.html")


class _Html:
    def __html__(self) -> str:
        return "<i>safe</i>"


class _Sub(str):
    pass


@pytest.mark.parametrize("value", ["plain", "<a href=\"x\">&'</a>", "", Markup("<b>m</b>"), 3, 2.5, None,
                                   _Html(), _Sub("<s>"), Markup("&amp;") + "<", ["<l>"]])
def test_escape_is_markupsafe_s(value: object) -> None:
    from markupsafe import escape

    from kbgen.jinjaenv import _escape
    ours, theirs = _escape(value), escape(value)
    assert ours == theirs and type(ours) is type(theirs) is Markup


SOURCE = """{% macro m(x) %}<{{ x }}>{% endmacro %}{{ a }}|{{ b }}|{{ m(a) }}|{% filter upper %}{{ a }}{% endfilter %}|\
{% set s %}{{ a }}{% endset %}{{ s }}|{{ n }}|{{ a ~ b }}|{% for i in range(2) %}{{ loop.index }}{{ a }}{% endfor %}|\
{% include 'part.html' %}|{{ d.k }}|{{ namespace is defined }}"""


def test_templates_render_as_jinja2_s(tmp_path) -> None:
    (tmp_path / "page.html").write_text(SOURCE)
    (tmp_path / "part.html").write_text("{{ a }}{{ b }}{{ range is defined }}")
    values = {"a": "<&'\">", "b": Markup("<b>&amp;</b>"), "n": 7, "d": {"k": "<k>"}}
    ours = Environment(loader=jinja2.FileSystemLoader(str(tmp_path)), autoescape=True, auto_reload=False)
    theirs = jinja2.Environment(loader=jinja2.FileSystemLoader(str(tmp_path)), autoescape=True)
    page = ours.get_template("page.html")
    assert page.render(values) == theirs.get_template("page.html").render(values)
    assert page.root_render_func.__globals__["escape"] is not jinja2.runtime.escape  # ours in use


def test_a_page_context_holds_the_globals_and_its_values(tmp_path) -> None:
    from collections import ChainMap

    from kbgen.jinjaenv import _flat
    env = Environment(autoescape=True)
    env.globals["g"] = "env"
    t = env.from_string("{{ g }}", globals={"own": 1})
    assert isinstance(t.globals, ChainMap) and _flat(t.globals) == dict(t.globals)
    ctx = t.new_context({"g": "page", "x": 2})
    assert ctx.parent == dict(t.globals, g="page", x=2) and ctx.globals_keys == set(t.globals)
    assert t.render(x=1) == "env" and t.render(g="<p>") == "&lt;p&gt;"
    assert _flat({"a": 1}) == {"a": 1}
    assert _flat(ChainMap({"a": 1}, {"a": 2, "b": 3})) == {"a": 1, "b": 3}


def test_calls_from_templates_as_jinja2_s() -> None:
    def plain(x: str = "d") -> str:
        return f"<{x}>"

    @jinja2.pass_context
    def ctx(context, x: str) -> str:
        return f"{context['who']}:{x}"

    @jinja2.pass_environment
    def env_of(environment, x: str) -> str:
        return f"{type(environment).__name__ != ''}:{x}"

    def stops() -> str:
        raise StopIteration

    marked = lambda x: x * 2  # noqa: E731
    marked.extra = 1  # attributes: jinja2's own path
    source = ("{{ plain() }}{{ plain('a') }}{% for i in [1] %}{{ plain(i) }}{{ ctx(i) }}{% endfor %}"
              "{{ ctx('b') }}{{ env_of('c') }}{{ marked(2) }}{{ stops() is defined }}{{ plain(x='k') }}")
    values = {"plain": plain, "ctx": ctx, "env_of": env_of, "stops": stops, "marked": marked, "who": "W"}
    ours = Environment(autoescape=True).from_string(source).render(values)
    assert ours == jinja2.Environment(autoescape=True).from_string(source).render(values)
    assert ours == "&lt;d&gt;&lt;a&gt;&lt;1&gt;W:1W:bTrue:c4False&lt;k&gt;"
