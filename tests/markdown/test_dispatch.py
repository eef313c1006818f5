"""Dispatching inline and block rules by character (and the link pretest) changes no output."""
from __future__ import annotations

import pytest

from kbgen.markdown import make_parser
from kbgen.markdown.dispatch import BLOCK_TRIGGERS, RULE_NAME, TRIGGERS

SAMPLES = [
    "plain words only",
    "a *b* **c** _d_ ~~e~~ ==f== `g` \\*h\\* &amp; &#58; <b>i</b> <https://x.y>",
    "[a](b) [c](",
    "[a [b](c) d](e) and [x]( y ) and [z](<w v> \"t\")",
    "[x] and [x][] and [y][x]\n\n[x]: http://e.com \"T\"",
    "![i](p.png) ![j][x] [[a]] [[b|c *d*]] ![[e#^f]] ![[g]]\n\n[x]: q.png",
    "[[a][[a][[a][[a]" * 8,
    "[a]([a]([a](" * 8 + ")",
    "*a**" * 30,
    "==a" * 30,
    "$a" * 30 + " $x^2$ and $$y$$ and $5 or $10",
    "%%c%% text %%d [[hidden]]%% #tag #1984 (#t2) a#b",
    "[^1] and ^[inline *note*]\n\n[^1]: note",
    "www.example.com a@b.co http://x.y/z [[http://a.b|c]] :// ::",
    "line\nbreak  \nhard\\\nend",
    "- [ ] task [[x]]\n- [x] done ^id\n\n> [!note] Title *t*\n> body ==m==",
    "| a | [[b\\|c]] | `d|e` |\n|---|---|---|\n| ~~f~~ | [g](h) | ![[i]] |",
    "---\ntitle: x\n---\n# H1\nSetext\n===\npara\n---\n***\n- a\n  - b\n+ c\n1. d\n2) e\n",
    "para\n> quote\n> > nested\n\n    code\n\n```py\nx\n```\n~~~\ny\n~~~\n$$\nz\n$$\n<div>\nh\n</div>\n",
    "%%\nblock comment\n%%\ntext\n[ref]: /url\n[^n]: foot\n\npara\n# heading interrupts\n- list interrupts\n",
    "a\n  \n\t\n  # indented heading\n   > quote\n   - item\n\n> [!tip] T\n> - [ ] t\n\n| x |\n| - |\n",
    "- - -\n* * *\n _ _ _\n    ---\n-- -\n- a - b\n***x\n- item\n---\n* a\n  * * *\n",
]


@pytest.fixture(scope="module")
def parsers() -> tuple:
    import kbgen.markdown as markdown

    dispatched = make_parser()
    originals = markdown.dispatch_inline, markdown.dispatch_block
    # The same parser with its rules left as registered.
    markdown.dispatch_inline = markdown.dispatch_block = lambda md: None
    try:
        plain = make_parser()
    finally:
        markdown.dispatch_inline, markdown.dispatch_block = originals
    return dispatched, plain


def test_rules_folded_into_one(parsers: tuple) -> None:
    dispatched, plain = parsers
    assert [r.name for r in dispatched.inline.ruler.__rules__ if r.enabled] == [RULE_NAME]
    # Every triggered rule exists in the chain (a renamed rule would silently run everywhere).
    names = {r.name for r in plain.inline.ruler.__rules__ if r.enabled}
    assert set(TRIGGERS) <= names
    assert set(BLOCK_TRIGGERS) <= {r.name for r in plain.block.ruler.__rules__ if r.enabled}


@pytest.mark.parametrize("text", SAMPLES)
def test_same_tokens_and_html(parsers: tuple, text: str) -> None:
    dispatched, plain = parsers
    env_a: dict = {}
    env_b: dict = {}
    a, b = dispatched.parse(text, env_a), plain.parse(text, env_b)
    assert dispatched.renderer.render(a, dispatched.options, {}) == plain.renderer.render(b, plain.options, {})
    assert [t.as_dict() for t in a] == [t.as_dict() for t in b]


def test_link_needs_bracket_paren_and_close(parsers: tuple) -> None:
    dispatched, _ = parsers
    assert '<a href="b">a</a>' in dispatched.render("[a](b) [c](")
    assert dispatched.render("[a](b").strip() == "<p>[a](b</p>"
    assert '<a href="http://e.com"' in dispatched.render("[x]\n\n[x]: http://e.com")


PIECES = ["a", "b ", " ", "    ", "\t", "\n", "\n\n", "*", "_", "~~", "==", "$", "$$", "%%", "#", "# ", "> ",
          "- ", "+ ", "1. ", "2) ", "[", "]", "(", ")", "[[", "]]", "![[", "![", "](", "^", "[^1]", "[^1]: ",
          "`", "```", "~~~", "<", "<div>", "</div>", "&amp;", "\\", "|", "---", "===", "[!note] ", "[x] ",
          "http://x.y", "www.a.b", "a@b.c", ":", "^id", "[r]: /u", "---\n", "\r\n"]


def test_same_html_on_random_markup(parsers: tuple) -> None:
    """Seeded random mixes of markup fragments, where rule order and chains matter most."""
    import random

    dispatched, plain = parsers
    rnd = random.Random(8)
    for _ in range(1500):
        text = "".join(rnd.choice(PIECES) for _ in range(rnd.randint(1, 40)))
        assert dispatched.render(text) == plain.render(text), text


LINES = ["---", "---", "title: x", "...", "- ---", "> ---", "    code", "\tcode", "        deep", "para",
         "- item", "  - sub", "    - four", "1. one", "> quote", ">     code in quote", "```", "~~~", "",
         "", "# h", "    # not h", "***", "| a |", "|---|", "[r]: /u", "<div>", "$$", "%%"]


