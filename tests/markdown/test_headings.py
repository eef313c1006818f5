"""headings.py: our ATX heading rule gives markdown-it's tokens, on random heading-like lines in any block."""
from __future__ import annotations

import random
from typing import Any

import pytest
from markdown_it.rules_block.heading import heading as library_heading

import kbgen.markdown as markdown
from kbgen.markdown import headings, make_parser
from kbgen.markdown.collect import ENV_KEY, Collector
from tests.markdown.test_fastpaths import _shape

_PARTS = ["#", "##", "###", "######", "#######", " ", "  ", "\t", "a", "Title", "#a", "a #", " #", " ##",
          "\\#", "# #", "*x*", "[[l]]", "`c`"]
_PREFIXES = ["", "", "", " ", "   ", "    ", "\t", "> ", "- ", "1. ", "  - ", "> > "]


def _document(rng: random.Random) -> str:
    lines = []
    for _ in range(rng.randint(1, 8)):
        line = rng.choice(_PREFIXES) + "".join(rng.choice(_PARTS) for _ in range(rng.randint(0, 6)))
        lines.append(line + rng.choice(["", " ", "\t", "  #", " ##  "]))
        if rng.random() < 0.3:
            lines.append(rng.choice(["", "text", "---", "===", "```", "| a |\n|---|"]))
    return "\n".join(lines) + rng.choice(["", "\n"])


def _runs(rng: random.Random) -> str:
    """Mostly heading lines one after another (the rule takes a run at once), with what ends a run."""
    lines = []
    for _ in range(rng.randint(1, 12)):
        if rng.random() < 0.75:
            line = rng.choice(["", "", "", " ", "  ", "   ", "    ", "\t", "> ", "- ", "  "])
            line += rng.choice(["#", "##", "######", "#######", "#a"]) + rng.choice(["", " ", "\t"])
            line += "".join(rng.choice(["a", " ", "#", "|", "*x*", " ##"]) for _ in range(rng.randint(0, 4)))
        else:
            line = rng.choice(["", "", "", "text", "---", "===", "|---|", "- item", "> q", "```", "[a]: b", "$$",
                               "1. item", "  text"])
        lines.append(line)
    return "\n".join(lines) + rng.choice(["", "\n"])


def _reference_parser() -> Any:
    """Our parser with markdown-it's own heading rule."""
    mp = pytest.MonkeyPatch()
    mp.setattr(markdown, "headings_plugin", lambda md: None)
    try:
        reference = make_parser()
    finally:
        mp.undo()
    assert any(rule.fn is library_heading for rule in reference.block.ruler.__rules__)
    return reference


def test_heading_rule_in_place() -> None:
    md = make_parser()
    assert any(rule.fn is headings.heading_rule for rule in md.block.ruler.__rules__)


def test_headings_alike() -> None:
    ours, reference = make_parser(), _reference_parser()
    rng = random.Random(41)
    for _ in range(3000):
        text = _document(rng)
        got = ours.parse(text, {ENV_KEY: Collector(path="n.md")})
        want = reference.parse(text, {ENV_KEY: Collector(path="n.md")})
        assert _shape(got) == _shape(want), repr(text)
        assert ours.renderer.render(got, ours.options, {}) == reference.renderer.render(want, reference.options, {})


def test_heading_runs_alike() -> None:
    ours, reference = make_parser(), _reference_parser()
    rng = random.Random(43)
    runs = apart = 0
    for _ in range(3000):
        text = _runs(rng)
        got = ours.parse(text, {ENV_KEY: Collector(path="n.md")})
        want = reference.parse(text, {ENV_KEY: Collector(path="n.md")})
        assert _shape(got) == _shape(want), repr(text)
        assert ours.renderer.render(got, ours.options, {}) == reference.renderer.render(want, reference.options, {})
        opens = [t for t in got if t.type == "heading_open"]
        runs += any(a.map[1] == b.map[0] for a, b in zip(opens, opens[1:]))
        apart += any(a.map[1] < b.map[0] and not text.split("\n")[a.map[1]].strip()
                     for a, b in zip(opens, opens[1:]))
    assert runs > 500 and apart > 100  # headings on consecutive lines, and after a blank line
