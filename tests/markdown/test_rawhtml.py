"""Raw HTML: sanitized by default, unbalanced fragments kept balanced, trusted on request."""
from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from kbgen.markdown import ParseOptions, make_parser
from kbgen.markdown.rawhtml import clean, rawhtml_plugin

MD = make_parser()


@pytest.mark.parametrize("md,html", [
    # removed: scripts, handlers, javascript: URLs, styles, comments
    ("<script>alert(1)</script>", ""),
    ("<div onclick=\"alert(1)\" class=\"box\">x</div>", '<div class="box">x</div>\n'),
    ('<a href="javascript:alert(1)">x</a>', "<p><a>x</a></p>\n"),
    ('<a href="JaVaScRiPt:alert(1)">x</a>', "<p><a>x</a></p>\n"),
    ('<img src="x.png" onerror="alert(1)">', '<img src="x.png">\n'),
    ('An <img src="javascript:alert(1)"> image', "<p>An <img> image</p>\n"),
    ('<span style="color:red">x</span>', "<p><span>x</span></p>\n"),
    ("<!-- a comment -->", ""),
    ("a <!-- hidden --> b", "<p>a  b</p>\n"),
    ('<form action="/x"><input name="q"></form>', ""),
    ("<style>body{display:none}</style>", ""),
    # kept
    ('<iframe src="https://www.youtube.com/embed/x" width="560" allowfullscreen></iframe>',
     '<iframe src="https://www.youtube.com/embed/x" width="560" allowfullscreen=""></iframe>\n'),
    ("Press <kbd>Ctrl</kbd> + <kbd>C</kbd>", "<p>Press <kbd>Ctrl</kbd> + <kbd>C</kbd></p>\n"),
    ("<u>under</u> <s>strike</s> H<sub>2</sub>O x<sup>2</sup> <mark>m</mark>",
     "<p><u>under</u> <s>strike</s> H<sub>2</sub>O x<sup>2</sup> <mark>m</mark></p>\n"),
    ('<span class="c" id="i" title="t">x</span>', '<p><span class="c" id="i" title="t">x</span></p>\n'),
    ('<font color="red">x</font>', '<p><font color="red">x</font></p>\n'),
    ("<center>c</center>", "<center>c</center>\n"),
    ("line<br>break", "<p>line<br>break</p>\n"),
    ('<a href="https://x.org">x</a> <a href="mailto:a@b.c">m</a> <a href="Note.md">n</a>',
     '<p><a href="https://x.org">x</a> <a href="mailto:a@b.c">m</a> <a href="Note.md">n</a></p>\n'),
    ("<table><tr><td colspan=\"2\">x</td></tr></table>",
     '<table><tbody><tr><td colspan="2">x</td></tr></tbody></table>\n'),
    ('<details open><summary>More</summary>hidden</details>',
     '<details open=""><summary>More</summary>hidden</details>\n'),
])
def test_sanitize(md: str, html: str) -> None:
    assert MD.render(md) == html


@pytest.mark.parametrize("src", [
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe src="/local/page.html"></iframe>',
    '<iframe src="data:text/html,<script>x</script>"></iframe>',
])
def test_iframe_needs_a_web_url(src: str) -> None:
    assert clean(src) == "<iframe></iframe>"


def test_details_around_markdown_stays_open_until_its_closing_tag() -> None:
    html = MD.render("<details>\n<summary>Title</summary>\n\nSome **markdown**\n\n</details>")
    assert html == ("<details>\n<summary>Title</summary>\n<p>Some <strong>markdown</strong></p>\n"
                    "</details>\n")


def test_markdown_inside_an_html_block_stays_literal() -> None:
    assert MD.render("<div>\nThis **will not** be bold.\n</div>") == \
        "<div>\nThis **will not** be bold.\n</div>\n"


def test_inline_tags_arrive_one_at_a_time() -> None:
    assert MD.render("a <u>b *c*</u> d") == "<p>a <u>b <em>c</em></u> d</p>\n"
    assert MD.render("a </u> b") == "<p>a </u> b</p>\n"          # an allowed closer passes
    assert MD.render("a </script> b") == "<p>a  b</p>\n"         # a forbidden one does not
    assert MD.render("a <span onclick='x'>b</span>") == "<p>a <span>b</span></p>\n"


@pytest.mark.parametrize("fragment,out", [
    ("<div>", "<div>"),
    ("<div>\n<b>x</b>\n", "<div>\n<b>x</b>\n"),
    ("</div>", "</div>"),
    ("</div>\n<div>", "</div>\n<div>"),
    ("</div></script>", "</div>"),
    ("<div><script>x</script>", "<div>"),
    ("<p>done</p>", "<p>done</p>"),
    ("<table><tr><td>x", "<table><tbody><tr><td>x"),
    ("<table><tr><td>x</td></tr></table>", "<table><tbody><tr><td>x</td></tr></tbody></table>"),
    ("<div><form>", "<div>"),
    ("<form><div>", "<div>"),
    ("<div><!-- <span> -->", "<div>"),
    ("<ul>\n<li>a</li>\n", "<ul>\n<li>a</li>\n"),
])
def test_unbalanced_fragments(fragment: str, out: str) -> None:
    assert clean(fragment) == out


def test_trust_html_passes_everything() -> None:
    md = make_parser(ParseOptions(trust_html=True))
    raw = '<script>alert(1)</script>\n<div onclick="x">y</div>\n'
    assert md.render(raw) == raw
    assert md.render("a <b onclick='x'>b</b>") == "<p>a <b onclick='x'>b</b></p>\n"


def test_plugin_alone() -> None:
    md = MarkdownIt("commonmark").use(rawhtml_plugin)
    assert md.render("<script>x</script>\n\n<b>ok</b>") == "<p><b>ok</b></p>\n"
