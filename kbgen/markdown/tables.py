"""GFM tables: our `table` block rule, making markdown-it's tokens with less work per row and cell."""
from __future__ import annotations

import importlib
import re
from typing import Callable

from markdown_it import MarkdownIt
from markdown_it.common.utils import MD_TRIM_CHARS
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token

from kbgen.markdown.tokens import block_token

LIBRARY_SPLIT = importlib.import_module("markdown_it.rules_block.table").escapedSplit
"""markdown-it's own row splitter (kept for the tests that compare the two)."""
_PIPE = re.compile(r"(?<!\\)\|")
"""A cell separator: a `|` not right after a backslash (markdown-it does not count backslashes)."""
_DELIMITER_ROW = re.compile(r"(?:[-:|][-:|]|[:|][ \t])[-:| \t]*")
"""A line markdown-it may take for a table's delimiter row: only `-:|`, spaces and tabs, and not
`- ` at its start (that is a list item)."""
_ALIGN = re.compile(r":?-+:?")
MAX_AUTOCOMPLETED_CELLS = 0x10000
"""markdown-it's cap on the empty cells it adds to short rows (it ends the table there)."""

BlockRule = Callable[[StateBlock, int, int, bool], bool]


def escaped_split(row: str) -> list[str]:
    """markdown-it's `escapedSplit`: cells at each unescaped `|`, and `\\|` in a cell made `|`."""
    if "\\" not in row:
        return row.split("|")
    return [cell.replace("\\|", "|") for cell in _PIPE.split(row)]


def claimed(rules: list[BlockRule], state: StateBlock, line: int, endLine: int) -> bool:
    """Whether one of `rules` (a terminator chain) would start a block at `line`."""
    for rule in rules:
        if rule(state, line, endLine, True):
            return True
    return False


def tables_plugin(md: MarkdownIt) -> None:
    """Replace markdown-it's `table` rule (enabled or not, keeping its place and chains) by ours."""
    replace_block_rule(md, "table", table_rule)


def replace_block_rule(md: MarkdownIt, name: str, fn: BlockRule) -> None:
    """Put `fn` in the place of block rule `name`, in the same chains (Ruler.at() alone would
    take it out of them)."""
    ruler = md.block.ruler
    alt = next(rule.alt for rule in ruler.__rules__ if rule.name == name)
    ruler.at(name, fn, {"alt": list(alt)})


def _aligns(row: str) -> list[str] | None:
    """The alignment of each column of a delimiter row, or None if it is not one."""
    columns = row.split("|")
    last = len(columns) - 1
    aligns = []
    for i, column in enumerate(columns):
        column = column.strip(MD_TRIM_CHARS)
        if not column:
            if i == 0 or i == last:  # the row's outer pipes
                continue
            return None
        if not _ALIGN.fullmatch(column):
            return None
        if column[-1] == ":":
            aligns.append("center" if column[0] == ":" else "right")
        else:
            aligns.append("left" if column[0] == ":" else "")
    return aligns


def _cells(row: str) -> list[str]:
    """A trimmed row's cells, without the empty ones its outer pipes make."""
    cells = escaped_split(row)
    if cells and cells[0] == "":
        cells.pop(0)
    if cells and cells[-1] == "":
        cells.pop()
    return cells


def table_rule(state: StateBlock, startLine: int, endLine: int, silent: bool) -> bool:
    """A GFM table: a header row, a delimiter row with as many columns, then body rows up to a
    blank line, a less indented line or one that starts another block (what ends a quote).
    The tokens are markdown-it's, maps on every inline token included."""
    if startLine + 2 > endLine:
        return False
    src, bMarks, tShift, eMarks, sCount = state.src, state.bMarks, state.tShift, state.eMarks, state.sCount
    blkIndent = state.blkIndent
    code = state._code_enabled
    second = startLine + 1
    if sCount[second] < blkIndent or (code and sCount[second] - blkIndent >= 4):
        return False
    pos, end = bMarks[second] + tShift[second], eMarks[second]
    if not _DELIMITER_ROW.fullmatch(src, pos, end):
        return False
    aligns = _aligns(src[pos:end])
    if aligns is None:
        return False
    header = src[bMarks[startLine] + tShift[startLine]:eMarks[startLine]].strip(MD_TRIM_CHARS)
    if "|" not in header or (code and sCount[startLine] - blkIndent >= 4):
        return False
    columns = _cells(header)
    count = len(columns)
    if count == 0 or count != len(aligns):
        return False
    if silent:
        return True

    styles = [{"style": "text-align:" + align} if align else None for align in aligns]
    level = state.level
    tokens = state.tokens
    add = tokens.append
    table = block_token("table_open", "table", 1, level)
    table.map = [startLine, 0]
    add(table)
    _row(add, True, "th", columns, styles, level, startLine)

    old_parent, state.parentType = state.parentType, "table"
    terminators = state.md.block.ruler.getRules("blockquote")  # what ends a table ends a quote
    autocompleted = 0
    body = None
    line = startLine + 2
    while line < endLine:
        if sCount[line] < blkIndent:
            break
        if claimed(terminators, state, line, endLine):
            break
        row = src[bMarks[line] + tShift[line]:eMarks[line]].strip(MD_TRIM_CHARS)
        if not row or (code and sCount[line] - blkIndent >= 4):
            break
        columns = _cells(row)
        autocompleted += count - len(columns)  # negative for long rows, as in markdown-it
        if autocompleted > MAX_AUTOCOMPLETED_CELLS:
            break
        if body is None:
            body = block_token("tbody_open", "tbody", 1, level + 1)
            body.map = [startLine + 2, 0]
            add(body)
        _row(add, False, "td", columns, styles, level, line)
        line += 1
    state.parentType = old_parent

    if body is not None:
        add(block_token("tbody_close", "tbody", -1, level + 1))
        body.map[1] = line
    add(block_token("table_close", "table", -1, level))
    table.map[1] = line
    state.line = line
    return True


def _row(add: Callable[[Token], None], head: bool, tag: str, cells: list[str],
         styles: list[dict[str, str] | None], level: int, line: int) -> None:
    """One row's tokens (in a thead of its own for the `head` row); missing cells are empty,
    cells past the columns left out."""
    token = block_token
    if head:
        thead = token("thead_open", "thead", 1, level + 1)
        thead.map = [line, line + 1]
        add(thead)
    # The row and its cells' inline tokens share one map list (markdown-it makes one each):
    # no rule changes a row's map in place, and a table of a MB has 175 000 cells.
    lines = [line, line + 1]
    tr = token("tr_open", "tr", 1, level + 2)
    tr.map = lines
    add(tr)
    # Constant type names, as markdown-it's: a string made per row would be one more object
    # in memory for every later pass over the tokens to reach.
    opening, closing = ("th_open", "th_close") if tag == "th" else ("td_open", "td_close")
    have = len(cells)
    for i, style in enumerate(styles):
        cell = token(opening, tag, 1, level + 3)
        if style:
            cell.attrs = dict(style)
        add(cell)
        inline = token("inline", "", 0, level + 4)
        inline.map = lines
        if i < have:
            inline.content = cells[i].strip(MD_TRIM_CHARS)
        inline.children = []
        add(inline)
        add(token(closing, tag, -1, level + 3))
    add(token("tr_close", "tr", -1, level + 2))
    if head:
        add(token("thead_close", "thead", -1, level + 1))
