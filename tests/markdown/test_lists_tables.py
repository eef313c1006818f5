"""Our `list` and `table` block rules make markdown-it's tokens and HTML for any input.

The reference parsers have markdown-it's own `list` and `table` rules in their place (one with
kbgen's block dispatcher, one without it); ours are compared with them on thousands of random
documents: nested, loose and tight lists, lazy continuation, blank lines between items, ordered
starts and `)`, tabs, indented code and empty items, lists interrupting paragraphs, lists in
quotes and callouts; tables with escaped pipes, code spans with pipes, alignments, missing and
extra cells, ending at a blank line or at another block. A third parser has our list rule with
its fast path off, so the general path is compared on the shapes the fast path would take.
"""
from __future__ import annotations

import importlib
import random
from typing import Any, Literal

import pytest
from markdown_it import MarkdownIt
from markdown_it.rules_block.list import list_block
from markdown_it.rules_block.table import table as library_table

import kbgen.markdown as markdown
from kbgen.markdown import lists, make_parser
from kbgen.markdown.collect import ENV_KEY, Collector

Parsers = dict[str, MarkdownIt]


def _without(mp: pytest.MonkeyPatch, *names: str) -> MarkdownIt:
    for name in names:
        mp.setattr(markdown, name, lambda md, **options: None)
    try:
        return make_parser()
    finally:
        mp.undo()


@pytest.fixture(scope="module")
def parsers() -> Parsers:
    mp = pytest.MonkeyPatch()
    out = {"ours": make_parser()}
    out["reference"] = _without(mp, "lists_plugin", "tables_plugin")
    out["library"] = _without(mp, "lists_plugin", "tables_plugin", "dispatch_block")
    mp.setattr(lists, "fast_path", lambda md: None)
    try:
        out["general"] = make_parser()
    finally:
        mp.undo()
    return out


def _rule(md: MarkdownIt, name: str) -> Any:
    return next(r for r in md.block.ruler.__rules__ if r.name == name)


def test_references_have_markdown_its_rules(parsers: Parsers) -> None:
    for name in ("reference", "library"):
        assert _rule(parsers[name], "list").fn is list_block
        assert _rule(parsers[name], "table").fn is library_table
    for name in ("ours", "general"):
        assert _rule(parsers[name], "list").fn is not list_block
        assert _rule(parsers[name], "table").fn is not library_table
    assert lists.fast_path(parsers["library"]) is not None  # the fast path is on in `ours`
    for name in ("list", "table"):  # in the same chains (paragraph, blockquote, ... terminators)
        assert _rule(parsers["ours"], name).alt == _rule(parsers["library"], name).alt


def _parse(md: MarkdownIt, text: str) -> tuple[Any, ...]:
    col = Collector(path="n.md")
    tokens = md.parse(text, {ENV_KEY: col})
    html = md.renderer.render(tokens, md.options, {})
    return [t.as_dict() for t in tokens], html, (col.links, col.tags, col.blocks, col.flags, col.diagnostics)


def _assert_alike(parsers: Parsers, text: str) -> None:
    want = _parse(parsers["reference"], text)
    assert _parse(parsers["ours"], text) == want, text
    assert _parse(parsers["general"], text) == want, text
    assert _parse(parsers["library"], text) == want, text


QUOTES = ["", "", "", "", "> ", ">", "> > ", " > ", "> [!note] T\n> ", "> [!tip]- F\n> > "]
BULLETS = ["- ", "* ", "+ ", "-  ", "-   ", "-    ", "-     ", "-\t", "- \t", "-", "- [ ] ", "* [x] "]
ORDERED = ["1. ", "1) ", "2. ", "0. ", "7) ", "10. ", "123456789. ", "1234567890. ", "1.", "01. ", "3.  "]
TEXTS = [
    "item", "item [[Other]]", "word *em* **strong**", "==mark== and `code|pipe`", "", "", " ", "---",
    "***", "* * *", "- - -", "_ _ _", "-- a", "===", "x -", "# heading", "#tag", "> q", "```", "~~~",
    "$$", "%%", "<div>", "[r]: /u", "[^1]: n", "| a | b |", "|---|---|", "a | b", "    code", "\tcode",
    "1. nested", "- nested", "\\- escaped", "&amp;", "x--", "é è", "a\\", "[ ] box", "[x]", "^id",
]


