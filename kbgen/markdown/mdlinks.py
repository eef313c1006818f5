"""Markdown links and images that point into the vault become LinkRefs; external links get rel/class.

`[text](Other%20Note.md#Heading)` and `[text](<Other Note>)` resolve like wikilinks (from the vault
root, by shortest path); `![alt](diagram.png)` is an embed. Anything with a URL scheme, `//` or a
leading `/` is external and left alone.
"""
from __future__ import annotations

import re
from collections import deque
from typing import Any, Callable, Sequence
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline.image import image as _image_rule
from markdown_it.rules_inline.link import link as _link_rule
from markdown_it.token import Token
from markdown_it.utils import OptionsDict

from kbgen.markdown.collect import RENDER_KEY, collector
from kbgen.markdown.tokens import link_tokens
from kbgen.markdown.tokens import text as text_token
from kbgen.markdown.tokens import token as new_token
from kbgen.model import Context, LinkRef

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*:")


def mdlinks_plugin(md: MarkdownIt) -> None:
    md.inline.ruler.at("link", _link)
    md.inline.ruler.at("image", _image)
    md.core.ruler.push("kbgen_mdlinks", _collect)
    md.add_render_rule("link_open", _render_link_open)
    md.add_render_rule("link_close", _render_link_close)
    md.add_render_rule("image", _render_image)


def is_external(href: str) -> bool:
    return bool(_SCHEME.match(href)) or href.startswith("//") or href.startswith("/")


def _may_link(state: StateInline) -> bool:
    """Whether a link or image can start at `state.pos` at all: a reference definition exists,
    or a `](` follows with a `)` somewhere after it. Without this pretest, the label scan that
    markdown-it starts from every `[` makes text like `[[a][[a]…` or `[a]([a](…` cost
    (nesting limit × length)."""
    if "references" in state.env:
        return True
    src, pos = state.src, state.pos
    memo = state.env.get("_kb_link_ends")
    if memo is None or memo[0] is not src or memo[1] < pos:
        opener = src.find("](", pos)
        memo = (src, len(src) + 1 if opener < 0 else opener, memo[2] if memo and memo[0] is src
                else src.rfind(")"))
        state.env["_kb_link_ends"] = memo
    return memo[1] < memo[2]


def _link(state: StateInline, silent: bool) -> bool:
    return state.src[state.pos] == "[" and _may_link(state) and _link_rule(state, silent)


_PLAIN_DEST = re.compile(r"[^\x00-\x20\x7f()\\&<]+")
"""A destination that parseLinkDestination() takes as written: no blank, control character or
parenthesis (where it stops or counts), backslash or `&` (unescapeAll's escapes and entities),
and no `<` (the bracketed form)."""


def _plain(state: StateInline, start: int, markup: Callable[[str], re.Match[str] | None],
           shortest: int = 1) -> tuple[str, str, int] | None:
    """(label, normalized href, end) of `[label](dest)` at `start` if markdown-it's link and
    image rules would take it as written: a label where `markup` finds no character an inline
    rule can start at (`shortest` characters or more), a plain destination (no blank, title or
    reference) that validates."""
    src, end = state.src, state.posMax
    close = src.find("]", start + 1, end)
    if close < start + 1 + shortest or close + 1 >= end or src[close + 1] != "(":
        return None
    dest = _PLAIN_DEST.match(src, close + 2, end)
    if dest is None or dest.end() >= end or src[dest.end()] != ")":
        return None
    label = src[start + 1:close]
    md, cache = state.md, state.cache
    # A label scan at maxNesting (from skipToken(), a level up) finds no end, nor does one that
    # reads where a deeper scan cached a jump to the end (markdown-it's `[[[…[x]()` quirk, kept).
    if markup(label) is not None or state.level >= md.options["maxNesting"] or \
            (cache and any(p in cache for p in range(start + 1, close))):
        return None
    href = md.normalizeLink(dest.group())
    return (label, href, dest.end() + 1) if md.validateLink(href) else None


def plain_link_rule(markup: Callable[[str], re.Match[str] | None]) -> Callable[[StateInline, bool], bool]:
    """The `link` rule, with a plain `[text](dest)` (see _plain) made directly: the link_open
    with its normalized href, the text the label's tokenize() leaves pending and the
    link_close. Any other link goes through markdown-it's rule."""

    def rule(state: StateInline, silent: bool) -> bool:
        if state.src[state.pos] != "[":
            return False
        plain = _plain(state, state.pos, markup)
        if plain is None:
            return _may_link(state) and _link_rule(state, silent)
        if not silent:
            _push_plain_link(state, plain[1], plain[0])
        state.pos = plain[2]
        return True
    rule.plain_markup = markup  # type: ignore[attr-defined]  # (plainlinks makes such links too)
    return rule


