"""parse_note's headings and description, found by the tokens' types (parse.positions), are those of a walk over every token.

The walks as they were are kept here; both run on random notes of headings (repeated names,
setext, in quotes and lists), paragraphs at every depth, lists, tables and front matter.
"""
from __future__ import annotations

import random

import pytest
from markdown_it.token import Token

from kbgen import parse
from kbgen.markdown import make_parser
from kbgen.markdown.collect import ENV_KEY, Collector
from kbgen.model import Heading
from kbgen.urls import heading_anchor


def _old_headings(tokens: list[Token], col: Collector) -> list[Heading]:
    out: list[Heading] = []
    used: dict[str, int] = {}
    for i, tok in enumerate(tokens):
        if tok.type != "heading_open":
            continue
        inline = tokens[i + 1]
        anchor = heading_anchor(parse.plain_text(inline.children or []))
        n = used.get(anchor, 0)
        used[anchor] = n + 1
        if n:
            anchor = f"{anchor}-{n}"
            while anchor in used:
                n += 1
                anchor = f"{anchor.rsplit('-', 1)[0]}-{n}"
            used[anchor] = 1
        tok.attrSet("id", anchor)
        line = col.file_line(tok.map[0]) if tok.map else 1
        out.append(Heading(int(tok.tag[1]), inline.content.strip(), anchor, line))
    return out


def _old_first_paragraph(tokens: list[Token]) -> str:
    for i, tok in enumerate(tokens):
        if tok.type == "paragraph_open" and tok.level == 0 and i + 1 < len(tokens):
            text = parse._description(tokens[i + 1].children or [])
            if text:
                return text
    return ""


LINES = ["# A", "# A", "## A-1", "### b [[x]]", "A\n===", "> # q", "- # in item", "- item", "  - deep",
         "para text", "   ", "", "", "| a |\n|---|\n| b |", "> quote para", "1. one", "![[e]]", "`c`",
         "#tag only", "---", "    code", "%%c%%", "#", "###### six", "####### seven"]


def _note(rng: random.Random) -> str:
    front = rng.choice(["", "", "---\ntitle: t\n---\n"])
    return front + "\n".join(rng.choice(LINES) for _ in range(rng.randint(0, 14)))


@pytest.mark.parametrize("seed", range(4))
def test_headings_and_description_as_the_walks_find_them(seed: int) -> None:
    md = make_parser()
    rng = random.Random(40 + seed)
    found = described = 0
    for _ in range(300):
        text = _note(rng)
        note = parse.parse_note("n.md", text.encode(), md)
        col = Collector(path="n.md")
        tokens = [t for t in md.parse(text, {ENV_KEY: col}) if t.type != "front_matter"]
        assert list(note.headings) == _old_headings(tokens, col), text
        assert note.description == _old_first_paragraph(tokens), text
        found += len(note.headings)
        described += bool(note.description)
    assert found > 300 and described > 100


def _old_fence_flags(tokens: list[Token]) -> set[str]:
    """code._mermaid_rule's walk over every token, without its look at the source first."""
    from kbgen.markdown.code import language
    flags = set()
    for tok in tokens:
        if tok.type == "fence":
            lang = language(tok.info)
            flags.add("mermaid" if lang.lower() == "mermaid" else "lang:" + lang if lang else "")
    return flags - {""}


def test_fence_flags_as_the_walk_finds_them() -> None:
    """The mermaid rule looks at no token of a note without ``` or ~~~: no fence can be there."""
    md = make_parser()
    rng = random.Random(9)
    pieces = ["`", "``", "```", "~", "~~", "~~~", " ", "\n", "\n", "    ", "> ", "- ", "mermaid", "py",
              "\\`", "a", "%%", "\t", "[!note]"]
    fenced = 0
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 25)))
        col = Collector(path="n.md")
        tokens = md.parse(text, {ENV_KEY: col})
        assert col.flags == _old_fence_flags(tokens), text
        if any(t.type == "fence" for t in tokens):
            fenced += 1
    assert fenced > 300


HEADING_LINES = ["# h", "# h", "# h-1", "## h 1", "# *h*", "# `h`", "# $h$", "# [[h]]", "# [[a|h]]", "# ![[e#s]]",
                 "# a & b", "# <b>h</b>", "# [x](y.md)", "a\nb\n===", "# h ##", "#", "# é", "  # h", "## ==h==",
                 "h\n---", "# h\\", "text", "", "> # h", "- # h"]


@pytest.mark.parametrize("seed", range(4))
def test_heading_ids_and_headings_as_the_walk_gives_them(seed: int) -> None:
    """Headings of every kind of inline content (one text token, markup, links, line breaks), many
    with the same text: the headings and the ids on the note's tokens are the walk's."""
    md = make_parser()
    rng = random.Random(80 + seed)
    for _ in range(200):
        text = rng.choice(["", "---\ntitle: t\n---\n"]) + "\n".join(
            rng.choice(HEADING_LINES) for _ in range(rng.randint(0, 20)))
        note = parse.parse_note("n.md", text.encode(), md)
        col = Collector(path="n.md")
        tokens = [t for t in md.parse(text, {ENV_KEY: col}) if t.type != "front_matter"]
        assert list(note.headings) == _old_headings(tokens, col), text
        ids = [t.attrs.get("id") for t in note.tokens if t.type == "heading_open"]
        assert ids == [t.attrs.get("id") for t in tokens if t.type == "heading_open"], text