PLAIN = ["item", "item [[Other]]", "word *em* and `c`", "x--", "a | b", "é", "w  ", "**bold**: text",
         "*em* x", "`code` x", "``a`` b", "[[Other]] x", "[ ] task", "[x] done", "[^1] note", "[a] b ]: c",
         "#tag word", "$x$ y", "%%c%% d", "~x~", "~~s~~", "_x_ y", "__", "+x", "2024 was", "1.5 x", "1)x"]
"""Texts no block rule but the paragraph takes: the items the fast path makes."""
BORDER = ["#", "##", "####### x", "#\tx", "$$x", "$$", "%%", "%%x", "``", "```x", "~~~ a", "[a]:b", "[a\\]: b",
          "[^x]:", "[^x]: y", "[a]\n: b", "_ _ _", "*", "* a", "+", "+ a", "1.", "1) a", "123456789. a",
          "1234567890. a", "<b>", "<div>", "> a", "-", "--", "---", "- -", "**", "***"]
"""Texts at the edge of a block rule's start (some start one, some do not)."""


def _text(rng: random.Random) -> str:
    roll = rng.random()
    return rng.choice(PLAIN if roll < 0.45 else BORDER if roll < 0.6 else TEXTS)


def _item(rng: random.Random) -> str:
    marker = rng.choice(BULLETS if rng.random() < 0.6 else ORDERED)
    return marker + _text(rng)


def _list_document(rng: random.Random) -> str:
    """Lines of list items at varying depths, with continuation, lazy and blank lines between."""
    quote = rng.choice(QUOTES)
    lines: list[str] = []
    depth_cols = [0]
    for _ in range(rng.randint(1, 16)):
        roll = rng.random()
        if roll < 0.12:
            lines.append(rng.choice(["", "  ", "\t", ">"]))
            continue
        if roll < 0.25:  # continuation: indented to some item's text, or lazy, or another block
            pad = " " * rng.choice(depth_cols + [0, 1, 4, 6])
            lines.append(pad + _text(rng))
            continue
        if roll < 0.45 and len(depth_cols) < 6:  # nest under the last item
            depth_cols.append(depth_cols[-1] + rng.choice([2, 2, 3, 4, 5]))
        elif roll < 0.6 and len(depth_cols) > 1:
            depth_cols.pop()
        pad = " " * (depth_cols[-1] + rng.choice([0, 0, 0, 1, 3]))
        if rng.random() < 0.05:
            pad = pad.replace("    ", "\t")
        lines.append(pad + _item(rng))
    prefix = quote if "\n" not in quote else quote.split("\n")[0] + "\n"
    inner = quote.split("\n")[-1]
    body = "\n".join((inner if rng.random() < 0.9 else "") + line for line in lines)
    before = rng.choice(["", "", "para\n", "para\n\n", "# h\n", "---\n", "| a | b |\n|---|---|\n"])
    after = rng.choice(["", "\n", "\n\n", "\nafter", "\n\nafter", "\n---", "\n# h", "\n> q", "\n    code"])
    return before + (prefix if "\n" in quote else "") + body + after


CELLS = ["a", "b c", "", " ", "[[Other]]", "[[x\\|y]]", "`a|b`", "`a\\|b`", "\\|", "a \\| b", "*e*",
         "**", "#tag", "$x$", "&amp;", "<b>", "é", "\\", "a\\\\|b", "—"]
ALIGNS = ["---", "-", ":--", "--:", ":-:", ":---:", " --- ", "-- -", "-:-", "::", ""]


def _row(rng: random.Random, cells: int) -> str:
    inner = " | ".join(rng.choice(CELLS) for _ in range(cells))
    return rng.choice(["| ", "|", ""]) + inner + rng.choice([" |", "|", "", " | "])