def plain_link(src: str, start: int, markup: Callable[[str, int, int], re.Match[str] | None],
               normalize: Callable[[str], str], validate: Callable[[str], bool],
               shortest: int = 1) -> tuple[int, str] | None:
    """(end, normalized href) of a plain `[label](dest)` at `start` of inline content `src` that
    the plain link rule (`shortest` 0: image rule) would make at the top level of a fresh inline
    parse (see _plain), or None."""
    end = len(src)
    close = src.find("]", start + 1)
    if close < start + 1 + shortest or close + 1 >= end or src[close + 1] != "(":
        return None
    dest = _PLAIN_DEST.match(src, close + 2)
    if dest is None or dest.end() >= end or src[dest.end()] != ")" or markup(src, start + 1, close) is not None:
        return None
    href = normalize(dest.group())
    return (dest.end() + 1, href) if validate(href) else None


def plain_image_rule(markup: Callable[[str], re.Match[str] | None]) -> Callable[[StateInline, bool], bool]:
    """The `image` rule, with a plain `![alt](src)` (see _plain; the alt may be empty) made
    directly: the image token whose children are the one text token the alt's inline parse
    makes (none for no alt). Any other image goes through markdown-it's rule."""

    def rule(state: StateInline, silent: bool) -> bool:
        src, pos = state.src, state.pos
        if src[pos] != "!" or not src.startswith("[", pos + 1):
            return _image(state, silent)
        plain = _plain(state, pos + 1, markup, 0)
        if plain is None:
            return _may_link(state) and _image_rule(state, silent)
        if not silent:
            label = plain[0]
            pending = state.pending
            if pending:
                state.tokens.append(text_token(state.pendingLevel, pending))  # pushPending()
                state.pending = ""
            image = new_token("image", "img", 0, state.level, label)
            image.attrs = {"src": plain[1], "alt": ""}
            image.children = [text_token(0, label)] if label else None
            state.tokens.append(image)
            state.tokens_meta.append(None)
            state.pendingLevel = state.level
        state.pos = plain[2]
        return True
    rule.plain_markup = markup  # type: ignore[attr-defined]  # (plainlinks makes such images too)
    return rule


def _push_plain_link(state: StateInline, href: str, label: str) -> None:
    """What push("link_open"), the label's text left pending and push("link_close") leave,
    the three tokens made at once."""
    pending = state.pending
    if pending:
        state.tokens.append(text_token(state.pendingLevel, pending))  # pushPending()
        state.pending = ""
    level = state.level
    made = link_tokens("link_open", "link_close", "a", level, label)
    made[0].attrs = {"href": href}
    state.tokens += made
    # the opener's fresh delimiter list; pushPending() makes no entry for the text
    state.tokens_meta += ({"delimiters": []}, None)
    state.pendingLevel = level


def _image(state: StateInline, silent: bool) -> bool:
    return state.src[state.pos] == "!" and _may_link(state) and _image_rule(state, silent)


