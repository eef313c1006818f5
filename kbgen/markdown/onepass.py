"""Inline content whose only markup is delimiter runs (`*`, `_`, `~~`, `==`): tokenized, paired and joined in one go.

pairs.push_runs() makes a text token per run and per stretch of text between runs, pairs.balance_runs()
gives the runs their tags (and tokens for the runs that make more than one), and `fragments_join`
merges the text tokens left side by side and sets every token's level: three passes over the
tokens, and tokens made to be merged. Where a paragraph holds no markup but runs and line breaks
(`*a* and **b**`, or a pathological `*a***a**…`), nothing else can come between: push_content()
finds the runs, pairs them (pairs.match_nested() or pairs.match_runs()) and makes each final
token once, at its level, the text around the runs merged as `fragments_join` would and each
newline made what markdown-it's `newline` rule makes of it. markdown-it's post-processing then
has nothing left to do (no delimiters), and `fragments_join` and `text_join` are told they need
not look (delims.mark_joined()).
"""
from __future__ import annotations

import re
from typing import Pattern

from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from kbgen.markdown import pairs
from kbgen.markdown.delims import mark_joined
from kbgen.markdown.tokens import SAME_FIELDS, Fields, before_break
from kbgen.markdown.tokens import text as text_token
from kbgen.markdown.tokens import token as new_token

_NESTED_MAX = 8 * 64
"""Runs (eight fields each) up to which pairs.match_nested() is tried first (a long list is
rarely all nested pairs)."""


def run_pattern(chain: str) -> Pattern[str]:
    """A pattern that finds a run of one of the characters of `chain` (a character class first,
    which the regex engine skips to quickly: `\\*+|_+` tries each branch at every character)."""
    return re.compile(f"([{re.escape(chain)}])\\1*")


def other_markup(markup: Pattern[str], chain: str) -> Pattern[str] | None:
    """A pattern that finds the characters of `markup` (dispatch.markup_pattern's character
    class) that are not in `chain`; None for a pattern of another form."""
    plain = markup.pattern
    if not (plain.startswith("[") and not plain.startswith("[^") and plain.endswith("]")):
        return None
    chars = set(re.sub(r"\\(.)", r"\1", plain[1:-1], flags=re.S)) - set(chain)
    if not chars:
        return re.compile(r"[^\s\S]")  # matches nothing
    return re.compile("[" + re.escape("".join(sorted(chars))) + "]")


