"""Inline content of text and links made without an inline parse (plainlinks.py) gets the tokens, LinkRefs and HTML of the parse.

The reference parser is kbgen's without the direct path; both parse thousands of random list
items, table cells, paragraphs and headings made of words, links of every form, and the
characters at the edge of what the direct path takes (`!`, `:`, `^`, `|`, `#`, `\\`, `[`, newlines).
"""
from __future__ import annotations

import random
import re
from typing import Any

import pytest
from markdown_it import MarkdownIt

import kbgen.markdown as markdown
from kbgen.markdown import make_parser, plainlinks
from kbgen.markdown.collect import ENV_KEY, Collector

Parsers = tuple[MarkdownIt, MarkdownIt, list[bool]]


@pytest.fixture(scope="module")
def parsers() -> Parsers:
    """(kbgen's parser, one without the direct path, the direct path's answers so far)."""
    answers: list[bool] = []
    build = plainlinks.plain_links_parser
    mp = pytest.MonkeyPatch()

    def counted(md: MarkdownIt, markup: Any) -> Any:
        parse = build(md, markup)
        assert parse is not None

        def recorded(*args: Any) -> bool:
            answers.append(parse(*args))
            return answers[-1]
        return recorded

    mp.setattr(markdown, "plain_links_parser", counted)
    try:
        ours = make_parser()
    finally:
        mp.undo()
    mp.setattr(markdown, "plain_links_parser", lambda md, markup: None)
    try:
        reference = make_parser()
    finally:
        mp.undo()
    return ours, reference, answers


def _parse(md: MarkdownIt, text: str) -> tuple[Any, ...]:
    col = Collector(path="n.md", line_offset=2)
    env: dict[str, Any] = {ENV_KEY: col}
    tokens = md.parse(text, env)
    html = md.renderer.render(tokens, md.options, {})
    shape = [(t.as_dict(), [repr(c.meta) for c in t.children or []]) for t in tokens]
    return shape, html, col.links, env.get("_kb_contexts"), col.tags, col.diagnostics


LINKS = ["[[Other]]", "[[a#h]]", "[[a#h#i]]", "[[#h]]", "[[a#^b]]", "[[ x ]]", "[[a|]]", "[[a| ]]",
         "[[a|b]]", "[[a\\|b]]", "[[|a]]", "[[a|b|c]]", "[[ ]]", "[[]]", "[[a.png]]", "![[Other]]",
         "![[pic.png]]", "![[a#h]]", "![[a|300]]", "![[a| ]]", "[[a*b*]]", "[[a:b]]", "[[é]]",
         "[[a]b]]", "[[a]]]", "[[[a]]", "[[a\nb]]", "[[a#]]", "[[a\\]]", "[[a| b c ]]", "[[a|*b*]]",
         "[[a|b:c]]", "[[a|b\\|c]]", "[[a\\|b\\|c]]", "[[a#h|b]]", "[[a|b]c]]", "[[a|b!]]", "[[a|![b]]",
         "![[a|b c]]", "![[a|*b*]]", "[[a|`b`]]", "[[a|é]]", "[[|]]", "[[a||b]]", "[[a| |b]]",
         "[x](y)", "[x](Other.md)", "[x](a%20b)", "[x](y z)", "[](y)", "[x]()", "[x](javascript:a)", "[x](y)(z)",
         "[x](a(b)c)", "[x](<y>)", "[x](a_b)", "[x](a*b)", "[*x*](y)", "[x\ny](z)", "[x](y\n)", "[é](ü.md)",
         "[x](#h)", "[x](/abs)", "[x](//h)", "[x](http://a.b)", '[x](y "t")', "[x](a:b)", "[a b](c#d)", "[x](",
         "[x]", "[x](y", "[^x](y)", "[x](a&amp;b)", "[x](%zz)", "![x](y)", "[x](y)]", "![x](y.png)", "![](y.png)",
         "![a b](y)", "![*a*](b)", "![x](y z)", "![]()", "![é](ü.png)", "![a](b)(c)", '![a](b "t")', "![x](a_b.png)",
         "![x](javascript:a)", "![[x](y)", "![x](y)]", "!![x](y)"]