def _table_document(rng: random.Random) -> str:
    """A header, a delimiter row (right or wrong), body rows of any width, and what follows."""
    columns = rng.randint(1, 4)
    indent = rng.choice(["", "", " ", "   ", "    ", "> ", "- ", "  "])
    lines = [_row(rng, columns)]
    delimiter_columns = columns if rng.random() < 0.8 else rng.randint(1, 5)
    delimiter = "|".join(rng.choice(ALIGNS[:-1] if rng.random() < 0.9 else ALIGNS) for _ in range(delimiter_columns))
    lines.append(rng.choice(["|", "", "| "]) + delimiter + rng.choice(["|", "", " |"]))
    for _ in range(rng.randint(0, 6)):
        roll = rng.random()
        if roll < 0.08:
            lines.append(rng.choice(["", " ", "- item", "> quote", "# h", "```", "    code", "text",
                                     "|", "||", "---", "<div>", "1. x", "$$"]))
        else:
            lines.append(_row(rng, max(0, columns + rng.choice([0, 0, 0, -1, 1, 2]))))
    text = "\n".join((indent if i < 2 or rng.random() < 0.9 else "") + line for i, line in enumerate(lines))
    before = rng.choice(["", "", "para\n", "para\n\n", "- item\n", "> q\n", "# h\n"])
    return before + text + rng.choice(["", "\n", "\n\nafter", "\nafter"])


LINE_PIECES = ["- ", "* ", "1. ", "2) ", "  ", "    ", "\t", "> ", "| ", " | ", "|---|", ":-:", "---",
               "item", "[[a]]", "`c|d`", "\\|", "#", "```", "", "\n", "\n", "\n\n"]


def _soup(rng: random.Random) -> str:
    return "".join(rng.choice(LINE_PIECES) for _ in range(rng.randint(1, 30)))


