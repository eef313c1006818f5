"""`#tags` in body text: an inline rule that makes tag tokens, collected in document order.

Syntax (Obsidian, see research/ofm-spec.md §1.10)::

    #tag  #nested/tag  #with-dash_and_digits2  #émoji🙂   (#in-brackets)

A tag is `#` followed by letters (any script), digits, `_`, `-`, `/` and emoji, ending at the first
other character, with at least one character that is not a digit (`#1984` is no tag). It starts
at the start of the text or after whitespace or one of ``([{"'``, so `a#b`, a URL's `#fragment`
and `&#123;` are not tags; code, `\\#escaped` and headings' own `#` never reach the rule.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any, Sequence

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import OptionsDict

from kbgen.markdown.collect import RENDER_KEY, collector, inline_line

_BEFORE = set("([{\"'")
_EXTRA = set("_-/\u200d")  # \u200d joins emoji sequences
_ASCII_RUN = re.compile(r"[A-Za-z0-9_/-]*")
"""The ASCII tag characters: a tag's run of them is matched at once, not char by char."""


def tags_plugin(md: MarkdownIt) -> None:
    """Register the `kbgen_tag` inline rule, the collecting core rule and the `tag` render rule."""
    md.inline.ruler.before("emphasis", "kbgen_tag", _tag_rule)
    md.core.ruler.push("kbgen_tags", _collect)
    md.add_render_rule("tag", _render_tag)


def is_tag_char(ch: str) -> bool:
    """Letters, marks, digits, `_ - /` and emoji (symbols, skin tones, joiners)."""
    if ch in _EXTRA:
        return True
    cat = unicodedata.category(ch)
    return cat[0] in "LNM" or cat == "So" or (cat == "Sk" and "\U0001F3FB" <= ch <= "\U0001F3FF")


def scan_tag(src: str, pos: int, end: int | None = None) -> str | None:
    """The tag (without `#`) that starts with the `#` at `pos`, or None."""
    if end is None:
        end = len(src)
    if pos > 0 and not (src[pos - 1].isspace() or src[pos - 1] in _BEFORE):
        return None
    i = _ASCII_RUN.match(src, pos + 1, end).end()
    while i < end and src[i] >= "\x80" and is_tag_char(src[i]):
        i = _ASCII_RUN.match(src, i + 1, end).end()
    tag = src[pos + 1:i]
    if not tag or tag.isdecimal():  # digits only (category Nd, any script): `#1984` is no tag
        return None
    return tag


def _tag_rule(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != "#":
        return False
    tag = scan_tag(state.src, state.pos, state.posMax)
    if tag is None:
        return False
    if not silent:
        token = state.push("tag", "", 0)
        token.content = tag
        token.markup = "#"
        # Inside a link's text the tag is shown as text: no link inside a link.
        token.meta = {"line0": inline_line(state), "nested": state.linkLevel > 0}
        state.env[_TAGGED] = True
    state.pos += len(tag) + 1
    return True


_TAGGED = "_kb_tagged"
"""`env[_TAGGED]`: set when the inline rule has made a tag token in this parse."""


def _collect(state: StateCore) -> None:
    """Record `(tag, file line)` of every tag token still in the note (comments were dropped)."""
    col = collector(state.env)
    if col is None or not state.env.pop(_TAGGED, False):
        return  # no tag token was made (a note of headings has a `#` on every line, and no tag)
    for block in state.tokens:
        if block.type == "inline" and block.children:
            for tok in block.children:
                if tok.type == "tag":
                    col.tags.append((tok.content, col.file_line(tok.meta.get("line0", 0))))


def tag_href(tag: str, env: dict[str, Any]) -> str:
    """The page's `tag_href(tag)` when rendering a site ("" for no link), else `tags/<tag lowercased>.html`."""
    page = env.get(RENDER_KEY)
    method = getattr(page, "tag_href", None) if page is not None else None
    return str(method(tag)) if callable(method) else f"tags/{tag.lower()}.html"


def _render_tag(self: RendererHTML, tokens: Sequence[Token], idx: int,
                options: OptionsDict, env: dict[str, Any]) -> str:
    tok = tokens[idx]
    nested = bool(tok.meta.get("nested"))
    made = env.get(_MADE)
    if made is None:
        made = env[_MADE] = {}
    html = made.get((tok.content, nested))  # once per tag as written: a note may hold 350 000
    if html is None:
        text = escapeHtml("#" + tok.content)
        href = "" if nested else tag_href(tok.content, env)
        if not href:  # inside a link's text, or past the note's tag cap (kbgen.taglimit)
            html = f'<span class="tag">{text}</span>'
        else:
            html = f'<a href="{escapeHtml(href)}" class="tag">{text}</a>'
        made[(tok.content, nested)] = html
    return html


_MADE = "_kb_tag_html"
"""`env[_MADE]`: (tag as written, nested) → its HTML, for the render env of one note."""
