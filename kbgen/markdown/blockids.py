"""Block identifiers `^id`: the marker is hidden and its block gets `id="^id"` as an anchor.

Syntax (Obsidian, see research/ofm-spec.md §1.5)::

    A paragraph. ^para-id          - a list item ^item-id

    > a quote or callout           | a | table |
                                   |---|-------|
    ^quote-id                      ^table-id

`^id` (letters, digits, `-`, `_`) after whitespace at the end of a paragraph's last line names
that paragraph, the list item whose first paragraph it ends, or the quote (callout) whose last
paragraph it ends. A paragraph that is only `^id` names the block before it (list, quote,
callout, table, code, math, paragraph, heading) or, first in a list item or quote, that container,
and disappears; so does a last table row that is only `^id`. A `^id` on a lazy line right after a
callout's last `>` line names the outermost callout (Obsidian's reading, where CommonMark would
continue the paragraph inside it).

The named block's open token gets `attrs["id"] = "^id"` and `meta["block_id"] = "id"`;
`collector.blocks[id]` is its first file line. In one note the first of two equal ids wins.
"""
from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from kbgen.markdown.collect import Collector, collector

_TRAILING = re.compile(r"(?:^|(?<=\s))\^([A-Za-z0-9_-]+)$")
_ALONE = re.compile(r"\^([A-Za-z0-9_-]+)")
_BREAKS = ("softbreak", "hardbreak")
# Single-token blocks that a following lone `^id` can name.
_LEAF_BLOCKS = ("fence", "code_block", "math_block", "math_block_label", "hr")


def blockids_plugin(md: MarkdownIt) -> None:
    """Register the `kbgen_blockids` core rule (after the inline rules have run)."""
    md.core.ruler.push("kbgen_blockids", _blockid_rule)


def _blockid_rule(state: StateCore) -> None:
    if "^" not in state.src:
        return  # every block id is written `^id` (block contents are cut from the source)
    tokens = state.tokens
    col = collector(state.env)
    drop: set[int] = set()
    stack: list[int] = []  # indices of open container tokens
    opener_of: dict[int, int] = {}  # index of a close token → index of its open token
    seen: dict[str, int] = {}
    lines: list[str] | None = None
    for i, tok in enumerate(tokens):
        nesting = tok.nesting
        if nesting == 1:
            stack.append(i)
            continue
        if nesting == -1:
            if stack:
                opener_of[i] = stack.pop()
            if tok.type == "table_close":
                _table_row(state, tokens, i, opener_of, drop, seen)
            continue
        content = tok.content
        if "^" not in content or tok.type != "inline" or not tok.children or i == 0:
            continue  # (an id is written `^id`)
        parent = tokens[i - 1]
        if parent.type == "callout_title_open":
            _callout_title(state, tokens, i, stack, seen)
            continue
        if parent.type != "paragraph_open":
            continue
        line0 = parent.map[0] if parent.map else 0
        alone = _ALONE.fullmatch(content) if content[0] == "^" else None
        if alone is not None:
            target = _before(tokens, i - 1, stack, opener_of)
            if target is not None:
                _name(col, tokens[target], alone.group(1), seen, line0)
                drop.update((i - 1, i, i + 1))
            else:  # nothing before it to name: the (now empty) paragraph is the block
                tok.children, tok.content = [], ""
                _name(col, parent, alone.group(1), seen, line0)
            continue
        m = _trailing(content)
        if m is None:
            continue
        ident = m.group(1)
        if not _strip_marker(tok, ident):
            continue
        at = m.start()
        own_line = at > 0 and content[at - 1] == "\n"
        line0 += content.count("\n", 0, at)
        tok.content = content[:at].rstrip()
        target = i - 1
        if own_line:
            quotes = [j for j in stack if tokens[j].type == "blockquote_open"]
            if quotes:
                if lines is None:
                    lines = state.src.split("\n")
                last = (parent.map[1] - 1) if parent.map else -1
                if 0 <= last < len(lines) and not lines[last].lstrip().startswith(">"):
                    target = quotes[0]  # the lazy line after a callout names the whole callout
        container = stack[-2] if target == i - 1 and len(stack) >= 2 else -1
        if container == i - 2 and tokens[container].type == "list_item_open":
            target = container  # the first paragraph of a list item names the item
        elif container >= 0 and tokens[container].type == "blockquote_open" \
                and i + 2 < len(tokens) and tokens[i + 2].type == "blockquote_close":
            target = container  # the quote's (or callout's) last line names the quote
        _name(col, tokens[target], ident, seen, line0)
    if drop:
        tokens[:] = [t for j, t in enumerate(tokens) if j not in drop]


