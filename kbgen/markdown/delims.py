"""Delimiter runs (`*`, `_`, `~~`, `==`) scanned with less Python per run, and the rules that go with them.

`scan_run()` is `state.scanDelims()` with one regex match and a memo of the neighbours' kinds;
`mark_run()` pushes markdown-it's tokens and Delimiters for a `==` run (highlight.py's rule on
its own); `delims_plugin()` puts the whole-run rules of pairs.py in the place of markdown-it's.
`fragments_join()` and `text_join()`, which merge the text tokens left over, do it in one pass.
"""
from __future__ import annotations

import re
from operator import attrgetter
from typing import Any, Callable

from markdown_it import MarkdownIt
from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline.newline import newline
from markdown_it.rules_inline.state_inline import Delimiter
from markdown_it.token import Token

from kbgen.markdown.tokens import text as text_token

CHAR_KINDS: dict[str, tuple[bool, bool]] = {}
"""Character → (punctuation, whitespace) as scanDelims() classifies it."""
CHAR_KINDS_MAX = 10_000
RUN_PATTERNS = {ch: re.compile(re.escape(ch) + "+") for ch in "*_=~"}


def char_kind(ch: str) -> tuple[bool, bool]:
    kind = CHAR_KINDS.get(ch)
    if kind is None:
        code = ord(ch)
        kind = (isMdAsciiPunct(code) or isPunctChar(ch), isWhiteSpace(code))
        if len(CHAR_KINDS) < CHAR_KINDS_MAX:
            CHAR_KINDS[ch] = kind
    return kind


def scan_run(state: StateInline, start: int, split_word: bool) -> tuple[int, bool, bool]:
    """`state.scanDelims(start, split_word)` as (end of the run, can_open, can_close)."""
    src = state.src
    end = RUN_PATTERNS[src[start]].match(src, start, state.posMax).end()  # type: ignore[union-attr]
    last_punct, last_space = char_kind(src[start - 1] if start > 0 else " ")
    next_punct, next_space = char_kind(src[end] if end < state.posMax else " ")
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
        tokens.append(text_token(state.pendingLevel, text))
        state.pending = ""
    level = state.level
    marker = ord(content[0])
    first = len(tokens)
    for index in range(first, first + count):
        tokens.append(text_token(level, content))
        delimiters.append(Delimiter(marker, delimiter_length, index, -1, can_open, can_close))
    state.tokens_meta.extend([None] * count)
    state.pendingLevel = level


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


def delims_plugin(md: MarkdownIt, *, markup: re.Pattern[str] | None = None) -> None:
    """Put the whole-run rules of pairs.py (`*`/`_`, `~~` and `==` runs as one token each,
    paired whole), `fragments_join()` and `text_join()` in the place of markdown-it's rules.
    With `markup` (dispatch.markup_pattern), the run rules go on from run to run
    (pairs.chained_rule) through the run characters that no other rule starts at, and inline
    math from formula to formula (mathml.chained_inline_math)."""
    from kbgen.markdown import mathml, pairs
    from kbgen.markdown.dispatch import RULE_NAME, starting_at

    inline, post = md.inline.ruler, md.inline.ruler2
    names = {rule.name for rule in inline.__rules__}
    chars = {"emphasis": "*_"}
    if "kbgen_mark" in names:
        chars["kbgen_mark"] = "="
    if "strikethrough" in names and not md.options.get("strikethrough_single_tilde"):
        chars["strikethrough"] = "~"
    chain = "".join(ch for name, run_chars in chars.items() for ch in run_chars
                    if starting_at(md, ch) == [name])
    known = frozenset([r.name for r in inline.__rules__ if r.enabled] + [RULE_NAME])
    fns = {r.name: r.fn for r in inline.__rules__}
    rule: Callable[[StateInline, bool], bool] = pairs.whole_run_rule
    if markup is not None and chain:
        # (onepass.py takes content with line breaks where only markdown-it's rule starts at one)
        breaks = starting_at(md, "\n") == ["newline"] and fns["newline"] is newline
        rule = pairs.chained_rule(markup, chain, known, breaks)
    for name in chars:
        inline.at(name, rule)
    # Inline math likewise goes on from formula to formula where only it starts at `$`.
    if markup is not None and fns.get("math_inline") is mathml.inline_math and \
            starting_at(md, "$") == ["math_inline"]:
        inline.at("math_inline", mathml.chained_inline_math(markup, known))
    # The runs' post-processing rules run from the balance rule, where it unfolds the runs.
    replaced = [r for r in post.__rules__ if r.name in chars and r.enabled]
    post.at("balance_pairs", pairs.balance_rule([r.fn for r in replaced]))
    post.disable([r.name for r in replaced])
    post.at("fragments_join", fragments_join)
    md.core.ruler.at("text_join", text_join)


