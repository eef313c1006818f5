"""Callouts: a blockquote whose first line is `[!type]` renders as Obsidian's callout box.

Syntax (Obsidian, see research/ofm-spec.md §1.7)::

    > [!tip] Optional *title*          > [!faq]- Collapsed until opened
    > Any block content.               > Body.

    > [!note|meta]+ Foldable, open     > [!outer]
    > Body.                            > > [!inner] Nested callouts

The type is case-insensitive; aliases (`summary`, `faq`, `error`, …) share their type's icon and
unknown types look like `note` but keep `data-callout="<type>"` for CSS. The default title is the
type as written, capitalised (`[!faq]` → "Faq"). `+`/`-` make the callout foldable (open/closed),
rendered as `<details>` so folding works without JavaScript.

The core rule runs after `block` and before `inline`: it splits the first line off the first
paragraph into a `callout_title_open` / `inline` / `callout_title_close` triple, so the title is
still parsed as inline markdown, and marks `blockquote_open.meta["callout"]` with the type.
A `^id` line right after the callout's last line is its block id (blockids.py).
"""
from __future__ import annotations

import re
from typing import Any, Sequence

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import OptionsDict

from kbgen.markdown.tokens import block_token
from kbgen.markdown.tokens import text as text_token

# alias → the built-in type whose look it takes
CALLOUT_TYPES: dict[str, str] = {
    "note": "note",
    "abstract": "abstract", "summary": "abstract", "tldr": "abstract",
    "info": "info",
    "todo": "todo",
    "tip": "tip", "hint": "tip", "important": "tip",
    "success": "success", "check": "success", "done": "success",
    "question": "question", "help": "question", "faq": "question",
    "warning": "warning", "caution": "warning", "attention": "warning",
    "failure": "failure", "fail": "failure", "missing": "failure",
    "danger": "danger", "error": "danger",
    "bug": "bug",
    "example": "example",
    "quote": "quote", "cite": "quote",
}

_SVG = ('<svg viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" '
        'stroke-width="2" stroke-linecap="round" stroke-linejoin="round">{}</svg>')
# Simple 24x24 strokes, one per built-in type.
_ICON_PATHS: dict[str, str] = {
    "note": '<path d="M16 3l5 5L8 21H3v-5z"/><path d="M13 6l5 5"/>',
    "abstract": '<rect x="5" y="4" width="14" height="17" rx="2"/><path d="M9 2h6v4H9zM9 11h6M9 15h6"/>',
    "info": '<circle cx="12" cy="12" r="10"/><path d="M12 16v-5M12 8h.01"/>',
    "todo": '<circle cx="12" cy="12" r="10"/><path d="M8 12l3 3 5-6"/>',
    "tip": '<path d="M12 2c1 4 6 6 6 12a6 6 0 0 1-12 0c0-3 2-5 3-6 0 2 1 3 2 3 0-4-1-6 1-9z"/>',
    "success": '<path d="M4 12l5 5L20 6"/>',
    "question": '<circle cx="12" cy="12" r="10"/><path d="M9.5 9a2.5 2.5 0 1 1 3.5 2.3c-.6.3-1 .9-1 1.7M12 17h.01"/>',
    "warning": '<path d="M12 3L2 20h20z"/><path d="M12 10v4M12 17h.01"/>',
    "failure": '<path d="M6 6l12 12M18 6L6 18"/>',
    "danger": '<path d="M13 2L4 14h7l-1 8 9-12h-7z"/>',
    "bug": '<rect x="7" y="7" width="10" height="14" rx="5"/><path d="M12 11v10M3 13h4M17 13h4M9 3l2 4M15 3l-2 4"/>',
    "example": '<path d="M9 6h12M9 12h12M9 18h12M4 6h.01M4 12h.01M4 18h.01"/>',
    "quote": '<path d="M3 21c3 0 6-2 6-8V5H3v7h5M15 21c3 0 6-2 6-8V5h-6v7h5"/>',
}

