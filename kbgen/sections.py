"""Where a note's sections and blocks sit in its tokens, found in one walk: what a section or block embed shows."""
from __future__ import annotations

from markdown_it.token import Token

from kbgen.parse import positions


RECENT = 64
"""Notes whose Parts parts_of() keeps: notes embedded on many pages."""
_recent: dict[object, "Parts"] = {}
"""What names a note's tokens (see parts_of) → their Parts."""


def parts_of(key: object, tokens: list[Token]) -> "Parts":
    """The Parts of a note's tokens, made once for the pages that embed from it (2 000 notes each
    embedding a section of a note of 30 000 headings walked its tokens for each). `key` names the
    tokens by what they are made from (the note's digest and the parser): a render worker may
    load a fresh copy of them for each page, and keeping the copies took gigabytes."""
    parts = _recent.get(key)
    if parts is None or parts.size != len(tokens):
        if len(_recent) >= RECENT:
            del _recent[next(iter(_recent))]
        parts = _recent[key] = Parts(len(tokens))
    return parts


class Parts:
    """Where the sections and blocks of one note's tokens are, indexed when first asked for.

    A page may embed 2 000 sections or blocks of one long note (MAX_EMBEDS): a walk of its tokens
    per embed made a note embedding the last sections of another quadratic (0.55 MB: 24 s/MB).
    Each method takes the tokens (or an equal copy) the Parts were made for."""

    def __init__(self, size: int) -> None:
        self.size = size
        """The number of tokens (a check that they are the ones indexed)."""
        self._sections: dict[str | None, tuple[int, int]] | None = None
        """A top-level heading's id → where its section starts and ends (the first heading so named)."""
        self._blocks: dict[str, int] | None = None
        """A casefolded block id → the opening token that carries it (the first)."""

    def section(self, tokens: list[Token], anchor: str) -> list[Token] | None:
        """The heading with this anchor and everything under it, to the next heading of the same
        or a higher level (sub-headings included)."""
        if self._sections is None:
            self._sections = _sections(tokens)
        span = self._sections.get(anchor)
        return None if span is None else tokens[span[0]:span[1]]

    def block(self, tokens: list[Token], block_id: str) -> list[Token] | None:
        """The paragraph, list item, list, quote, callout or table that carries `^block_id`."""
        if self._blocks is None:
            self._blocks = _blocks(tokens)
        i = self._blocks.get(block_id.casefold())
        if i is None:
            return None
        depth = 0
        for j in range(i, len(tokens)):
            depth += tokens[j].nesting
            if depth == 0:
                part = tokens[i:j + 1]
                if tokens[i].type == "list_item_open":  # a lone item still needs its list
                    part = [Token("bullet_list_open", "ul", 1), *part, Token("bullet_list_close", "ul", -1)]
                return part
        return tokens[i:]


def _sections(tokens: list[Token]) -> dict[str | None, tuple[int, int]]:
    """Each top-level heading's section: from it to the next top-level heading of its level or
    higher, which a stack of the headings still open finds in one pass, or to the footnotes."""
    types = [t.type for t in tokens]
    heads = [(i, int(tokens[i].tag[1]), tokens[i].attrGet("id"))
             for i in positions(types, "heading_open") if tokens[i].level == 0]
    # the last section ends where the footnote definitions, gathered at the note's end, begin
    ends = [next(positions(types, "footnote_block_open"), len(tokens))] * len(heads)
    open_: list[int] = []  # heads whose section has not ended, levels rising
    for k, (i, level, _) in enumerate(heads):
        while open_ and heads[open_[-1]][1] >= level:
            ends[open_.pop()] = i
        open_.append(k)
    out: dict[str | None, tuple[int, int]] = {}
    for (i, _, anchor), end in zip(heads, ends):
        out.setdefault(anchor, (i, end))
    return out


def _blocks(tokens: list[Token]) -> dict[str, int]:
    out: dict[str, int] = {}
    for i, tok in enumerate(tokens):
        bid = tok.meta.get("block_id") if tok.meta else None
        if bid is not None and tok.nesting == 1:
            out.setdefault(str(bid).casefold(), i)
    return out
