"""Inline content of plain text and links (`[[wikilinks]]`, `![[embeds]]`, plain markdown links and images) tokenized without an inline parse.

Most list items and table cells are a few words and a link or two. An inline parse of such
content sets up a StateInline, runs the inline loop, dispatches at each `[`, tries the rules
that start there, and runs the post-processing rules over tokens they leave as they are. Here
the content is checked first: every character an inline rule can start at must be the start of
a link the `wikilink` or `embed` rule takes whole (with no display text, or one without markup:
the text the display's inline parse leaves), of a `[label](dest)` or `![alt](src)` mdlinks'
plain rules take as written, a line end (the `newline` rule's break), a `!` no rule can take
(not before a `[`), a `:` the `linkify` rule cannot take (not before `//`) or a `^` the
`footnote_inline` rule cannot take (not before a `[`: block ids).
Then the tokens and LinkRefs those rules would make are made directly (a markdown link's
LinkRef is made by mdlinks._collect, as for the parse); else the content gets the ordinary
parse. tests/markdown/test_plainlinks.py compares the two on random content.
"""
from __future__ import annotations

import re
from functools import partial
from typing import Any, Callable

from markdown_it import MarkdownIt
from markdown_it.rules_inline.linkify import linkify as library_linkify
from markdown_it.rules_inline.newline import newline as library_newline
from markdown_it.token import Token
from mdit_py_plugins.footnote.index import footnote_inline as library_footnote_inline

from kbgen.markdown import mdlinks, wikilinks
from kbgen.markdown.autolinks import linkify_rule
from kbgen.markdown.collect import ENV_KEY, LINE_KEY
from kbgen.markdown.delims import mark_final
from kbgen.markdown.dispatch import markup_chars, starting_at
from kbgen.markdown.tokens import before_break, link_tokens
from kbgen.markdown.tokens import text as text_token
from kbgen.markdown.tokens import token as new_token
from kbgen.model import Context, LinkRef

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
    colon_text = not colon or (colon == ["linkify"] and fns["linkify"] in (library_linkify, linkify_rule))
    caret = starting_at(md, "^")
    caret_text = not caret or (caret == ["footnote_inline"] and fns["footnote_inline"] is library_footnote_inline)
    newline = starting_at(md, "\n")
    breaks = not newline or (newline == ["newline"] and fns["newline"] is library_newline)
    taken = "[!" + ":" * colon_text + "^" * caret_text + "\n" * breaks
    others = "".join(ch for ch in markup_chars(md) or "" if ch not in taken)
    other = re.compile(f"[{re.escape(others)}]").search if others else None
    # plain [label](dest) links too where the rule after `wikilink` at `[` is mdlinks' plain one
    md_links = starting_at(md, "[")[:3] == ["unclosed_bracket", "wikilink", "link"] and \
        getattr(fns.get("link"), "plain_markup", None) == markup.search
    md_link = partial(mdlinks.plain_link, markup=markup.search, normalize=md.normalizeLink,
                      validate=md.validateLink) if md_links else None
    md_images = starting_at(md, "!")[:3] == ["unclosed_bracket", "embed", "image"] and \
        getattr(fns.get("image"), "plain_markup", None) == markup.search
    md_image = partial(mdlinks.plain_link, markup=markup.search, normalize=md.normalizeLink,
                       validate=md.validateLink, shortest=0) if md_images else None
    return _parser(markup.search, other, colon_text, caret_text, breaks, md_link, md_image)


FINAL_MIN = 32
"""Tokens from which content is marked final for text_join (delims.mark_final): a paragraph of
a link per line is joined in one step, not looked through; below, the mark costs more than
text_join's look (a mark makes it look the block up, before its one-text-token shortcut)."""

LINK, EMBED, BREAK, MDLINK, MDIMAGE = 0, 1, 2, 3, 4
Piece = tuple[int, int, int, str]
"""(kind, where it starts, where the `]]` is (a break: where the next line's text starts; a
markdown link or image: where it ends), the link's text between the brackets ("" for a break; a
markdown link or image: its normalized href))."""