@pytest.mark.parametrize("seed", range(8))
def test_random_lists_alike(parsers: Parsers, seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(250):
        _assert_alike(parsers, _list_document(rng))


@pytest.mark.parametrize("seed", range(6))
def test_random_tables_alike(parsers: Parsers, seed: int) -> None:
    rng = random.Random(100 + seed)
    for _ in range(250):
        _assert_alike(parsers, _table_document(rng))


@pytest.mark.parametrize("seed", range(4))
def test_random_line_soup_alike(parsers: Parsers, seed: int) -> None:
    rng = random.Random(200 + seed)
    for _ in range(300):
        _assert_alike(parsers, _soup(rng))


def _nested(depth: int) -> str:
    """Lists nested `depth` deep (the last at level 2 * depth - 2), their last item with a sibling:
    at markdown-it's nesting limit (kbgen's 100), an item's text is left out."""
    return "".join("  " * k + "- x\n" for k in range(depth)) + "  " * (depth - 1) + "- y\nz\n"


@pytest.mark.parametrize("text", [
    "- item [[Other]]\n" * 30, "| a | [[Other]] | b |\n|---|---|---|\n" * 10,
    "- a\n- b\n\n- c\n", "- a\n\n\n- b\n", "- a\n\n  b\n- c\n", "- a\nlazy\n- b\n", "- a\n  - b\n- c\n",
    "1. a\n2. b\n3) c\n", "2. a\n3. b\n", "para\n2. no\n", "para\n1. yes\n", "para\n-\n", "para\n- x\n",
    "- a\n---\n- b\n", "- a\n* b\n+ c\n", "- a\n- - -\n- b\n", "- a\n -\n  - b\n", "-\n\n  foo\n",
    "- \n- b\n", "-    code\n- b\n", "- a\n    - b\n", "10. a\n    11. b\n", "- a\n  ---\n",
    "- x--\n---\n", "- a\n# h\n- b\n", "- a\n> q\n", "> - a\n> - b\nc\n", "> - a\n- b\n", "> - a\n>\n> - b\n",
    "- a\n\t- b\n", "-\ta\n-\tb\n", "- a\n  \n- b\n", "- a\n\n  \n- b\n", "- a\n- b\n\n\n", "- a\n- b",
    "* a\n\n* b\n\n* c\n", "- a\n- [ ] b\n- [x] c\n", "- a\n- ```\n  code\n  ```\n- b\n",
    "a | b\n--- | ---\nc | d\n\ne | f\n", "| a |\n|---|\n| b |\n> q\n", "| a |\n|---|\n    code\n",
    "| a | b |\n|:-|-:|\n| c |\n| d | e | f |\n", "|a|\n|-|\n|\\|b|\n", "- | a |\n  |---|\n  | b |\n- c\n",
    "para\n| a |\n|---|\n", "| a |\n| --- |\n- b\n", "| a |\n|---|\n# h\n", "\\| a |\n|---|\n",
    "- " * 150 + "x\n", *(_nested(depth) for depth in (48, 49, 50, 51)),
    "[^1]: - a\n    - b\n\ntext [^1]\n", "[^1]: x\n\n    - a\n    - b\n- c\n", "> [!note] T\n> - a\n> - b\n>\n> - c\n",
    "- a\n\u00a0- b\n- \u00a0c\n- d\n", "- a\n- b\n\n   - c\n", "-  a\n - b\n- c\n  d\n",
    "- a\n" * 3 + "\n" * 3, "a\n\n| x |\n|---|\n2. b\n", "- a\n\n  | x |\n  |---|\n  2. b\n",
    *("x\n\n" + text for text in (  # (line 0 is never taken by the fast path: front matter)
        "- a\n- - - \n- b\n", "* a\n* * *\t\n* b\n", "- a\n-  -  -  \n", "+ a\n+b\n+\n+ c\n", "- a\n-\n- b\n",
        "- a\n- b\n", "1. a\n1.b\n1. c\n", "- a\n-\tb\n- c\n", "* a\n*\tb\n")),
])
def test_edge_cases_alike(parsers: Parsers, text: str) -> None:
    _assert_alike(parsers, text)


def test_autocompleted_cells_cap_alike(parsers: Parsers, monkeypatch: pytest.MonkeyPatch) -> None:
    """A table ends where it would have made too many empty cells for short rows."""
    from kbgen.markdown import tables

    library = importlib.import_module("markdown_it.rules_block.table")
    monkeypatch.setattr(library, "MAX_AUTOCOMPLETED_CELLS", 20)
    monkeypatch.setattr(tables, "MAX_AUTOCOMPLETED_CELLS", 20)
    text = "|" + "a|" * 8 + "\n|" + "-|" * 8 + "\n" + "| x |\n" * 6 + "| x | y |\n" * 3
    assert _parse(parsers["ours"], text)[1].count("<tr>") == 3  # the header, 2 rows (7 + 7 empty cells)
    _assert_alike(parsers, text)


def test_task_list_option_alike() -> None:
    """markdown-it's `tasklists` option (kbgen leaves it off) marks items the same way."""
    mp = pytest.MonkeyPatch()
    ours, reference = make_parser(), _without(mp, "lists_plugin", "tables_plugin")
    for md in (ours, reference):
        md.options["tasklists"] = True
    rng = random.Random(7)
    for text in ["- [ ] a\n- [x] b\n- c\n", "1. [X] a\n2. [ ]\n", "- [ ]\tb\n  - [x] c\n", "-     [ ] code\n"]:
        assert _parse(ours, text) == _parse(reference, text), text
    for _ in range(200):
        text = _list_document(rng)
        assert _parse(ours, text) == _parse(reference, text), text


@pytest.mark.parametrize("kind, tag, nesting", [("td_open", "td", 1), ("inline", "", 0), ("li", "li", -1)])
def test_block_token_is_what_push_makes(kind: str, tag: str, nesting: Literal[-1, 0, 1]) -> None:
    """Both ways tokens.block_token can be made (slots set one by one, or the constructor should
    Token change) give StateBlock.push()'s token."""
    from markdown_it.rules_block import StateBlock

    from kbgen.markdown import tokens

    state = StateBlock("x\n", make_parser(), {}, [])
    state.level = 3 if nesting >= 0 else 4
    pushed = state.push(kind, tag, nesting)
    assert tokens.block_token is tokens._block
    for make in (tokens._block, tokens._constructed_block):
        token = make(kind, tag, nesting, pushed.level)
        assert token == pushed and token.attrs is not pushed.attrs and token.meta is not pushed.meta


def test_fast_path_sees_every_block_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """lists_plugin decides its fast path from the block rules it finds: none may come after it."""
    seen: dict[str, list[str]] = {}
    fast_path, dispatch_block = lists.fast_path, markdown.dispatch_block

    def spy_fast_path(md: MarkdownIt) -> Any:
        seen["lists"] = [r.name for r in md.block.ruler.__rules__ if r.enabled]
        return fast_path(md)

    def spy_dispatch(md: MarkdownIt) -> None:
        seen["dispatch"] = [r.name for r in md.block.ruler.__rules__ if r.enabled]
        dispatch_block(md)

    monkeypatch.setattr(lists, "fast_path", spy_fast_path)
    monkeypatch.setattr(markdown, "dispatch_block", spy_dispatch)
    make_parser()
    assert seen["lists"] == seen["dispatch"] and "list" in seen["lists"]
