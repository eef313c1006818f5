"""Lists: our `list` block rule, markdown-it's tokens, one-line items made without a nested parse.

CommonMark's list items hold blocks, so markdown-it parses each item's lines again with the state
shifted to the item's indentation, trying every block rule and, after the paragraph, every rule
that could end it on the next line. Most list items of a vault are one line of text followed by
the next item (or a blank line, or the end): for those the rule makes the paragraph's tokens
itself, after checking that no rule could have claimed the line and that the next line ends the
paragraph and the item. Anything else (nesting, lazy continuation, code, quotes, other blocks in
the item) goes through the nested parse, item by item, exactly as markdown-it does.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from markdown_it import MarkdownIt
from markdown_it.common.utils import MD_TRIM_CHARS
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token

from kbgen.markdown.dispatch import BLOCK_TRIGGERS
from kbgen.markdown.tables import BlockRule, block_token, claimed, replace_block_rule
from kbgen.markdown.tokens import inline_block

ANYWHERE = frozenset({"table", "code", "lheading", "paragraph", "front_matter"})
"""Block rules that can start at any character (dispatch.BLOCK_TRIGGERS has the others') and
that cannot take a one-line item's text: `table` needs the next line indented into the item,
`code` four more columns than the item's text has, `front_matter` line 0 (no fast path there)."""
_HR = re.compile(r"([-*_])(?:[ \t]*\1){2,}[ \t]*")
"""A thematic break: three or more of one of `-*_`, spaces and tabs between them."""
_HEADING = re.compile(r"#{1,6}(?:[ \t]|\Z)")

StartTest = Callable[[str, int, int], bool]
"""Whether a block rule could start at src[pos], on a line ending at `end` (False: it cannot)."""


def _label_end_on_line(src: str, pos: int, end: int) -> bool:
    return src.find("]:", pos, end) >= 0


START_TESTS: dict[str, StartTest] = {
    "hr": lambda src, pos, end: _HR.fullmatch(src, pos, end) is not None,
    "list": lambda src, pos, end: marker_end(src, pos, end) >= 0,
    "heading": lambda src, pos, end: _HEADING.match(src, pos, end) is not None,
    "fence": lambda src, pos, end: src.startswith(src[pos] * 3, pos, end),
    "math_block": lambda src, pos, end: src.startswith("$$", pos, end),
    "kbgen_comment": lambda src, pos, end: src.startswith("%%", pos, end),
    # A definition's label ends with `]:`; on a one-line item it cannot go on to the next line
    # (a sibling item, a blank line or the end: what the fast path takes). One test for both.
    "reference": _label_end_on_line,
    "footnote_def": _label_end_on_line,
}
"""For the block rules that start at particular characters: a test that is True wherever the
rule could take an item's one line of text (`blockquote` and `html_block` have none: the fast
path leaves items starting with `>` or `<` to the nested parse)."""


@dataclass(frozen=True)
class FastPath:
    """What the parser's block rules allow the fast path to assume."""

    starts: dict[str, tuple[StartTest, ...] | None]
    """For each character some block rule other than the paragraph can start at: the tests of
    the rules that can, or None if one of them has no test."""
    ends_list: frozenset[str]
    """First characters of a line at which a rule ending a list (other than `hr`) could start."""
    leaves_paragraph: bool
    """`lheading` is enabled: on a paragraph it leaves `state.parentType` "paragraph"."""

    def paragraph_only(self, src: str, pos: int, end: int) -> bool:
        """No block rule but the paragraph could take a one-line item's text src[pos:end]."""
        tests = self.starts.get(src[pos], ())
        if tests is None:
            return False
        for test in tests:
            if test(src, pos, end):
                return False
        return True


def lists_plugin(md: MarkdownIt) -> None:
    """Replace markdown-it's `list` rule by ours, keeping its place and chains. Use it after
    every plugin that adds block rules: the fast path is decided by the rules it finds."""
    replace_block_rule(md, "list", make_list_rule(fast_path(md)))


def fast_path(md: MarkdownIt) -> FastPath | None:
    """The fast path's assumptions for `md`'s block rules, or None if a rule is unknown."""
    rules = [r for r in md.block.ruler.__rules__ if r.enabled]
    if any(r.name not in BLOCK_TRIGGERS and r.name not in ANYWHERE for r in rules):
        return None
    if not any(r.name == "paragraph" for r in rules):
        return None
    if any("list" in r.alt and r.name in ANYWHERE and r.name != "front_matter" for r in rules):
        return None  # a rule that could end a list at any line (front matter: only line 0)
    starts: dict[str, tuple[StartTest, ...] | None] = {}
    for rule in rules:
        for ch in BLOCK_TRIGGERS.get(rule.name, ""):
            tests = starts.setdefault(ch, ())
            test = START_TESTS.get(rule.name)
            starts[ch] = None if tests is None or test is None else \
                tests if test in tests else tests + (test,)
    ends_list = {ch for r in rules if "list" in r.alt and r.name != "hr"
                 for ch in BLOCK_TRIGGERS.get(r.name, "")}
    return FastPath(starts, frozenset(ends_list), any(r.name == "lheading" for r in rules))


def marker_end(src: str, pos: int, end: int) -> int:
    """The position after a list marker at `pos` (`-`, `+`, `*`, or up to nine digits and `.`
    or `)`), followed by a space, a tab or the line's `end`; -1 if there is none."""
    if pos >= end:
        return -1
    ch = src[pos]
    if ch == "-" or ch == "*" or ch == "+":
        pos += 1
    elif "0" <= ch <= "9":
        stop = min(end, pos + 10)
        pos += 1
        while pos < stop and "0" <= src[pos] <= "9":
            pos += 1
        if pos >= stop or src[pos] not in ".)":
            return -1
        pos += 1
    else:
        return -1
    if pos < end and src[pos] != " " and src[pos] != "\t":
        return -1
    return pos


def make_list_rule(fast: FastPath | None) -> BlockRule:
    """The `list` block rule; `fast` None turns the fast path off."""

    def list_rule(state: StateBlock, startLine: int, endLine: int, silent: bool) -> bool:
        sCount = state.sCount
        count = sCount[startLine]
        if state._code_enabled and count - state.blkIndent >= 4:
            return False
        if 0 <= state.listIndent and count - state.listIndent >= 4 and count < state.blkIndent:
            return False  # deeper than an item's text can be: the paragraph's lazy continuation
        src = state.src
        start = state.bMarks[startLine] + state.tShift[startLine]
        end = state.eMarks[startLine]
        after = marker_end(src, start, end)
        if after < 0:
            return False
        ordered = src[start] not in "-*+"
        if silent and state.parentType == "paragraph" and count >= state.blkIndent:
            # A list interrupting a paragraph starts at 1 and has text on its first line.
            if ordered and int(src[start:after - 1]) != 1:
                return False
            if state.skipSpaces(after) >= end:
                return False
        if silent:
            return True
        _list(state, startLine, endLine, start, after, ordered, fast)
        return True

    return list_rule


def _list(state: StateBlock, line: int, endLine: int, start: int, after: int, ordered: bool,
          fast: FastPath | None) -> None:
    """Tokens for the list whose first item's marker is src[start:after] on `line`."""
    src, tokens = state.src, state.tokens
    bMarks, tShift, eMarks, sCount = state.bMarks, state.tShift, state.eMarks, state.sCount
    level = state.level
    marker = src[after - 1]
    first = len(tokens)
    if ordered:
        opening = block_token("ordered_list_open", "ol", 1, level)
        value = int(src[start:after - 1])
        if value != 1:
            opening.attrs = {"start": value}
    else:
        opening = block_token("bullet_list_open", "ul", 1, level)
    opening.map = list_lines = [line, 0]
    opening.markup = marker
    tokens.append(opening)

    outer = state.blkIndent
    tasks = state.md.options.get("tasklists", False)
    if tasks or level + 2 >= state.md.options["maxNesting"]:
        fast = None  # a box to take off the text; the item's text past the nesting limit
    terminators = state.md.block.ruler.getRules("list")
    tight = True
    prev_empty_end = False
    made: list[int] = []  # where the fast path's item paragraphs start
    nested: list[tuple[int, int]] = []  # the tokens of the items parsed as blocks
    old_parent, state.parentType = state.parentType, "list"
    starts = fast.starts if fast is not None else {}
    paragraph_only = fast.paragraph_only if fast is not None else None
    leaves_paragraph = fast is not None and fast.leaves_paragraph
    add_made = made.append
    while line < endLine:
        end = eMarks[line]
        initial = sCount[line] + after - start  # the column after the marker
        if after + 1 < end and src[after] == " " and src[after + 1] != " " and src[after + 1] != "\t":
            content, offset = after + 1, initial + 1  # one space after the marker (most items)
        else:
            content, offset = _text_start(state, line, after, initial)
        indent_after = 1 if content >= end or offset - initial > 4 else offset - initial
        indent = initial + indent_after  # more than 4 spaces: 1, and the rest is indented code

        item = block_token("list_item_open", "li", 1, level + 1)
        item.markup = marker
        item.map = item_lines = [line, 0]
        if ordered:
            item.info = src[start:after - 1]
        tokens.append(item)

        sibling = -1  # the next item's marker end, when the fast path has checked that line
        following = -1
        if (paragraph_only is not None and indent_after == offset - initial and content < end and line > 0
                and (starts.get(src[content], ()) == () or paragraph_only(src, content, end))
                and offset == content - bMarks[line] and src.find("\t", bMarks[line], content) < 0):
            # One line of text that only the paragraph rule takes (line 0 could be front matter),
            # and columns that are characters: markdown-it would cut the text where it starts.
            following, sibling = _one_line_end(state, line, endLine, outer, indent, marker, fast)
        if following >= 0:
            # The tokens markdown-it's paragraph rule makes of the one line (its two maps one
            # list: no rule changes a paragraph's map in place); no state.level to keep.
            add_made(len(tokens))
            tokens += inline_block("paragraph_open", "paragraph_close", "p", "", level + 2, [line, line + 1],
                                   src[content:end].strip(MD_TRIM_CHARS))
            if leaves_paragraph:
                state.parentType = "paragraph"
            if prev_empty_end:
                tight = False
            prev_empty_end = following - line > 1 and state.isEmpty(following - 1)
            line = following
        else:
            begin = len(tokens)
            state.line, state.level = line, level + 2  # (the fast path keeps neither)
            tight, prev_empty_end = _nested(state, line, endLine, content, end, offset, indent,
                                            item, tasks, tight, prev_empty_end)
            state.level = level + 1
            nested.append((begin, len(tokens)))
            line = state.line
        closing = block_token("list_item_close", "li", -1, level + 1)
        closing.markup = marker
        tokens.append(closing)

        item_lines[1] = line
        if line >= endLine:
            break
        if sibling < 0:
            state.line = line
            count = sCount[line]
            if count < outer or (state._code_enabled and count - outer >= 4):
                break
            if claimed(terminators, state, line, endLine):
                break
            start = bMarks[line] + tShift[line]
            after = marker_end(src, start, eMarks[line])
            if after < 0 or src[after - 1] != marker:  # (bullets and `.)` never share a marker)
                break
        else:
            start, after = bMarks[line] + tShift[line], sibling

    if tasks:
        _mark_tasks(state, first, level)
    state.level = level
    closing = block_token("ordered_list_close" if ordered else "bullet_list_close",
                          "ol" if ordered else "ul", -1, level)
    closing.markup = marker
    tokens.append(closing)
    list_lines[1] = line
    state.line = line
    state.parentType = old_parent
    if tight:
        _hide_paragraphs(tokens, made, nested, level + 2)


def _text_start(state: StateBlock, line: int, after: int, column: int) -> tuple[int, int]:
    """The position and column of the first character after the spaces and tabs at `after`."""
    src, end = state.src, state.eMarks[line]
    pos = after
    while pos < end:
        ch = src[pos]
        if ch == " ":
            column += 1
        elif ch == "\t":
            column += 4 - (column + state.bsCount[line]) % 4
        else:
            break
        pos += 1
    return pos, column


def _one_line_end(state: StateBlock, line: int, endLine: int, outer: int, indent: int, marker: str,
                  fast: FastPath) -> tuple[int, int]:
    """Where the item whose text is all of `line` ends, if its paragraph ends with the line:
    at the next line, a sibling item's (then also its marker end), at the first line after
    blank ones if that is outside the item, or at the end. (-1, -1) otherwise."""
    src = state.src
    following = line + 1
    if following >= endLine:
        # markdown-it's paragraph rule looks on to the last line of the state, not `endLine`:
        # it stops at that line if it is the state's last or blank (a quote's list ends there).
        if endLine == state.lineMax or state.isEmpty(following):
            return following, -1
        return -1, -1
    start, end = state.bMarks[following] + state.tShift[following], state.eMarks[following]
    if start >= end:  # a blank line: the item ends unless what follows is indented into it
        after_blank = following + 1
        if after_blank < endLine:
            after_blank = state.skipEmptyLines(after_blank)
            if after_blank < endLine and state.sCount[after_blank] >= indent:
                return -1, -1
        return after_blank, -1
    count = state.sCount[following]
    # A sibling: too little indented to be in the item, not so much as to be a lazy line or
    # code, the same marker, and neither a thematic break nor anything else that ends a list.
    if not outer <= count < indent or count - outer > 3:
        return -1, -1
    first = src[start]
    if first == marker and (marker == "-" or marker == "*" or marker == "+"):
        after = start + 1  # the same bullet: it ends the marker if a blank or the line's end follows
        if after < end and src[after] != " " and src[after] != "\t":
            return -1, -1
    else:
        after = marker_end(src, start, end)
        if after < 0 or src[after - 1] != marker:
            return -1, -1
    # (a thematic break ends with its character or a blank)
    if first in fast.ends_list or (first in "-*_" and src[end - 1] in (first, " ", "\t")
                                   and _HR.fullmatch(src, start, end)):
        return -1, -1
    return following, after


def _nested(state: StateBlock, line: int, endLine: int, content: int, end: int, offset: int,
            indent: int, item: Token, tasks: bool, tight: bool, prev_empty_end: bool) -> tuple[bool, bool]:
    """An item's blocks, parsed with the state narrowed to the item (what markdown-it does for
    every item). Returns the list's tightness and whether this item ended with a blank line."""
    bMarks, tShift, sCount = state.bMarks, state.tShift, state.sCount
    old_tight, old_mark, old_shift, old_count = state.tight, bMarks[line], tShift[line], sCount[line]
    old_list_indent = state.listIndent
    state.listIndent = state.blkIndent
    state.blkIndent = indent
    state.tight = True
    tShift[line] = content - bMarks[line]
    sCount[line] = offset
    checkbox = False
    if tasks and content < end and not state.is_code_block(line):
        checked = _task_box(state.src, content, end)
        if checked is not None:
            item.meta = {"checked": checked}
            bMarks[line] = content + 4  # the box and the blank after it are not the text
            tShift[line] = 0
            checkbox = True
    if content >= end and state.isEmpty(line + 1):
        state.line = min(state.line + 2, endLine)  # an empty item ends at a blank line
    else:
        state.md.block.tokenize(state, line, endLine)
    if not state.tight or prev_empty_end:
        tight = False
    prev_empty_end = state.line - line > 1 and state.isEmpty(state.line - 1)
    state.blkIndent = state.listIndent
    state.listIndent = old_list_indent
    if checkbox:
        bMarks[line] = old_mark
    tShift[line] = old_shift
    sCount[line] = old_count
    state.tight = old_tight
    return tight, prev_empty_end


def _task_box(src: str, pos: int, end: int) -> bool | None:
    """markdown-it's `tasklists` option: `[ ]`, `[x]` or `[X]` and a blank: checked or not."""
    if pos + 4 > end or src[pos] != "[" or src[pos + 2] != "]" or src[pos + 3] not in " \t":
        return None
    box = src[pos + 1]
    return False if box == " " else True if box in "xX" else None


def _mark_tasks(state: StateBlock, first: int, level: int) -> None:
    """markdown-it's `tasklists` classes on the list's items with a box, and on the list."""
    tokens = state.tokens
    found = False
    for token in tokens[first + 1:]:
        if token.level == level + 1 and token.type == "list_item_open" and token.meta \
                and "checked" in token.meta:
            token.attrJoin("class", "task-list-item")
            found = True
    if found:
        tokens[first].attrJoin("class", "contains-task-list")


def _hide_paragraphs(tokens: list[Token], made: list[int], nested: list[tuple[int, int]],
                     level: int) -> None:
    """A tight list's item paragraphs render without <p>: hide their open and close tokens
    (those the fast path made at `made`, and those at the items' level in `nested` ranges)."""
    for i in made:
        tokens[i].hidden = True
        tokens[i + 2].hidden = True
    for i, stop in nested:
        stop -= 2
        while i < stop:
            token = tokens[i]
            if token.level == level and token.type == "paragraph_open":
                token.hidden = True
                tokens[i + 2].hidden = True
                i += 2
            i += 1
