"""The rest of Obsidian Flavored Markdown, applied in order (callouts, comments, tags, ...)."""
from __future__ import annotations

from markdown_it import MarkdownIt


def apply(md: MarkdownIt, *, trust_html: bool = False) -> None:
    """Register every OFM plugin on `md`; make_parser() calls this at its fixed place."""
