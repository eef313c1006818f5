"""`==highlight==` → `<mark>`, with strikethrough's flanking rules."""
from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from kbgen.markdown import make_parser
from kbgen.markdown.highlight import highlight_plugin

MD = make_parser()


@pytest.mark.parametrize("md,html", [
    ("==Highlighted text==", "<p><mark>Highlighted text</mark></p>\n"),
    ("a ==b== c ==d==", "<p>a <mark>b</mark> c <mark>d</mark></p>\n"),
    ("**==bold and marked==**", "<p><strong><mark>bold and marked</mark></strong></p>\n"),
    ("==**bold** inside==", "<p><mark><strong>bold</strong> inside</mark></p>\n"),
    ("==*a* and ~~b~~==", "<p><mark><em>a</em> and <s>b</s></mark></p>\n"),
    ("==a ==b== c==", "<p><mark>a <mark>b</mark> c</mark></p>\n"),
    ("`==code==`", "<p><code>==code==</code></p>\n"),
    ("a == b", "<p>a == b</p>\n"),
    ("x == y == z", "<p>x == y == z</p>\n"),
    ("==unclosed", "<p>==unclosed</p>\n"),
    ("=single=", "<p>=single=</p>\n"),
    ("\\==escaped==", "<p>==escaped==</p>\n"),
    ("===three===", "<p>=<mark>three</mark>=</p>\n"),
    ("==a\nb==", "<p><mark>a<br />\nb</mark></p>\n"),
    ("[==in link==](https://x.org)", None),
])
def test_highlight(md: str, html: str | None) -> None:
    out = MD.render(md)
    if html is None:
        assert "<mark>in link</mark></a>" in out
    else:
        assert out == html


def test_setext_heading_underline_is_not_a_mark() -> None:
    assert MD.render("Title\n==") == "<h1>Title</h1>\n"


def test_plugin_alone() -> None:
    md = MarkdownIt("commonmark").use(highlight_plugin)
    assert md.render("==x== *y*") == "<p><mark>x</mark> <em>y</em></p>\n"
