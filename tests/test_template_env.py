"""The theme's jinja environment (render._Environment): `x.name` on a dict finds what jinja2's
own lookup finds — the dict's methods first, then its keys, else undefined."""
from __future__ import annotations

import jinja2
import pytest

from kbgen.render import _Environment


@pytest.mark.parametrize("source", [
    "{{ d.title }}|{{ d['title'] }}",
    "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}",  # a key named items: still the method
    "{{ d.get('title') }}|{{ d.keys() | list | length }}",
    "{{ d.nested.inner }}|{{ (d.nested.missing is defined) }}|{{ d.absent is defined }}",
    "{{ o.real }}|{{ t.count }}",  # not dicts: attributes as before
])
def test_lookups_match_jinja2(source: str) -> None:
    values = {"d": {"title": "T<", "items": "shadow", "nested": {"inner": 1}}, "o": 3, "t": (1, 2)}
    ours = _Environment(autoescape=True).from_string(source).render(values)
    theirs = jinja2.Environment(autoescape=True).from_string(source).render(values)
    assert ours == theirs


def test_a_missing_key_is_strictly_undefined() -> None:
    env = _Environment(undefined=jinja2.StrictUndefined)
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ d.absent }}").render(d={"title": "x"})


def test_templates_found_by_name_once_loaded_unless_they_reload(tmp_path) -> None:
    (tmp_path / "page.html").write_text("a{% include 'part.html' %}")
    (tmp_path / "part.html").write_text("b")
    loader = jinja2.FileSystemLoader(str(tmp_path))
    env = _Environment(loader=loader, auto_reload=False, cache_size=0)  # no jinja2 cache at all
    first = env.get_template("page.html")
    assert env.get_template("page.html") is first and env.get_template("part.html", "page.html") is \
        env.get_template("part.html")
    (tmp_path / "part.html").write_text("c")
    assert first.render() == "ab"  # never reloaded: the theme makes a new environment instead
    live = _Environment(loader=loader, auto_reload=True)
    assert live.get_template("page.html").render() == "ac"
    (tmp_path / "part.html").write_text("d")
    import os
    os.utime(tmp_path / "part.html", (1, 1))  # a new modification time: jinja2 reloads it
    assert live.get_template("page.html").render() == "ad"
    with pytest.raises(jinja2.TemplateNotFound):
        env.get_template("missing.html")
    with pytest.raises(jinja2.TemplateNotFound):
        env.get_template("missing.html")
