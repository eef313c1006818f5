"""`[[wikilinks]]` and `![[embeds]]`: inline rules that record LinkRefs and render through the page's resolver.

Syntax (Obsidian's grammar, see research/ofm-spec.md §1.2)::

    [[path#subpath|display]]   ![[path#subpath|display]]

The first `|` splits off the display text (unless nothing stands before it), the first `#` splits
path and subpath, whitespace around each part is trimmed, and the link cannot span lines.
`[[]]`, an unclosed `[[` and anything in code or escaped are not links.
"""
from __future__ import annotations

from bisect import bisect_left
from typing import Any, Sequence

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import OptionsDict

from kbgen.markdown.collect import ENV_KEY, LINE_KEY, RENDER_KEY, Collector, newlines
from kbgen.markdown.tokens import link_tokens
from kbgen.markdown.tokens import text as text_token
from kbgen.markdown.tokens import token as new_token
from kbgen.model import Context, LinkRef, is_file_name


def wikilinks_plugin(md: MarkdownIt) -> None:
    """Register the `wikilink` (before `link`) and `embed` (before `image`) inline rules."""
    md.inline.ruler.before("link", "unclosed_bracket", unclosed_bracket_rule)
    md.inline.ruler.before("link", "wikilink", wikilink_rule)
    md.inline.ruler.before("image", "embed", embed_rule)
    md.add_render_rule("wikilink_open", _render_open)
    md.add_render_rule("wikilink_close", _render_close)
    md.add_render_rule("embed", _render_embed)
    md.core.ruler.push("embed_paragraphs", _unwrap_embed_paragraphs)
    md.core.ruler.after("linkify", "wikilink_unlinkify", _no_links_in_wikilinks)


def split_linktext(inner: str) -> tuple[str, str, str | None]:
    """`path#sub|display` → (path, subpath, display) with Obsidian's first-`|`, first-`#` rules."""
    inner = inner.replace("\\|", "|")
    display: str | None = None
    bar = inner.find("|")
    if bar > 0:
        inner, display = inner[:bar], inner[bar + 1:]
    path, _, sub = inner.partition("#")
    return path.strip(), sub.strip(), display


def default_display(path: str, subpath: str) -> str:
    """Obsidian's display text: `Note > Heading > Sub`, `^block`, or the bare path."""
    parts = [p.strip() for p in subpath.split("#") if p.strip()] if subpath else []
    if path:
        parts.insert(0, path)
    return " > ".join(parts) if parts else path


def _scan(state: StateInline, start: int, silent: bool, embed: bool) -> bool:
    """Shared body of both rules; `start` points at the `[[`.

    Every link of a note comes here (a note may hold 100 000), so what it needs is written out
    here rather than in helpers (collect.inline_line, Collector.file_line, state.push());
    tests/markdown/test_wikilink_scan.py checks it against the scan made of those helpers."""
    src = state.src
    if not src.startswith("[[", start):
        return False
    env = state.env
    begin = start + 2
    memo = env.get("_kb_close")
    if memo is not None and memo[0] is src and memo[1] >= begin:
        close = memo[1]
    else:
        close = src.find("]]", begin)
        if close < 0:
            close = len(src) + 1  # no closer anywhere after begin
        env["_kb_close"] = (src, close)
    # `[[` inside (looked for first: it is near in `[[[[…]]`), a newline, or blank: no link here
    # (a later `[[` on the line may still be one)
    if close > len(src) or src.find("[[", begin, close) >= 0 or src.find("\n", begin, close) >= 0:
        return False
    inner = src[begin:close]
    if not inner.strip():
        return False
    if silent:
        state.pos = close + 2
        return True
    if "|" in inner or "#" in inner or "\\" in inner:
        path, subpath, display = split_linktext(inner)
    else:  # `[[Name]]`, the commonest link: what split_linktext gives
        path, subpath, display = inner.strip(), "", None
    pos = state.pos
    col = env.get(ENV_KEY)
    if col is not None:
        line = env.get(LINE_KEY, 0) + bisect_left(newlines(env, src), pos) + 1 + col.line_offset
        context = -1
        if not embed:
            current = env.get("_kb_ctx")
            if current is None or current[0] is not src:
                current = new_context(env, col, src)
            context = current[1]
        links = col.links
        original = src[pos:close + 2]
        index = len(links)
        ref = links[-1] if index else None
        # the link before written alike, on the same line and in the same paragraph (a line of
        # 100 000 `[[x]]`), is this one's equal: it is shared, so each lookup of the equal refs
        # on their way to the page finds it by identity, without the dataclass's __eq__
        if ref is None or ref.original != original or ref.line != line or ref.context != context \
                or ref.embed is not embed or ref.commented or ref.kind != "wiki":
            ref = LinkRef(path, subpath, display, embed, "wiki", line, original, context)
        links.append(ref)
    else:
        ref = LinkRef(path, subpath, display, embed, "wiki", 1, src[pos:close + 2])
        index = -1
    meta = {"ref": ref, "index": index}
    if embed:
        _push_embed(state, meta)
        state.pos = close + 2
        return True
    if display is None or not display.strip():
        text = (path if not subpath else default_display(path, subpath)) if path or subpath else inner
        _push_link(state, meta, text)
        state.pos = close + 2
        return True
    state.push("wikilink_open", "a", 1).meta = meta
    # The display text is inline markdown; it sits after the first unescaped `|`.
    bar = display_start(src, begin, close)
    old_max = state.posMax
    state.pos, state.posMax = bar, close
    state.linkLevel += 1
    state.md.inline.tokenize(state)
    state.linkLevel -= 1
    state.posMax = old_max
    state.push("wikilink_close", "a", -1).meta = meta
    state.pos = close + 2
    return True


