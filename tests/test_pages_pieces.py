"""Backlink paragraphs cut into pieces (paragraphs._pieces) against the way it was written before, on random paragraphs."""
from __future__ import annotations

import html
import random

import pytest

from kbgen import paragraphs
from kbgen.markdown.wikilinks import default_display
from kbgen.model import Context, LinkRef


def _old_pieces(ctx: Context, refs: list[LinkRef]) -> tuple[list[tuple[str, LinkRef | None]], dict[LinkRef, int], int]:
    text = ctx.text
    spans: list[tuple[int, int, LinkRef]] = []
    pos = 0
    for ref in refs:
        i = text.find(ref.original, pos)
        if i < 0:
            i = text.find(ref.original)
        if i >= 0:
            spans.append((i, i + len(ref.original), ref))
            pos = i + len(ref.original)
    spans.sort(key=lambda s: s[0])
    pieces: list[tuple[str, LinkRef | None]] = []
    where: dict[LinkRef, int] = {}
    last = 0
    for start, end, ref in spans:
        if start < last:
            continue
        pieces.append((html.escape(paragraphs.strip_wiki(text[last:start])), None))
        where.setdefault(ref, len(pieces))
        pieces.append((html.escape(paragraphs.strip_wiki(ref.display or "") if ref.display else
                                   default_display(ref.target, ref.subpath)), ref))
        last = end
    pieces.append((html.escape(paragraphs.strip_wiki(text[last:])), None))
    return pieces, where, sum(len(part) for part, _ in pieces)


WORDS = ["a", "word", " ", " ", "\n", "<b>", "&", "\"", "'", "[", "]", "[[x]]", "[y](z)", "é"]
LINKS = [("A", "", None), ("A", "h", None), ("A", "h#i", None), ("", "^b", None), ("A", "", "shown"),
         ("A", "", "[[B|c]] <d>"), ("a & b", "", None), ("B", "", None)]


def _paragraph(rng: random.Random) -> tuple[Context, list[LinkRef]]:
    parts, refs = [], []
    for i in range(rng.randint(0, 30)):
        if rng.random() < 0.4:
            target, sub, display = rng.choice(LINKS)
            original = "[[" + target + ("#" + sub if sub else "") + ("|" + display if display else "") + "]]"
            ref = LinkRef(target, sub, display, False, "wiki", 1, original, 0)
            refs.append(ref)
            if rng.random() < 0.9:  # else the link is not in the text (as edited text may leave it)
                parts.append(original)
        else:
            parts.append(rng.choice(WORDS))
    if rng.random() < 0.3:
        rng.shuffle(refs)  # out of order: found from the start again
    if refs and rng.random() < 0.3:
        refs.append(refs[0])  # the same link twice
    return Context("".join(parts), 1), refs


@pytest.mark.parametrize("seed", range(20))
def test_pieces_alike(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(200):
        ctx, refs = _paragraph(rng)
        paragraphs._PARAGRAPHS.clear()
        assert paragraphs._pieces(ctx, refs) == _old_pieces(ctx, refs), (ctx.text, refs)
