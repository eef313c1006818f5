"""The inline `linkify` rule (`scheme://` links in text) without copying the rest of the paragraph per link.

markdown-it's rule hands linkify-it `src[start:]`, a copy of the whole rest of the inline
source, at every `://`, and finds the scheme with a regex searched over all the text pending
since the last token: a paragraph of 95 000 bare URLs (1 MB) copied ~50 GB. Here the scheme is
looked for at the end of the pending text only, linkify-it's own schema pattern is matched on a
window as long as its longest schema name, and its built-in validators (which take a position
and have no `^`, lookbehind or `\\b`) run on the whole source at the link's position. Any other
validator gets the library's sliced call. tests/markdown/test_autolinks.py compares the two.
"""
from __future__ import annotations

import re
from typing import Any, Callable

from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline.linkify import SCHEME_RE

from kbgen.markdown.tokens import text as text_token
from kbgen.markdown.tokens import token as new_token

CLASS_RUN = re.compile(r"[a-z0-9.+-]*\n?", re.IGNORECASE)
"""Text that SCHEME_RE's scheme characters fill (its `$` also matches before a final newline)."""
LINKER = "_kbgen_linker"
"""The LinkifyIt attribute that keeps its _Linker (its compiled schema pattern)."""
TAIL = 64
"""How much of the pending text the scheme is first looked for in."""


DEFAULT_SCHEMAS = frozenset({"http:", "https:", "ftp:", "//", "mailto:", ""})
MAY_LINK = re.compile(r"[:/.@]|localhost", re.IGNORECASE)
"""What a link linkify-it's test() finds with its default schemas holds: a schema's `:` or
`//`, a host's `.` (a TLD, `www.`, an IP) or `localhost`, an e-mail's `@`."""


def linkify_test(linkify: Any) -> Callable[[str], bool]:
    """linkify.test, False at once for text without MAY_LINK (the core linkify rule tests
    every text token of a paragraph that has a link: mostly words and blanks)."""
    test = linkify.test

    def quick(text: str) -> bool:
        if MAY_LINK.search(text) is None and linkify._compiled.keys() == DEFAULT_SCHEMAS:
            return False
        return test(text)
    return quick


def scheme(pending: str) -> re.Match[str] | None:
    """SCHEME_RE.search(pending), looked for in the end of `pending` first.

    Every match's scheme is the run of scheme characters that ends the text, so a match found
    after a character outside the run (the first alternative, `^`, cannot match past 0) is the
    one a search from 0 finds; a window the run fills is doubled until it holds the run's start."""
    size, n = TAIL, len(pending)
    while True:
        start = n - size
        if start <= 0:
            return SCHEME_RE.search(pending)
        found = SCHEME_RE.search(pending, start)
        if found is not None or not CLASS_RUN.fullmatch(pending, start):
            return found
        size *= 2


class _Linker:
    """linkify-it's match_at_start(src[start:]) for one LinkifyIt, without the slice when it can."""

    def __init__(self, linkify: Any) -> None:
        self.linkify = linkify
        self.source = linkify.re["schema_at_start"]
        self.schemas = re.compile(self.source, re.IGNORECASE)
        self.longest = max((len(name) for name in linkify._compiled), default=0)
        # validators that match at a position of the text they get, with no ^ or lookbehind
        self.positional = (linkify._validate_http, linkify._validate_mailto)

    def match_at(self, src: str, start: int) -> Any:
        """The link (its `url`) that match_at_start finds in src[start:], or None."""
        linkify = self.linkify
        # the schema pattern reads the literal names it alternates (and one character before)
        founds = self.schemas.match(src[start:start + self.longest + 1])
        if not founds:
            return None
        name = founds.group(2)
        compiled = linkify._compiled.get(name.lower())
        if not compiled:
            return None
        validate = compiled.get("validate")
        if validate not in self.positional or founds.group(1):
            return linkify.match_at_start(src[start:])
        head = len(founds.group(0))
        length = validate(src, start + head)
        if not length:
            return None
        return linkify._create_match(src, name, start, start + head + length)


def linkify_rule(state: StateInline, silent: bool) -> bool:
    """markdown-it's inline `linkify` rule, its link found by _Linker.match_at."""
    md = state.md
    if not md.options.linkify or state.linkLevel > 0:
        return False
    if not md.linkify:
        raise ModuleNotFoundError("Linkify enabled but not installed.")
    pos, src = state.pos, state.src
    if pos + 3 > state.posMax or not src.startswith("://", pos):
        return False
    if not (found := scheme(state.pending)):
        return False
    proto = found.group(1)
    linker = getattr(md.linkify, LINKER, None)
    if linker is None or linker.source is not md.linkify.re["schema_at_start"]:
        linker = _Linker(md.linkify)  # its first link, or its schemas changed since
        setattr(md.linkify, LINKER, linker)
    if not (link := linker.match_at(src, pos - len(proto))):
        return False
    url: str = link.url.rstrip("*")  # a closing `*` is emphasis, not the link's
    full_url = md.normalizeLink(url)
    if not md.validateLink(full_url):
        return False
    if not silent:
        # what state.push() of link_open, text and link_close leaves, the tokens made at once
        pending = state.pending[:-len(proto)]
        if pending:
            state.tokens.append(text_token(state.pendingLevel, pending))  # pushPending()
        state.pending = ""
        level = state.level
        opening = new_token("link_open", "a", 1, level, "", "linkify")
        opening.attrs = {"href": full_url}
        opening.info = "auto"
        closing = new_token("link_close", "a", -1, level, "", "linkify")
        closing.info = "auto"
        state.tokens += (opening, new_token("text", "", 0, level + 1, md.normalizeLinkText(url)), closing)
        state.tokens_meta += ({"delimiters": []}, None, None)  # the opener's fresh delimiter list
        state.pendingLevel = level
    state.pos += len(url) - len(proto)
    return True

