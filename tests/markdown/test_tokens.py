"""tokens.py: tokens made without Token's constructor equal the ones markdown-it's push() makes."""
from __future__ import annotations

from typing import Literal

import pytest
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from kbgen.markdown import make_parser, tokens


def _inline_state() -> StateInline:
    state = StateInline("x", make_parser(), {}, [])
    state.level = 2
    return state


def _separate(a: Token, b: Token) -> bool:
    """No mutable field shared: a plugin that sets one token's attrs or meta changes only it."""
    return a.attrs is not b.attrs and a.meta is not b.meta


def test_makers_are_the_fast_ones() -> None:
    """markdown-it's Token has the fields the makers set (else they fall back to Token(...))."""
    assert tokens.SAME_FIELDS
    assert (tokens.token, tokens.text, tokens.block_token) == (tokens._token, tokens._text, tokens._block)


@pytest.mark.parametrize("kind, tag, nesting, content, markup", [
    ("em_open", "em", 1, "", "*"), ("strong_close", "strong", -1, "", "**"),
    ("math_inline", "math", 0, "x^2", "$"), ("embed", "", 0, "", "")])
def test_token_is_what_push_makes(kind: str, tag: str, nesting: Literal[-1, 0, 1], content: str,
                                  markup: str) -> None:
    for make in (tokens._token, tokens._constructed_token):
        state = _inline_state()
        if nesting < 0:  # push() pops the delimiter list its opener began
            state.push(kind.replace("_close", "_open"), tag, 1)
        pushed = state.push(kind, tag, nesting)
        pushed.content, pushed.markup = content, markup
        made = make(kind, tag, nesting, pushed.level, content, markup)
        assert made == pushed and _separate(made, pushed)
        assert made.block is False and made.children is None and made.map is None


def test_token_keeps_the_meta_it_is_given() -> None:
    """A wikilink's open and close tokens share one meta dict, as push() callers set it."""
    meta = {"ref": None, "index": 3}
    for make in (tokens._token, tokens._constructed_token):
        opening, closing = make("wikilink_open", "a", 1, 0, meta=meta), make("wikilink_close", "a", -1, 0, meta=meta)
        assert opening.meta is meta and closing.meta is meta and opening.attrs is not closing.attrs


@pytest.mark.parametrize("content", ["", "a", "*", "two words"])
def test_text_is_what_pending_text_makes(content: str) -> None:
    for make in (tokens._text, tokens._constructed_text):
        state = _inline_state()
        state.pending = content or "x"
        state.pushPending()
        pushed = state.tokens[-1]
        pushed.content = content
        made = make(pushed.level, content)
        assert made == pushed and _separate(made, pushed)
        assert make(0, content) != make(1, content)


@pytest.mark.parametrize("meta", [None, {"ref": None, "index": 3}])
def test_link_tokens_are_what_three_pushes_make(meta: dict[str, object] | None) -> None:
    """link_tokens(): push() of the opener, the label's text left pending and push() of the closer."""
    for make in (tokens._link_tokens, tokens._constructed_link_tokens):
        state = _inline_state()
        opening = state.push("wikilink_open", "a", 1)
        state.pending = "label"
        closing = state.push("wikilink_close", "a", -1)
        pushed = state.tokens[-3:]
        if meta is not None:
            opening.meta = closing.meta = meta
        made = make("wikilink_open", "wikilink_close", "a", opening.level, "label", meta)
        assert list(made) == pushed
        assert all(m.attrs is not p.attrs for m, p in zip(made, pushed))
        assert meta is not None or all(_separate(m, p) for m, p in zip(made, pushed))
        assert _separate(made[0], made[1]) and made[0].attrs is not made[2].attrs
        assert (made[0].meta is made[2].meta) == (meta is not None)
        assert meta is None or made[0].meta is meta


@pytest.mark.parametrize("opening, closing, tag, markup", [
    ("heading_open", "heading_close", "h2", "##"), ("paragraph_open", "paragraph_close", "p", "")])
def test_inline_block_is_what_three_pushes_make(opening: str, closing: str, tag: str, markup: str) -> None:
    """A heading's or paragraph's three tokens as markdown-it's rules push them (each with maps
    and mutable fields of its own)."""
    from markdown_it.rules_block import StateBlock

    assert tokens.inline_block is tokens._inline_block
    for make in (tokens._inline_block, tokens._constructed_inline_block):
        state = StateBlock("x", make_parser(), {}, [])
        state.level = 2
        pushed = [state.push(opening, tag, 1), state.push("inline", "", 0), state.push(closing, tag, -1)]
        pushed[0].markup = pushed[2].markup = markup
        pushed[0].map, pushed[1].map = [3, 5], [3, 5]
        pushed[1].content, pushed[1].children = "a *b*", []
        made = make(opening, closing, tag, markup, 2, [3, 5], "a *b*")
        assert list(made) == pushed and state.level == 2
        assert made[0].map is not made[1].map and made[1].children is not None
        assert all(_separate(a, b) for a, b in ((made[0], made[1]), (made[1], made[2]), (made[0], made[2])))