# `[!type|metadata]+ title`: the callout marker on the first line of a blockquote.
_MARKER = re.compile(r"\[!([^\]|\s]+)(?:\|([^\]]*))?\]([+-]?)[ \t]*(.*)")


def callouts_plugin(md: MarkdownIt) -> None:
    """Register the `kbgen_callouts` core rule (after `block`) and the callout render rules."""
    md.core.ruler.after("block", "kbgen_callouts", _callout_rule)
    md.add_render_rule("blockquote_open", _render_open)
    md.add_render_rule("blockquote_close", _render_close)
    md.add_render_rule("callout_title_open", _render_title_open)
    md.add_render_rule("callout_title_close", _render_title_close)


def icon(kind: str) -> str:
    """The inline SVG of a callout type or alias (unknown types get the note icon)."""
    return _SVG.format(_ICON_PATHS[CALLOUT_TYPES.get(kind.lower(), "note")])


def _callout_rule(state: StateCore) -> None:
    if "[!" not in state.src:
        return  # no callout marker anywhere in the note
    tokens = state.tokens
    # Only quotes matter: one comprehension finds them (no Python step per other token).
    quotes = [i for i, tok in enumerate(tokens) if tok.type in _QUOTE_TOKENS]
    if not quotes:
        return
    stack: list[Token] = []  # open blockquotes, to pair each close with its open
    titles: list[int] = []  # where each callout title opens, once the title tokens are in
    inserted: list[tuple[int, list[Token]]] = []  # (where, title tokens) put before a body
    last = len(tokens) - 3
    for i in quotes:
        tok = tokens[i]
        if tok.type == "blockquote_close":
            opener = stack.pop() if stack else None
            if opener is not None and "callout" in opener.meta:
                tok.meta["callout"] = opener.meta["callout"]
                tok.meta["callout_info"] = opener.meta["callout_info"]
            continue
        stack.append(tok)
        if (i < last and tokens[i + 1].type == "paragraph_open"
                and tokens[i + 2].type == "inline" and tokens[i + 3].type == "paragraph_close"):
            made = _make_callout(tok, tokens[i + 1], tokens[i + 2], tokens[i + 3])
            if made is not None:
                titles.append(i + 1 + 3 * len(inserted))  # (each insertion is three tokens)
                if made[0] is not tokens[i + 1]:
                    inserted.append((i + 1, made[:3]))  # the title, before the body
    if inserted:
        out: list[Token] = []
        done = 0  # tokens[:done] are in `out`
        for at, made in inserted:
            out += tokens[done:at]
            out += made
            done = at
        out += tokens[done:]
        tokens[:] = out
    # Title-only callouts have nothing after the title; tell the renderer.
    for j in titles:
        tokens[j].meta["callout_info"]["has_content"] = tokens[j + 3].type != "blockquote_close"


_QUOTE_TOKENS = frozenset(("blockquote_open", "blockquote_close"))


def _make_callout(quote: Token, p_open: Token, inline: Token, p_close: Token) -> list[Token] | None:
    """The title tokens (and what is left of the first paragraph), or None if not a callout."""
    first, nl, rest = inline.content.partition("\n")
    m = _MARKER.match(first.strip())
    if m is None:
        return None
    written, metadata, fold, title = m.group(1), m.group(2), m.group(3), (m.group(4) or "").strip()
    kind = written.lower()
    info: dict[str, Any] = {
        "type": kind, "fold": fold, "metadata": metadata.strip() if metadata is not None else None,
        "has_content": True,
    }
    quote.meta["callout"] = kind
    quote.meta["callout_info"] = info
    line = inline.map[0] if inline.map else 0

    if nl and rest.strip():
        # The lines after the marker stay the first paragraph of the body: new title tokens
        # (those Token(...) makes, without its constructor's steps).
        if p_open.map:
            p_open.map = [p_open.map[0] + 1, p_open.map[1]]
        inline.map = p_open.map
        inline.content = rest
        t_open = block_token("callout_title_open", "div", 1, p_open.level)
        t_inline = block_token("inline", "", 0, inline.level)
        t_close = block_token("callout_title_close", "div", -1, p_close.level)
        t_inline.map = [line, line + 1]
    else:
        # The paragraph is all title: its tokens become the title's (no tokens made and freed).
        t_open, t_inline, t_close = p_open, inline, p_close
        t_open.type, t_open.tag, t_open.attrs, t_open.hidden = "callout_title_open", "div", {}, False
        t_close.type, t_close.tag, t_close.attrs, t_close.hidden = "callout_title_close", "div", {}, False
        t_close.map = None
        t_inline.map = [line, line + 1]
        t_inline.meta = {}
    t_open.map = [line, line + 1]
    t_open.meta = {"callout_info": info}
    t_close.meta = {"callout_info": info}
    t_inline.content = title
    # The default title is plain text, never markdown: give it as a ready child.
    t_inline.children = [] if title else [text_token(0, written[:1].upper() + written[1:].lower())]
    made = [t_open, t_inline, t_close]
    if t_open is not p_open:
        made += [p_open, inline, p_close]
    return made


