"""Delimiter runs (`*`, `_`, `==`) tokenized as markdown-it does it, with less Python per run.

markdown-it's emphasis rule pushes one text token and one Delimiter per marker character, via
`state.scanDelims()` and `state.push()`; text like `*a***a**…` spent most of its parse there.
`emphasis_run()` and `mark_run()` push exactly the same tokens and delimiters (the pairing
rules that run afterwards rely on them), but find the run with one regex match, classify its
neighbours from a memo and append the tokens directly; `chained_runs()` goes on from run to run.
`fragments_join()` and `text_join()`, which merge the text tokens left over, do it in one pass.
"""
from __future__ import annotations

import re
from typing import Callable

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
    tokens, delimiters = state.tokens, state.delimiters
    text = state.pending
    if text:  # state.pushPending(), without reading the pending text twice
        tokens.append(Token("text", "", 0, {}, None, state.pendingLevel, None, text))
        state.pending = ""
    level = state.level
    marker = ord(content[0])
    first = len(tokens)
    for index in range(first, first + count):
        tokens.append(Token("text", "", 0, {}, None, level, None, content))
        delimiters.append(Delimiter(marker, delimiter_length, index, -1, can_open, can_close))
    state.tokens_meta.extend([None] * count)
    state.pendingLevel = level


def emphasis_run(state: StateInline, start: int) -> int:
    """markdown-it's `emphasis` tokenize rule (`*` and `_` runs) at `start`, not silent: the
    end of the run it pushed, or -1."""
    marker = state.src[start]
    if marker != "*" and marker != "_":
        return -1
    end, can_open, can_close = scan_run(state, start, marker == "*")
    push_markers(state, marker, end - start, end - start, can_open, can_close)
    return end


def mark_run(state: StateInline, start: int) -> int:
    """The `kbgen_mark` rule (highlight.py) at `start`: each `==` of a run as a text token and
    a delimiter, a lone odd `=` as text; the end of the run, or -1 for a single `=`."""
    if state.src[start] != "=":
        return -1
    end, can_open, can_close = scan_run(state, start, True)
    length = end - start
    if length < 2:
        return -1
    if length % 2:
        state.push("text", "", 0).content = "="
        length -= 1
    push_markers(state, "==", length // 2, 0, can_open, can_close)
    return end


RunTokenizer = Callable[[StateInline, int], int]


def run_rule(run: RunTokenizer) -> Callable[[StateInline, bool], bool]:
    """The inline rule that tokenizes one run with `run` (which returns its end, or -1)."""
    def rule(state: StateInline, silent: bool) -> bool:
        if silent:
            return False
        end = run(state, state.pos)
        if end < 0:
            return False
        state.pos = end
        return True
    return rule


emphasis = run_rule(emphasis_run)
"""markdown-it's `emphasis` tokenize rule, same tokens and delimiters."""


def chained_runs(markup: re.Pattern[str], run_at: dict[str, RunTokenizer]) -> Callable[[StateInline, bool], bool]:
    """The `emphasis` and `kbgen_mark` rules in one, going on from run to run.

    In `*a***b**…` markdown-it's loop tries the rules at each run and the `text` rule at each
    word between. When `markup` (the characters some inline rule can start at) finds that the
    next such character starts another run, nothing but the text rule could match in between:
    the words go to the pending text, as that rule would put them, and the next run is
    tokenized in the same call. `run_at`: the run tokenizer of each character (the only rule
    that can start there)."""
    search = markup.search

    def runs(state: StateInline, silent: bool) -> bool:
        if silent:
            return False
        src, start = state.src, state.pos
        tokenize = run_at.get(src[start])
        end = tokenize(state, start) if tokenize else -1
        if end < 0:
            return False
        while True:
            found = search(src, end, state.posMax)
            if found is None:
                break
            start = found.start()
            tokenize = run_at.get(src[start])
            if tokenize is None:
                break
            if start > end:
                state.append_pending(src[end:start])
            end = tokenize(state, start)
            if end < 0:  # a single `=`: no rule starts there, markdown-it keeps it as text
                state.append_pending("=")
                end = start + 1
        state.pos = end
        return True
    return runs


def delims_plugin(md: MarkdownIt, *, markup: re.Pattern[str] | None = None) -> None:
    """Put `emphasis()`, `fragments_join()` and `text_join()` in the place of markdown-it's
    rules. With `markup` (dispatch.markup_pattern), the `emphasis` and `kbgen_mark` rules go
    on from run to run (chained_runs) where each is the only rule that starts at its characters."""
    from kbgen.markdown.dispatch import starting_at

    md.inline.ruler.at("emphasis", emphasis)
    run_at: dict[str, RunTokenizer] = {}
    for name, chars, tokenize in (("emphasis", "*_", emphasis_run), ("kbgen_mark", "=", mark_run)):
        if all(starting_at(md, ch) == [name] for ch in chars):
            run_at.update(dict.fromkeys(chars, tokenize))
    if markup is not None and run_at:
        runs = chained_runs(markup, run_at)
        for rule in md.inline.ruler.__rules__:
            if rule.name in ("emphasis", "kbgen_mark") and rule.enabled and run_at.get(
                    "*" if rule.name == "emphasis" else "="):
                rule.fn = runs
        md.inline.ruler.__cache__ = None
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
        children = block.children
        if not children:
            block.children = []
            continue
        if len(children) == 1 and not children[0].children:  # a plain cell, item or heading
            if children[0].type == "text_special":
                children[0].type = "text"
            continue
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
