"""`%%comments%%`: hidden text, inline or spanning blocks, that never reaches the HTML.

Syntax (Obsidian, see research/ofm-spec.md §1.8)::

    Text with an %%inline comment%% in it.

    %%
    A block comment, which may run
    across blank lines.
    %%

A comment runs from `%%` to the next `%%`; an unclosed `%%` hides the rest of the note. `%%` in
code spans, code blocks, HTML and after a backslash stays literal, because the comment rules only
see what the code, escape and html rules leave over.

Three rules work together:

- the block rule `kbgen_comment` takes a comment that starts a block-level line, so a comment may
  span blank lines (and interrupts a paragraph, like Obsidian's comment sections);
- the inline rule `kbgen_comment` takes `%%…%%` inside a paragraph, heading or table cell;
- the core rule `kbgen_comment_span` (right after `inline`) carries an unclosed comment on over the
  following blocks, until a block whose text has the closing `%%`, whose rest is parsed again.

Nothing hidden is shown. Like Obsidian's index, the wikilinks of *inline* comments are still
recorded, as `LinkRef(commented=True)` (the graph and backlinks leave those out); so are those of
text hidden by a comment that spans blocks. Links in block comments are not recorded (nor by
Obsidian), and no tag inside any comment is collected (Obsidian indexes those; see tags.py).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from kbgen.markdown.collect import LINE_KEY, collector, inline_line

MARK = "%%"


def comments_plugin(md: MarkdownIt) -> None:
    """Register the block, inline and core comment rules; comments render as nothing."""
    md.block.ruler.before(
        "table", "kbgen_comment", _block_rule,
        {"alt": ["paragraph", "reference", "blockquote", "list"]},
    )
    md.inline.ruler.before("escape", "kbgen_comment", _inline_rule)
    md.core.ruler.after("inline", "kbgen_comment_span", _span_rule)
    md.add_render_rule("comment_block", _render_nothing)
    md.add_render_rule("comment_inline", _render_nothing)


def _render_nothing(self: object, tokens: list[Token], idx: int, options: object, env: object) -> str:
    return ""


# -- block level ------------------------------------------------------------------------------

def _block_rule(state: StateBlock, startLine: int, endLine: int, silent: bool) -> bool:
    if state.sCount[startLine] - state.blkIndent >= 4:
        return False  # indented code
    start = state.bMarks[startLine] + state.tShift[startLine]
    if not state.src.startswith(MARK, start):
        return False
    close_line, close_at = _find_close(state, startLine, start + 2, endLine)
    if close_line < 0:
        # Unclosed: Obsidian hides everything up to the end of the note.
        if silent:
            return True
        _push(state, startLine, endLine, unclosed=True)
        state.line = endLine
        return True
    after = close_at + 2
    eol = state.eMarks[close_line]
    rest_blank = not state.src[after:eol].strip()
    if close_line == startLine and not rest_blank:
        return False  # `%%a%% text`: a paragraph with an inline comment
    if silent:
        return True
    _push(state, startLine, close_line + 1, unclosed=False)
    if rest_blank:
        state.line = close_line + 1
        return True
    # `%%\n…\n%% text`: the closing line goes on after the comment; let the next rule
    # (usually paragraph) start right behind the closing `%%`.
    while after < eol and state.src[after] in " \t":
        after += 1
    state.bMarks[close_line] = after
    state.tShift[close_line] = 0
    state.sCount[close_line] = state.blkIndent
    state.line = close_line
    return True


def _find_close(state: StateBlock, line: int, pos: int, endLine: int) -> tuple[int, int]:
    """(line, position) of the closing `%%` from `pos` on, within the block's own lines."""
    while line < endLine:
        found = state.src.find(MARK, pos, state.eMarks[line])
        if found >= 0:
            return line, found
        line += 1
        if line < endLine:
            pos = state.bMarks[line] + state.tShift[line]
    return -1, -1


def _push(state: StateBlock, start: int, end: int, *, unclosed: bool) -> None:
    token = state.push("comment_block", "", 0)
    token.map = [start, end]
    token.block = True
    token.meta = {"unclosed": unclosed}


# -- inline level -----------------------------------------------------------------------------

def _inline_rule(state: StateInline, silent: bool) -> bool:
    pos = state.pos
    if not state.src.startswith(MARK, pos):
        return False
    close = state.src.find(MARK, pos + 2, state.posMax)
    if close < 0:
        if state.posMax < len(state.src):
            return False  # in a link's text: an unclosed `%%` there is just text
        end, unclosed = state.posMax, True
    else:
        end, unclosed = close + 2, False
    if not silent:
        token = state.push("comment_inline", "", 0)
        token.meta = {"start": pos, "unclosed": unclosed, "line0": inline_line(state, pos),
                      "text": state.src[pos + 2:close if close >= 0 else state.posMax]}
    state.pos = end
    return True


# -- an unclosed comment hides the following blocks --------------------------------------------

def _span_rule(state: StateCore) -> None:
    if MARK not in state.src:
        return  # no comment anywhere in the note
    if any(_opens_span(tok) for tok in state.tokens):
        _hide_spans(state)
    _index_comments(state)
    _footnotes_left(state)


