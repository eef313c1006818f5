"""The block fast paths (rules tried by the line's first character, pretests) change no tokens and no HTML.

The reference parser has markdown-it's block rules as registered, in their chain; both parse
thousands of random documents made of whole lines: lists (nested, loose and tight, ordered
starts, lazy continuation, tabs, indented code in items), setext underlines, quotes, callouts,
tables with escaped pipes, code spans with pipes and alignment rows, fences, headings.
"""
from __future__ import annotations

import random
from typing import Any

import pytest

from kbgen.markdown import make_parser
from kbgen.markdown.collect import ENV_KEY, Collector


@pytest.fixture(scope="module")
def parsers() -> tuple[Any, Any]:
    import kbgen.markdown as markdown

    fast = make_parser()
    original = markdown.dispatch_block
    markdown.dispatch_block = lambda md: None
    try:
        reference = make_parser()
    finally:
        markdown.dispatch_block = original
    return fast, reference


INDENTS = ["", "", "", " ", "  ", "   ", "    ", "\t", "  \t", "      ", "> ", ">", "> > ", " > "]
MARKERS = ["- ", "* ", "+ ", "1. ", "2. ", "0. ", "7) ", "10. ", "-", "1.", "-\t", "- [ ] ", "* [x] ", ""]
BODIES = [
    "item", "word [[a]] more", "*em* and **strong**", "==mark== text", "", " ", "---", "===", "-", "=",
    "- - -", "***", "___", "-- a", "x -", "y =", "a = b", "# heading", "## h", "#tag", "> q", "```", "~~~",
    "$$", "%%", "| a | b |", "|---|---|", "| :-- | --: | :-: |", "|-|", "| c \\| d | `e|f` |", "a | b",
    "--- | ---", "[r]: /u", "[^1]: n", "<div>", "</div>", "    code", "text ^id", "^id", "[!note] T",
    "[!tip]- Fold", "1. nested", "- nested", "\\- escaped", "&amp;",
]


def _document(rng: random.Random) -> str:
    lines = []
    for _ in range(rng.randint(1, 14)):
        if rng.random() < 0.12:
            lines.append(rng.choice(["", "  ", "\t"]))
            continue
        lines.append(rng.choice(INDENTS) + rng.choice(MARKERS) + rng.choice(BODIES))
    return "\n".join(lines) + rng.choice(["", "\n", "\n\n"])


def _parse(md: Any, text: str) -> tuple[list[Any], str, Any]:
    col = Collector(path="n.md")
    tokens = md.parse(text, {ENV_KEY: col})
    html = md.renderer.render(tokens, md.options, {})
    shape = [t.as_dict() for t in tokens]
    return shape, html, (col.links, col.tags, col.blocks, col.flags, col.diagnostics)


def test_reference_is_really_different(parsers: tuple[Any, Any]) -> None:
    fast, reference = parsers
    assert {r.name for r in fast.block.ruler.__rules__ if r.enabled} != \
        {r.name for r in reference.block.ruler.__rules__ if r.enabled}
    assert any(r.name == "lheading" and r.enabled for r in reference.block.ruler.__rules__)


@pytest.mark.parametrize("seed", range(10))
def test_random_documents_parse_alike(parsers: tuple[Any, Any], seed: int) -> None:
    fast, reference = parsers
    rng = random.Random(seed)
    for _ in range(400):
        text = _document(rng)
        assert _parse(fast, text) == _parse(reference, text), text


@pytest.mark.parametrize("text", [
    "- item [[a]]\n" * 20,
    "| a | [[b]] | c |\n|---|---|---|\n" * 10,
    "para\n- item\n---\n", "- a\n  b\n---\n", "> a\n> ---\n", "> a\n---\n", "- a\n\n  b\n  ===\n",
    "a\nb\nc\n=\n", "a\n\nb\n-", "a\n  \nb\n---", "    a\n---", "a\n    ---\n", "a\n   ---\n",
    "- a\n - b\n  - c\n   - d\n    - e\n", "1. a\n1. b\n3) c\n", "- a\n\n\n- b\n", "-\n  a\n-\n\n  b\n",
    "* a\n\tcode\n* b\n\n\t\tcode\n", "x\n===\n===\n", "a\n- -\n", "a\n-\t-\n", "a\n= =\n",
])
def test_edge_cases_alike(parsers: tuple[Any, Any], text: str) -> None:
    fast, reference = parsers
    assert _parse(fast, text) == _parse(reference, text)