def _push_pending(state: StateInline) -> None:
    """state.pushPending() when there is pending text, without its method calls (it makes no
    tokens_meta entry: markdown-it's pushPending() makes none either)."""
    pending = state.pending
    if pending:
        state.tokens.append(text_token(state.pendingLevel, pending))
        state.pending = ""


def _push_link(state: StateInline, meta: dict[str, Any], text: str) -> None:
    """What `state.push()` leaves after pushing `wikilink_open`, a text token and
    `wikilink_close`, with the three tokens made at once (every link in a note comes here)."""
    _push_pending(state)
    level = state.level
    state.tokens += link_tokens("wikilink_open", "wikilink_close", "a", level, text, meta)
    # push() gives an opening token a fresh delimiter list, which its closer drops again
    state.tokens_meta += ({"delimiters": []}, None, None)
    state.pendingLevel = level


def _push_embed(state: StateInline, meta: dict[str, Any]) -> None:
    """What `state.push("embed", "", 0).meta = meta` leaves, with one token made directly."""
    _push_pending(state)
    level = state.level
    state.tokens.append(new_token("embed", "", 0, level, "", "", meta))
    state.tokens_meta.append(None)
    state.pendingLevel = level


def display_start(src: str, begin: int, end: int) -> int:
    """Where a link's display text starts in `src` (after the first `|` past `begin`, escaped or
    not: the `\\|` of a table cell), or `end`."""
    bar = src.find("|", begin + 1, end)
    return bar + 1 if bar >= 0 else end


def new_context(env: dict[str, Any], col: Collector, src: str) -> tuple[str, int]:
    """Record `src`, the inline block being parsed, as the next backlink context."""
    line = col.file_line(env.get(LINE_KEY, 0))
    contexts: list[Context] = env.setdefault("_kb_contexts", [])
    contexts.append(Context(src, line))
    current = (src, len(contexts) - 1)
    env["_kb_ctx"] = current
    return current


def unclosed_bracket_rule(state: StateInline, silent: bool) -> bool:
    """A run of `[` and `!` with no `]` after it on the inline source is plain text.

    No link, image, wikilink, embed or footnote can start there, but markdown-it's link rule
    would still scan ahead for a label from every `[`: a line of 100 000 `[[` took 7 s."""
    src, pos = state.src, state.pos
    if src[pos] not in "[!":
        return False
    memo = state.env.get("_kb_last_close")
    if memo is None or memo[0] is not src:
        memo = (src, src.rfind("]"))
        state.env["_kb_last_close"] = memo
    if memo[1] > pos:
        return False
    end = pos
    while end < state.posMax and src[end] in "[!":
        end += 1
    if not silent:
        state.pending += src[pos:end]
    state.pos = end
    return True


