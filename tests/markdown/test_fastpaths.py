"""The parser's fast paths (delimiter runs, plain inline content, the inline loop, the renderer) change no tokens and no HTML.

A reference parser is built with markdown-it's own rules, inline loop and renderer in their
place (and the highlight tokenizer as it was before it shared the fast run scan), and both parse
thousands of random snippets that mix the constructs.
"""
from __future__ import annotations

import random
from typing import Any

import pytest
from markdown_it.renderer import RendererHTML
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline.state_inline import Delimiter
from markdown_it.token import Token
from mdit_py_plugins.dollarmath.index import math_inline_dollar

import kbgen.markdown as markdown
from kbgen.markdown import dispatch, highlight, make_parser, mathml
from kbgen.markdown.collect import ENV_KEY, Collector


def _old_highlight(state: StateInline, silent: bool) -> bool:
    """highlight._tokenize as it was, on markdown-it's scanDelims() and push()."""
    if silent or state.src[state.pos] != "=":
        return False
    scanned = state.scanDelims(state.pos, True)
    length = scanned.length
    if length < 2:
        return False
    if length % 2:
        state.push("text", "", 0).content = "="
        length -= 1
    for _ in range(length // 2):
        token = state.push("text", "", 0)
        token.content = "=="
        state.delimiters.append(Delimiter(
            marker=0x3D, length=0, token=len(state.tokens) - 1, end=-1,
            open=scanned.can_open, close=scanned.can_close,
        ))
    state.pos += scanned.length
    return True


@pytest.fixture(scope="module")
def parsers(request: pytest.FixtureRequest) -> tuple[Any, Any]:
    return build_parsers()


def build_parsers() -> tuple[Any, Any]:
    """(kbgen's parser, the reference parser with markdown-it's rules, loop and renderer)."""
    fast = make_parser()
    mp = pytest.MonkeyPatch()
    inline_rule = markdown._inline_with_lines
    mp.setattr(markdown, "Renderer", RendererHTML)
    mp.setattr(markdown, "delims_plugin", lambda md, **options: None)
    mp.setattr(markdown, "_inline_with_lines", lambda markup, plain=None: inline_rule(None))
    mp.setattr(highlight, "_tokenize", _old_highlight)
    mp.setattr(mathml, "inline_math", math_inline_dollar(allow_space=False, allow_digits=False, allow_double=True))
    mp.setattr(dispatch, "_tokenizer", lambda md, rule, markup: type(md.inline).tokenize.__get__(md.inline))
    try:
        reference = make_parser()
    finally:
        mp.undo()
    return fast, reference


def test_reference_is_really_different(parsers: tuple[Any, Any]) -> None:
    fast, reference = parsers
    assert type(fast.renderer) is not RendererHTML and type(reference.renderer) is RendererHTML
    fast_rules = {r.name: r.fn for r in fast.inline.ruler.__rules__}
    ref_rules = {r.name: r.fn for r in reference.inline.ruler.__rules__}
    assert fast_rules["emphasis"] is not ref_rules["emphasis"]
    assert fast_rules["kbgen_mark"] is not ref_rules["kbgen_mark"]
    assert fast_rules["strikethrough"] is not ref_rules["strikethrough"]
    assert fast_rules["math_inline"] is not ref_rules["math_inline"]
    assert mathml.inline_math is not ref_rules["math_inline"]
    fast_post = {r.name: r.fn for r in fast.inline.ruler2.__rules__ if r.enabled}
    ref_post = {r.name: r.fn for r in reference.inline.ruler2.__rules__ if r.enabled}
    assert list(fast_post) == ["balance_pairs", "fragments_join"]
    assert list(ref_post) == ["balance_pairs", "strikethrough", "kbgen_mark", "emphasis", "fragments_join"]
    assert all(fast_post[name] is not ref_post[name] for name in fast_post)
    assert "tokenize" in vars(fast.inline) and getattr(reference.inline.tokenize, "__func__", None) is \
        type(reference.inline).tokenize


PIECES = [
    "a", "b", "word", " ", " ", "  ", "\n", "\n", "\n\n", "\t", "*", "*", "**", "***", "_", "__", "=",
    "==", "==", "===", "~", "~~", "$", "$$", "`", "\\", "[[a]]", "[[b|*c*]]", "![[a]]", "![[n#^id]]",
    "[[", "]]", "[", "]", "(", ")", "[x](y)", "![i](p.png)", "|", "- ", "* ", "+ ", "1. ", "> ",
    "# ", "## ", "#tag", "#1", "%%", "&amp;", "&", "<b>", "</b>", "<", ">", "-", "---", "^", "^id",
    "[^1]", "^[n]", "!", ".", ",", "é", "—", "中", "\u00a0", "'", '"', ":", "http://x.y", "www.a.b",
    "$x$", "$$y$$", "5", "$5", "\\$", "\\\\",
    "a@b.co", "| a | b |\n|---|---|\n", "| c | [[d]] |\n", "```\n", "    ", "[ ] ", "[x] ",
    "> [!note] T\n", "\n---\n",
]


def _snippet(rng: random.Random) -> str:
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 40)))