def _parser(search: Callable[[str, int], re.Match[str] | None],
            other: Callable[[str, int], re.Match[str] | None] | None, colon_text: bool,
            caret_text: bool, breaks: bool,
            md_link: Callable[[str, int], tuple[int, str] | None] | None = None,
            md_image: Callable[[str, int], tuple[int, str] | None] | None = None) -> PlainParse:
    def parse(src: str, first: int, line0: int, env: dict[str, Any], children: list[Token]) -> bool:
        if src[first] == "[" and src.endswith("]]") and "|" not in src and \
                _one_link(src, first, line0, env, children):  # (an aliased link: the loop, at once)
            return True
        found = other(src, first) if other is not None else None  # (no markup before `first`)
        if found is not None:
            # Markup this path does not take, unless it is inside a link: after the last `[[`
            # before it, with no `]]` between (content with emphasis, code, tags... fails here
            # before its links are looked at).
            at = found.start()
            opener = src.rfind("[[", 0, at)
            if opener < 0 or src.find("]]", opener + 2, at) >= 0:
                return False
        lines = "\n" in src
        if lines and not breaks:
            return False
        # The links (checked as wikilinks._scan checks them) and line ends, in order.
        pieces: list[Piece] = []
        at = first
        while at >= 0:
            ch = src[at]
            if ch == "[":
                begin = at
            elif ch == "!":
                if not src.startswith("[", at + 1):  # no rule at `!` takes it: text
                    found = search(src, at + 1)
                    at = found.start() if found else -1
                    continue
                begin = at + 1
            elif ch == "\n":
                end, after = len(src), at + 1
                while after < end and (src[after] == " " or src[after] == "\t"):
                    after += 1  # the newline rule skips the next line's leading blanks
                pieces.append((BREAK, at, after, ""))
                if after < end and src[after] == "[":
                    at = after  # (a link per line: no search)
                    continue
                found = search(src, after)
                at = found.start() if found else -1
                continue
            elif (ch == ":" and colon_text and not src.startswith("//", at + 1)) or \
                    (ch == "^" and caret_text and not src.startswith("[", at + 1)):
                found = search(src, at + 1)  # no rule takes it (a block id's `^`): text
                at = found.start() if found else -1
                continue
            else:
                return False
            if not src.startswith("[[", begin):
                if begin == at:
                    made = md_link(src, at) if md_link is not None else None
                else:
                    made = md_image(src, begin) if md_image is not None else None
                if made is None:
                    return False
                pieces.append((MDLINK if begin == at else MDIMAGE, at, made[0], made[1]))
                found = search(src, made[0])
                at = found.start() if found else -1
                continue
            close = src.find("]]", begin + 2)
            if close < 0 or src.find("[[", begin + 2, close) >= 0 or \
                    (lines and src.find("\n", begin + 2, close) >= 0):
                return False
            inner = src[begin + 2:close]
            if not inner.strip():
                return False
            if "|" in inner and begin == at:  # (an embed's display text is not parsed)
                display = wikilinks.split_linktext(inner)[2]
                if display is not None and display.strip() and \
                        search(src, wikilinks.display_start(src, begin + 2, close), close) is not None:
                    return False  # display text to parse as inline markdown
            pieces.append((EMBED if begin != at else LINK, at, close, inner))
            at = close + 2
            if at < len(src) and (src[at] == "\n" or src[at] == "["):
                continue  # the next markup character: no search (soups, a link per line)
            found = search(src, at)
            at = found.start() if found else -1
        _make(src, pieces, line0, env, children)
        if len(children) > FINAL_MIN:  # (no two text tokens in a row; an image's one text child)
            mark_final(env, children)
        return True
    return parse


