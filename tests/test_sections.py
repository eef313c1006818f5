"""sections.Parts finds each section and block as the walks over every token did (kept here), on random notes."""
from __future__ import annotations

import random

import pytest
from markdown_it.token import Token

from kbgen.markdown import make_parser
from kbgen.parse import parse_note
from kbgen.sections import Parts


def _old_section(tokens: list[Token], anchor: str) -> list[Token] | None:
    start = None
    level = 0
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.level == 0:
            if start is None and tok.attrGet("id") == anchor:
                start, level = i, int(tok.tag[1])
            elif start is not None and int(tok.tag[1]) <= level:
                return tokens[start:i]
    return tokens[start:] if start is not None else None


def _old_block(tokens: list[Token], block_id: str) -> list[Token] | None:
    want = block_id.casefold()
    for i, tok in enumerate(tokens):
        bid = tok.meta.get("block_id") if tok.meta else None
        if bid is not None and str(bid).casefold() == want and tok.nesting == 1:
            depth = 0
            for j in range(i, len(tokens)):
                depth += tokens[j].nesting
                if depth == 0:
                    part = tokens[i:j + 1]
                    if tok.type == "list_item_open":
                        part = [Token("bullet_list_open", "ul", 1), *part, Token("bullet_list_close", "ul", -1)]
                    return part
            return tokens[i:]
    return None


LINES = ["# A", "## B", "### C", "# A", "## b", "###### F", "A\n===", "B\n---", "> # Q", "- # item head",
         "text", "text ^x1", "text ^X1", "- item ^li", "  - deep ^deep", "> quote ^q", "> [!note] t\n> body ^c",
         "| a |\n|---|\n| b |\n\n^tb", "1. one ^o", "", "", "para\n^b2", "```\n# not\n```", "#tag", "t ^x1"]


def _shape(part: list[Token] | None) -> object:
    return None if part is None else [(t.type, t.tag, t.nesting, t.content, t.level) for t in part]


@pytest.mark.parametrize("seed", range(6))
def test_parts_found_as_the_walks_find_them(seed: int) -> None:
    md = make_parser()
    rng = random.Random(seed)
    asked = cut = blocks = 0
    for _ in range(150):
        text = "\n".join(rng.choice(LINES) for _ in range(rng.randint(0, 25)))
        tokens = parse_note("n.md", text.encode(), md).tokens
        parts = Parts(len(tokens))
        anchors = [t.attrGet("id") for t in tokens if t.type == "heading_open"] + ["a", "missing", "b-1"]
        for anchor in anchors + rng.sample(anchors, len(anchors)):  # each again, in another order
            got, want = parts.section(tokens, str(anchor)), _old_section(tokens, str(anchor))
            assert got == want and (got is None or all(a is b for a, b in zip(got, want))), (text, anchor)
            asked += 1
            cut += got is not None
        for bid in ["x1", "X1", "li", "deep", "q", "c", "tb", "o", "b2", "nope", " x1"]:
            got_block = parts.block(tokens, bid)
            assert _shape(got_block) == _shape(_old_block(tokens, bid)), (text, bid)
            blocks += got_block is not None
    assert cut > asked // 3 and blocks > 300


def test_has_block_as_the_scan_of_the_note_s_ids() -> None:
    """BodyRenderer._has_block (ids casefolded once per page) answers as a scan of the note's ids."""
    from types import SimpleNamespace

    from kbgen.body import BodyRenderer

    rng = random.Random(3)
    pieces = ["a", "B", "ß", "SS", "İ", "i\u0307", "1", "-"]
    for _ in range(50):
        ids = {"".join(rng.choice(pieces) for _ in range(rng.randint(1, 3))): 1 for _ in range(rng.randint(0, 8))}
        body = BodyRenderer(SimpleNamespace(notes={"t.md": SimpleNamespace(blocks=ids)}), None, "p.html", None)
        for _ in range(20):
            asked = rng.choice([" ", ""]) + "".join(rng.choice(pieces) for _ in range(rng.randint(1, 3))) + rng.choice([" ", ""])
            assert body._has_block("t.md", asked) == any(b.casefold() == asked.strip().casefold() for b in ids)


def test_parts_of_kept_for_the_pages_that_embed_from_a_note() -> None:
    """One index per note for every page (by its digest and parser), for a fresh copy of its
    tokens too; another note, or tokens of another length, get their own; the cache is bounded."""
    from kbgen import sections

    md = make_parser()
    note = parse_note("n.md", b"# A\n\ntext ^b\n\n## B\n", md)
    first = sections.parts_of((note.digest, md), note.tokens)
    copy = parse_note("n.md", b"# A\n\ntext ^b\n\n## B\n", md).tokens
    assert sections.parts_of((note.digest, md), copy) is first
    assert _shape(first.section(copy, "a")) == _shape(_old_section(note.tokens, "a"))
    assert first.section(copy, "a")[0] is copy[0]  # the copy's own tokens
    assert sections.parts_of((note.digest, md), note.tokens[:-1]) is not first
    for i in range(sections.RECENT + 5):
        sections.parts_of((str(i), md), note.tokens)
    assert len(sections._recent) <= sections.RECENT and sections.parts_of((note.digest, md), note.tokens) is not first