# -- rendering --------------------------------------------------------------------------------

def _attrs(tok: Token, info: dict[str, Any]) -> str:
    parts = [f' data-callout="{escapeHtml(info["type"])}"']
    if info["fold"]:
        parts.append(f' data-callout-fold="{info["fold"]}"')
    if info["metadata"] is not None:
        parts.append(f' data-callout-metadata="{escapeHtml(info["metadata"])}"')
    anchor = tok.attrGet("id")
    if anchor is not None:
        parts.insert(0, f' id="{escapeHtml(str(anchor))}"')
    return "".join(parts)


def _render_open(self: RendererHTML, tokens: Sequence[Token], idx: int,
                 options: OptionsDict, env: dict[str, Any]) -> str:
    tok = tokens[idx]
    info = tok.meta.get("callout_info")
    if info is None:
        return self.renderToken(tokens, idx, options, env)
    if info["fold"]:
        collapsed = " is-collapsed" if info["fold"] == "-" else ""
        opened = " open" if info["fold"] == "+" else ""
        return f'<details class="callout is-collapsible{collapsed}"{_attrs(tok, info)}{opened}>\n'
    return f'<div class="callout"{_attrs(tok, info)}>\n'


def _render_close(self: RendererHTML, tokens: Sequence[Token], idx: int,
                  options: OptionsDict, env: dict[str, Any]) -> str:
    info = tokens[idx].meta.get("callout_info")
    if info is None:
        return self.renderToken(tokens, idx, options, env)
    content = "</div>\n" if info["has_content"] else ""
    return content + ("</details>\n" if info["fold"] else "</div>\n")


def _render_title_open(self: RendererHTML, tokens: Sequence[Token], idx: int,
                       options: OptionsDict, env: dict[str, Any]) -> str:
    info = tokens[idx].meta["callout_info"]
    key = (bool(info["fold"]), info["type"])
    html = _TITLE_OPENS.get(key)
    if html is None:
        tag = "summary" if info["fold"] else "div"
        html = (f'<{tag} class="callout-title"><div class="callout-icon" aria-hidden="true">'
                f'{icon(info["type"])}</div><div class="callout-title-inner">')
        if len(_TITLE_OPENS) < 1000:  # (types are as written: a note could hold many)
            _TITLE_OPENS[key] = html
    return html


_TITLE_OPENS: dict[tuple[bool, str], str] = {}
"""(foldable, type) → the title's opening HTML with its icon, made at the first use of each."""


def _render_title_close(self: RendererHTML, tokens: Sequence[Token], idx: int,
                        options: OptionsDict, env: dict[str, Any]) -> str:
    info = tokens[idx].meta["callout_info"]
    # No fold icon of our own: <summary> has its disclosure marker, which the theme styles.
    end = "</div></summary>\n" if info["fold"] else "</div></div>\n"
    return end + ('<div class="callout-content">\n' if info["has_content"] else "")
