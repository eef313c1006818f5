"""scan_tag matches runs of ASCII tag characters at once: the same tags as testing every character."""
from __future__ import annotations

import random
import unicodedata

import pytest

from kbgen.markdown.tags import is_tag_char, scan_tag


def _by_char(src: str, pos: int) -> str | None:
    """scan_tag as it was: every character tested with is_tag_char."""
    if pos > 0 and not (src[pos - 1].isspace() or src[pos - 1] in "([{\"'"):
        return None
    i = pos + 1
    while i < len(src) and is_tag_char(src[i]):
        i += 1
    tag = src[pos + 1:i]
    return None if not tag or all(unicodedata.category(c) == "Nd" for c in tag) else tag


ALPHABET = "#aZ09_-/ .,;:!?~^`|$+<=>()[]{}'\"\t\né\u0301٣²🙂\U0001F3FB\u200d\u00a0—€"


@pytest.mark.parametrize("seed", range(10))
def test_the_same_tags_as_char_by_char(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(500):
        src = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 20)))
        for pos, ch in enumerate(src):
            if ch == "#":
                assert scan_tag(src, pos) == _by_char(src, pos), repr(src)


def test_end_bounds_the_tag() -> None:
    assert scan_tag("#abc def", 0, 3) == "ab"
    assert scan_tag("#١٢٣", 0) is None and scan_tag("#١٢٣a", 0) == "١٢٣a"  # Arabic-Indic digits are Nd
