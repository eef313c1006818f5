"""Delimiter runs paired whole (pairs.py) give markdown-it's tokens and HTML for every mix of `*`, `_`, `~~`, `==`.

The reference parser of test_fastpaths has markdown-it's own emphasis, strikethrough,
balance_pairs and post-processing rules (and highlight's per-marker tokenizer); both parse
thousands of seeded random snippets dense in delimiter runs, flanking cases, the rule of 3,
intraword `_`, links, wikilinks, code, math, escapes and comments.
"""
from __future__ import annotations

import random
from typing import Any

import pytest
from markdown_it.rules_inline import StateInline

from kbgen.markdown import pairs
from tests.markdown.test_fastpaths import _parse, build_parsers, parsers  # noqa: F401 (a fixture)

RUNS = ["*", "**", "***", "****", "*****", "_", "__", "___", "____", "~", "~~", "~~~", "~~~~", "~~~~~",
        "=", "==", "===", "====", "=====", "======"]
"""Delimiter runs of every length class (mod 3) and parity."""
AROUND = ["a", "b", "ab", " ", " ", "  ", "\n", ".", ",", "!", "?", "(", ")", "'", '"', "-", "é", "中",
          "—", "\u00a0", "\t", "5", "`", "``", "`x`", "\\", "\\*", "\\_", "\\=", "\\~", "[", "]", "](u)",
          "[a](u)", "[*a*](u)", "[[a]]", "[[a|*b*]]", "$", "$x$", "%%", "%%c%%", "<b>", "&amp;", "#t",
          "[^1]", "^[n *a*]", "http://x.y/*a*"]
"""What runs sit between: words, spaces, punctuation (flanking), and inline constructs that
push tokens, nest delimiter lists (links) or push nothing at all (comments)."""


def _snippet(rng: random.Random) -> str:
    pieces = []
    for _ in range(rng.randint(1, 24)):
        pieces.append(rng.choice(RUNS) if rng.random() < 0.5 else rng.choice(AROUND))
    return "".join(pieces)


@pytest.mark.parametrize("seed", range(10))
def test_random_runs_alike(parsers: tuple[Any, Any], seed: int) -> None:  # noqa: F811
    fast, reference = parsers
    rng = random.Random(1000 + seed)
    for _ in range(600):
        text = _snippet(rng)
        got_tokens, got_html, _ = _parse(fast, text)
        want_tokens, want_html, _ = _parse(reference, text)
        assert got_html == want_html, text
        assert got_tokens == want_tokens, text


@pytest.mark.parametrize("seed", range(4))
def test_long_random_runs_alike(parsers: tuple[Any, Any], seed: int) -> None:  # noqa: F811
    """Long paragraphs, where the search bounds (openers bottom, runs used up) come into play."""
    fast, reference = parsers
    rng = random.Random(2000 + seed)
    alphabet = ["*", "**", "***", "_", "__", "==", "~~", "a", " ", ".", "a ", " a", "*a", "a*", "_a_"]
    for _ in range(60):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(50, 400)))
        assert _parse(fast, text)[:2] == _parse(reference, text)[:2], text


@pytest.mark.parametrize("text", [
    "*a**" * 30, "**a*" * 30, "***a" * 30, "a***" * 30, "_a__" * 30, "==a" * 30, "~~a" * 30,
    "*a *b *c d* e* f*", "*a **b** c*", "***a***", "***a**b*", "*a***b**", "**a***b*",
    "*foo**bar**baz*", "*foo**bar*", "**foo*bar*baz**", "foo***bar***baz", "foo******bar*********baz",
    "*foo _bar* baz_", "_foo*bar_", "foo_bar_baz", "_foo_bar_", "__foo, __bar__, baz__",
    "=====x=====", "==a ==b== c==", "~~~a~~~", "~~~~~a~~~", "a =====b==",
    "*[*a*](u)*", "[**a](u)**", "**[a**](u)", "*%%c%%*a*", "=%%c%%==a==", "~%%c%%~~a~~",
    "**%%c%%**a**", "==%%c%%==a====", "*a\\**", "`*`a*", "$*a*$ *b*",
])
def test_edge_cases_alike(parsers: tuple[Any, Any], text: str) -> None:  # noqa: F811
    fast, reference = parsers
    assert _parse(fast, text)[:2] == _parse(reference, text)[:2]


MATH = ["$", "$", "$$", "$$$", "a", "x y", " ", "\t", "\n", "5", "\\", "\\\\", "\\$", "*", "`", "[", "]", "(u)",
        "\u00a0", "\u3000", "é", "\\frac{1}{2}", "==", "~~"]
"""Inline math: dollars next to spaces, digits and backslashes (escapes), doubled, unclosed."""


@pytest.mark.parametrize("seed", range(6))
def test_random_math_alike(parsers: tuple[Any, Any], seed: int) -> None:  # noqa: F811
    fast, reference = parsers
    rng = random.Random(3000 + seed)
    for _ in range(500):
        text = "".join(rng.choice(MATH) for _ in range(rng.randint(1, 20)))
        assert _parse(fast, text)[:2] == _parse(reference, text)[:2], text


