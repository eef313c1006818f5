"""parse._headings, with positions(), Anchors.take() and col.file_line() written out in its loop,
gives the headings and heading ids the loop calling them gave, on seeded random notes."""
from __future__ import annotations

import random

import pytest
from markdown_it.token import Token

from kbgen import parse
from kbgen.markdown import make_parser
from kbgen.markdown.collect import ENV_KEY, Collector
from kbgen.model import Heading
from kbgen.urls import heading_anchor


def _previous_headings(tokens: list[Token], types: list[str], col: Collector) -> list[Heading]:
    """_headings as it was before the common cases were written out."""
    out: list[Heading] = []
    take = parse.Anchors().take
    bases: dict[str, str] = {}
    for i in parse.positions(types, "heading_open"):
        tok = tokens[i]
        inline = tokens[i + 1]
        children = inline.children
        text = children[0].content if children and len(children) == 1 and children[0].type == "text" \
            else parse.plain_text(children or [])
        base = bases.get(text)
        if base is None:
            base = bases[text] = heading_anchor(text)
        anchor = take(base)
        tok.attrs["id"] = anchor
        out.append(Heading(int(tok.tag[1]), inline.content.strip(), anchor,
                           col.file_line(tok.map[0]) if tok.map else 1))
    return out


WORDS = ["h", "h", "h-1", "h-2", "h 1", "H", "A b", "a-b", "a-b-1", "é", "日本", "Ünï", "section", "section-1",
         "", "#", "##", "*h*", "`h`", "$x$", "[[h]]", "[[a|h]]", "![[e#s]]", "[x](y.md)", "h ^blk", "^blk",
         "h #tag", "a & b", "<b>h</b>", "==h==", "h\\", "%%c%% h", "1.2", "-", "h-10", "h-1-1"]


def _heading(rng: random.Random) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(rng.choice([0, 1, 1, 1, 2, 3])))
    form = rng.random()
    if form < 0.1:
        return f"{text or 'x'}\n{rng.choice(['===', '---'])}"  # setext
    if form < 0.15:
        return f"{rng.choice(['> ', '- ', '1. '])}# {text}"
    if form < 0.2:
        return f"# {text} ##"
    return "#" * rng.randint(1, 7) + rng.choice([" ", " ", "  ", ""]) + text


def _note(rng: random.Random) -> str:
    lines = [_heading(rng) if rng.random() < 0.7 else rng.choice(["para [[x]]", "", "a ^b1", "- item", "```\n# no\n```"])
             for _ in range(rng.randint(0, 40))]
    return rng.choice(["", "---\ntitle: t\n---\n", "---\na: [\n---\n"]) + "\n".join(lines)


@pytest.mark.parametrize("seed", range(6))
def test_headings_and_ids_as_before(seed: int) -> None:
    md = make_parser()
    rng = random.Random(300 + seed)
    found = numbered = 0
    for _ in range(250):
        text = _note(rng)
        fresh, old = [], []
        offset = rng.choice([0, 0, 3])
        for out in (fresh, old):
            col = Collector(path="n.md")
            col.line_offset = offset
            tokens = md.parse(text, {ENV_KEY: col})
            out.append((tokens, [t.type for t in tokens], col))
        got = parse._headings(*fresh[0])
        expected = _previous_headings(*old[0])
        assert got == expected, text
        assert [t.attrs for t in fresh[0][0]] == [t.attrs for t in old[0][0]], text
        found += len(got)
        numbered += sum(h.anchor != heading_anchor(h.anchor) or h.anchor.endswith(("-1", "-2", "-3")) for h in got)
    assert found > 2000 and numbered > 200


def test_repeats_past_numbered_headings_as_before() -> None:
    """A repeat whose next number is taken by a written `# h-n` (Anchors.take's probing path)."""
    md = make_parser()
    text = "\n".join(["# h", "# h-1", "# h", "# h", "# h-2", "# h-4", "# h", "# h", "# h-3"] * 30)
    got, expected = (f(tokens, [t.type for t in tokens], col) for f, col in
                     ((parse._headings, Collector(path="n.md")), (_previous_headings, Collector(path="n.md")))
                     for tokens in [md.parse(text, {ENV_KEY: col})])
    assert got == expected
    assert len({h.anchor for h in got}) == len(got) == 270
