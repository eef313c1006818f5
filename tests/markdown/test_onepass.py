"""onepass.py: content whose only markup is delimiter runs, made final in one pass, gives markdown-it's tokens and HTML.

The reference parser of test_fastpaths has markdown-it's own emphasis, strikethrough,
balance_pairs, post-processing and fragments_join rules; both parse seeded random paragraphs of
runs and plain text (where push_content() takes the whole paragraph) and paragraphs where other
markup follows the runs (where it must not).
"""
from __future__ import annotations

import random
import re
from typing import Any

import pytest
from markdown_it.rules_inline import StateInline

from kbgen.markdown import make_parser, onepass, pairs, tokens
from tests.markdown.test_fastpaths import _parse, build_parsers, parsers  # noqa: F401 (a fixture)

RUNS = ["*", "**", "***", "****", "*****", "******", "_", "__", "___", "____", "~", "~~", "~~~", "~~~~",
        "~~~~~", "=", "==", "===", "====", "=====", "======"]
PLAIN = ["a", "b", "ab", "word", " ", " ", "  ", ".", ",", "?", "(", ")", "'", '"', "-", "é", "中", "—",
         "\u00a0", "\t", "5", "@", "/", "{", "}", "+", ";"]
"""Text that no inline rule starts at: words, spaces and punctuation (the runs' flanking)."""


def _watch(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Record what each push_content() call returned."""
    seen: list[bool] = []
    push = onepass.push_content

    def watched(state: StateInline, start: int, run_pattern: Any) -> bool:
        seen.append(push(state, start, run_pattern))
        return seen[-1]
    monkeypatch.setattr(onepass, "push_content", watched)
    return seen


def _paragraph(rng: random.Random, pieces: int) -> str:
    return "".join(rng.choice(RUNS) if rng.random() < 0.5 else rng.choice(PLAIN) for _ in range(pieces))


@pytest.mark.parametrize("seed", range(8))
def test_runs_and_text_alike(parsers: tuple[Any, Any], seed: int, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    fast, reference = parsers
    seen = _watch(monkeypatch)
    rng = random.Random(4000 + seed)
    for _ in range(500):
        text = _paragraph(rng, rng.randint(1, 30))
        assert _parse(fast, text)[:2] == _parse(reference, text)[:2], text
    assert seen.count(True) > 400  # (a paragraph of only single `~`/`=` has no run to start at)


BREAKS = ["\n", " \n", "  \n", "   \n", "\n ", "\n  ", "\n\t", "\t\n", " \t \n", "\n\n"]
"""Line breaks (softbreaks, hardbreaks of trailing blanks, leading blanks skipped, a blank line)."""


@pytest.mark.parametrize("seed", range(6))
def test_runs_text_and_line_breaks_alike(parsers: tuple[Any, Any], seed: int, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    fast, reference = parsers
    seen = _watch(monkeypatch)
    rng = random.Random(4500 + seed)
    for _ in range(500):
        text = "".join(rng.choice(RUNS) if rng.random() < 0.45 else rng.choice(PLAIN) if rng.random() < 0.75
                       else rng.choice(BREAKS) for _ in range(rng.randint(1, 30)))
        assert _parse(fast, text)[:2] == _parse(reference, text)[:2], repr(text)
    assert seen.count(True) > 300


@pytest.mark.parametrize("seed", range(3))
def test_long_paragraphs_alike(parsers: tuple[Any, Any], seed: int, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    """Long paragraphs, where the openers' bottoms and used-up runs come into play."""
    fast, reference = parsers
    seen = _watch(monkeypatch)
    rng = random.Random(5000 + seed)
    alphabet = ["*", "**", "***", "_", "__", "==", "===", "~~", "~", "=", "a", " ", ".", "a ", " a", "*a", "a*",
                "a\n", "a  \n", "*\n", "\n*"]
    for _ in range(40):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(100, 600)))
        assert _parse(fast, text)[:2] == _parse(reference, text)[:2], text
    assert seen.count(True) > 35  # (a line starting with `~~~` opens a code block, `* ` a list)


