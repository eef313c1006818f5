"""mathml.py's shortcuts: whitespace looked up in a set, formula lines found only for the formulas reported."""
from __future__ import annotations

from markdown_it.common.utils import isWhiteSpace

from kbgen.markdown import make_parser, mathml
from kbgen.markdown.collect import Collector

MD = make_parser()


def _diagnostics(text: str) -> list[tuple[int, str]]:
    env = {"kbgen": Collector(path="note.md")}
    MD.parse(text, env)
    return [(d.line, d.message) for d in env["kbgen"].diagnostics]


def test_spaces_are_what_is_white_space_takes() -> None:
    assert [c for c in range(0x110000) if chr(c) in mathml._SPACES] == \
        [c for c in range(0x110000) if isWhiteSpace(c)]


def test_rejected_formulas_among_others_get_their_lines() -> None:
    """Each rejected formula of a paragraph is reported on its own line, good formulas (the
    same text repeated among them, formulas over two lines) before, between and after."""
    text = ("intro\n\n$a$ and $\\frac{1}{$ on one line\n$a$ $x\ny$ then $\\ce{A}$\n$\\frac{1}{$ again $a$\n"
            "$$\\frac{$$ done")
    found = _diagnostics(text)
    assert [line for line, _ in found] == [3, 5, 6, 7]
    assert ["\\frac{1}{" in found[0][1], "\\ce{A}" in found[1][1], "\\frac{1}{" in found[2][1],
            "\\frac{" in found[3][1]] == [True] * 4


def test_no_report_without_a_rejected_formula() -> None:
    assert _diagnostics("$a$ $b$\n$c$ and $$d$$\n\n$$\ne\n$$") == []