def _collect(state: StateCore) -> None:
    col = collector(state.env)
    if col is None or "[" not in state.src:
        return  # no markdown link or image anywhere in the note
    contexts: list[Context] = state.env.setdefault("_kb_contexts", [])
    references = "references" in state.env
    if not references and "](" not in state.src:
        return  # no block's content has one either (each is made of pieces of the note's lines)
    links = col.links
    # Once per link (a note may hold 150 000): an href's parts found once per note, a link's
    # text and closer taken directly when the label is one text token (see _link_text).
    parts: dict[str, tuple[str, str, bool] | None] = {}
    """href → (path, subpath) trimmed and whether either was written, or None for an external link."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        if not references and "](" not in block.content:
            continue  # no markdown link or image in it (its tokens may be many wikilinks')
        line0 = block.map[0] if block.map else 0
        ctx_index = -1
        breaks = 0
        line = -1  # the file line of line0 + breaks, once a link there needs it
        sources = _Sources(block.content)
        children = block.children
        last = len(children) - 2
        for i, tok in enumerate(children):
            kind = tok.type
            if kind == "softbreak" or kind == "hardbreak":
                breaks += 1
                line = -1
                continue
            if kind != "link_open" and kind != "image" or tok.meta.get("ref"):
                continue
            link = kind == "link_open"
            href = str(tok.attrs.get("href" if link else "src", ""))
            auto = tok.info == "auto"
            if href.startswith("/") and not href.startswith("//") and not auto:
                # left as it is (nothing is read from there), but it cannot work as meant
                col.report(line0 + breaks, "outside-vault",
                           f"{href!r} is an absolute path: on the site it leads to the server's root, "
                           f"not into the vault; write the path relative to the note")
                continue
            if not href or auto:
                continue
            if href in parts:
                part = parts[href]
            else:
                path, _, sub = unquote(href).partition("#")
                part = parts[href] = None if is_external(href) else (path.strip(), sub.strip(), bool(path or sub))
            if part is None:
                continue
            close: Token | None = None
            if link:
                if i < last and children[i + 2].type == "link_close" and \
                        children[i + 1].type not in ("link_open", "link_close"):
                    close = children[i + 2]  # [text](dest): the commonest
                    text = children[i + 1].content
                else:
                    text = _link_text(children, i)
                if not part[2]:
                    continue  # `[]()` and `[x]()` are not links in Obsidian
                if ctx_index < 0:
                    contexts.append(Context(block.content, col.file_line(line0)))
                    ctx_index = len(contexts) - 1
            else:
                text = tok.content
            original = sources.take(href, not link) or \
                (f"[{text}]({href})" if link else f"![{text}]({href})")
            if line < 0:
                line = col.file_line(line0 + breaks)
            ref = LinkRef(part[0], part[1], text, not link, "markdown", line, original,
                          ctx_index if link else -1)
            meta = tok.meta
            meta["ref"] = ref
            meta["index"] = len(links)
            links.append(ref)
            if link:
                (close or _close_of(children, i)).meta["ref"] = ref


_MD_LINK = re.compile(r"(!?)\[((?:[^\[\]]|\[[^\]]*\])*)\]\(\s*(<[^>]*>|[^\s)]*)(?:\s+[^)]*)?\)")


class _Sources:
    """The markdown links as written in one inline block's source (Obsidian reports `original`
    verbatim), handed out in source order: a link token takes the first one with its destination
    that no token took before. The block is matched once, not once per link (a paragraph of
    150 000 links took hours)."""

    def __init__(self, content: str) -> None:
        self.content = content
        self._by_dest: dict[tuple[bool, str], deque[re.Match[str]]] | None = None
        self._taken: set[int] = set()
        """Where the links filed under two forms of their destination start, once taken."""
        self._twice = False
        """Whether any link is filed under two forms (only then is _taken needed)."""

    def take(self, href: str, image: bool) -> str:
        by_dest = self._by_dest
        if by_dest is None:
            by_dest = self._by_dest = {}
            for m in _MD_LINK.finditer(self.content):
                dest = m.group(3)
                if dest.startswith("<"):
                    dest = dest[1:-1]
                is_image = m.group(1) == "!"
                if "%" not in dest and " " not in dest:  # unquote() would leave it as it is
                    key = (is_image, dest)
                    if key in by_dest:
                        by_dest[key].append(m)
                    else:
                        by_dest[key] = deque((m,))
                    continue
                # a destination written with spaces also stands for its %20 form
                forms = dict.fromkeys((unquote(dest), unquote(dest.replace(" ", "%20"))))
                self._twice = self._twice or len(forms) > 1
                for form in forms:
                    by_dest.setdefault((is_image, form), deque()).append(m)
        waiting = by_dest.get((image, unquote(href) if "%" in href else href))
        if not self._twice:
            return waiting.popleft().group(0) if waiting else ""
        while waiting:
            m = waiting.popleft()
            if m.start() not in self._taken:  # not taken under the other form of its destination
                self._taken.add(m.start())
                return m.group(0)
        return ""


# Both walk from the link on by index: a slice of the rest of the block per link made a
# paragraph of 150 000 links quadratic.
def _link_text(children: list[Token], i: int) -> str:
    out = []
    for k in range(i + 1, len(children)):
        tok = children[k]
        if tok.type == "link_close":
            break
        out.append(tok.content)
    return "".join(out)


def _close_of(children: list[Token], i: int) -> Token:
    depth = 0
    for k in range(i, len(children)):
        tok = children[k]
        depth += tok.nesting if tok.type in ("link_open", "link_close") else 0
        if tok.type == "link_close" and depth == 0:
            return tok
    return children[-1]


def _render_link_open(self: RendererHTML, tokens: Sequence[Token], idx: int,
                      options: OptionsDict, env: dict[str, Any]) -> str:
    tok = tokens[idx]
    page = env.get(RENDER_KEY)
    ref = tok.meta.get("ref")
    if ref is not None and page is not None:
        return page.link_open(ref)
    if is_external(str(tok.attrs.get("href", ""))) and not str(tok.attrs.get("href", "")).startswith("/"):
        tok.attrSet("class", "external-link")
        tok.attrSet("rel", "noopener nofollow")
        tok.attrSet("target", "_blank")
    return self.renderToken(tokens, idx, options, env)


def _render_link_close(self: RendererHTML, tokens: Sequence[Token], idx: int,
                       options: OptionsDict, env: dict[str, Any]) -> str:
    ref = tokens[idx].meta.get("ref")
    page = env.get(RENDER_KEY)
    if ref is not None and page is not None:
        return page.link_close(ref)
    return "</a>"


def _render_image(self: RendererHTML, tokens: Sequence[Token], idx: int,
                  options: OptionsDict, env: dict[str, Any]) -> str:
    tok = tokens[idx]
    page = env.get(RENDER_KEY)
    ref = tok.meta.get("ref")
    if ref is not None and page is not None:
        return page.embed(ref)
    return page.external_image(tok, self, options, env) if page is not None else \
        self.image(tokens, idx, options, env)