def _one_link(src: str, first: int, line0: int, env: dict[str, Any], children: list[Token]) -> bool:
    """The tokens _make() makes of one line of text (without markup: `first` is the first markup
    character) ending with a wikilink `[[target]]` that needs no splitting (no `|`, `#` or
    escape): a list item or a table cell of one link. False, with nothing made, for any other
    content (the loop of parse() takes it)."""
    close = len(src) - 2
    inner = src[first + 2:close]
    if not src.startswith("[[", first) or "[" in inner or "]" in inner or "|" in inner or "#" in inner \
            or "\\" in inner or "\n" in src:
        return False
    path = inner.strip()
    col = env.get(ENV_KEY)
    if not path or col is None:
        return False
    if first:
        children.append(text_token(0, src[:first]))
    line = line0 + 1 + col.line_offset
    current = env.get("_kb_ctx")
    if current is None or current[0] is not src:  # wikilinks.new_context(), written out
        contexts = env.get("_kb_contexts")
        if contexts is None:
            contexts = env["_kb_contexts"] = []
        contexts.append(Context(src, env.get(LINE_KEY, 0) + 1 + col.line_offset))
        current = env["_kb_ctx"] = (src, len(contexts) - 1)
    context = current[1]
    links = col.links
    original = src[first:]
    index = len(links)
    ref = links[-1] if index else None
    if ref is None or ref.original != original or ref.line != line or ref.embed \
            or ref.context != context or ref.commented or ref.kind != "wiki":
        ref = LinkRef(path, "", None, False, "wiki", line, original, context)
    links.append(ref)
    children += link_tokens("wikilink_open", "wikilink_close", "a", 0, path, {"ref": ref, "index": index})
    return True


def _make(src: str, pieces: list[Piece], line0: int, env: dict[str, Any], children: list[Token]) -> None:
    """The tokens and LinkRefs of `src`'s text and `pieces`, as the wikilink, embed and newline
    rules and the inline loop leave them (see wikilinks._scan)."""
    col = env.get(ENV_KEY)
    context = -1
    line = 1 if col is None else line0 + 1 + col.line_offset
    add = children.append
    last = 0
    for kind, at, close, inner in pieces:
        if kind == BREAK:
            hard = False
            if at > last:  # (a link just before the line end leaves no text)
                text, hard = before_break(src[last:at])
                if text:
                    add(text_token(0, text))
            add(new_token("hardbreak" if hard else "softbreak", "br", 0, 0))
            last = close
            if col is not None:
                line += 1
            continue
        if at > last:
            add(text_token(0, src[last:at]))
        if kind == MDLINK:  # as the plain link rule makes it; _collect makes its LinkRef
            made = link_tokens("link_open", "link_close", "a", 0, src[at + 1:src.find("]", at + 1)])
            made[0].attrs = {"href": inner}
            children += made
            last = close
            continue
        if kind == MDIMAGE:  # as the plain image rule makes it
            label = src[at + 2:src.find("]", at + 2)]
            image = new_token("image", "img", 0, 0, label)
            image.attrs = {"src": inner, "alt": ""}
            image.children = [text_token(0, label)] if label else None
            add(image)
            last = close
            continue
        embed = kind == EMBED
        last = close + 2
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
            links = col.links
            original = src[at:last]
            index = len(links)
            ref = links[-1] if index else None
            if ref is None or ref.original != original or ref.line != line or ref.embed is not embed \
                    or ref.context != (-1 if embed else context) or ref.commented or ref.kind != "wiki":
                ref = LinkRef(path, subpath, display, embed, "wiki", line, original, -1 if embed else context)
            # (else the link before, written alike on the line: shared, as wikilinks._scan does)
            links.append(ref)
        else:
            ref = LinkRef(path, subpath, display, embed, "wiki", 1, src[at:last])
            index = -1
        meta = {"ref": ref, "index": index}
        if embed:
            add(new_token("embed", "", 0, 0, "", "", meta))
            continue
        if display is not None and display.strip():  # markup-free: one text token, as written
            text = src[wikilinks.display_start(src, at + 2, close):close]
        else:
            text = (path if not subpath else wikilinks.default_display(path, subpath)) \
                if path or subpath else inner
        children += link_tokens("wikilink_open", "wikilink_close", "a", 0, text, meta)
    if last < len(src):
        add(text_token(0, src[last:]))
