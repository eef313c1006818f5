"""Footnote definitions: the plugin's `footnote_def` rule, with a one-line definition of plain text made directly;
and footnotes rendered in a part of a note embedded elsewhere (unlinked_in_parts).

mdit_py_plugins' rule shifts the line past its `[^label]:`, parses it again as blocks (every
rule that can start at its first character, then the paragraph rule) and puts the line back:
five tokens and two nested rule chains per definition. Where the definition is one line whose
text only the paragraph rule can take (lists.FastPath says which), the line after it is blank or
past the end, and no indented line after the blanks continues it, this rule makes those five
tokens itself; any other definition goes to the plugin's rule.
"""
from __future__ import annotations

from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import MD_TRIM_CHARS
from markdown_it.rules_block import StateBlock
from mdit_py_plugins.footnote.index import _data_from_env
from mdit_py_plugins.footnote.index import footnote_def as library_footnote_def

from kbgen.markdown.lists import FastPath, fast_path
from kbgen.markdown.tables import BlockRule, replace_block_rule
from kbgen.markdown.tokens import one_line_paragraph, token


def footnotes_plugin(md: MarkdownIt) -> None:
    """Replace the plugin's `footnote_def` rule by ours, keeping its place and chains. Use it
    after every plugin that adds block rules: the fast path is decided by the rules it finds."""
    fast = fast_path(md)
    if fast is not None and any(r.name == "footnote_def" for r in md.block.ruler.__rules__):
        replace_block_rule(md, "footnote_def", make_footnote_rule(fast))


def make_footnote_rule(fast: FastPath) -> BlockRule:
    """The `footnote_def` rule: one-line definitions of text made here, the rest by the plugin."""

    def footnote_rule(state: StateBlock, startLine: int, endLine: int, silent: bool) -> bool:
        if silent or not startLine:  # (line 0 could be front matter's, inside a list item)
            return library_footnote_def(state, startLine, endLine, silent)
        src, bMarks, tShift, eMarks, sCount = state.src, state.bMarks, state.tShift, state.eMarks, state.sCount
        start, end = bMarks[startLine] + tShift[startLine], eMarks[startLine]
        close = src.find("]", start + 2, end)  # the label: no blank, not empty, then `:`
        if (close <= start + 2 or src[start:start + 2] != "[^" or src[close + 1:close + 2] != ":"
                or " " in src[start + 2:close] or sCount[startLine] - state.blkIndent >= 4
                or endLine != state.lineMax or state.level + 1 >= state.md.options["maxNesting"]):
            return library_footnote_def(state, startLine, endLine, silent)
        following = startLine + 1
        if following < endLine and bMarks[following] + tShift[following] < eMarks[following]:
            return library_footnote_def(state, startLine, endLine, silent)  # more of the paragraph
        after_colon = text = close + 2
        while text < end and src[text] == " ":
            text += 1
        # No tab (columns are characters), no indented code (four blanks more), some text that
        # no block rule but the paragraph could take.
        if (text >= end or text - after_colon >= 4 or src[text] == "\t"
                or not fast.paragraph_only(src, text, end)):
            return library_footnote_def(state, startLine, endLine, silent)
        # where the nested parse stops: past one blank line, then past the blank lines and at a
        # line indented less than the definition's body (one indented more continues it)
        line = following
        if line < endLine:
            line = state.skipEmptyLines(line + 1)
            if line < endLine and sCount[line] >= state.blkIndent + 4:
                return library_footnote_def(state, startLine, endLine, silent)
        label = src[start + 2:close]
        _data_from_env(state.env)["refs"][":" + label] = -1
        level = state.level
        # (the definition's own tokens are not block tokens: the plugin makes them with Token())
        opening = token("footnote_reference_open", "", 1, level, meta={"label": label})
        opening.map = [startLine, line]
        closing = token("footnote_reference_close", "", -1, level)
        paragraph = one_line_paragraph(src[text:end].strip(MD_TRIM_CHARS), startLine, following, level)
        state.tokens += (opening, *paragraph, closing)
        state.line = line
        state.tight = True  # what the nested parse of the definition's one line leaves
        return True

    return footnote_rule


CUT = "kbgen_cut"
"""env key set when the tokens rendered are a section or block of a note shown on another page
(an embed): the note's footnote definitions are not on that page."""


def unlinked_in_parts(md: MarkdownIt) -> None:
    """In a cut part, a footnote reference is its number without a link, and a definition's
    back-link is left out: the page showing the part has neither end of those links."""
    rules = md.renderer.rules
    ref, anchor = rules.get("footnote_ref"), rules.get("footnote_anchor")
    if ref is None or anchor is None:
        return

    def footnote_ref(self: Any, tokens: list[Any], idx: int, options: Any, env: Any) -> str:
        if env.get(CUT):
            return f'<sup class="footnote-ref">{self.rules["footnote_caption"](tokens, idx, options, env)}</sup>'
        return ref(tokens, idx, options, env)

    def footnote_anchor(self: Any, tokens: list[Any], idx: int, options: Any, env: Any) -> str:
        return "" if env.get(CUT) else anchor(tokens, idx, options, env)

    md.add_render_rule("footnote_ref", footnote_ref)
    md.add_render_rule("footnote_anchor", footnote_anchor)
