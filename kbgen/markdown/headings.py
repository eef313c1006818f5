"""ATX headings (`# Title`): markdown-it's `heading` block rule, its three tokens made directly.

A vault's notes hold many headings; markdown-it's rule logs a debug call, steps over the
closing `#`s and spaces one character at a time and pushes each token through
StateBlock.push(). This rule decides the same and makes the same tokens with string methods
and tokens.inline_block.
"""
from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.common.utils import MD_TRIM_CHARS
from markdown_it.rules_block import StateBlock

from kbgen.markdown.tables import replace_block_rule
from kbgen.markdown.tokens import inline_block

_LEVELS = {level: ("h" + str(level), "#" * level) for level in range(1, 7)}
"""Heading level → (tag, markup), made once."""
_CLOSING = " \t#"


def headings_plugin(md: MarkdownIt) -> None:
    """Replace markdown-it's `heading` rule by heading_rule, keeping its place and chains."""
    replace_block_rule(md, "heading", heading_rule)


def heading_rule(state: StateBlock, startLine: int, endLine: int, silent: bool) -> bool:
    """`#` to `######` then a space, a tab or the end of the line; the text without the
    closing sequence (`#`s after a space or a tab) and the spaces around it.

    Not silent, it also takes the heading lines that follow directly: markdown-it's block loop
    would give each of them to this rule (no rule before it takes a line starting with `#`,
    but `table` one with a `|`, `code` an indented one, `front_matter` the first), after a
    pass through the dispatcher per line; at the note's top level, also those after blank lines.
    Any other line ends the run and goes back to the loop."""
    src = state.src
    pos = state.bMarks[startLine] + state.tShift[startLine]
    maximum = state.eMarks[startLine]
    if state.is_code_block(startLine) or pos >= maximum or src[pos] != "#":
        return False
    level = _level(src, pos, maximum)
    if not level:
        return False
    if silent:
        return True
    bMarks, tShift, eMarks, sCount = state.bMarks, state.tShift, state.eMarks, state.sCount
    indent = state.blkIndent
    outer = state.level  # what three state.push() calls leave
    tokens = state.tokens
    # Blank lines between headings only change whether the block loop sees the content as
    # tight (state.tight), which only lists (and definition lists) read, after the loop over an
    # item: at the note's top level they may be stepped over as the loop does.
    skip_blanks = state.parentType == "root"
    line = after = startLine
    while True:
        pos += level
        if pos < maximum and src[maximum - 1] not in _CLOSING:
            end = maximum  # (what the two steps back below leave of a line not ending in `#` or a space)
        else:
            end = pos + len(src[pos:maximum].rstrip(" \t"))  # state.skipSpacesBack(maximum, pos)
            hashes = pos + len(src[pos:end].rstrip("#"))  # state.skipCharsStrBack(end, "#", pos)
            if hashes > pos and (src[hashes - 1] == " " or src[hashes - 1] == "\t"):
                end = hashes
        tag, markup = _LEVELS[level]
        tokens += inline_block("heading_open", "heading_close", tag, markup, outer, [line, line + 1],
                               src[pos:end].strip(MD_TRIM_CHARS))
        after = line + 1
        # the next line, if a heading that markdown-it's block loop would give to this rule
        line = after
        if line >= endLine:
            break
        pos, maximum = bMarks[line] + tShift[line], eMarks[line]
        if pos >= maximum and skip_blanks:
            while True:  # state.skipEmptyLines(), within endLine
                line += 1
                if line >= endLine:
                    break
                pos, maximum = bMarks[line] + tShift[line], eMarks[line]
                if pos < maximum:
                    break
            if line >= endLine:
                break
        if pos >= maximum or src[pos] != "#" or not 0 <= sCount[line] - indent < 4 \
                or src.find("|", pos, maximum) >= 0:
            break
        level = _level(src, pos, maximum)
        if not level:
            break
    state.line = after
    return True


def _level(src: str, pos: int, maximum: int) -> int:
    """The level of the heading whose `#`s start at `pos`, or 0 if none starts there."""
    start = pos
    pos += 1
    while pos < maximum and src[pos] == "#" and pos - start <= 6:
        pos += 1
    level = pos - start
    if level > 6 or (pos < maximum and src[pos] != " " and src[pos] != "\t"):
        return 0
    return level