def _shape(tokens: list[Token] | None) -> list[Any]:
    """Everything about a token stream that rendering or collection can see."""
    out: list[Any] = []
    for t in tokens or []:
        meta = {k: (v if k != "ref" else repr(v)) for k, v in (t.meta or {}).items()}
        out.append((t.type, t.tag, t.nesting, t.attrs, t.map, t.level, t.content, t.markup,
                    t.info, repr(meta), t.block, t.hidden, _shape(t.children)))
    return out


def _parse(md: Any, text: str) -> tuple[list[Any], str, Collector]:
    col = Collector(path="n.md")
    tokens = md.parse(text, {ENV_KEY: col})
    return _shape(tokens), md.renderer.render(tokens, md.options, {}), col


@pytest.mark.parametrize("seed", range(8))
def test_random_snippets_parse_and_render_alike(parsers: tuple[Any, Any], seed: int) -> None:
    fast, reference = parsers
    rng = random.Random(seed)
    for _ in range(500):
        text = _snippet(rng)
        got_tokens, got_html, got_col = _parse(fast, text)
        want_tokens, want_html, want_col = _parse(reference, text)
        assert got_html == want_html, text
        assert got_tokens == want_tokens, text
        assert (got_col.links, got_col.tags, got_col.blocks, got_col.flags) == \
            (want_col.links, want_col.tags, want_col.blocks, want_col.flags), text


@pytest.mark.parametrize("text", [
    "*a**" * 50, "==a" * 50, "_" * 99, "**a*b***c****d*****", "=====x=====", "a==b== ==c==d",
    "*a* _b_ *c_ _d*", "(*a*) \"*b*\" a*—*b 中*a*中", "", "plain", "| a | b |\n|---|---|\n| c | d |",
])
def test_edge_cases_alike(parsers: tuple[Any, Any], text: str) -> None:
    fast, reference = parsers
    assert _parse(fast, text)[:2] == _parse(reference, text)[:2]


def _old_description(children: list[Token]) -> str:
    """parse._first_paragraph's text as it was: all of the paragraph's text, then the cut."""
    import re
    from kbgen.parse import plain_text
    text = re.sub(r"\s+", " ", plain_text(children)).strip()
    return text if len(text) <= 200 else text[:197].rsplit(" ", 1)[0] + "…"


@pytest.mark.parametrize("seed", range(3))
def test_description_reads_only_what_the_cut_needs_and_cuts_alike(parsers: tuple[Any, Any], seed: int) -> None:
    from kbgen.parse import _description
    fast, _ = parsers
    rng = random.Random(seed)
    words = ["a", "word", "longerword", " ", "   ", "\n", "*b*", "[[x|y z]]", "`c d`", "\t", "é"]
    for _ in range(300):
        text = "".join(rng.choice(words) for _ in range(rng.choice([5, 60, 200, 900])))
        tokens = fast.parse(text, {})
        for tok in tokens:
            if tok.type == "inline":
                assert _description(tok.children) == _old_description(tok.children), text


def test_table_rows_split_alike() -> None:
    from kbgen.markdown.tables import LIBRARY_SPLIT, escaped_split
    assert LIBRARY_SPLIT is not escaped_split
    rng = random.Random(5)
    for _ in range(5000):
        row = "".join(rng.choice(["|", "\\", "\\|", "a", " ", "`", "b c", "\\\\"]) for _ in range(rng.randint(0, 20)))
        assert escaped_split(row) == LIBRARY_SPLIT(row), row



def _old_push_link(state: StateInline, meta: dict[str, Any], text: str) -> None:
    """wikilinks._scan's three push() calls for a link without display text, as they were."""
    state.push("wikilink_open", "a", 1).meta = meta
    state.push("text", "", 0).content = text
    state.push("wikilink_close", "a", -1).meta = meta


def _recording(push: Any, record: list[Any]) -> Any:
    """`push`, noting what the inline state holds after it."""
    def recorded(state: StateInline, meta: dict[str, Any], text: str) -> None:
        delimiters = state.delimiters
        push(state, meta, text)
        record.append((state.level, state.pendingLevel, state.pending, repr(state.tokens_meta),
                       state.delimiters is delimiters, len(state._prev_delimiters)))
    return recorded


@pytest.mark.parametrize("seed", range(4))
def test_wikilink_tokens_made_at_once_alike(parsers: tuple[Any, Any], seed: int,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from kbgen.markdown import wikilinks
    fast, _ = parsers
    rng = random.Random(100 + seed)
    links = ["[[a]]", "[[a#h]]", "[[a#h#i]]", "[[#h]]", "[[a| ]]", "[[a|b]]", "[[ x ]]", "[[a#^b]]"]
    texts = ["".join(rng.choice(PIECES + links * 3) for _ in range(rng.randint(1, 30))) for _ in range(400)]
    new, old = wikilinks._push_link, _old_push_link
    assert new is not old
    got_states: list[Any] = []
    want_states: list[Any] = []
    monkeypatch.setattr(wikilinks, "_push_link", _recording(new, got_states))
    got = [_parse(fast, t)[:2] for t in texts]
    monkeypatch.setattr(wikilinks, "_push_link", _recording(old, want_states))
    want = [_parse(fast, t)[:2] for t in texts]
    assert got == want
    assert got_states == want_states and len(got_states) > 1000
