"""Inline content of plain text and `[[wikilinks]]` / `![[embeds]]` tokenized without an inline parse.

Most list items and table cells are a few words and a link or two. An inline parse of such
content sets up a StateInline, runs the inline loop, dispatches at each `[`, tries the rules
that start there, and runs the post-processing rules over tokens they leave as they are. Here
the content is checked first: every character an inline rule can start at must be the start of
a link the `wikilink` or `embed` rule takes whole (with no display text to parse), a `!` no
rule can take (not before a `[`) or a `:` the `linkify` rule cannot take (not before `//`).
Then the tokens and LinkRefs those rules would make are made directly; else the content gets
the ordinary parse. tests/markdown/test_plainlinks.py compares the two on random content.
"""
from __future__ import annotations

import re
from typing import Any, Callable

from markdown_it import MarkdownIt
from markdown_it.rules_inline.linkify import linkify as library_linkify
from markdown_it.token import Token

from kbgen.markdown import wikilinks
from kbgen.markdown.collect import ENV_KEY
from kbgen.markdown.dispatch import starting_at
from kbgen.markdown.tokens import text as text_token
from kbgen.markdown.tokens import token as new_token
from kbgen.model import LinkRef

PlainParse = Callable[[str, int, int, dict[str, Any], list[Token]], bool]
"""(content, first markup position, block line, env, children) → whether it made the tokens."""

POST_RULES = frozenset({"balance_pairs", "strikethrough", "kbgen_mark", "emphasis", "fragments_join"})
"""Post-processing rules that leave the tokens made here as they are: the pairing rules find no
delimiters (links push empty delimiter lists), fragments_join no two text tokens in a row and
every level as it is."""


def plain_links_parser(md: MarkdownIt, markup: re.Pattern[str]) -> PlainParse | None:
    """The direct path for `md`, or None if its inline rules are not those it assumes.
    Call it before dispatch_inline() (it reads the rule chains by name)."""
    fns = {r.name: r.fn for r in md.inline.ruler.__rules__ if r.enabled}
    if (starting_at(md, "[")[:2] != ["unclosed_bracket", "wikilink"]
            or starting_at(md, "!")[:2] != ["unclosed_bracket", "embed"]
            or fns.get("wikilink") is not wikilinks.wikilink_rule
            or fns.get("embed") is not wikilinks.embed_rule
            or fns.get("unclosed_bracket") is not wikilinks.unclosed_bracket_rule):
        return None
    if any(r.name not in POST_RULES for r in md.inline.ruler2.__rules__ if r.enabled):
        return None
    colon = starting_at(md, ":")
    colon_text = not colon or (colon == ["linkify"] and fns["linkify"] is library_linkify)
    return _parser(markup.search, colon_text)


def _parser(search: Callable[[str, int], re.Match[str] | None], colon_text: bool) -> PlainParse:
    def parse(src: str, first: int, line0: int, env: dict[str, Any], children: list[Token]) -> bool:
        if "\n" in src:
            return False  # softbreaks; a link's line would need counting
        # The links, checked as wikilinks._scan checks them: (where, `[[`, `]]`, embed).
        links: list[tuple[int, int, int, bool]] = []
        at = first
        while at >= 0:
            ch = src[at]
            begin = at
            if ch == "!":
                if not src.startswith("[", at + 1):  # no rule at `!` takes it: text
                    found = search(src, at + 1)
                    at = found.start() if found else -1
                    continue
                begin = at + 1
            elif ch == ":" and colon_text and not src.startswith("//", at + 1):
                found = search(src, at + 1)
                at = found.start() if found else -1
                continue
            elif ch != "[":
                return False
            if not src.startswith("[[", begin):
                return False
            close = src.find("]]", begin + 2)
            if close < 0 or src.find("[[", begin + 2, close) >= 0:
                return False
            inner = src[begin + 2:close]
            if not inner.strip():
                return False
            if "|" in inner:
                display = wikilinks.split_linktext(inner)[2]
                if display is not None and display.strip():
                    return False  # display text to parse as inline markdown
            links.append((at, begin, close, begin != at))
            found = search(src, close + 2)
            at = found.start() if found else -1
        _make(src, links, line0, env, children)
        return True
    return parse


def _make(src: str, links: list[tuple[int, int, int, bool]], line0: int, env: dict[str, Any],
          children: list[Token]) -> None:
    """The tokens and LinkRefs of `src`'s text and `links`, as the wikilink and embed rules and
    the inline loop leave them (see wikilinks._scan)."""
    col = env.get(ENV_KEY)
    context = -1
    line = 1 if col is None else line0 + 1 + col.line_offset
    add = children.append
    last = 0
    for at, begin, close, embed in links:
        if at > last:
            add(text_token(0, src[last:at]))
        last = close + 2
        inner = src[begin + 2:close]
        if "|" in inner or "#" in inner or "\\" in inner:
            path, subpath, display = wikilinks.split_linktext(inner)
        else:
            path, subpath, display = inner.strip(), "", None
        if col is not None:
            if not embed and context < 0:
                current = env.get("_kb_ctx")
                if current is None or current[0] is not src:
                    current = wikilinks.new_context(env, col, src)
                context = current[1]
            ref = LinkRef(path, subpath, display, embed, "wiki", line, src[at:last],
                          -1 if embed else context)
            index = len(col.links)
            col.links.append(ref)
        else:
            ref = LinkRef(path, subpath, display, embed, "wiki", 1, src[at:last])
            index = -1
        meta = {"ref": ref, "index": index}
        if embed:
            add(new_token("embed", "", 0, 0, "", "", meta))
            continue
        text = (path if not subpath else wikilinks.default_display(path, subpath)) \
            if path or subpath else inner
        add(new_token("wikilink_open", "a", 1, 0, "", "", meta))
        add(text_token(1, text))
        add(new_token("wikilink_close", "a", -1, 0, "", "", meta))
    if last < len(src):
        add(text_token(0, src[last:]))
