"""Raw HTML in notes, sanitized with nh3: no scripts, event handlers or `javascript:` URLs.

Syntax (Obsidian, see research/ofm-spec.md §1.0)::

    <details><summary>More</summary>        Press <kbd>Ctrl</kbd>, <u>underline</u>
    Markdown stays *literal* in here.       <iframe src="https://www.youtube.com/embed/x"></iframe>
    </details>                              <!-- hidden comment -->

Allowed: nh3's default safe tags plus `iframe` (http/https `src` only), `font`, `center`,
`audio`/`video`/`source`; attributes `class`, `id`, `title` everywhere and the usual per-tag ones
(no `style`, no `on*`); URLs http(s), mailto, or relative. HTML comments disappear.

markdown-it hands inline HTML over one tag per token, and an HTML block ends at a blank line, so
a fragment is often unbalanced (`<details>` … blank line … `</details>`). nh3 would close an open
tag at once and drop a stray closing tag; these rules undo just that: closing tags that nh3 added
at the end are removed, and closing tags of allowed elements at the start are kept.
With `trust_html=True` the plugin is not used and HTML passes through unchanged.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Sequence

import nh3
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import OptionsDict

ALLOWED_TAGS = frozenset(nh3.ALLOWED_TAGS | {
    "iframe", "font", "center", "audio", "video", "source", "track", "picture", "tfoot",
})
_GENERIC = {"class", "id", "title", "lang", "dir"}
_MEDIA = {"src", "controls", "width", "height", "loop", "muted", "preload", "poster"}
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    "*": _GENERIC,
    "a": {"href", "hreflang", "name"},
    "img": {"src", "alt", "width", "height", "align", "loading"},
    "iframe": {"src", "width", "height", "allow", "allowfullscreen", "frameborder",
               "loading", "referrerpolicy", "sandbox"},
    "font": {"color", "size", "face"},
    "details": {"open"},
    "ol": {"start", "type", "reversed"},
    "li": {"value"},
    "audio": _MEDIA,
    "video": _MEDIA,
    "source": {"src", "type", "srcset", "media"},
    "track": {"src", "kind", "srclang", "label", "default"},
    "time": {"datetime"},
    "abbr": {"title"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})

_NAME = r"[A-Za-z][A-Za-z0-9-]*"
_OPEN = re.compile(rf"\s*<({_NAME})")
_CLOSE = re.compile(rf"\s*</({_NAME})\s*>")
_TAG = re.compile(rf"<(/?)({_NAME})(?:\s[^>]*?)?(/?)>")
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "param", "source", "track", "wbr"})
_IMPLIED = frozenset({"tbody"})  # html5ever adds it inside an open <table>


def rawhtml_plugin(md: MarkdownIt) -> None:
    """Register sanitizing render rules for `html_block` and `html_inline`."""
    md.add_render_rule("html_block", _render_block)
    md.add_render_rule("html_inline", _render_inline)


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    # An iframe loads a whole page: only from the web, never relative or another scheme.
    if tag == "iframe" and attr == "src" and not re.match(r"https?://", value.strip(), re.I):
        return None
    return value


@lru_cache(maxsize=4096)
def clean(html: str) -> str:
    """nh3 with kbgen's policy, on a fragment that may leave tags open or close earlier ones."""
    lead: list[str] = []
    pos = 0
    while (m := _CLOSE.match(html, pos)) is not None:
        name = m.group(1).lower()
        if name in ALLOWED_TAGS:
            lead.append(f"</{name}>")
        pos = m.end()
    rest = html[pos:]
    out = nh3.clean(
        rest, tags=set(ALLOWED_TAGS), attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_attribute_filter, url_schemes=set(URL_SCHEMES),
        strip_comments=True, link_rel=None,
    )
    # nh3 closes what the fragment left open (and elements it implied inside those, like
    # tbody); the rest of the note closes them instead, so drop those closing tags again.
    # Walking the closing tags at the very end backwards meets the outermost first.
    still_open = [name for name in _unclosed(rest) if name in ALLOWED_TAGS]
    cuts: list[tuple[int, int]] = []
    end, i = len(out), 0
    while i < len(still_open):
        start, stop = _last_closer(out, end)
        if start < 0:
            break
        name = out[start + 2:stop - 1].strip().lower()
        if name == still_open[i]:
            i += 1
        elif name not in _IMPLIED:
            break
        cuts.append((start, stop))
        end = start
    for start, stop in cuts:  # from the end backwards, so earlier offsets stay valid
        out = out[:start] + out[stop:]
    return "".join(lead) + out


def _unclosed(html: str) -> list[str]:
    """The elements a fragment opens and does not close, outermost first (a rough tag scan)."""
    stack: list[str] = []
    count: dict[str, int] = {}
    for m in _TAG.finditer(_COMMENT.sub("", html)):
        closing, name, self_closing = m.group(1), m.group(2).lower(), m.group(3)
        if not closing:
            if name not in _VOID and not self_closing:
                stack.append(name)
                count[name] = count.get(name, 0) + 1
        elif count.get(name):
            # Close it and whatever is still open inside it, as an HTML parser would.
            while True:
                top = stack.pop()
                count[top] -= 1
                if top == name:
                    break
    return stack


def _last_closer(html: str, end: int) -> tuple[int, int]:
    """(start, end) of a closing tag that ends `html[:end]`, whitespace aside, or (-1, -1)."""
    stop = end
    while stop > 0 and html[stop - 1].isspace():
        stop -= 1
    lt = html.rfind("<", 0, stop)
    if lt < 0 or not _CLOSE.fullmatch(html, lt, stop):
        return -1, -1
    return lt, stop


def _render_block(self: RendererHTML, tokens: Sequence[Token], idx: int,
                  options: OptionsDict, env: dict[str, Any]) -> str:
    out = clean(tokens[idx].content)
    if not out.strip():
        return ""  # an HTML comment, or nothing allowed
    return out if out.endswith("\n") else out + "\n"


def _render_inline(self: RendererHTML, tokens: Sequence[Token], idx: int,
                   options: OptionsDict, env: dict[str, Any]) -> str:
    return clean(tokens[idx].content)