PIECES = ["item", "word", " ", " ", "  ", "é", "中", "a.b", "x-y", "!", "!!", "! ", ":", ": ", "a:b",
          "://", "http://x.y", "www.a.b", "a@b.co", "[", "]", "[[", "]]", "|", "#", "\\", "*", "_",
          "`c`", "&amp;", "<b>", "\"q\"", "'", "$", "~", "=", "^", "^b1", " ^a-b", "^[", "^[x]", "%%", "\n",
          "(", ")", "[x](y)", "![", "  \n", " \n", "\n  ", "\t\n", "\n\t", " \t\n", "   \n "]


def _content(rng: random.Random) -> str:
    out = []
    for _ in range(rng.randint(1, 8)):
        roll = rng.random()
        out.append(rng.choice(LINKS) if roll < 0.35 else rng.choice(PIECES[:8]) if roll < 0.75
                   else rng.choice(PIECES))
    return "".join(out)


def _document(rng: random.Random) -> str:
    shape = rng.random()
    if shape < 0.4:
        return "".join(rng.choice(["- ", "* ", "1. ", "  - "]) + _content(rng) + "\n"
                       for _ in range(rng.randint(1, 5)))
    if shape < 0.65:
        cells = rng.randint(1, 3)
        rows = ["| " + " | ".join(_content(rng).replace("\n", " ") for _ in range(cells)) + " |"
                for _ in range(rng.randint(1, 4))]
        return rows[0] + "\n|" + "---|" * cells + "\n" + "\n".join(rows[1:]) + "\n"
    if shape < 0.75:
        return "# " + _content(rng).replace("\n", " ") + "\n\n" + _content(rng)
    # paragraphs of several lines
    return "\n\n".join("\n".join(_content(rng) for _ in range(rng.randint(1, 4)))
                       for _ in range(rng.randint(1, 3)))


def _bare(md: MarkdownIt, text: str) -> list[Any]:
    """Tokens parsed without a collector (plain rendering, unit tests)."""
    return [(t.as_dict(), [repr(c.meta) for c in t.children or []]) for t in md.parse(text, {})]


def _assert_alike(parsers: Parsers, text: str) -> None:
    ours, reference, _ = parsers
    assert _parse(ours, text) == _parse(reference, text), text
    assert _bare(ours, text) == _bare(reference, text), text


@pytest.mark.parametrize("seed", range(6))
def test_random_content_alike(parsers: Parsers, seed: int) -> None:
    rng = random.Random(300 + seed)
    answers = parsers[2]
    answers.clear()
    for _ in range(400):
        _assert_alike(parsers, _document(rng))
    # the direct path took a fair share and declined a fair share (the test reaches both)
    assert answers.count(True) > 200 and answers.count(False) > 200


@pytest.mark.parametrize("text", [
    "- item [[Other]]\n" * 5, "| a | [[Other]] | b |\n|---|---|---|\n" * 3, "- [[a]] [[a]] ![[a]] [[b#c]]\n",
    "- hi! [[a]]\n", "- [[a]]!\n", "- ![[a]]![[b]]\n", "- a: [[b]]\n", "- [[a]]: http://x.y\n",
    "- a://b [[c]]\n", "- [[a|b]]\n", "- [[a| ]] [[b|]]\n", "- x [[a\\|b]]\n", "- [[ ]] [[a]]\n",
    "- ![a](b) [[c]]\n", "- ![[a]\n", "- [[a]] [b\n", "- [[a]] ]]\n", "- [[Other]]\n- [[Other]]\n",
    "text [[a]]\nmore [[b]]\n", "a  \n[[b]] \n c\t\n![[d]]\n   \n", "[[a]]\n[[b]]\n![[c]]", "a \n\n b",
    "# [[a]] h\n", "[[a]]", "![[a]]", "!", ":", "a [[b]] c ![[d]] e", "a ^b1", "- [[a]] ^b\n", "^",
    "a^[b] [[c]]", "a ^[", "[[a]] ^\n^[b]",
])
def test_edge_cases_alike(parsers: Parsers, text: str) -> None:
    _assert_alike(parsers, text)


