"""mdlinks.plain_link_rule and plain_image_rule give markdown-it's link and image rules' tokens, LinkRefs and HTML on random text."""
from __future__ import annotations

import random
from typing import Any

import pytest
from markdown_it import MarkdownIt

import kbgen.markdown as kbmd
from kbgen.markdown import make_parser, mdlinks
from kbgen.markdown.collect import ENV_KEY, Collector

PIECES = ["[x](y)", "[a b](Other.md)", "[x](Other%20Note.md#H)", "[x](y z)", "[x](<y z>)", '[x](y "t")',
          "[](y)", "[x]()", "[x](javascript:a)", "[x](a&amp;b)", "[x](a\\)b)", "[*x*](y)", "[x](http://a.b)",
          "[x](a(b)c)", "[x](y)(z)", "[x]( y)", "![a b](y.png)", "![](y.png)", "![x](y z)", "![*a*](b)", "![a](b \"t\")",
          "![a](javascript:x)", "![[a]]", "![a]", "!", "![a](b)(c)", "![](y.png) ", "![]()", "![é](ü.png)", "[x](y.png)", "[x](y\n)", "[x\ny](z)", "[é](ü/ä.md)", "[x](%20)", "[x][y]",
          "[^1]", "[[a]]", "[[x](y)]", "[x](y)]", "![x](y.png)", "[![a](b)](c)", "[x](/abs)", "[x](//h)",
          "[`c`](y)", "[a:b](y)", "[x](a:b)", "[x](#h)", "[x](y>)", "[ x ](y)", "[x](y\t)", "[x](\u00a0)",
          "[" * 19, "[" * 21, "](z)" * 3, "[", "]", "(", ")", "x", " ", "\n", "*", "`", "\\", "!", ":", "<", "&", "[x]", "a b c"]


def _reference() -> MarkdownIt:
    """make_parser() with mdlinks' earlier `link` rule (markdown-it's, behind _may_link)."""
    link, kbmd.plain_link_rule = kbmd.plain_link_rule, lambda markup: mdlinks._link  # type: ignore[attr-defined]
    image, kbmd.plain_image_rule = kbmd.plain_image_rule, lambda markup: mdlinks._image  # type: ignore[attr-defined]
    try:
        return make_parser()
    finally:
        kbmd.plain_link_rule, kbmd.plain_image_rule = link, image  # type: ignore[attr-defined]


def _parse(md: MarkdownIt, text: str) -> tuple[Any, ...]:
    col = Collector(path="n.md")
    tokens = md.parse(text, {ENV_KEY: col})
    html = md.renderer.render(tokens, md.options, {})
    return [t.as_dict() for t in tokens], html, col.links, col.diagnostics


@pytest.fixture(scope="module")
def parsers() -> tuple[MarkdownIt, MarkdownIt]:
    return make_parser(), _reference()


def test_the_rule_is_in_place(parsers: tuple[MarkdownIt, MarkdownIt]) -> None:
    ours, reference = parsers
    assert ours.inline.ruler.__rules__ is not None
    names = {r.name: r.fn for r in _reference().inline.ruler.__rules__}
    assert "link" in names
    assert _parse(ours, "[x](y)")[1] == "<p><a href=\"y\">x</a></p>\n"


@pytest.mark.parametrize("seed", range(4))
def test_random_text_alike(parsers: tuple[MarkdownIt, MarkdownIt], seed: int) -> None:
    ours, reference = parsers
    rng = random.Random(40 + seed)
    for _ in range(500):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 12)))
        if rng.random() < 0.2:
            text = "[y]: /ref 'T'\n\n" + text  # a reference definition: env has references
        if rng.random() < 0.2:
            text = "- " + text.replace("\n", " ") + "\n> " + text
        assert _parse(ours, text) == _parse(reference, text), text


def test_nested_to_the_limit_alike(parsers: tuple[MarkdownIt, MarkdownIt]) -> None:
    ours, reference = parsers
    for depth in range(15, 25):
        for text in ("[" * depth + "x](y)" + "](z)" * depth, "[[" * depth + "[x](y)", "*[x](y)" * depth,
                     "[" * depth + "a [x](y) b" + "](z)" * depth, "![" * depth + "[x](y)" + "](z)" * depth,
                     "[[" * depth + "[x](y)" + "]]" * depth, "[x](y) " + "[" * depth + "[x](y)]",
                     "[" * depth + "![x](y)" + "](z)" * depth, "![" * depth + "![x](y)" + "](z)" * depth):
            assert _parse(ours, text) == _parse(reference, text), text