def _consume_at(state: StateInline, silent: bool) -> bool:
    """An inline rule that takes `@` and pushes no token (as a plugin might)."""
    if state.src[state.pos] != "@":
        return False
    state.pos += 1
    return True


def _watch(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Record, for each inline parse that pairs runs, whether they were paired whole."""
    seen: list[bool] = []
    balance = pairs.balance_runs

    def watched(state: StateInline) -> bool:
        whole = balance(state)
        seen.append(whole)
        return whole
    monkeypatch.setattr(pairs, "balance_runs", watched)
    return seen


def test_runs_touching_are_unfolded_and_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs of one marker with no token between them (markdown-it takes them for one run) and
    a `==`/`~~` run right after a single `=`/`~` text token are unfolded into markdown-it's
    form and paired by its rules; other runs are paired whole."""
    seen = _watch(monkeypatch)
    fast, reference = build_parsers()
    for md in (fast, reference):
        md.inline.ruler.push("consume_at", _consume_at)
    cases = [("*a* **b** ==c== ~~d~~ [*e*](u)", True), ("*@*a*", False), ("**@**b**", False),
             ("_@_b_", False), ("=@==a==", False), ("==a*=@==*", False), ("~@~~a~~", False),
             ("*a* @ *b*", True), ("==a== @ =", True)]
    for text, whole in cases:
        seen.clear()
        got = _parse(fast, text)[:2]
        assert seen == [whole], text
        assert got == _parse(reference, text)[:2], text
    for text in ["$a$@$b$ *", "$a$ @ $b$", "@$a$$b$@", "$a@$ $b$"]:  # formulas chained, `@` between
        assert _parse(fast, text)[:2] == _parse(reference, text)[:2], text
    rng = random.Random(7)
    for _ in range(500):
        # (content without any markup character skips the inline parse, rules added or not)
        text = _snippet(rng).replace("$", "@").replace("%%", "@") + " *"
        assert _parse(fast, text)[:2] == _parse(reference, text)[:2], text


def _next_run_by_search(markup: Any, chain: str, src: str, at: int, stop: int) -> tuple[int, int] | None:
    """The run push_runs went on to before run_finder(): the next markup character, if it is
    one of `chain`, and the run it starts."""
    found = markup.search(src, at, stop)
    if found is None or src[found.start()] not in chain:
        return None
    end = pairs.RUN_PATTERNS[src[found.start()]].match(src, found.start(), stop).end()
    return found.start(), end


@pytest.mark.parametrize("pattern", [r"[\*_=~\[`$]", r"\*|_|=|~|\[|`|\$"])
def test_run_finder_finds_the_next_run(pattern: str) -> None:
    """run_finder's one match equals searching for the next markup character, then its run
    (for markup_pattern's character class and for any other pattern)."""
    import re

    markup = re.compile(pattern)
    rng = random.Random(5)
    alphabet = ["*", "**", "_", "=", "==", "~~", "~", "[", "`", "$", "a", " ", "\n", "é", "^"]
    for chain in ["*_", "*_=~", "="]:
        finder = pairs.run_finder(markup, chain)
        for _ in range(400):
            src = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
            at = rng.randint(0, len(src))
            stop = rng.randint(at, len(src))
            found = finder.match(src, at, stop)
            assert (found.span(1) if found else None) == _next_run_by_search(markup, chain, src, at, stop), src


NESTED = ["*a*", "**b**", "_c_", "__d__", "==e==", "~~f~~", "*g **h** i*", "**j *k* l**", "_m **n** o_",
          "==p *q* r==", "~~s ==t== u~~", "***v***", "*w*x", "x*y*", "* z *", "*", "**", "==", "~~", "_"]
WORDS = ["a", "word", "two words", ", ", ". ", " ", " ", "(", ")", "[[l]]", "[[l|*d*]]", "[x](y)",
         "[*x*](y)", "`c`", "$m$", "#t", "\n", "é", "*a", "b*", "^[n *i*]"]


@pytest.mark.parametrize("seed", range(4))
def test_nested_pairs_alike(parsers: tuple[Any, Any], seed: int, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    """Ordinary emphasis (pairs that nest, in words and links): pairs._pair_nested's shortcut
    gives markdown-it's tokens, and it is taken for most of these snippets."""
    fast, reference = parsers
    taken = []
    nested = pairs._pair_nested

    def watched(*args: Any) -> bool:
        taken.append(nested(*args))
        return taken[-1]

    monkeypatch.setattr(pairs, "_pair_nested", watched)
    rng = random.Random(3000 + seed)
    for _ in range(500):
        text = " ".join(rng.choice(NESTED if rng.random() < 0.4 else WORDS) for _ in range(rng.randint(1, 12)))
        assert _parse(fast, text)[:2] == _parse(reference, text)[:2], text
    assert taken.count(True) > len(taken) / 2
