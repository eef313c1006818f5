"""A note's body rendered once, where it is parsed, with holes for what depends on the page: a template.

The holes are exactly the calls the render rules make on `env[RENDER_KEY]` (body._Links):
link_open, link_close, embed and tag_href; every other rule's output depends only on the note's
tokens and the parser, which the parse cache key covers. Filling a template calls the page's
_Links in the order the rules called the recorder, so what depends on order (a page's embed
count and cap, a link_close after its link_open) comes out as a render of the tokens would give.
The parse workers send templates instead of tokens: the render processes no longer unpickle
tokens (2.8 s of CPU at 10 000 notes) nor render most bodies.
"""
from __future__ import annotations

import posixpath
import re
import unicodedata
from typing import Any, Iterable, NamedTuple
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

from kbgen import taglimit
from kbgen.markdown.collect import RENDER_KEY
from kbgen.model import LinkRef, ParsedNote

MARK = "\x00"
"""Brackets a hole's number in the recorded HTML: parse.decode drops NUL bytes and markdown-it's
normalize turns any other NUL into U+FFFD, so no note's own output holds one (make checks)."""

OPEN, CLOSE, EMBED, TAG = 0, 1, 2, 3


class Template(NamedTuple):
    """parts[0], then each slot's hole filled followed by the next part, is the body."""

    parts: list[str]
    kinds: bytes
    """Each hole's kind (OPEN, CLOSE, EMBED, TAG), in the order the render rules asked for them."""
    args: list[Any]
    """Each hole's link (an index into the note's links, or past them into `extra`) or tag."""
    slots: list[int] | None
    """The hole at each place in the HTML; None when it is each hole once, in order (a tag
    written twice renders once: its HTML, hole and all, comes back from tags' own memo)."""
    extra: tuple[LinkRef, ...]
    """Links the tokens hold that are not among the note's links (none, as the parse goes)."""


class _Recorder:
    """Stands in for body._Links while rendering without a site: each call is a hole."""

    def __init__(self, note: ParsedNote) -> None:
        self.kinds = bytearray()
        self.args: list[Any] = []
        self.index = dict(zip(map(id, note.links), range(len(note.links))))
        """A link's place among the note's links, by identity: filled, the holes hand _Links the
        very LinkRefs its table holds (its lookups by identity, not by a LinkRef's hash)."""
        self.extra: list[LinkRef] = []
        self.paged = taglimit.split(note.tags)
        self.count = len(note.links)

    def _hole(self, kind: int, arg: Any) -> str:
        self.kinds.append(kind)
        self.args.append(arg)
        return f"{MARK}{len(self.args) - 1}{MARK}"

    def _link(self, ref: LinkRef) -> int:
        i = self.index.get(id(ref))
        if i is None:
            i = self.index[id(ref)] = self.count + len(self.extra)
            self.extra.append(ref)
        return i

    def link_open(self, ref: LinkRef) -> str:
        return self._hole(OPEN, self._link(ref))

    def link_close(self, ref: LinkRef) -> str:
        return self._hole(CLOSE, self._link(ref))

    def embed(self, ref: LinkRef) -> str:
        return self._hole(EMBED, self._link(ref))

    def tag_href(self, tag: str) -> str:
        # a tag past the note's cap has no page on any page (taglimit depends on the note alone):
        # "" renders it as text, as _Links.tag_href's "" does
        return self._hole(TAG, tag) if self.paged.paged(tag) else ""

    def external_image(self, tok: Any, renderer: Any, options: Any, env: Any) -> str:
        from kbgen.body import external_image  # no site in it
        return external_image(tok)


def make(md: MarkdownIt, note: ParsedNote, tokens: list[Any]) -> Template | None:
    """The template of a note's body; None when its holes cannot be told from its HTML."""
    rec = _Recorder(note)
    pieces = md.renderer.render(tokens, md.options, {RENDER_KEY: rec}).split(MARK)
    n = len(rec.args)
    if len(pieces) % 2 == 0 or (n == 0) != (len(pieces) == 1):
        return None
    try:
        slots = list(map(int, pieces[1::2]))
    except ValueError:
        return None
    if slots != list(range(n)):
        # a tag's hole may come again (or not at all); every other hole must come exactly once
        seen = [0] * n
        for s in slots:
            if not 0 <= s < n:
                return None
            seen[s] += 1
        kinds = rec.kinds
        if any(c != 1 and kinds[i] != TAG for i, c in enumerate(seen)):
            return None
        return Template(pieces[0::2], bytes(kinds), rec.args, slots, tuple(rec.extra))
    return Template(pieces[0::2], bytes(rec.kinds), rec.args, None, tuple(rec.extra))


def fill(template: Template, links: Any, refs: tuple[LinkRef, ...]) -> str:
    """The body on one page: each hole asked of `links` (a body._Links), `refs` the note's links."""
    parts, kinds, args, slots, extra = template
    if extra:
        refs = refs + extra
    link_open, link_close, embed, tag_href = links.link_open, links.link_close, links.embed, links.tag_href
    values = []
    append = values.append
    for kind, arg in zip(kinds, args):
        if kind == OPEN:
            append(link_open(refs[arg]))
        elif kind == CLOSE:
            append(link_close(refs[arg]))
        elif kind == EMBED:
            append(embed(refs[arg]))
        else:
            append(escapeHtml(tag_href(arg)))
    if slots is not None:
        values = [values[s] for s in slots]
    out = [parts[0]] * (2 * len(values) + 1)
    out[1::2] = values
    out[2::2] = parts[1:]
    return "".join(out)


GUESSES = 64
"""Languages fence_languages() names at most."""
_FENCE = re.compile(rb"^[ \t]{0,3}(?:`{3,}|~{3,})[ \t]*([^\s`{]+)", re.M)


def fence_languages(sources: Iterable[bytes]) -> set[str]:
    """The languages the code fences of these notes name, read without parsing them: a guess
    (a fence in a quote is missed, one in an HTML comment is not), good enough to say which
    highlighters to compile before the parse workers are forked, which then render the bodies."""
    found: set[bytes] = set()
    for data in sources:
        if b"``" in data or b"~~" in data:
            found.update(_FENCE.findall(data))
    # (at most GUESSES: a vault of odd fence words should not compile a highlighter per word)
    return {lang.decode("utf-8", "replace") for lang in sorted(found)[:GUESSES]}


_CUT = re.compile(rb"!\[\[([^\]\[#|\n]*)#|!\[[^\]\n]*\]\(<?([^)#\n]*)#")
"""`![[Note#…` and `![…](Note.md#…`: an embed of a section or a block."""


def cut_names(sources: Iterable[bytes]) -> set[str]:
    """The names (file name without `.md`, casefolded) of the notes that section and block embeds
    of these notes may show, read without parsing them: a guess. Those embeds cut the tokens of
    the note they show, so its parse worker sends its tokens rather than its template; a note
    the guess misses is parsed again where its tokens are needed (once per process while in use)."""
    found: set[str] = set()
    for data in sources:
        if b"![" in data and b"#" in data:
            for wiki, md in _CUT.findall(data):
                name = wiki.decode("utf-8", "replace") if wiki else unquote(md.decode("utf-8", "replace"))
                name = posixpath.basename(name.strip())
                if name[-3:].lower() == ".md":
                    name = name[:-3]
                if name:  # (`![[#h]]`, a note's own section, is cut as a cycle: no tokens)
                    found.add(unicodedata.normalize("NFC", name).casefold())
    return found