def wikilink_rule(state: StateInline, silent: bool) -> bool:
    """`[[...]]` outside a link's text."""
    if state.src[state.pos] != "[" or state.linkLevel > 0:
        return False
    return _scan(state, state.pos, silent, embed=False)


def embed_rule(state: StateInline, silent: bool) -> bool:
    """`![[...]]`."""
    if state.src[state.pos] != "!":
        return False
    return _scan(state, state.pos + 1, silent, embed=True)


def _no_links_in_wikilinks(state: StateCore) -> None:
    """A link cannot hold a link: undo autolinks that linkify made inside a wikilink's text."""
    if not may_autolink(state.src):
        return  # no block's content can hold an autolink either
    for block in state.tokens:
        if block.type != "inline" or not block.children or not may_autolink(block.content):
            continue
        depth, kept = 0, []
        for tok in block.children:
            depth += (tok.type == "wikilink_open") - (tok.type == "wikilink_close")
            if depth and tok.type in ("link_open", "link_close") and tok.markup == "linkify":
                continue
            kept.append(tok)
        block.children = kept


def may_autolink(text: str) -> bool:
    """Whether linkify can have made a link in `text` (see make_parser's linkify pretest)."""
    return "://" in text or "www." in text or "WWW." in text or "@" in text


def _unwrap_embed_paragraphs(state: StateCore) -> None:
    """A paragraph holding only note embeds renders without `<p>`: a note embed is a block
    (images, media and placeholders for files stay inline, in their paragraph)."""
    if "![[" not in state.src:
        return  # no embed anywhere in the note
    tokens = state.tokens
    for i in range(len(tokens) - 2):
        if tokens[i].type != "paragraph_open" or tokens[i + 1].type != "inline":
            continue
        if _only_note_embeds(tokens[i + 1].children or []):
            tokens[i].hidden = True
            tokens[i + 2].hidden = True


def _only_note_embeds(children: list[Token]) -> bool:
    """Whether inline content is note embeds (one at least) with only line breaks and spaces
    between them; one pass that stops at the first thing that is not (a paragraph may hold
    100 000 embeds, or 100 000 links and one embed)."""
    embeds = False
    for c in children:
        kind = c.type
        if kind == "embed":
            if is_file_name(c.meta["ref"].target):
                return False
            embeds = True
        elif not (kind == "softbreak" or kind == "hardbreak" or kind == "text" and not c.content.strip()):
            return False
    return embeds


# -- rendering: the page's resolver (env[RENDER_KEY], see render.py) decides href and class ------

def _render_open(self: RendererHTML, tokens: Sequence[Token], idx: int,
                 options: OptionsDict, env: dict[str, Any]) -> str:
    page = env.get(RENDER_KEY)
    ref: LinkRef = tokens[idx].meta["ref"]
    if page is None:
        return f'<a class="internal-link" href="{_esc(ref.target)}">'
    return page.link_open(ref)


def _render_close(self: RendererHTML, tokens: Sequence[Token], idx: int,
                  options: OptionsDict, env: dict[str, Any]) -> str:
    page = env.get(RENDER_KEY)
    ref: LinkRef = tokens[idx].meta["ref"]
    if page is None:
        return "</a>"
    return page.link_close(ref)


def _render_embed(self: RendererHTML, tokens: Sequence[Token], idx: int,
                  options: OptionsDict, env: dict[str, Any]) -> str:
    page = env.get(RENDER_KEY)
    ref: LinkRef = tokens[idx].meta["ref"]
    if page is None:
        return f'<span class="embed" data-src="{_esc(ref.target)}"></span>'
    return page.embed(ref)


# what each rule returns when the env holds the page's renderer: the renderer calls it directly
_render_open.ref_method = "link_open"  # type: ignore[attr-defined]
_render_close.ref_method = "link_close"  # type: ignore[attr-defined]
_render_embed.ref_method = "embed"  # type: ignore[attr-defined]


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
