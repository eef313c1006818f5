"""Code blocks: Pygments classes, plain fallbacks, plugin fences, Mermaid, and the stylesheet."""
from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from kbgen.markdown import make_parser
from kbgen.markdown.code import code_plugin, pygments_css
from kbgen.markdown.collect import Collector

MD = make_parser()


def parse(text: str) -> tuple[str, Collector]:
    env = {"kbgen": Collector(path="note.md")}
    html = MD.renderer.render(MD.parse(text, env), MD.options, env)
    return html, env["kbgen"]


def test_known_language_is_highlighted_with_classes() -> None:
    html, col = parse("```python\nif x:\n    print('<hi>')\n```")
    assert html == (
        '<pre class="highlight"><code class="language-python"><span class="k">if</span> '
        '<span class="n">x</span><span class="p">:</span>\n    <span class="nb">print</span>'
        '<span class="p">(</span><span class="s1">\'&lt;hi&gt;\'</span>'
        '<span class="p">)</span>\n</code></pre>\n')
    assert "style=" not in html and col.flags == {"lang:python"}  # no math or mermaid


@pytest.mark.parametrize("md,html", [
    ("```nosuchlang\n<b>&\n```", '<pre class="highlight"><code class="language-nosuchlang">&lt;b&gt;&amp;\n</code></pre>\n'),
    ("```\n<b>\n```", '<pre class="highlight"><code>&lt;b&gt;\n</code></pre>\n'),
    ("    indented <b>", '<pre class="highlight"><code>indented &lt;b&gt;\n</code></pre>\n'),
    ("~~~js title=\"x\"\n~~~", '<pre class="highlight"><code class="language-js"></code></pre>\n'),
    ('```"><script>\nx\n```', None),
])
def test_plain_and_odd_fences(md: str, html: str | None) -> None:
    out, _ = parse(md)
    if html is None:
        assert "<script>" not in out
    else:
        assert out == html


@pytest.mark.parametrize("lang", ["query", "dataview", "dataviewjs", "tasks", "base", "TASKS"])
def test_obsidian_plugin_fences_are_plain_code(lang: str) -> None:
    html, _ = parse(f"```{lang}\nnot done\npath includes {{{{query.file.path}}}}\n```")
    assert html == (f'<pre class="highlight"><code class="language-{lang}">not done\n'
                    "path includes {{query.file.path}}\n</code></pre>\n")


def test_mermaid() -> None:
    html, col = parse("```mermaid\ngraph TD\n  A-->B & C<D\n```")
    assert html == '<pre class="mermaid">graph TD\n  A--&gt;B &amp; C&lt;D\n</pre>\n'
    assert col.flags == {"mermaid"}


def test_mermaid_flag_is_set_at_parse_time() -> None:
    env = {"kbgen": Collector(path="note.md")}
    tokens = MD.parse("> ```mermaid\n> graph LR\n> ```", env)
    assert env["kbgen"].flags == {"mermaid"}
    assert any(t.meta.get("mermaid") for t in tokens if t.type == "fence")


def test_pygments_css_has_light_and_dark() -> None:
    css = pygments_css()
    assert ".highlight .k {" in css
    assert '[data-theme="dark"] .highlight .k {' in css
    assert "@media (prefers-color-scheme: dark)" in css
    assert ':root:not([data-theme="light"]) .highlight .k {' in css
    # Every rule is scoped: nothing styles `pre` or the page outside code blocks.
    for line in css.splitlines():
        if "{" in line and not line.startswith(("/*", "@media")):
            assert ".highlight" in line, line


def test_plugin_alone() -> None:
    md = MarkdownIt("commonmark").use(code_plugin)
    assert md.render("```mermaid\na\n```") == '<pre class="mermaid">a\n</pre>\n'


def test_a_note_lists_its_code_languages_and_serve_readies_their_highlighters(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from kbgen.build import Builder
    from kbgen.markdown.code import _lexer
    from kbgen.parse import parse_note
    src = b"```rust\nfn main() {}\n```\n\n```mermaid\ngraph TD\n```\n\n```\nplain\n```\n"
    assert parse_note("a.md", src, make_parser()).languages == ("rust",)
    (tmp_path / "v").mkdir()
    (tmp_path / "v" / "A.md").write_bytes(src)
    _lexer.cache_clear()
    Builder(tmp_path / "v", tmp_path / "site", quiet=True, search=False, keep_state=True).build()
    assert _lexer.cache_info().currsize >= 1 and _lexer("rust") is not None
    hits = _lexer.cache_info().hits
    _lexer("rust")
    assert _lexer.cache_info().hits == hits + 1  # built at start, not at the first edit
