"""The block parser's line markers (StateBlock's bMarks, eMarks, tShift, sCount) computed in bulk.

StateBlock.__init__ walks the note line by line in Python (~0.4 us a line: 0.1 s for a MB of
one-word lines). Here the lines are split and their offsets summed by C loops; only a note with
indented lines pays a Python step per line, for its indentation. The state itself is made by
StateBlock's own __init__ on empty text (every other field as the library sets it), then given
the markers: the same as its loop makes, for any text (tests compare them on random notes).
"""
from __future__ import annotations

from itertools import accumulate
from operator import add
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token


def markers(src: str) -> tuple[list[int], list[int], list[int], list[int]]:
    """bMarks, eMarks, tShift and sCount of `src` as StateBlock makes them (with the extra entry
    at the end): one per line, where a last line without a newline counts only if it holds
    something other than spaces and tabs."""
    length = len(src)
    lines = src.split("\n")
    last = lines[-1]
    if not last or not last.strip(" \t"):
        lines.pop()
    lens = list(map(len, lines))
    n = len(lens)
    begins = list(accumulate(map((1).__add__, lens), initial=0))  # each line and its newline
    begins[n] = length  # (the extra entry: the text's end)
    ends = list(map(add, begins, lens))
    ends.append(length)
    if src[:1] != " " and src[:1] != "\t" and "\n " not in src and "\n\t" not in src:
        zeros = [0] * (n + 1)
        return begins, ends, zeros, zeros.copy()
    shifts, counts = [], []
    for line in lines:
        indent = len(line) - len(line.lstrip(" \t"))
        shifts.append(indent)
        if "\t" in line[:indent]:
            offset = 0
            for ch in line[:indent]:
                offset = offset + 4 - offset % 4 if ch == "\t" else offset + 1
            counts.append(offset)
        else:
            counts.append(indent)
    shifts.append(0)
    counts.append(0)
    return begins, ends, shifts, counts


SHORT_LINES = 32
"""Below this average line length markers() is the faster (its split copies the text: longer
lines cost it more than the library's loop, which pays per line)."""


def block_state(src: str, md: MarkdownIt, env: Any, tokens: list[Token]) -> StateBlock:
    """StateBlock(src, md, env, tokens), its markers made by markers()."""
    state = StateBlock("", md, env, tokens)
    state.src = src
    state.bMarks, state.eMarks, state.tShift, state.sCount = markers(src)
    state.bsCount = [0] * len(state.bMarks)
    state.lineMax = len(state.bMarks) - 1
    return state


def lines_plugin(md: MarkdownIt) -> None:
    """Make the block parser's state with block_state() where the lines are short (what
    ParserBlock.parse does otherwise)."""
    parser = md.block

    def parse(src: str, md: MarkdownIt, env: Any, outTokens: list[Token]) -> list[Token] | None:
        if not src:
            return None
        if src.count("\n") * SHORT_LINES < len(src):
            state = StateBlock(src, md, env, outTokens)
        else:
            state = block_state(src, md, env, outTokens)
        parser.tokenize(state, state.line, state.lineMax)
        return state.tokens

    parser.parse = parse  # type: ignore[method-assign]
