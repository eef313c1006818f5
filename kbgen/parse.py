"""Note bytes → ParsedNote: decode, front matter, tokens, headings with anchors, links, tags, blocks.

Parsing is pure: the result depends only on the bytes, the path and the parse options, which is
what lets build.py cache it by content digest. Nothing is resolved here.
"""
from __future__ import annotations

import hashlib
import posixpath
import re
from operator import attrgetter
from typing import Any, Iterator

from markdown_it import MarkdownIt
from markdown_it.token import Token

from kbgen import frontmatter
from kbgen.diagnostics import make
from kbgen.markdown.collect import ENV_KEY, Collector
from kbgen.markdown.wikilinks import default_display, split_linktext
from kbgen.model import IMAGE_EXTS, Heading, LinkRef, ParsedNote, SourcePath
from kbgen.urls import heading_anchor

_SPACES = re.compile(r"\s+")
_LEVEL = attrgetter("level")
_TYPE = attrgetter("type")


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def decode(data: bytes, path: str) -> tuple[str, list[Any]]:
    """UTF-8 with or without BOM; anything else is reported and decoded with replacement chars."""
    diags = []
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        diags.append(make(path, line, "binary-file", "contains NUL bytes (binary data?); they were dropped"))
        data = data.replace(b"\x00", b"")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        diags.append(make(path, line, "encoding",
                          f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); shown with replacement characters"))
        text = data.decode("utf-8-sig", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n"), diags


def parse_note(path: SourcePath, data: bytes, md: MarkdownIt) -> ParsedNote:
    """Parse one note. Never raises on bad input: problems become diagnostics on the result."""
    text, diags = decode(data, path)
    col = Collector(path=path)
    env: dict[str, Any] = {ENV_KEY: col}
    meta: dict[str, Any] = {}
    fm_raw = front_matter_source(text)
    if fm_raw is not None:
        meta, fm_diags = frontmatter.parse(fm_raw, path)
        diags.extend(fm_diags)
    try:
        tokens = md.parse(text, env)
    except RecursionError:
        diags.append(make(path, 1, "too-deep", "nesting too deep to render; shown as plain text"))
        col = Collector(path=path)
        env = {ENV_KEY: col}
        tokens = _plain_text_tokens(text)
    deep = _first_too_deep(tokens, md.options.get("maxNesting", 20))
    if deep is not None:
        diags.append(make(path, deep, "too-deep", f"nested more than {md.options.get('maxNesting', 20)} "
                          "levels deep (lists, quotes, callouts); what is deeper is not shown"))
    if tokens and tokens[0].type == "front_matter":
        tokens = tokens[1:]
    types = list(map(_TYPE, tokens))
    headings = _headings(tokens, types, col)
    stem = posixpath.basename(path)[:-3]
    title = meta.get("title") or stem
    links = list(col.links)
    for key, inner, line in frontmatter.links(meta, fm_raw or ""):
        target, sub, display = split_linktext(inner)
        links.append(LinkRef(target, sub, display, False, "frontmatter", line, f"[[{inner}]]"))
    fm_tags = [t.lstrip("#") for t in meta.get("tags", []) if t.lstrip("#")]
    fm_line = frontmatter.key_line(fm_raw, "tags") if fm_tags and fm_raw else 1
    tags = _dedupe_case([(t, fm_line) for t in fm_tags] + col.tags)
    return ParsedNote(
        path=path,
        digest=digest(data),
        meta=meta,
        title=str(title),
        aliases=tuple(meta.get("aliases", [])),
        tags=tuple(tags),
        tag_lines=tuple(tags.values()),
        headings=tuple(headings),
        blocks=dict(col.blocks),
        links=tuple(links),
        contexts=tuple(env.get("_kb_contexts", ())),
        tokens=tokens,
        description=str(meta.get("description") or _first_paragraph(tokens, types)),
        first_image=next((lr.target for lr in links if lr.embed and _is_image(lr.target)), ""),
        has_math="math" in col.flags,
        has_mermaid="mermaid" in col.flags,
        languages=tuple(sorted(f[5:] for f in col.flags if f.startswith("lang:"))),
        diagnostics=diags + col.diagnostics,
    )


def _first_too_deep(tokens: list[Token], limit: int) -> int | None:
    """The file line where block nesting reaches markdown-it's limit, past which it drops content."""
    if max(map(_LEVEL, tokens), default=0) < limit - 1:
        return None  # the common case, found without a Python loop over every token
    line = 1
    for tok in tokens:
        if tok.map:
            line = tok.map[0] + 1
        if tok.level >= limit - 1:
            return line
    return None


def front_matter_source(text: str) -> str | None:
    if not text.startswith("---"):
        return None
    first, _, rest = text.partition("\n")
    if first.rstrip() != "---":
        return None
    m = re.search(r"^(---|\.\.\.)[ \t]*$", rest, re.MULTILINE)
    return rest[:m.start()] if m else None


def positions(types: list[str], kind: str) -> Iterator[int]:
    """The positions of `kind` in `types` (the tokens' types), found without a Python step per
    token: a note of a MB holds half a million tokens and may have no heading at all."""
    i = -1
    while True:
        try:
            i = types.index(kind, i + 1)
        except ValueError:
            return
        yield i


def _headings(tokens: list[Token], types: list[str], col: Collector) -> list[Heading]:
    """Collect headings and give each a unique anchor on its `heading_open` token."""
    # A note may hold a heading per line (250 000 in a MB): the common cases are written out
    # here rather than called (positions(), Anchors.take(), col.file_line()).
    out: list[Heading] = []
    add = out.append
    anchors = Anchors()
    used, take, numbered = anchors.used, anchors.take, anchors.numbered
    bases: dict[str, str] = {}  # visible text → its anchor before numbering (a note may repeat one heading)
    levels = _HEADING_LEVELS
    offset = col.file_line(0)
    find = types.index
    i = -1
    while True:
        try:
            i = find("heading_open", i + 1)
        except ValueError:
            return out
        tok = tokens[i]
        inline = tokens[i + 1]
        children = inline.children
        # most headings are one text token: their visible text is its content
        text = children[0].content if children and len(children) == 1 and children[0].type == "text" \
            else plain_text(children or [])
        base = bases.get(text)
        if base is None:
            base = bases[text] = heading_anchor(text)
        # Anchors.take written out for a first use and for a repeat whose next number is free
        n = used.get(base, 0)
        if not n:
            if "-" in base and base[:base.rfind("-")] in used and numbered(base):
                anchor = take(base)
            else:
                used[base] = 1
                anchor = base
        elif (anchor := f"{base}-{n}") in used:
            anchor = take(base)
        else:
            used[base] = n + 1
        tok.attrs["id"] = anchor  # (tok.attrSet())
        add(Heading(levels[tok.tag], inline.content.strip(), anchor, where[0] + offset if (where := tok.map) else 1))


_HEADING_LEVELS = {f"h{level}": level for level in range(1, 7)}


class Anchors:
    """Unique heading anchors: the second `h` is `h-1`, the next free number after that, and so on."""

    def __init__(self) -> None:
        self.used: dict[str, int] = {}
        """Every base anchor given: the number its next repeat tries first. The numbered anchors
        are not kept (a note may repeat one heading on each of 250 000 lines): numbered() knows
        them from their base's number."""
        self.probes = 0
        """Numbers tried that were taken (tests count them)."""

    def take(self, base: str) -> str:
        n = self.used.get(base, 0)
        if not n:
            if not self.numbered(base):
                self.used[base] = 1
                return base
            n = 1  # a numbered anchor given before: this base's repeats number from 1
        # (a numbered anchor `base-n` of a base's own is below its next number; one of another
        # base is never `base-n`: it parts at its last `-` into its own base and number)
        while (anchor := f"{base}-{n}") in self.used:
            n += 1
            self.probes += 1
        # the next repeat starts past the numbers tried here: all taken (starting again from
        # the old number made `# h-1` … `# h-5000` followed by 5 000 `# h` quadratic)
        self.used[base] = n + 1
        return anchor

    def numbered(self, anchor: str) -> bool:
        """Whether `anchor` (not a base anchor given) was given as a repeat's `base-n`: each
        number below the base's next one was given to a repeat or skipped (the skipped ones
        are base anchors given)."""
        cut = anchor.rfind("-")
        if cut < 0 or not (next_number := self.used.get(anchor[:cut], 0)):
            return False
        number = anchor[cut + 1:]
        return number.isascii() and number.isdigit() and number[0] != "0" and len(number) < 19 \
            and int(number) < next_number


def plain_text(children: list[Token]) -> str:
    """The visible text of inline tokens (wikilinks by their display text)."""
    return "".join(_text_pieces(children))


def _text_pieces(children: list[Token]) -> Iterator[str]:
    for tok in children:
        if tok.type in ("text", "code_inline", "math_inline"):
            yield tok.content
        elif tok.type in ("softbreak", "hardbreak"):
            yield " "
        elif tok.type == "embed":
            ref: LinkRef = tok.meta["ref"]
            yield ref.display or default_display(ref.target, ref.subpath)
        elif tok.children:
            yield from _text_pieces(tok.children)


DESCRIPTION_MAX = 200


def _first_paragraph(tokens: list[Token], types: list[str]) -> str:
    for i in positions(types, "paragraph_open"):
        if tokens[i].level == 0 and i + 1 < len(tokens):
            text = _description(tokens[i + 1].children or [])
            if text:
                return text
    return ""


def _description(children: list[Token]) -> str:
    """The paragraph's text, spaces collapsed, cut to DESCRIPTION_MAX characters at a word.

    Reads only as much text as the cut needs (a paragraph may be a megabyte long): once the
    collapsed start of the text is longer than the limit + 1, the rest cannot change the result.
    The start looked at doubles each time, so mostly-blank text stays linear."""
    pieces: list[str] = []
    size, head = 0, 4 * DESCRIPTION_MAX
    for piece in _text_pieces(children):
        pieces.append(piece)
        size += len(piece)
        if size > head:
            pieces = ["".join(pieces)]
            while size > head:
                start = _SPACES.sub(" ", pieces[0][:head]).lstrip()
                if len(start) > DESCRIPTION_MAX + 1:
                    return _cut(start.rstrip())
                head *= 2
    return _cut(_SPACES.sub(" ", "".join(pieces)).strip())


def _cut(text: str) -> str:
    if len(text) <= DESCRIPTION_MAX:
        return text
    return text[:DESCRIPTION_MAX - 3].rsplit(" ", 1)[0] + "…"


def _dedupe_case(tags: list[tuple[str, int]]) -> dict[str, int]:
    """Tag identity is case-insensitive; the first spelling wins, with its line."""
    seen: dict[str, tuple[str, int]] = {}
    for t, line in tags:
        seen.setdefault(t.casefold(), (t, line))
    return dict(seen.values())


def _is_image(target: str) -> bool:
    return target.lower().rsplit(".", 1)[-1] in IMAGE_EXTS if "." in target else False


def _plain_text_tokens(text: str) -> list[Token]:
    tok = Token("html_block", "", 0)
    tok.content = "<pre>" + text.replace("&", "&amp;").replace("<", "&lt;") + "</pre>"
    return [tok]
