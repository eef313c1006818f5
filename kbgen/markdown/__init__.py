"""make_parser(): THE one ordered list of markdown-it plugins that defines kbgen's dialect."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from kbgen.markdown.autolinks import linkify_rule, linkify_test
from kbgen.markdown.collect import LINE_KEY
from kbgen.markdown.delims import delims_plugin
from kbgen.markdown.dispatch import dispatch_block, dispatch_inline, markup_pattern
from kbgen.markdown.footnotes import footnotes_plugin, unlinked_in_parts
from kbgen.markdown.headings import headings_plugin
from kbgen.markdown.lines import lines_plugin
from kbgen.markdown.lists import lists_plugin
from kbgen.markdown.mdlinks import mdlinks_plugin, plain_image_rule, plain_link_rule
from kbgen.markdown.plainlinks import PlainParse, plain_links_parser
from kbgen.markdown.quotes import quotes_plugin
from kbgen.markdown.renderer import Renderer
from kbgen.markdown.tables import tables_plugin
from kbgen.markdown.tokens import text as text_token
from kbgen.markdown.wikilinks import may_autolink, wikilinks_plugin


@dataclass(frozen=True)
class ParseOptions:
    """The settings that change how a note parses; part of the parse-cache key."""

    strict_line_breaks: bool = False
    trust_html: bool = False


BLOCK_NESTING = 100
"""markdown-it's maxNesting while parsing blocks. The commonmark preset's 20 drops what a list
nests past 9 levels (deep outlines are common in vaults); 100 still parses without reaching
Python's recursion limit."""
INLINE_NESTING = 20
"""maxNesting while parsing inline content: each level multiplies the link-label scans of text
like `[[a][[a]…`, which took 70 s/MB at 100 levels and 9 s/MB at 20."""

URL_CACHE = 4096
"""How many URLs the parser keeps the normalized href and text of."""


def make_parser(options: ParseOptions = ParseOptions()) -> MarkdownIt:
    """A markdown-it parser for Obsidian Flavored Markdown, plugins in their order of precedence."""
    md = MarkdownIt(
        "commonmark",
        {"html": True, "linkify": True, "breaks": not options.strict_line_breaks,
         "typographer": False},
        renderer_cls=Renderer,
    )
    md.enable(["table", "strikethrough", "linkify"])
    # pure functions of the URL, each an mdurl parse (~10 us): notes repeat their URLs
    md.normalizeLink = lru_cache(maxsize=URL_CACHE)(md.normalizeLink)  # type: ignore[method-assign]
    md.normalizeLinkText = lru_cache(maxsize=URL_CACHE)(md.normalizeLinkText)  # type: ignore[method-assign]
    md.options["maxNesting"] = BLOCK_NESTING
    md.core.ruler.at("normalize", _normalize)
    md.core.ruler.at("inline", _inline_with_lines(None))
    md.use(front_matter_plugin)
    md.use(tables_plugin)              # our table rule, fewer steps per row and cell
    md.use(headings_plugin)            # our ATX heading rule, its tokens made directly
    md.use(wikilinks_plugin)          # [[...]] and ![[...]] before link/image
    md.use(footnote_plugin, inline=True)
    _use_ofm(md, options)              # callouts, comments, tags, block ids, math, ... (ofm.py)
    md.use(mdlinks_plugin)             # markdown links to notes; external link attributes
    _cheap_linkify_pretest(md)
    markup = markup_pattern(md)
    if markup:
        md.inline.ruler.at("link", plain_link_rule(markup.search))  # [text](dest): no label parse
        md.inline.ruler.at("image", plain_image_rule(markup.search))  # ![alt](src): no alt parse
    md.use(delims_plugin, markup=markup)  # emphasis and == runs with less work per run
    md.use(lists_plugin)               # after every block rule: its fast path depends on them
    md.use(quotes_plugin)              # likewise (a one-line quote of text made directly)
    md.use(footnotes_plugin)           # likewise (a one-line footnote definition of text)
    md.use(unlinked_in_parts)          # footnotes in embedded sections and blocks: no dead links
    plain = plain_links_parser(md, markup) if markup else None  # text and links: no inline parse
    dispatch_inline(md)                # last: inline rules tried only at their own characters
    dispatch_block(md)                 # and block rules only on lines that start with theirs
    md.core.ruler.at("inline", _inline_with_lines(markup.search if markup else None, plain))
    md.use(lines_plugin)               # the block state's line markers made in bulk
    return md


def _cheap_linkify_pretest(md: MarkdownIt) -> None:
    """Autolink only what GFM autolinks (`scheme://`, `www.`, e-mail addresses), and skip
    linkify-it's costly regex on the many paragraphs that contain none of them. A note that
    contains none of them anywhere is not walked block by block at all (each block's content
    is made of pieces of the note's lines)."""
    pretest = md.linkify.pretest

    def quick(text: str) -> bool:
        return may_autolink(text) and pretest(text)

    md.linkify.pretest = quick  # type: ignore[method-assign]
    md.linkify.test = linkify_test(md.linkify)  # type: ignore[method-assign]
    rules = md.core.ruler.__rules__
    walk = next(rule.fn for rule in rules if rule.name == "linkify")

    def linkify(state: StateCore) -> None:
        if state.md.options.linkify and state.md.linkify and not may_autolink(state.src):
            return  # what the walk would find: no block passes the pretest
        walk(state)

    md.core.ruler.at("linkify", linkify)
    md.inline.ruler.at("linkify", linkify_rule)  # no copy of the paragraph's rest per `://`


def _use_ofm(md: MarkdownIt, options: ParseOptions) -> None:
    from kbgen.markdown import ofm

    ofm.apply(md, trust_html=options.trust_html)


def _normalize(state: StateCore) -> None:
    """markdown-it's `normalize` (CR and CRLF to LF, NUL to U+FFFD) without its two regex passes
    over text that parse.decode() has already cleaned."""
    src = state.src
    if "\r" in src:
        src = src.replace("\r\n", "\n").replace("\r", "\n")
    if "\0" in src:
        src = src.replace("\0", "\ufffd")
    state.src = src


def _inline_with_lines(markup: Callable[[str], re.Match[str] | None] | None,
                       plain: PlainParse | None = None) -> Callable[[StateCore], None]:
    """The core `inline` rule, telling inline rules which line their block starts on.

    Content in which `markup` finds no character an inline rule can start at (a table cell, a
    plain list item or heading) becomes the one text token markdown-it would make of it,
    without setting up an inline parse; content `plain` takes (text and links) gets its tokens
    from it."""

    def inline(state: StateCore) -> None:
        md, env = state.md, state.env
        options = md.options
        block_nesting, options["maxNesting"] = options["maxNesting"], INLINE_NESTING
        try:
            for token in state.tokens:
                if token.type != "inline":
                    continue
                if token.children is None:
                    token.children = []
                content = token.content
                found = markup(content) if markup is not None else None
                if markup is not None and found is None:
                    if content:
                        token.children.append(text_token(0, content))
                    continue
                env[LINE_KEY] = line = token.map[0] if token.map else 0
                if plain is not None and found is not None and \
                        plain(content, found.start(), line, env, token.children):
                    continue
                md.inline.parse(content, md, env, token.children)
        finally:
            options["maxNesting"] = block_nesting
    return inline