def test_same_tokens_on_random_lines(parsers: tuple) -> None:
    """Line-built documents (front matter at the first line or not, code indentation inside
    lists and quotes): the dispatcher's chains without `code` on lines not indented as code
    and without `front_matter` after line 0 give the same tokens."""
    import random

    from tests.markdown.test_fastpaths import _shape

    dispatched, plain = parsers
    rnd = random.Random(9)
    for _ in range(1500):
        text = "\n".join(rnd.choice(LINES) for _ in range(rnd.randint(1, 14)))
        assert _shape(dispatched.parse(text)) == _shape(plain.parse(text)), text


DEFINITION_LINES = ["[r]: /u", "[r]: /u \"t\"", "[r", "x]: /v", "[^1]: n", "[^2]:", "[[a]] x", "> [r]: /q",
                    "> [!note] t", "[a]", "]:", "x ]: y", ": b", "[b] : c", "[c]:", "  [d]: /e", "- [f]: /g",
                    "text [r] [^1] [c]", "", "", "para", "> q", "    [h]: /i", "[j\\]: k]: /l", "[r]:",
                    "- [[a]]", "> - [[b]]", "  [s]: /w", "1. [t]: /x"]


def test_definitions_where_a_label_end_follows(parsers: tuple) -> None:
    """`reference` and `footnote_def`, tried only where a `]:` follows in the note, take the
    same lines (one parser through many notes: what it remembers of the last note is not used
    for the next one)."""
    import random

    dispatched, plain = parsers
    rnd = random.Random(10)
    for _ in range(1500):
        text = "\n".join(rnd.choice(DEFINITION_LINES) for _ in range(rnd.randint(1, 12)))
        want = [t.as_dict() for t in plain.parse(text)]
        assert [t.as_dict() for t in dispatched.parse(text)] == want, text
        assert dispatched.render(text) == plain.render(text), text


def test_label_end_pretest_answers_as_a_search_would() -> None:
    """The pretest's memo of the next `]:` answers, for lines asked in any order (forward,
    back before what it has seen, across `]:` pairs split by the stretch's start), whether a
    `]:` starts at or after the line's text."""
    import random
    from types import SimpleNamespace

    from kbgen.markdown.dispatch import _label_end_pretest

    rnd = random.Random(4)
    for _ in range(300):
        src = "".join(rnd.choice(["]", ":", "]:", "a", "\n"]) for _ in range(rnd.randint(0, 40)))
        state = SimpleNamespace(src=src, bMarks=list(range(len(src) + 1)), tShift=[0] * (len(src) + 1))
        pretested = _label_end_pretest(lambda state, start, end, silent: True)
        for _ in range(30):
            pos = rnd.randint(0, len(src))
            assert pretested(state, pos, pos + 1, True) == (src.find("]:", pos) >= 0), (src, pos)


@pytest.mark.parametrize("text", ["[r]: /u\n\n[r]", "[^1]: n\n\nx[^1]", "x\n> [r]: /q\n\n[r]", "[r\nx]: /v\n[r x]",
                                  "[r]: /u\n[s]: /v\n[r] [s]", "[a] [b]\n\n[b]: /c"])
def test_definitions_alone_in_a_note(parsers: tuple, text: str) -> None:
    dispatched, plain = parsers
    assert dispatched.render(text) == plain.render(text)
    assert "<a href=" in plain.render(text)


NESTED_LINES = ["> para", "> more", "> [!note] t", "> - a [[x]]", "> - b", ">   c", "> 1. d", "> # h", "> ---",
                "> ===", "> | a |", "> |---|", "> ```", "> %%", "> <div>", "> [r]: /u", "> > deep", ">",
                "lazy", "- item", "  text", "  > q", "  - sub", "    deep", "  ---", "  | b |", "  |---|",
                "", "", "para", "| c |", "|---|", "%%", "```", "# h", "[^1]: n"]


def test_paragraphs_in_quotes_and_items(parsers: tuple) -> None:
    """Paragraphs in quotes and list items (a narrower end than the note's: our rule makes
    them where the walk stops before that end) are markdown-it's, lazy lines included."""
    import random

    dispatched, plain = parsers
    rnd = random.Random(11)
    for _ in range(3000):
        text = "\n".join(rnd.choice(NESTED_LINES) for _ in range(rnd.randint(1, 12)))
        assert [t.as_dict() for t in dispatched.parse(text)] == [t.as_dict() for t in plain.parse(text)], text


def test_paragraph_in_a_quote_scanned_once() -> None:
    """A callout's title line, ended by its list, and a quote's paragraph, ended by the
    quote's blank line, are made by our rule: markdown-it's `paragraph` is not run on them."""
    from markdown_it import MarkdownIt

    from kbgen.markdown.dispatch import dispatch_block

    md = MarkdownIt("commonmark")
    library = next(r.fn for r in md.block.ruler.__rules__ if r.name == "paragraph")
    calls: list[int] = []

    def counted(state, startLine: int, endLine: int, silent: bool) -> bool:  # type: ignore[no-untyped-def]
        calls.append(startLine)
        return library(state, startLine, endLine, silent)

    md.block.ruler.at("paragraph", counted)
    dispatch_block(md)
    for text in ("> [!note] t\n> - a\n> - b\n\nafter", "> a\n> b\n\n> c\n"):
        assert md.render(text) == MarkdownIt("commonmark").render(text)
    assert calls == []
