"""Links to headings and blocks of a note with many: found as by the per-link scans they replaced,
with the note's headings normalized and its blocks walked once, not once per link."""
from __future__ import annotations

import random
import unicodedata

import pytest

from kbgen import resolve
from kbgen.model import Heading, SourcePath
from kbgen.resolve import NoteInfo, Resolver, find_heading, norm_heading


def _old_find_heading(headings: tuple[Heading, ...], subpath: str) -> Heading | None:
    parts = [norm_heading(p) for p in subpath.split("#") if p.strip()]
    if not parts:
        return None
    start, parent_level, found = 0, 0, None
    for part in parts:
        found = None
        for i in range(start, len(headings)):
            h = headings[i]
            if parent_level and h.level <= parent_level:
                break
            if norm_heading(h.text) == part or norm_heading(resolve._visible(h.text)) == part:
                found = h
                start, parent_level = i + 1, h.level
                break
        if found is None:
            return None
    return found


@pytest.mark.parametrize("seed", range(30))
def test_headings_found_as_scanned(seed: int) -> None:
    rng = random.Random(seed)
    words = ["A", "a:", "B", "[[B|c]]", "C d", "c  D", "#", ""]
    heads = tuple(Heading(rng.randint(1, 4), rng.choice(words), f"h{i}", i) for i in range(30))
    for _ in range(60):
        sub = "#".join(rng.choice(words + ["x"]) for _ in range(rng.randint(1, 3)))
        assert find_heading(heads, sub) is _old_find_heading(heads, sub), sub


def test_headings_normalized_once(monkeypatch: pytest.MonkeyPatch) -> None:
    heads = tuple(Heading(2, f"Heading {i}", f"heading-{i}", i) for i in range(200))
    calls = []
    norm = resolve.norm_heading
    monkeypatch.setattr(resolve, "norm_heading", lambda text: calls.append(1) or norm(text))
    for i in range(200):
        assert find_heading(heads, f"heading {i}") is heads[i]
    assert len(calls) <= 3 * 200  # two per heading, one per link: the scan made 200 * 200


class _Blocks(dict):  # type: ignore[type-arg]
    walks = 0

    def __iter__(self):  # type: ignore[no-untyped-def]
        _Blocks.walks += 1
        return super().__iter__()


def test_blocks_walked_once() -> None:
    blocks = _Blocks({f"B{i}": i for i in range(100)})
    r = Resolver({SourcePath("n.md"): NoteInfo(blocks=blocks)}, [])
    _Blocks.walks = 0
    for i in range(100):
        assert r.anchor(SourcePath("n.md"), f"^b{i}") == (f"^B{i}", "", "")
    assert r.anchor(SourcePath("n.md"), "^nope")[2] == "missing-block"
    assert _Blocks.walks == 1


def _old_norm_heading(text: str) -> str:
    return resolve._WS.sub(" ", resolve._HEADING_PUNCT.sub(" ", unicodedata.normalize("NFC", text))).strip().casefold()


def test_norm_heading_as_before() -> None:
    """One-word ASCII text takes a shortcut; every text normalizes as the regex passes did."""
    rng = random.Random(5)
    pieces = ["a", "B", "9", "Z", "ß", "É", "e\u0301", "İ", "_", "-", " ", "  ", "\t", ":", "#", "[[", "]]",
              "|", ".", "ﬁ", "Ω", "\u00a0", "x"]
    texts = ["", "h", "H1", "Step", "ABC", "a_b", "ß", "İ"] + [
        "".join(rng.choice(pieces) for _ in range(rng.randint(0, 6))) for _ in range(3000)]
    for text in texts:
        assert norm_heading(text) == _old_norm_heading(text), repr(text)
    heads = tuple(Heading(1, t, f"h{i}", i) for i, t in enumerate(texts[:400]))
    for h in heads:  # the index keeps each heading's text and visible text as before
        assert find_heading(heads, h.text) == _old_find_heading(heads, h.text), h
