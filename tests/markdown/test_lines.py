"""lines.py: the block state's line markers are the ones StateBlock's own loop makes."""
from __future__ import annotations

import random

import pytest
from markdown_it.rules_block import StateBlock

from kbgen.markdown import make_parser
from kbgen.markdown.lines import block_state, markers

PIECES = ["a", "a" * 40, "# h", "", " ", "  ", "\t", " \t", "\t ", "    code", "> q", "-", "x y", "\u00a0", "\r", "\v"]


def _random_text(rng: random.Random) -> str:
    lines = ["".join(rng.choice(PIECES) for _ in range(rng.randint(0, 3))) for _ in range(rng.randint(0, 8))]
    return "\n".join(lines) + rng.choice(["", "\n", "\n\n", " ", "\t", "\n \t", "x"])


def _state_fields(state: StateBlock) -> dict[str, object]:
    return {k: v for k, v in vars(state).items() if k not in ("md", "env", "tokens")} \
        if hasattr(state, "__dict__") else {}


@pytest.mark.parametrize("text", ["", "\n", " ", "\t", "a", "a\n", "a\n ", "a\n \n", " a\n\tb\n  \t c",
                                  "\n\n\n", "  \n", "\t\tx\n \t\ty"])
def test_markers_of_edge_texts(text: str) -> None:
    md = make_parser()
    expected = StateBlock(text, md, {}, [])
    assert markers(text) == (expected.bMarks, expected.eMarks, expected.tShift, expected.sCount)


def test_markers_of_random_texts() -> None:
    rng = random.Random(11)
    md = make_parser()
    for _ in range(3000):
        text = _random_text(rng)
        expected = StateBlock(text, md, {}, [])
        assert markers(text) == (expected.bMarks, expected.eMarks, expected.tShift, expected.sCount), repr(text)


def test_block_state_is_the_library_state() -> None:
    """Every field, not only the markers (bsCount, lineMax, the library's own flags)."""
    rng = random.Random(5)
    md = make_parser()
    for _ in range(300):
        text = _random_text(rng)
        ours, theirs = block_state(text, md, {}, []), StateBlock(text, md, {}, [])
        assert _state_fields(ours) == _state_fields(theirs) and ours.lineMax == theirs.lineMax


def test_the_parser_uses_it() -> None:
    md = make_parser()
    assert md.block.parse.__qualname__.startswith("lines_plugin")
    assert md.render("# a\n\n  b\n\tc\n") == "<h1>a</h1>\n<p>b<br />\nc</p>\n"


def test_random_notes_parse_alike() -> None:
    """Short-lined notes (made with block_state) and long-lined ones (StateBlock) give the tokens
    the library's own ParserBlock.parse gives."""
    ours, theirs = make_parser(), make_parser()
    del theirs.block.parse  # (the class's method again)
    rng = random.Random(3)
    vocabulary = PIECES + ["- [[x]]", "  - b", "\t- c", "1. d", "> - e", "| a | b |", "|---|---|", "```", "~~~",
                           "word " * 12, "$$", "%%", "[^1]: f", "<div>"]
    for _ in range(400):
        text = "\n".join(rng.choice(vocabulary) for _ in range(rng.randint(1, 20)))
        assert [t.as_dict() for t in ours.parse(text, {})] == [t.as_dict() for t in theirs.parse(text, {})], text