_JOINED = "kbgen_joined"
"""The StateInline attribute holding a token list left as fragments_join() would leave it."""
_FINAL = "_kb_final_inline"
"""The env key of the inline token lists that text_join() would leave as they are: id → (the
list, its length then)."""


def mark_joined(state: StateInline) -> None:
    """Tell fragments_join() and text_join() that `state.tokens` is as they would leave it
    (onepass.py makes tokens final as it tokenizes: no `text_special` token, no two text tokens
    in a row, no token with children). Should a core rule before text_join() give the block
    other children, or add to these, text_join() looks at them."""
    tokens = state.tokens
    setattr(state, _JOINED, tokens)
    mark_final(state.env, tokens)


def mark_final(env: dict[str, Any], tokens: list[Token]) -> None:
    """Tell text_join() that an inline block's `tokens` are as it would leave them (no
    `text_special` token, no two text tokens in a row, none with children of that kind): made
    so by a fast path that sets no StateInline up (plainlinks.py)."""
    final = env.get(_FINAL)
    if final is None:
        final = env[_FINAL] = {}
    final[id(tokens)] = (tokens, len(tokens))


def fragments_join(state: StateInline) -> None:
    """markdown-it's `fragments_join` (merge adjacent text tokens left by the pairing rules,
    keeping the last token of each run, and set every token's level again), in one pass."""
    tokens = state.tokens
    if getattr(state, _JOINED, None) is tokens:
        return
    if len(tokens) > 32 and "\0text\0text\0" not in "\0{}\0".format("\0".join(map(_TYPE, tokens))):
        # Nothing to merge (checked without a Python step per token, which pays on long
        # content): only the levels to set.
        level = 0
        for token in tokens:
            nesting = token.nesting
            if nesting < 0:
                level -= 1
            token.level = level
            if nesting > 0:
                level += 1
        return
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
    final = state.env.pop(_FINAL, None) or {}
    for block in state.tokens:
        if block.type != "inline":
            continue
        children = block.children
        if not children:
            block.children = []
            continue
        if final:
            made = final.get(id(children))
            if made is not None and made[0] is children and made[1] == len(children):
                continue  # (mark_joined())
        if len(children) == 1 and not children[0].children:  # a plain cell, item or heading
            if children[0].type == "text_special":
                children[0].type = "text"
            continue
        for child in filter(_CHILDREN, children):
            if _joinable(child.children):
                child.children = _joined(child.children)
        if _joinable(children):
            block.children = _joined(children)


_TYPE = attrgetter("type")
_CHILDREN = attrgetter("children")


def _joinable(tokens: list[Token]) -> bool:
    """Whether _joined() would change `tokens`: a `text_special` token, or two text tokens in
    a row (after fragments_join, most inline content has neither). Checked on the joined
    type names, without a Python step per token."""
    types = "\0".join(map(_TYPE, tokens))
    return "text_special" in types or "\0text\0text\0" in f"\0{types}\0"


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