def _trailing(text: str) -> re.Match[str] | None:
    """`_TRAILING.search(text)`, tried only at the last `^` (the id cannot hold one): searching
    from every position cost more than the rest of the block-id rule on ordinary notes."""
    at = text.rfind("^")
    return _TRAILING.match(text, at) if at >= 0 else None


def _strip_marker(inline: Token, ident: str) -> bool:
    """Remove `^ident` (and the break before it, on its own line) from the rendered text."""
    children = inline.children or []
    last = children[-1] if children else None
    marker = "^" + ident
    if last is None or last.type != "text" or not last.content.endswith(marker):
        return False
    text = last.content[:-len(marker)]
    if text and not text[-1].isspace():
        return False
    text = text.rstrip()
    if text:
        last.content = text
    else:
        children.pop()
        if children and children[-1].type in _BREAKS:
            children.pop()
    return True


def _before(tokens: list[Token], p_open: int, stack: list[int],
            opener_of: dict[int, int]) -> int | None:
    """The block that a lone `^id` paragraph (opening at `p_open`) names."""
    if p_open == 0:
        return None
    prev = tokens[p_open - 1]
    if prev.nesting == -1 and prev.type == "callout_title_close":
        return stack[-2] if len(stack) >= 2 else None  # first in a callout: the callout
    if prev.nesting == -1:
        return opener_of.get(p_open - 1)
    if prev.nesting == 1:
        # First block of a list item or quote: the container itself.
        return p_open - 1 if prev.type in ("list_item_open", "blockquote_open") else None
    if prev.type in _LEAF_BLOCKS:
        return p_open - 1
    return None


def _table_row(state: StateCore, tokens: list[Token], close: int, opener_of: dict[int, int],
               drop: set[int], seen: dict[str, int]) -> None:
    """A last body row holding only `^id` (no blank line after a table) names the table."""
    if close < 2 or tokens[close - 1].type != "tbody_close" or tokens[close - 2].type != "tr_close":
        return
    tr_open = opener_of.get(close - 2)
    tbody_open = opener_of.get(close - 1)
    if tr_open is None or tbody_open is None:
        return
    cells = [t for t in tokens[tr_open:close - 2] if t.type == "inline"]
    if not cells or _ALONE.fullmatch(cells[0].content.strip()) is None \
            or any(c.content.strip() for c in cells[1:]):
        return
    ident = cells[0].content.strip()[1:]
    _name(collector(state.env), tokens[opener_of[close]], ident, seen, cells[0].map[0] if cells[0].map else 0)
    rows = sum(1 for t in tokens[tbody_open:close - 1] if t.type == "tr_open")
    first = tbody_open if rows == 1 else tr_open
    drop.update(range(first, close - 1 if rows > 1 else close))


def _callout_title(state: StateCore, tokens: list[Token], i: int, stack: list[int],
                   seen: dict[str, int]) -> None:
    """`> [!note] Title ^id` with no body: the id names the callout."""
    tok = tokens[i]
    if i + 2 >= len(tokens) or tokens[i + 2].type != "blockquote_close" or len(stack) < 2:
        return
    m = _trailing(tok.content)
    if m is not None and _strip_marker(tok, m.group(1)):
        tok.content = tok.content[:m.start()].rstrip()
        _name(collector(state.env), tokens[stack[-2]], m.group(1), seen, tok.map[0] if tok.map else 0)


def _name(col: Collector | None, block: Token, ident: str, seen: dict[str, int], line0: int) -> None:
    """Give `block` the id, unless an earlier block of the note has it (`line0`: the marker)."""
    if ident in seen:
        if col is not None:
            col.report(line0, "duplicate-block",
                       f"block id ^{ident} is already used on line {col.file_line(seen[ident])}")
        return
    start = block.map[0] if block.map else line0
    seen[ident] = start
    block.attrs["id"] = "^" + ident  # (attrSet)
    block.meta["block_id"] = ident
    if col is not None:
        col.blocks.setdefault(ident, col.file_line(start))
