"""Cut a built page down to what Pagefind reads: its `<html>` tag and its `data-pagefind-body`
element without the ignored parts (search.py hands Pagefind the cut page)."""
from __future__ import annotations

import functools
import re

BODY = b"data-pagefind-body"

_ATTR = b"data-pagefind-"
_OPEN_TAG = re.compile(rb"<([a-zA-Z][a-zA-Z0-9-]*)[^<>]*>")
_HTML_TAG = re.compile(rb"<html\b[^<>]*>", re.I)
_RAW = re.compile(rb"<(?:script|style|textarea|template|title|xmp|iframe|noembed|noframes|noscript|"
                  rb"plaintext)\b|<!--|<!\[CDATA\[", re.I)
"""Markup whose insides are not plain nested tags: a region holding any is not cut up."""
_LOOSE = {b"p", b"li", b"dt", b"dd", b"option", b"optgroup", b"tr", b"td", b"th", b"thead", b"tbody",
          b"tfoot", b"rb", b"rt", b"rp", b"rtc", b"colgroup", b"caption", b"html", b"head", b"body"}
"""Elements whose end tag may be left out: their end cannot be found by counting tags."""
_AUTO_META = re.compile(rb"<(?:h1|img)\b", re.I)
"""What Pagefind may take a page's title or image from when the page does not name them."""


def indexable(html: bytes) -> bytes:
    """The part of a page Pagefind reads: its `<html>` tag (the language) and its body element,
    without the `data-pagefind-ignore` elements that hold no other Pagefind attribute.

    Pagefind would skip the rest itself, but only after parsing it: on the benchmark vault that
    is four fifths of the bytes (layout, sidebar, backlinks) and a third of Pagefind's time. Whenever the page is not plainly of that shape — more than one
    body, a Pagefind attribute outside it, markup whose end cannot be found by counting tags — the
    page goes whole, so what Pagefind indexes never changes."""
    found = _pagefind_tags(html)
    bodies = [t for t in found or () if t[2] == b"body"]
    if found is None or len(bodies) != 1:
        return html
    start, _, _, name = bodies[0]
    end = _element_end(html, name, start)
    # an ignored element outside the body changes nothing; anything else there might
    if end is None or any(not start <= t[0] < end and t[2] != b"ignore" for t in found) \
            or _RAW.search(html, start, end) \
            or _AUTO_META.search(html, 0, start) or _AUTO_META.search(html, end):
        return html
    kept, cut_to = [], start
    for at, tag_end, kind, tag in found:
        if kind != b"ignore" or not cut_to <= at < end:
            continue
        stop = _element_end(html, tag, at)
        if stop is not None and html.find(_ATTR, tag_end, stop) < 0:
            kept.append(html[cut_to:at])
            cut_to = stop
    kept.append(html[cut_to:end])
    head = _HTML_TAG.search(html)
    return (head.group(0) if head else b"<html>") + b"<body>" + b"".join(kept) + b"</body></html>"


def _pagefind_tags(html: bytes) -> list[tuple[int, int, bytes, bytes]] | None:
    """(start, end, attribute kind, tag name) of each tag with a Pagefind attribute, in order;
    None when one of them is not plainly inside a tag (text that mentions it, say)."""
    found = []
    at = html.find(_ATTR)
    while at >= 0:
        lt = html.rfind(b"<", 0, at)
        tag = _OPEN_TAG.match(html, lt) if lt >= 0 else None
        if tag is None or tag.end() <= at:
            return None
        kind = re.match(rb"[a-z-]*", html[at + len(_ATTR):at + len(_ATTR) + 16]).group(0)
        found.append((lt, tag.end(), kind, tag.group(1).lower()))
        at = html.find(_ATTR, at + len(_ATTR))
    return found


def _element_end(html: bytes, name: bytes, start: int) -> int | None:
    """Where the element whose start tag is at `start` ends, by counting its nested namesakes."""
    if name in _LOOSE:
        return None
    depth = 0
    for m in _namesakes(name).finditer(html, start):
        depth += -1 if m.group(1) else 1
        if depth == 0:
            close = html.find(b">", m.end() - 1)
            return close + 1 if close >= 0 else None
    return None


@functools.lru_cache(maxsize=64)
def _namesakes(name: bytes) -> re.Pattern[bytes]:
    return re.compile(rb"<(/?)" + re.escape(name) + rb"[\s/>]", re.I)
