"""Task list items with any status character."""
from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from kbgen.markdown import make_parser
from kbgen.markdown.tasks import tasks_plugin

MD = make_parser()
BOX = '<input type="checkbox" class="task-list-item-checkbox" disabled'


@pytest.mark.parametrize("char,data,checked", [
    (" ", "", False), ("x", "x", True), ("X", "X", True), ("/", "/", True), ("-", "-", True),
    ("?", "?", True), (">", "&gt;", True), ("!", "!", True), ("*", "*", True), ("<", "&lt;", True),
    ("é", "é", True),
])
def test_status_characters(char: str, data: str, checked: bool) -> None:
    html = MD.render(f"- [{char}] do it")
    cls = "task-list-item is-checked" if checked else "task-list-item"
    box = BOX + (" checked>" if checked else ">")
    assert html == (f'<ul class="contains-task-list">\n<li class="{cls}" data-task="{data}">'
                    f"{box}do it</li>\n</ul>\n")


@pytest.mark.parametrize("md,count", [
    ("- [ ] a\n- [x] b\n- plain", 2),
    ("1. [ ] one\n2) [x] two", 2),
    ("* [ ] star\n+ [x] plus", 2),
    ("- [x]", 1),                           # empty task
    ("- [ ]\ttab", 1),
    ("- [x]no space", 0),
    ("- [xx] two chars", 0),
    ("- [] empty", 0),
    ("- [[link]] no", 0),
    ("- [x](https://x.org) link", 0),
    ("[x] not in a list", 0),
    ("- text [x] later", 0),
    ("- `[x]` code", 0),
])
def test_which_items_are_tasks(md: str, count: int) -> None:
    assert MD.render(md).count(BOX) == count


def test_rest_of_the_item_is_normal_markdown() -> None:
    html = MD.render("- [x] **bold** [[Note]] #tag\n  - [/] child")
    assert "<strong>bold</strong>" in html and ">Note</a>" in html and 'class="tag"' in html
    assert html.count(BOX) == 2
    assert 'data-task="/"' in html and "[x]" not in html and "[/]" not in html


def test_loose_list_keeps_checkbox_in_paragraph() -> None:
    html = MD.render("- [x] a\n\n- [ ] b")
    assert f"<p>{BOX} checked>a</p>" in html


def test_ordered_list_and_nesting_mark_their_own_list() -> None:
    html = MD.render("1. [x] a\n   - b\n   - [ ] c")
    assert '<ol class="contains-task-list">' in html and '<ul class="contains-task-list">' in html


def test_token_meta() -> None:
    tokens = MD.parse("- [?] q", {})
    item = next(t for t in tokens if t.type == "list_item_open")
    assert item.meta["task"] == "?" and item.attrGet("data-task") == "?"


def test_plugin_alone() -> None:
    md = MarkdownIt("commonmark").use(tasks_plugin)
    assert 'data-task="-"' in md.render("- [-] cancelled")


def test_random_items_as_with_any_box_in_the_note(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pretest (a `[c]` followed by white space or the end, somewhere in the note) skips only
    notes without a task: the same tokens as with the pretest that only looked for `[c]`."""
    import random
    import re

    from kbgen.markdown import tasks

    pieces = ["- ", "* ", "1. ", "> - ", "  - ", "-\n  ", "[x]", "[ ]", "[[a]]", "[a]", "[/]", " ", "\t", "\xa0",
              "\f", "\v", "\r", "\n", "\n\n", "text", "%%c%%", "`[x]`", "\\[x]", "]", "[", "x"]
    rng = random.Random(6)
    md = make_parser()
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 10))) for _ in range(3000)]
    ours = [[t.as_dict() for t in md.parse(text, {})] for text in texts]
    monkeypatch.setattr(tasks, "_BOX", re.compile(r"\[[^\n]\]"))
    assert sum(tasks._BOX.search(text) is not None and re.search(r"\[[^\n]\](?!\S)", text) is None
               for text in texts) > 300  # (notes the new pretest skips)
    for text, tokens in zip(texts, ours):
        assert [t.as_dict() for t in md.parse(text, {})] == tokens, repr(text)
