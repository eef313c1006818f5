"""A note page's table of contents: its headings as templates read them, and the default partial's items."""
from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import chain, repeat

from markupsafe import Markup, escape

from kbgen.columns import Columns
from kbgen.model import Heading
from kbgen.paragraphs import strip_wiki

_SPECIAL = re.compile("[&<>\"']").search
"""Whether text holds a character the templates' autoescape (markupsafe.escape) replaces."""


class Toc(Columns):
    """The headings of a note as `{level, text, anchor}` dicts (text without wikilink syntax), made
    when read (see Columns)."""

    FIELDS = (("level", "levels"), ("text", "texts"), ("anchor", "anchors"))
    __slots__ = ("levels", "texts", "anchors")

    def __init__(self, levels: list[int], texts: list[str], anchors: list[str]) -> None:
        self.levels, self.texts, self.anchors = levels, texts, anchors

    @classmethod
    def of(cls, headings: Sequence[Heading]) -> "Toc":
        return cls([h.level for h in headings], [strip_wiki(h.text) for h in headings],
                   [h.anchor for h in headings])


def toc_html(toc: Toc) -> Markup:
    """The `<li>` items of partials/toc.html, as its loop over `toc` wrote them (a theme's own
    partial may still loop): the template spent some 2 µs a heading, mostly on escaping text
    that holds nothing to escape."""
    opens = map(_OPENS.__getitem__, toc.levels)  # (the pieces joined without a Python step per heading)
    return Markup("".join(chain.from_iterable(
        zip(opens, _escaped(toc.anchors), repeat('">'), _escaped(toc.texts), repeat("</a></li>")))))


_OPENS = {level: f'<li class="toc-h{level}"><a href="#' for level in range(1, 7)}
"""Heading level → an item's start up to its anchor."""


def _escaped(texts: list[str]) -> list[str]:
    """The texts escaped one by one, only when some text needs it (most headings hold nothing to escape)."""
    if _SPECIAL("".join(texts)):
        return [escape(t) if _SPECIAL(t) else t for t in texts]
    return texts