def _footnotes_left(state: StateCore) -> None:
    """Number the footnotes and their back-references after the references left on the page.

    The footnote plugin counted every reference it parsed: also those in text a comment then
    hid, in inline comments (parsed for their links) and in text parsed again after a closing
    `%%`. Its list at the end of the page would link back to references that are not there.
    A footnote no reference is left for is dropped, as the plugin drops a definition nothing
    references; the others are numbered in the order their references appear."""
    data = state.env.get("footnotes")
    if not data or not data.get("list"):
        return
    found: dict[int, list[Token]] = {}  # footnote id → its references, in page order

    def scan(tokens: list[Token]) -> None:
        for tok in tokens:
            if tok.type == "footnote_ref":
                found.setdefault(tok.meta["id"], []).append(tok)
            elif tok.children:
                scan(tok.children)
    scan(state.tokens)
    done: set[int] = set()
    while len(done) < len(found):  # an inline footnote's text may reference another footnote
        for i in [i for i in found if i not in done]:
            done.add(i)
            scan(data["list"].get(i, {}).get("tokens") or [])
    kept: dict[int, Any] = {}
    for new, old in enumerate(found):
        note = data["list"][old]
        for sub, tok in enumerate(found[old]):
            tok.meta = {**tok.meta, "id": new, "subId": sub}
        note["count"] = len(found[old])
        kept[new] = note
        if note.get("label") is not None:
            data["refs"][":" + note["label"]] = new
    for old, note in data["list"].items():
        if old not in found and note.get("label") is not None:
            data["refs"][":" + note["label"]] = -1  # defined, referenced nowhere on the page
    data["list"] = kept


def _index_comments(state: StateCore) -> None:
    """Record the links of the inline comments that are left, marked `commented`.

    Done here, not in the inline rule, because only now is it known which `%%` opened a comment
    and which closed one that began in an earlier block."""
    col = collector(state.env)
    if col is None:
        return
    old_line = state.env.get(LINE_KEY)
    for tok in state.tokens:
        # Only an inline source with `%%` in it has comment tokens among its children.
        for child in (tok.children or ()) if tok.type == "inline" and MARK in tok.content else ():
            if child.type == "comment_inline" and "[" in child.meta.get("text", ""):
                before = len(col.links)
                state.env[LINE_KEY] = child.meta["line0"]
                state.md.inline.parse(child.meta["text"], state.md, state.env, [])
                for i in range(before, len(col.links)):
                    col.links[i] = replace(col.links[i], commented=True)
    state.env[LINE_KEY] = old_line if old_line is not None else 0


def _hide_spans(state: StateCore) -> None:
    tokens = state.tokens
    out: list[Token] = []
    hiding = False
    dropped: list[Token] = []  # containers opened while hiding, not yet closed
    skip_close = False
    for tok in tokens:
        if skip_close:
            skip_close = False
            continue
        if not hiding:
            out.append(tok)
            hiding = _opens_span(tok)
            dropped = []
            continue
        if tok.nesting == 1:
            dropped.append(tok)
        elif tok.nesting == -1:
            if dropped:
                dropped.pop()
            else:
                out.append(tok)  # closes a container opened before the comment began
        elif tok.type == "comment_block":
            # A block comment's `%%` closes ours; its own text stays hidden (see module doc).
            out.extend(dropped)
            hiding = False
        elif tok.type == "inline" and tok.children and _first_comment(tok.children) >= 0:
            visible = _reopen(state, tok)
            if not visible and dropped and dropped[-1].type == "paragraph_open":
                dropped.pop()
                skip_close = True  # its paragraph_close follows the inline
                out.extend(dropped)
            else:
                out.extend(dropped)
                out.append(tok)
            hiding = _opens_span(tok)
            dropped = []
        else:
            _retire(state, tok)
    state.tokens[:] = out


def _opens_span(tok: Token) -> bool:
    if tok.type == "comment_block":
        return bool(tok.meta.get("unclosed"))
    if tok.type == "inline" and tok.children:
        last = tok.children[-1]
        return last.type == "comment_inline" and bool(last.meta.get("unclosed"))
    return False


def _first_comment(children: list[Token]) -> int:
    for i, child in enumerate(children):
        if child.type == "comment_inline":
            return i
    return -1


def _reopen(state: StateCore, tok: Token) -> bool:
    """The first `%%` in `tok` closes the running comment: parse what follows it again.

    Returns False when nothing visible is left."""
    children = tok.children or []
    k = _first_comment(children)
    _retire(state, tok, children[:k])
    source = tok.content
    cut = children[k].meta["start"] + 2
    while cut < len(source) and source[cut] in " \t\n":
        cut += 1
    keep = [c for c in children[:k] if c.type == "task_checkbox"]
    tok.content = source[cut:]
    tok.children = keep
    if not tok.content:
        return bool(keep)
    old_line = state.env.get(LINE_KEY)
    state.env[LINE_KEY] = (tok.map[0] if tok.map else 0) + source.count("\n", 0, cut)
    state.md.inline.parse(tok.content, state.md, state.env, tok.children)
    state.env[LINE_KEY] = old_line if old_line is not None else 0
    return True


def _retire(state: StateCore, tok: Token, children: list[Token] | None = None) -> None:
    """Mark the wikilinks of hidden text as commented (they were recorded while parsing)."""
    col = collector(state.env)
    if col is None:
        return
    for child in (tok.children or []) if children is None else children:
        ref = child.meta.get("ref") if child.meta else None
        index = child.meta.get("index", -1) if child.meta else -1
        if ref is not None and 0 <= index < len(col.links) and col.links[index] is ref:
            hidden = replace(ref, commented=True)
            col.links[index] = hidden
            child.meta["ref"] = hidden