def test_links_keep_their_lines_and_contexts(parsers: Parsers) -> None:
    ours = parsers[0]
    _, _, links, contexts, _, _ = _parse(ours, "- a [[x]] ![[y]]\n- b [[z]] [[w]]\n\n| [[v]] |\n|---|\n")
    assert [(ref.target, ref.line, ref.context, ref.embed) for ref in links] == [
        ("x", 3, 0, False), ("y", 3, -1, True), ("z", 4, 1, False), ("w", 4, 1, False), ("v", 6, 2, False)]
    assert [c.text for c in contexts] == ["a [[x]] ![[y]]", "b [[z]] [[w]]", "[[v]]"]
    _, _, links, contexts, _, _ = _parse(ours, "para\n\n[[a]] x\n  ![[b]]  \n[[c]]\n")
    assert [(ref.target, ref.line, ref.context) for ref in links] == [("a", 5, 0), ("b", 6, -1), ("c", 7, 0)]


def test_off_where_its_assumptions_fail() -> None:
    """A post-processing rule or a rule before `wikilink` at `[` it does not know turns it off."""
    build = plainlinks.plain_links_parser
    markup = re.compile(r"[\[!]")
    assert build(MarkdownIt("commonmark"), markup) is None  # no wikilink rule
    ours = MarkdownIt("commonmark")
    from kbgen.markdown.wikilinks import wikilinks_plugin
    ours.use(wikilinks_plugin)
    assert build(ours, markup) is not None
    ours.inline.ruler2.push("other", lambda state: None)
    assert build(ours, markup) is None
    before = MarkdownIt("commonmark").use(wikilinks_plugin)
    before.inline.ruler.before("unclosed_bracket", "mine", lambda state, silent: False)
    assert build(before, markup) is None


ONE_LINKS = ["[[Other]]", "[[ x ]]", "[[a.png]]", "[[é]]", "[[a*b*]]", "[[a:b]]", "[[a!b]]", "[[a^b]]",
             "[[a`b`]]", "[[a $x$]]", "[[a %%c%% b]]", "[[#tag]]", "[[a <b>]]", "[[a&amp;b]]", "[[a]b]]",
             "[[a[b]]", "[[a]]]", "[[[a]]", "[[a\\]]", "[[ ]]", "[[]]", "[[a|b]]", "[[a#h]]", "[[a\nb]]",
             "[[a]] [[b]]", "[[a]]x]]", "![[a]]", "[x](y)]]", "[[a\t]]", "[[a\u00a0]]", "[[\u00a0]]"]
PREFIXES = ["", "", "item ", "a b ", "é ", "  ", "x-y ", "a.b "]


def test_one_link_content_alike(parsers: Parsers, monkeypatch: pytest.MonkeyPatch) -> None:
    """Content that is text and one `[[link]]` at its end (plainlinks._one_link), in list items,
    table cells, quotes, headings and paragraphs, one after another (a link shared as written)."""
    taken: list[bool] = []
    one_link = plainlinks._one_link

    def counted(*args: Any) -> bool:
        taken.append(one_link(*args))
        return taken[-1]
    monkeypatch.setattr(plainlinks, "_one_link", counted)
    rng = random.Random(7)
    for _ in range(600):
        items = [rng.choice(PREFIXES) + rng.choice(ONE_LINKS) for _ in range(rng.randint(1, 4))]
        form = rng.choice(["- {}\n", "> - {}\n", "| {} |\n|---|\n", "# {}\n", "{}\n\n", "{}\n", "1. {}\n"])
        _assert_alike(parsers, "".join(form.format(item) for item in items))
    assert taken.count(True) > 300 and taken.count(False) > 100
