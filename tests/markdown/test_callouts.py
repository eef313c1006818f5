"""Callouts: every type and alias, titles, folding, nesting, content, and the DOM they render."""
from __future__ import annotations

import re

import pytest
from markdown_it import MarkdownIt

from kbgen.markdown import make_parser
from kbgen.markdown.callouts import CALLOUT_TYPES, callouts_plugin, icon
from kbgen.markdown.collect import Collector

MD = make_parser()


def render(text: str) -> str:
    env = {"kbgen": Collector(path="note.md")}
    return MD.renderer.render(MD.parse(text, env), MD.options, env)


def strip_svg(html: str) -> str:
    return re.sub(r"<svg.*?</svg>", "SVG", html)


def test_full_dom_of_a_plain_callout() -> None:
    assert strip_svg(render("> [!tip] Title\n> Body")) == (
        '<div class="callout" data-callout="tip">\n'
        '<div class="callout-title"><div class="callout-icon" aria-hidden="true">SVG</div>'
        '<div class="callout-title-inner">Title</div></div>\n'
        '<div class="callout-content">\n<p>Body</p>\n</div>\n</div>\n'
    )


@pytest.mark.parametrize("alias,kind", sorted(CALLOUT_TYPES.items()))
def test_every_type_and_alias(alias: str, kind: str) -> None:
    html = render(f"> [!{alias}]\n> body")
    assert f'data-callout="{alias}"' in html
    assert icon(kind) in html
    assert f'<div class="callout-title-inner">{alias.capitalize()}</div>' in html
    assert "<blockquote>" not in html and "[!" not in html


@pytest.mark.parametrize("md,kind,title", [
    ("> [!TIP]\n> x", "tip", "Tip"),                 # case-insensitive, title from the type
    ("> [!faq]\n> x", "faq", "Faq"),
    ("> [!Calendar]+ MONTH\n> x", "calendar", "MONTH"),
    ("> [!NOTE]", "note", "Note"),                    # GitHub alert = callout
    (" > [!info] Leading space\n> x", "info", "Leading space"),
    (">   [!info]   Spaces   \n> x", "info", "Spaces"),
])
def test_type_and_title(md: str, kind: str, title: str) -> None:
    html = render(md)
    assert f'data-callout="{kind}"' in html
    assert f'<div class="callout-title-inner">{title}</div>' in html


def test_unknown_type_keeps_its_name_and_looks_like_note() -> None:
    html = render("> [!Compatibility] Works on\n> all platforms")
    assert 'data-callout="compatibility"' in html
    assert icon("note") in html
    assert '<div class="callout-title-inner">Works on</div>' in html


def test_title_is_inline_markdown() -> None:
    html = render("> [!tip] A **bold** `code` [[Note|link]] #tag\n> body")
    inner = re.search(r'<div class="callout-title-inner">(.*?)</div>', html).group(1)  # type: ignore[union-attr]
    assert inner.startswith("A <strong>bold</strong> <code>code</code> ")
    assert ">link</a>" in inner and 'class="tag"' in inner


def test_default_title_is_not_markdown() -> None:
    html = render("> [!my_type_]\n> x")
    assert '<div class="callout-title-inner">My_type_</div>' in html


def test_title_only_callout_has_no_content_div() -> None:
    html = strip_svg(render("> [!warning] Careful"))
    assert html == ('<div class="callout" data-callout="warning">\n<div class="callout-title">'
                    '<div class="callout-icon" aria-hidden="true">SVG</div>'
                    '<div class="callout-title-inner">Careful</div></div>\n</div>\n')


@pytest.mark.parametrize("fold,extra", [("+", " open"), ("-", "")])
def test_foldable_callouts_are_details(fold: str, extra: str) -> None:
    html = strip_svg(render(f"> [!faq]{fold} Why?\n> Because."))
    collapsed = " is-collapsed" if fold == "-" else ""
    assert html.startswith(
        f'<details class="callout is-collapsible{collapsed}" data-callout="faq" '
        f'data-callout-fold="{fold}"{extra}>\n<summary class="callout-title">'
        '<div class="callout-icon" aria-hidden="true">SVG</div>'
        '<div class="callout-title-inner">Why?</div></summary>\n'
        '<div class="callout-content">\n<p>Because.</p>\n</div>\n</details>')


def test_metadata() -> None:
    html = render("> [!note|wide]- Title\n> x")
    assert 'data-callout="note"' in html and 'data-callout-metadata="wide"' in html
    assert "is-collapsed" in html


@pytest.mark.parametrize("md", [
    "> [!note] Outer\n> > [!tip] Inner\n> > text",
    "> [!note] Outer\n>> [!tip] Inner\n>> text",
])
def test_nested_callouts(md: str) -> None:
    html = render(md)
    assert html.index('data-callout="note"') < html.index('data-callout="tip"')
    assert html.count('<div class="callout-content">') == 2
    assert html.count('class="callout"') == 2 and "<blockquote>" not in html


def test_three_levels_as_obsidian_writes_them() -> None:
    md = (" > [!Calendar]+ MONTH\n >> [!Check]+ GROUP\n >>> [!Attention]+ Correction TITLE\n"
          " >>> Some stuff goes here\n >>> - [ ] #task Correction1\n")
    html = render(md)
    for kind in ("calendar", "check", "attention"):
        assert f'data-callout="{kind}"' in html
    assert html.count("<details") == 3 and 'class="task-list-item"' in html


def test_any_block_content() -> None:
    md = "> [!example] Demo\n> - one\n> - two\n>\n> ```python\n> x = 1\n> ```\n>\n> | a | b |\n> |---|---|\n> | 1 | 2 |"
    html = render(md)
    content = html[html.index('<div class="callout-content">'):]
    assert "<ul>" in content and '<code class="language-python">' in content and "<table>" in content


def test_body_right_after_title_line() -> None:
    html = render("> [!info] Title\n> line one\n> line two\n>\n> para two")
    assert "<p>line one<br />\nline two</p>" in html and "<p>para two</p>" in html


@pytest.mark.parametrize("md", [
    "> just a quote",
    "> text [!note] later",
    "> [!note\n> x",
    "> [!] empty",
    "> - [!note] in a list",
    "[!note] not in a quote",
])
def test_not_callouts(md: str) -> None:
    assert 'class="callout' not in render(md)


def test_token_meta_marks_callouts() -> None:
    tokens = MD.parse("> [!Bug] x\n> y\n\n> plain", {})
    quotes = [t for t in tokens if t.type == "blockquote_open"]
    assert quotes[0].meta["callout"] == "bug" and "callout" not in quotes[1].meta


def test_callout_in_a_list_item() -> None:
    html = render("- item\n  > [!tip] In list\n  > body")
    assert "<li>" in html and 'data-callout="tip"' in html


def test_lazy_block_id_line_names_the_callout() -> None:
    env = {"kbgen": Collector(path="note.md")}
    md = "> [!note] Title\n> body\n^callout-id\n\nafter"
    html = MD.renderer.render(MD.parse(md, env), MD.options, env)
    assert html.startswith('<div class="callout" id="^callout-id" data-callout="note">')
    assert "^callout-id" not in html.replace('id="^callout-id"', "")
    assert "<p>body</p>" in html and "<p>after</p>" in html
    assert env["kbgen"].blocks == {"callout-id": 1}


def test_plugin_alone_on_plain_markdown_it() -> None:
    md = MarkdownIt("commonmark").use(callouts_plugin)
    html = md.render("> [!todo] Later\n> - a")
    assert 'data-callout="todo"' in html and "<li>a</li>" in html
