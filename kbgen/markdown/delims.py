"""Delimiter runs (`*`, `_`, `==`) tokenized as markdown-it does it, with less Python per run.

markdown-it's emphasis rule pushes one text token and one Delimiter per marker character, via
`state.scanDelims()` and `state.push()`; text like `*a***a**…` spent most of its parse there.
`delimiter_run()` pushes exactly the same tokens and delimiters (the pairing rules that run
afterwards rely on them), but finds the run with one regex match, classifies its neighbours
from a memo and appends the tokens directly.
"""
from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline.state_inline import Delimiter
from markdown_it.token import Token

_KIND: dict[str, tuple[bool, bool]] = {}
"""Character → (punctuation, whitespace) as scanDelims() classifies it."""
_KIND_MAX = 10_000
_RUNS = {ch: re.compile(re.escape(ch) + "+") for ch in "*_=~"}


def _kind(ch: str) -> tuple[bool, bool]:
    kind = _KIND.get(ch)
    if kind is None:
        code = ord(ch)
        kind = (isMdAsciiPunct(code) or isPunctChar(ch), isWhiteSpace(code))
        if len(_KIND) < _KIND_MAX:
            _KIND[ch] = kind
    return kind


def scan_run(state: StateInline, start: int, split_word: bool) -> tuple[int, bool, bool]:
    """`state.scanDelims(start, split_word)` as (end of the run, can_open, can_close)."""
    src = state.src
    end = _RUNS[src[start]].match(src, start, state.posMax).end()  # type: ignore[union-attr]
    last_punct, last_space = _kind(src[start - 1] if start > 0 else " ")
    next_punct, next_space = _kind(src[end] if end < state.posMax else " ")
    left = not (next_space or (next_punct and not (last_space or last_punct)))
    right = not (last_space or (last_punct and not (next_space or next_punct)))
    return (end,
            left and (split_word or not right or last_punct),
            right and (split_word or not left or next_punct))


def push_markers(state: StateInline, content: str, count: int, delimiter_length: int,
                 can_open: bool, can_close: bool) -> None:
    """`count` times what the emphasis rule does per marker: push a text token holding
    `content` (as state.push("text", "", 0) would) and a Delimiter pointing at it."""
    if state.pending:
        state.pushPending()
    level = state.level
    tokens, delimiters = state.tokens, state.delimiters
    marker = ord(content[0])
    first = len(tokens)
    for index in range(first, first + count):
        tokens.append(Token("text", "", 0, {}, None, level, None, content))
        delimiters.append(Delimiter(marker, delimiter_length, index, -1, can_open, can_close))
    state.tokens_meta.extend([None] * count)
    state.pendingLevel = level


def emphasis(state: StateInline, silent: bool) -> bool:
    """markdown-it's `emphasis` tokenize rule (`*` and `_` runs), same tokens and delimiters."""
    if silent:
        return False
    start = state.pos
    marker = state.src[start]
    if marker != "*" and marker != "_":
        return False
    end, can_open, can_close = scan_run(state, start, marker == "*")
    push_markers(state, marker, end - start, end - start, can_open, can_close)
    state.pos = end
    return True


def delims_plugin(md: MarkdownIt) -> None:
    """Put `emphasis()`, `fragments_join()` and `text_join()` in the place of markdown-it's rules."""
    md.inline.ruler.at("emphasis", emphasis)
    md.inline.ruler2.at("fragments_join", fragments_join)
    md.core.ruler.at("text_join", text_join)


def fragments_join(state: StateInline) -> None:
    """markdown-it's `fragments_join` (merge adjacent text tokens left by the pairing rules,
    keeping the last token of each run, and set every token's level again), in one pass."""
    tokens = state.tokens
    count = len(tokens)
    out: list[Token] = []
    level = i = 0
    while i < count:
        token = tokens[i]
        nesting = token.nesting
        if nesting < 0:
            level -= 1
        token.level = level
        if nesting > 0:
            level += 1
        i += 1
        if token.type == "text" and i < count and tokens[i].type == "text":
            j = i + 1
            while j < count and tokens[j].type == "text":
                j += 1
            merged = tokens[j - 1]
            merged.content = "".join([t.content for t in tokens[i - 1:j]])
            merged.level = level
            token = merged
            i = j
        out.append(token)
    if len(out) != count:
        tokens[:] = out


def text_join(state: StateCore) -> None:
    """markdown-it's core `text_join`: `text_special` tokens become text, and each run of
    adjacent text tokens becomes its first token (in inline children and in their children)."""
    for block in state.tokens:
        if block.type != "inline":
            continue
        children = block.children or []
        for child in children:
            if child.children:
                child.children = _joined(child.children)
        block.children = _joined(children)


def _joined(tokens: list[Token]) -> list[Token]:
    out: list[Token] = []
    run: list[str] = []
    """Contents of the run of text tokens that out[-1] starts."""
    for token in tokens:
        if token.type == "text_special":
            token.type = "text"
        if token.type != "text":
            if len(run) > 1:
                out[-1].content = "".join(run)
            run.clear()
            out.append(token)
        elif run:
            run.append(token.content)
        else:
            run.append(token.content)
            out.append(token)
    if len(run) > 1:
        out[-1].content = "".join(run)
    return out