@pytest.mark.parametrize("text", [
    "*a**" * 40, "==a" * 40, "~~a" * 40, "_a__" * 40, "a*" * 40, "*a" * 40, "**a*" * 40,
    "x *a* y", "*a* **b** ==c== ~~d~~", "a ~ *b*", "~ *b*", "= ==b==", "*a* ~", "*a* =", "=====x=====",
    "~~~a~~~", "a =====b==", "***a***", "**a*", "*a**", "____", "a_b_c", "_a_b", "**", "* a *",
    "\u00a0*a*\u00a0", "(*a*)", "*(a)*", "中*a*中", "*a**\n" * 40, "*a*  \n**b**", "*a* \n b", "a\n*b*",
    "*a\nb*", "**a  \n  b**", "~~a\n~~", "*a*\n\t\tb", "==a== \t \n==b==",
])
def test_cases_alike(parsers: tuple[Any, Any], text: str) -> None:  # noqa: F811
    fast, reference = parsers
    assert _parse(fast, text)[:2] == _parse(reference, text)[:2]


@pytest.mark.parametrize("seed", range(3))
def test_other_markup_after_the_runs(parsers: tuple[Any, Any], seed: int, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    """A paragraph with other markup after its first run is tokenized run by run (and alike)."""
    fast, reference = parsers
    seen = _watch(monkeypatch)
    rng = random.Random(6000 + seed)
    others = ["[[l]]", "[x](y)", "`c`", "$m$", "#t", "\\*", "\\\n", "&amp;", "<b>", "%%c%%", "http://x.y", "!", "^"]
    for _ in range(300):
        before = _paragraph(rng, rng.randint(0, 3))
        after = _paragraph(rng, rng.randint(0, 8))
        text = before + rng.choice(RUNS[:5]) + "a" + rng.choice(others) + after
        assert _parse(fast, text)[:2] == _parse(reference, text)[:2], text
    assert not any(seen)


def test_not_taken_with_another_post_processing_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """Should a plugin add a post-processing rule, the runs go through the usual rules (where
    that rule sees them)."""
    seen = _watch(monkeypatch)
    calls: list[int] = []
    fast, reference = build_parsers()
    for md in (fast, reference):
        md.inline.ruler2.push("count", lambda state: calls.append(len(state.tokens)))
    for text in ["*a* b **c**", "*a**" * 20]:
        calls.clear()
        got = _parse(fast, text)[:2]
        got_calls = list(calls)
        calls.clear()
        assert got == _parse(reference, text)[:2] and got_calls == calls
    assert seen == []


def test_other_markup_finds_the_other_characters(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[Any] = []
    chained = pairs.chained_rule
    monkeypatch.setattr(pairs, "chained_rule", lambda markup, *args: made.append(markup) or chained(markup, *args))
    make_parser()
    markup = made[0]  # the parser's markup_pattern()
    chars = [chr(c) for c in range(0x3000) if markup.match(chr(c))]
    assert "*" in chars and "[" in chars and "\n" in chars
    for chain in ["*_=~", "*_", "=", ""]:
        other = onepass.other_markup(markup, chain)
        assert other is not None
        assert [ch for ch in map(chr, range(0x3000)) if other.match(ch)] == [ch for ch in chars if ch not in chain]
    assert onepass.other_markup(re.compile(r"\*|_"), "*") is None


def test_add_tokens_is_token_per_field() -> None:
    """tokens.add_tokens (pairs._pair's tokens after a run) makes what token() makes, both ways."""
    fields = [("text", "", 0, "", ""), ("strong_open", "strong", 1, "", "**"), ("em_close", "em", -1, "", "_")]
    for add in (tokens._add_tokens, tokens._constructed_add_tokens):
        out: list[Any] = [None]
        add(out, fields, 3)
        assert out[1:] == [tokens.token(*f[:3], 3, f[3], f[4]) for f in fields]  # type: ignore[arg-type]
        assert out[1].attrs is not out[2].attrs and out[1].meta is not out[2].meta


def test_text_join_looks_at_children_changed_after_the_inline_rule() -> None:
    """A core rule between `inline` and `text_join` that adds text tokens to a paragraph made
    final in one pass (or gives it another list) gets them joined, as markdown-it would."""
    fast, reference = build_parsers()

    def add_text(state: Any) -> None:
        for block in state.tokens:
            if block.type == "inline" and block.children:
                block.children.append(tokens.text(0, "+"))
                if block.content.startswith("x"):
                    block.children = [*block.children, tokens.text(0, "-")]

    for md in (fast, reference):
        md.core.ruler.after("inline", "add_text", add_text)
    for text in ["*a* b", "x *a* b", "**a** ==b==", "a *b*\n\nx ~~c~~ d"]:
        got, want = _parse(fast, text)[:2], _parse(reference, text)[:2]
        assert got == want and "+" in got[1], text
