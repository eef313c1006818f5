"""Block quotes: markdown-it's `blockquote` rule; one-line quotes of text and quotes without lazy lines made here.

A callout without a body (`> [!note] Title` and a blank line) is a quote of one line holding one
paragraph. markdown-it's rule shifts the line past its `>`, parses it again as blocks (every rule
that can start at its first character, then the paragraph rule), and puts the line back: five
tokens through StateBlock.push() and two nested rule chains per quote. Where the quote is one
line whose text only the paragraph rule can take (lists.FastPath says which) and the line after it
is blank or past the end, this rule makes those five tokens itself. A quote of several lines
that all start with `>` (no lazy line) and have no tab before their text is shifted and parsed
here, without markdown-it's rule and its logging and token pushes; any other quote goes to
markdown-it's rule.
"""
from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.common.utils import MD_TRIM_CHARS
from markdown_it.rules_block import StateBlock
from markdown_it.rules_block.blockquote import blockquote as library_blockquote

from kbgen.markdown.lists import FastPath, fast_path
from kbgen.markdown.tables import BlockRule, block_token, replace_block_rule
from kbgen.markdown.tokens import one_line_paragraph


def quotes_plugin(md: MarkdownIt) -> None:
    """Replace markdown-it's `blockquote` rule by ours, keeping its place and chains. Use it
    after every plugin that adds block rules: the fast path is decided by the rules it finds."""
    fast = fast_path(md)
    if fast is not None:
        replace_block_rule(md, "blockquote", make_quote_rule(fast))


def make_quote_rule(fast: FastPath) -> BlockRule:
    """The `blockquote` rule: one-line quotes of plain text made here, the rest by markdown-it."""

    def quote_rule(state: StateBlock, startLine: int, endLine: int, silent: bool) -> bool:
        if silent:
            return library_blockquote(state, startLine, endLine, silent)
        src, bMarks, tShift, eMarks = state.src, state.bMarks, state.tShift, state.eMarks
        pos, end = bMarks[startLine] + tShift[startLine], eMarks[startLine]
        following = startLine + 1
        options = state.md.options
        if (pos >= end or src[pos] != ">" or state.sCount[startLine] - state.blkIndent >= 4
                or state.level + 1 >= options["maxNesting"] or options.get("alerts", False)):
            return library_blockquote(state, startLine, endLine, silent)
        if not startLine or following < state.lineMax and bMarks[following] + tShift[following] < eMarks[following]:
            # more of the quote, or line 0 (front matter's, in a list item: no one-line paragraph)
            return _quote(state, startLine, endLine) or library_blockquote(state, startLine, endLine, silent)
        marker_end = pos + 1 + (src[pos + 1:pos + 2] == " ")  # one blank after `>` is the marker's
        text = marker_end
        while text < end and src[text] == " ":
            text += 1
        # No tab (columns are characters), no indented code (four blanks more), some text that
        # no block rule but the paragraph could take.
        if (text >= end or text - marker_end >= 4 or src[text] == "\t"
                or not fast.paragraph_only(src, text, end)):
            return _quote(state, startLine, endLine) or library_blockquote(state, startLine, endLine, silent)
        level = state.level
        opening = block_token("blockquote_open", "blockquote", 1, level)
        opening.markup = ">"
        opening.map = [startLine, following]
        closing = block_token("blockquote_close", "blockquote", -1, level)
        closing.markup = ">"
        paragraph = one_line_paragraph(src[marker_end:end].strip(MD_TRIM_CHARS), startLine, following, level)
        state.tokens += (opening, *paragraph, closing)
        state.line = following
        state.tight = True  # what the nested parse of the quote's one line leaves
        return True

    return quote_rule


def _quote(state: StateBlock, startLine: int, endLine: int) -> bool:
    """The quote at `startLine` when each of its lines starts with `>` and has no tab before its
    text: the lines shifted past their markers and parsed as blocks, as markdown-it's rule does.
    False, with nothing changed, at a lazy line (or one another block could take: the rule asks
    its terminators) or a tab (columns to count): markdown-it's rule takes those quotes."""
    src, bMarks, tShift, eMarks, sCount, bsCount = \
        state.src, state.bMarks, state.tShift, state.eMarks, state.sCount, state.bsCount
    indent = state.blkIndent
    shifts: list[tuple[int, int]] = []  # each line's marker end (a blank after `>` included), text
    line = startLine
    while line < endLine:
        pos, end = bMarks[line] + tShift[line], eMarks[line]
        if pos >= end:
            break  # a blank line ends the quote
        if src[pos] != ">" or sCount[line] < indent:  # (the first line never is outdented)
            return False
        marker = pos + 1
        if marker < end and src[marker] == " ":
            marker += 1
        text = marker
        while text < end and src[text] == " ":
            text += 1
        if text < end and src[text] == "\t":
            return False
        shifts.append((marker, text))
        line += 1
    saved = bMarks[startLine:line], tShift[startLine:line], sCount[startLine:line], bsCount[startLine:line]
    for i, (marker, text) in enumerate(shifts, startLine):
        bsCount[i] = sCount[i] + 1 + (marker - bMarks[i] - tShift[i] == 2)  # the `>` and its blank
        sCount[i] = tShift[i] = text - marker
        bMarks[i] = marker
    old_parent, state.parentType = state.parentType, "blockquote"
    old_indent, state.blkIndent = indent, 0
    level = state.level
    opening = block_token("blockquote_open", "blockquote", 1, level)
    opening.markup = ">"
    opening.map = lines = [startLine, 0]
    state.tokens.append(opening)
    state.level = level + 1
    state.md.block.tokenize(state, startLine, line)
    state.level -= 1
    closing = block_token("blockquote_close", "blockquote", -1, state.level)
    closing.markup = ">"
    state.tokens.append(closing)
    state.parentType = old_parent
    lines[1] = state.line
    bMarks[startLine:line], tShift[startLine:line], sCount[startLine:line], bsCount[startLine:line] = saved
    state.blkIndent = old_indent
    return True
