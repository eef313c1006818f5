"""markdown-it Tokens made without Token's __init__: the same fields, set directly, in half the time.

Token is a slots dataclass whose generated __init__ and __post_init__ (convert_attrs) are Python
calls per token; a note of a MB can hold a million tokens. The makers here create the object
with object.__new__ and set every field as the constructor would (a fresh `attrs` and `meta`
dict per token). Should markdown-it's Token ever have other fields, they call Token(...).
before_break() is the text a line break leaves before it, for the fast paths that make the
newline rule's tokens themselves (onepass.py, plainlinks.py).
"""
from __future__ import annotations

import dataclasses
from typing import Any, Iterable, Literal

from markdown_it.token import Token

FIELDS = ("type", "tag", "nesting", "attrs", "map", "level", "children", "content", "markup",
          "info", "meta", "block", "hidden")
SAME_FIELDS = tuple(f.name for f in dataclasses.fields(Token)) == FIELDS
"""Whether Token has exactly the fields the makers set (else they use its constructor)."""

Nesting = Literal[-1, 0, 1]
Fields = tuple[str, str, Nesting, str, str]
"""An inline token's (type, tag, nesting, content, markup)."""
_new = object.__new__


def _token(type_: str, tag: str, nesting: Nesting, level: int, content: str = "",
           markup: str = "", meta: dict[Any, Any] | None = None) -> Token:
    t = _new(Token)
    t.type = type_
    t.tag = tag
    t.nesting = nesting
    t.attrs = {}
    t.map = None
    t.level = level
    t.children = None
    t.content = content
    t.markup = markup
    t.info = ""
    t.meta = {} if meta is None else meta
    t.block = False
    t.hidden = False
    return t


def _text(level: int, content: str) -> Token:
    t = _new(Token)
    t.type = "text"
    t.tag = ""
    t.nesting = 0
    t.attrs = {}
    t.map = None
    t.level = level
    t.children = None
    t.content = content
    t.markup = ""
    t.info = ""
    t.meta = {}
    t.block = False
    t.hidden = False
    return t


def _block(type_: str, tag: str, nesting: Nesting, level: int) -> Token:
    t = _new(Token)
    t.type = type_
    t.tag = tag
    t.nesting = nesting
    t.attrs = {}
    t.map = None
    t.level = level
    t.children = None
    t.content = ""
    t.markup = ""
    t.info = ""
    t.meta = {}
    t.block = True
    t.hidden = False
    return t


def _add_tokens(out: list[Token], fields: Iterable[Fields], level: int) -> None:
    for type_, tag, nesting, content, markup in fields:
        t = _new(Token)
        t.type = type_
        t.tag = tag
        t.nesting = nesting
        t.attrs = {}
        t.map = None
        t.level = level
        t.children = None
        t.content = content
        t.markup = markup
        t.info = ""
        t.meta = {}
        t.block = False
        t.hidden = False
        out.append(t)


def _link_tokens(opening: str, closing: str, tag: str, level: int, content: str,
                 meta: dict[Any, Any] | None = None) -> tuple[Token, Token, Token]:
    new = _new
    a, t, b = new(Token), new(Token), new(Token)
    a.type, t.type, b.type = opening, "text", closing
    a.tag, t.tag, b.tag = tag, "", tag
    a.nesting, t.nesting, b.nesting = 1, 0, -1
    a.attrs, t.attrs, b.attrs = {}, {}, {}
    a.map = t.map = b.map = None
    a.level, t.level, b.level = level, level + 1, level
    a.children = t.children = b.children = None
    a.content, t.content, b.content = "", content, ""
    a.markup = t.markup = b.markup = ""
    a.info = t.info = b.info = ""
    if meta is None:
        a.meta, t.meta, b.meta = {}, {}, {}
    else:
        a.meta, t.meta, b.meta = meta, {}, meta
    a.block = t.block = b.block = False
    a.hidden = t.hidden = b.hidden = False
    return a, t, b