def push_content(state: StateInline, start: int, run_pattern: Pattern[str]) -> bool:
    """Tokenize the rest of the content, from the run at `start` to posMax, as markdown-it's
    rules, `balance_pairs`, the runs' post-processing and `fragments_join` would leave it.

    The caller makes sure that nothing is tokenized yet (no token, no delimiter, level 0), that
    no character from `start` on is one an inline rule other than the run rules (and
    markdown-it's `newline` rule) starts at, and that `run_pattern` finds a run of one of these
    rules' characters (run_pattern()). False (nothing done) where the run at `start` is a
    single `~` or `=`, which stays text."""
    if not SAME_FIELDS:
        return False  # (the tokens are made field by field below)
    src, stop = state.src, state.posMax
    flanks_of, flanks_new = pairs._FLANKS, pairs._flanks
    runs: list[int | bool] = []
    """Eight fields a run: start, end, then pairs.Run's marker, length, units, lone, can open,
    can close (one flat list: a field's column is a slice of it)."""
    for found in run_pattern.finditer(src, start, stop):
        first, at = found.span()
        ch = src[first]
        length = at - first
        if length < 2 and (ch == "~" or ch == "="):
            if first == start:
                return False
            continue  # a single `~` or `=` stays text
        around = (src[first - 1] if first else " ") + (src[at] if at < stop else " ")
        flanks = flanks_of.get(around) or flanks_new(around)
        if ch == "*":
            runs += (first, at, 42, length, length, 0, flanks[0], flanks[1])
        elif ch == "_":
            runs += (first, at, 95, length, length, 0, flanks[2], flanks[3])
        else:
            runs += (first, at, ord(ch), 0, length // 2, length % 2, flanks[0], flanks[1])
    starts, ends, markers, lengths = runs[0::8], runs[1::8], runs[2::8], runs[3::8]
    units, lones, opens, closes = runs[4::8], runs[5::8], runs[6::8], runs[7::8]
    matched = pairs.match_nested(markers, lengths, units, lones, opens, closes) if len(runs) <= _NESTED_MAX else None
    left, closing, opening = matched or pairs.match_runs(markers, lengths, units, opens, closes)

    tokens = state.tokens
    level = state.level
    texts: list[str] = [state.pending] if state.pending else []
    """The text since the last tag: one text token (empty ones included, as the outer marker
    of a <strong> leaves)."""
    text_from = start  # where text not yet in `texts` starts
    new, token_class, add = object.__new__, Token, tokens.append
    lines = src.find("\n", start, stop) >= 0
    for i in range(len(starts)):
        first = starts[i]
        if lines and first > text_from:
            newline = src.find("\n", text_from, first)
            if newline < 0:
                pass
            elif newline == first - 1 and (newline == text_from or src[newline - 1] != " "):
                # the one newline of the gap, the run starting the next line, no blank before it
                # (what _breaks() makes of it, without its calls: a line per run, `*a**` a line)
                if newline > text_from:
                    texts.append(src[text_from:newline])
                if texts:
                    add(text_token(level, "".join(texts)))
                    texts = []
                add(new_token("softbreak", "br", 0, level))
                text_from = first
            else:
                texts = _breaks(src, text_from, first, texts, tokens, level)
                text_from = first
        middle = left[i]
        if middle == units[i]:  # no marker used: the run is text, with the text before it
            texts.append(src[text_from:ends[i]])
            text_from = ends[i]
            continue
        if first > text_from:
            texts.append(src[text_from:first])
        text_from = ends[i]
        if middle or lones[i]:
            key = (markers[i], closing[i], lengths[i] > 0, lones[i], middle, opening[i])
        else:  # every marker used (the usual case): a shorter key to hash
            key = (markers[i], closing[i], opening[i])
        for type_, tag, nesting, content, markup in _FIELDS.get(key) or _fields(key):
            if not nesting:  # text
                texts.append(content)
                continue
            if nesting < 0:
                level -= 1
            # tokens.token() and tokens.text() written out: a Python call per token costs
            # as much as a tenth of a long paragraph's parse.
            if texts:
                t = new(token_class)
                t.type = "text"
                t.tag = ""
                t.nesting = 0
                t.attrs = {}
                t.map = None
                t.level = level + 1 if nesting < 0 else level
                t.children = None
                t.content = "".join(texts)
                t.markup = ""
                t.info = ""
                t.meta = {}
                t.block = False
                t.hidden = False
                add(t)
                texts = []
            t = new(token_class)
            t.type = type_
            t.tag = tag
            t.nesting = nesting
            t.attrs = {}
            t.map = None
            t.level = level
            t.children = None
            t.content = ""
            t.markup = markup
            t.info = ""
            t.meta = {}
            t.block = False
            t.hidden = False
            add(t)
            if nesting > 0:
                level += 1
    if stop > text_from:
        if lines:
            texts = _breaks(src, text_from, stop, texts, tokens, level)
        else:
            texts.append(src[text_from:stop])
    if texts:
        tokens.append(text_token(level, "".join(texts)))
    state.pending = ""
    state.pendingLevel = level
    state.pos = stop
    mark_joined(state)
    return True


def _breaks(src: str, begin: int, end: int, texts: list[str], tokens: list[Token], level: int) -> list[str]:
    """The text from `begin` to `end` (between runs) added to `texts`, what markdown-it's
    `newline` rule makes of each newline in it made: the pending text (the text since the last
    run or newline) loses its last blank (a softbreak) or all of two or more (a hardbreak), the
    text so far becomes a text token, then the break's; the next line's leading blanks are
    skipped. The text after the last newline is returned in `texts`."""
    at = begin
    while True:
        newline = src.find("\n", at, end)
        if newline < 0:
            if end > at:
                texts.append(src[at:end])
            return texts
        text, hard = before_break(src[at:newline])
        if text:
            texts.append(text)
        if texts:
            tokens.append(text_token(level, "".join(texts)))
            texts = []
        tokens.append(new_token("hardbreak" if hard else "softbreak", "br", 0, level))
        at = newline + 1
        while at < end and (src[at] == " " or src[at] == "\t"):
            at += 1


_FIELDS: dict[tuple[int | bool | tuple[int, ...], ...], tuple[Fields, ...]] = {}
"""Memo of _fields()."""


def _fields(key: tuple[int | bool | tuple[int, ...], ...]) -> tuple[Fields, ...]:
    """The fields of every token a run leaves, in order: `key` is pairs._spec()'s arguments,
    or (marker, closing, opening) for a run whose every marker got a tag."""
    if len(key) == 3:
        marker, closing, opening = key
        first, more = pairs._spec(marker, closing, True, 0, 0, opening)  # type: ignore[arg-type]
    else:
        first, more = pairs._spec(*key)  # type: ignore[arg-type]
    fields = (first, *more)
    if len(_FIELDS) < 4096:
        _FIELDS[key] = fields
    return fields
