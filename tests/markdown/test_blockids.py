"""Block ids `^id`: which block gets the anchor, the hidden marker, collected lines, duplicates."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from kbgen.markdown import make_parser
from kbgen.markdown.blockids import blockids_plugin
from kbgen.markdown.collect import Collector

MD = make_parser()
CAPTURED = Path(__file__).resolve().parents[3] / "shared/conformance/obsidian-tasks-captured"


def parse(text: str) -> tuple[str, Collector]:
    env = {"kbgen": Collector(path="note.md")}
    html = MD.renderer.render(MD.parse(text, env), MD.options, env)
    return html, env["kbgen"]


# (markdown, expected HTML, expected collector.blocks)
CASES = [
    ("A paragraph. ^37066d", '<p id="^37066d">A paragraph.</p>\n', {"37066d": 1}),
    ("Line one\nline two ^two-lines", '<p id="^two-lines">Line one<br />\nline two</p>\n',
     {"two-lines": 1}),
    ("Own line\n^own", '<p id="^own">Own line</p>\n', {"own": 1}),
    ("With_underscore ^a_b-C9", '<p id="^a_b-C9">With_underscore</p>\n', {"a_b-C9": 1}),
    ("**bold** [[Note]] ^after-link", None, {"after-link": 1}),
    ("- item ^item1\n- other", '<ul>\n<li id="^item1">item</li>\n<li>other</li>\n</ul>\n',
     {"item1": 1}),
    ("- parent ^p\n  - child ^c", '<ul>\n<li id="^p">parent\n<ul>\n<li id="^c">child</li>\n'
     "</ul>\n</li>\n</ul>\n", {"p": 1, "c": 2}),
    ("1. one\n2. two ^n2", '<ol>\n<li>one</li>\n<li id="^n2">two</li>\n</ol>\n', {"n2": 2}),
    # a lone `^id` after a structured block names that block
    ("- a\n- b\n\n^list-id", '<ul id="^list-id">\n<li>a</li>\n<li>b</li>\n</ul>\n', {"list-id": 1}),
    ("1. a\n\n^ol", '<ol id="^ol">\n<li>a</li>\n</ol>\n', {"ol": 1}),
    ("> quote\n\n^quote-id", '<blockquote id="^quote-id">\n<p>quote</p>\n</blockquote>\n',
     {"quote-id": 1}),
    ("| a |\n|---|\n| 1 |\n\n^table-id", '<table id="^table-id">\n<thead>\n<tr>\n<th>a</th>\n'
     "</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n</tr>\n</tbody>\n</table>\n", {"table-id": 1}),
    # no blank line after a table: the `^id` row is not a row
    ("| a |\n|---|\n| 1 |\n^tid", '<table id="^tid">\n<thead>\n<tr>\n<th>a</th>\n</tr>\n</thead>\n'
     "<tbody>\n<tr>\n<td>1</td>\n</tr>\n</tbody>\n</table>\n", {"tid": 1}),
    ("| a | b |\n|---|---|\n^only", '<table id="^only">\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n'
     "</tr>\n</thead>\n</table>\n", {"only": 1}),
    ("para\n\n^pid", '<p id="^pid">para</p>\n', {"pid": 1}),
    ("# Head\n\n^hid", '<h1 id="^hid">Head</h1>\n', {"hid": 1}),
    ("---\n\n^rule", '<hr id="^rule" />\n', {"rule": 1}),
    ("^first", '<p id="^first"></p>\n', {"first": 1}),
    # quotes and callouts: the last line names the whole quote
    ("> quote ^q", '<blockquote id="^q">\n<p>quote</p>\n</blockquote>\n', {"q": 1}),
    ("> a ^mid\n>\n> b", '<blockquote>\n<p id="^mid">a</p>\n<p>b</p>\n</blockquote>\n', {"mid": 1}),
    ("> quote\n^lazy", '<blockquote id="^lazy">\n<p>quote</p>\n</blockquote>\n', {"lazy": 1}),
    ("- item\n  > q\n\n  ^in-item", '<ul>\n<li>\n<p>item</p>\n<blockquote id="^in-item">\n'
     "<p>q</p>\n</blockquote>\n</li>\n</ul>\n", {"in-item": 2}),
    # not block ids
    ("a^b", "<p>a^b</p>\n", {}),
    ("text ^has space", "<p>text ^has space</p>\n", {}),
    ("text ^bad!", "<p>text ^bad!</p>\n", {}),
    ("text ^id more", "<p>text ^id more</p>\n", {}),
    ("`code ^x`", "<p><code>code ^x</code></p>\n", {}),
    ("```\ncode ^x\n```", '<pre class="highlight"><code>code ^x\n</code></pre>\n', {}),
    ("foot^[inline note]", None, {}),
]


@pytest.mark.parametrize("md,html,blocks", CASES)
def test_block_ids(md: str, html: str | None, blocks: dict[str, int]) -> None:
    out, col = parse(md)
    if html is not None:
        assert out == html
    for ident in blocks:
        assert f'id="^{ident}"' in out
        assert f"^{ident}<" not in out and f"^{ident}\n" not in out
    assert col.blocks == blocks


def test_block_id_on_a_fence() -> None:
    html, col = parse("```python\nx = 1\n```\n^code-id")
    assert html.startswith('<pre class="highlight" id="^code-id"><code class="language-python">')
    assert col.blocks == {"code-id": 1}


def test_task_item() -> None:
    out, col = parse("- [x] done ^t1\n- [ ] open")
    assert '<li class="task-list-item is-checked" data-task="x" id="^t1">' in out
    assert "^t1<" not in out and col.blocks == {"t1": 1}


def test_callouts() -> None:
    for md, line in [
        ("> [!note] Title\n> body\n\n^cid-x", 1),
        ("> [!note] Title\n> body ^cid-x", 1),
        ("> [!note] Title\n> body\n^cid-x", 1),             # lazy line: the help vault's quirk
        ("> [!note] Title only ^cid-x", 1),
        ("> [!note] Title only\n^cid-x", 1),
        ("text\n\n> [!tip]- Folded\n> - a\n> - b\n^cid-x", 3),  # lazy after a list in a callout
    ]:
        out, col = parse(md)
        assert 'id="^cid-x" data-callout=' in out, md
        assert out.count("cid-x") == 1, md
        assert col.blocks == {"cid-x": line}, md


def test_nested_callout_own_line_names_the_outer_callout() -> None:
    out, _ = parse("> [!a]\n> > [!b]\n> > inner\n^outer")
    assert '<div class="callout" id="^outer" data-callout="a">' in out


def test_nested_callout_last_line_names_the_inner_callout() -> None:
    out, _ = parse("> [!a]\n> > [!b]\n> > inner ^inner")
    assert '<div class="callout" id="^inner" data-callout="b">' in out


def test_token_attrs_and_meta() -> None:
    tokens = MD.parse("- a ^x\n\n^y", {})
    item = next(t for t in tokens if t.type == "list_item_open")
    lst = tokens[0]
    assert item.attrGet("id") == "^x" and item.meta["block_id"] == "x"
    assert lst.attrGet("id") == "^y" and lst.meta["block_id"] == "y"
    assert all(t.content != "^y" for t in tokens)


def test_inline_content_loses_the_marker() -> None:
    tokens = MD.parse("text ^abc", {})
    assert tokens[1].content == "text"


def test_duplicates_first_wins_and_is_reported() -> None:
    out, col = parse("one ^dup\n\ntwo ^dup\n\n- three\n\n^dup")
    assert out.count('id="^dup"') == 1 and '<p id="^dup">one</p>' in out
    assert "^dup" not in out.replace('id="^dup"', "")
    assert col.blocks == {"dup": 1}
    assert [(d.line, d.code) for d in col.diagnostics] == [(3, "duplicate-block"),
                                                          (7, "duplicate-block")]


def test_lines_count_front_matter() -> None:
    _, col = parse("---\na: 1\n---\ntext\nmore ^x")
    assert col.blocks == {"x": 4}


def test_in_a_comment_nothing_is_collected() -> None:
    _, col = parse("%%\ntext ^hidden\n%%\n\nshown ^shown")
    assert col.blocks == {"shown": 5}


def test_plugin_alone_without_collector() -> None:
    md = MarkdownIt("commonmark").use(blockids_plugin)
    assert md.render("a ^b") == '<p id="^b">a</p>\n'


@pytest.mark.skipif(not CAPTURED.exists(),
                    reason=f"{CAPTURED} is absent (../shared is not beside this checkout)")
def test_blocks_match_real_obsidian() -> None:
    checked = 0
    for path in sorted(CAPTURED.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        expected = {k: v["position"]["start"]["line"] + 1
                    for k, v in (data["cachedMetadata"].get("blocks") or {}).items()}
        _, col = parse(data["fileContents"])
        assert col.blocks == expected, path.name
        checked += bool(expected)
    assert checked >= 1