def _inline_block(opening: str, closing: str, tag: str, markup: str, level: int, lines: list[int],
                  content: str) -> tuple[Token, Token, Token]:
    new = _new
    a, t, b = new(Token), new(Token), new(Token)
    a.type, t.type, b.type = opening, "inline", closing
    a.tag, t.tag, b.tag = tag, "", tag
    a.nesting, t.nesting, b.nesting = 1, 0, -1
    a.attrs, t.attrs, b.attrs = {}, {}, {}
    a.map, t.map, b.map = lines, lines.copy(), None
    a.level, t.level, b.level = level, level + 1, level
    a.children, t.children, b.children = None, [], None
    a.content, t.content, b.content = "", content, ""
    a.markup, t.markup, b.markup = markup, "", markup
    a.info = t.info = b.info = ""
    a.meta, t.meta, b.meta = {}, {}, {}
    a.block = t.block = b.block = True
    a.hidden = t.hidden = b.hidden = False
    return a, t, b


def _constructed_token(type_: str, tag: str, nesting: Nesting, level: int, content: str = "",
                       markup: str = "", meta: dict[Any, Any] | None = None) -> Token:
    return Token(type_, tag, nesting, None, None, level, None, content, markup,
                 meta={} if meta is None else meta)


def _constructed_text(level: int, content: str) -> Token:
    return Token("text", "", 0, None, None, level, None, content)


def _constructed_add_tokens(out: list[Token], fields: Iterable[Fields], level: int) -> None:
    out += [_constructed_token(type_, tag, nesting, level, content, markup)
            for type_, tag, nesting, content, markup in fields]


def _constructed_link_tokens(opening: str, closing: str, tag: str, level: int, content: str,
                             meta: dict[Any, Any] | None = None) -> tuple[Token, Token, Token]:
    return (_constructed_token(opening, tag, 1, level, meta=meta), _constructed_text(level + 1, content),
            _constructed_token(closing, tag, -1, level, meta=meta))


def _constructed_inline_block(opening: str, closing: str, tag: str, markup: str, level: int,
                              lines: list[int], content: str) -> tuple[Token, Token, Token]:
    a, t, b = (_constructed_block(opening, tag, 1, level), _constructed_block("inline", "", 0, level + 1),
               _constructed_block(closing, tag, -1, level))
    a.markup = b.markup = markup
    a.map, t.map = lines, lines.copy()
    t.content, t.children = content, []
    return a, t, b


def _constructed_block(type_: str, tag: str, nesting: Nesting, level: int) -> Token:
    return Token(type_, tag, nesting, None, None, level, block=True)


token = _token if SAME_FIELDS else _constructed_token
"""Token(type_, tag, nesting, level=level, content=content, markup=markup, meta=meta): an inline
token as StateInline.push() makes it (`meta`, when given, is used as it is, not copied)."""
text = _text if SAME_FIELDS else _constructed_text
"""A text token: what pushPending() or push("text", "", 0) with its content set leaves."""
link_tokens = _link_tokens if SAME_FIELDS else _constructed_link_tokens
"""(token(opening, tag, 1, level, meta=meta), text(level + 1, content), token(closing, tag, -1,
level, meta=meta)): a link's three tokens in one call (the opener and closer share `meta` when
given, else each gets its own)."""
block_token = _block if SAME_FIELDS else _constructed_block
"""A block token as StateBlock.push() makes it at `level` (without changing the state's level)."""
inline_block = _inline_block if SAME_FIELDS else _constructed_inline_block
"""A block of inline content as three StateBlock.push() calls at `level` make it: the opening
token (`opening`, `tag`, `markup`, map `lines`), the inline token (`content`, a copy of `lines`,
no children yet) and the closing one, in one call (a heading, a paragraph)."""
add_tokens = _add_tokens if SAME_FIELDS else _constructed_add_tokens
"""Append to `out` an inline token at `level` for each (type, tag, nesting, content, markup) of
`fields` (token() of each, without a call per token)."""


def one_line_paragraph(content: str, start: int, following: int, level: int) -> tuple[Token, Token, Token]:
    """The paragraph markdown-it's rule makes of one line's text (`content`, trimmed) in a container
    at `level`: what the quote and footnote-definition fast paths put between their own tokens."""
    return inline_block("paragraph_open", "paragraph_close", "p", "", level + 1, [start, following], content)



def before_break(pending: str) -> tuple[str, bool]:
    """What markdown-it's `newline` rule leaves of the text pending before a newline, and whether
    the break is hard: two or more trailing blanks make a hardbreak and all go, one goes."""
    if pending.endswith("  "):
        return pending.rstrip(" "), True
    return (pending[:-1] if pending.endswith(" ") else pending), False
