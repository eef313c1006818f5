"""Heading anchors: numbered as before for repeated headings, and each repeat does not walk the numbers taken before it again."""
from __future__ import annotations

import random

from kbgen.parse import Anchors


def _old_anchors(bases: list[str]) -> list[str]:
    """The numbering as it was (each repeat walked up from its base's count again)."""
    used: dict[str, int] = {}
    out = []
    for anchor in bases:
        n = used.get(anchor, 0)
        used[anchor] = n + 1
        if n:
            anchor = f"{anchor}-{n}"
            while anchor in used:
                n += 1
                anchor = f"{anchor.rsplit('-', 1)[0]}-{n}"
            used[anchor] = 1
        out.append(anchor)
    return out


def test_anchors_as_numbered_before() -> None:
    rng = random.Random(5)
    names = ["h", "h-1", "h-2", "h-1-1", "a-b", "a-b-1", "a", "a-1", "h-3"]
    for _ in range(300):
        bases = [rng.choice(names) for _ in range(rng.randint(1, 40))]
        anchors = Anchors()
        got = [anchors.take(b) for b in bases]
        assert got == _old_anchors(bases)
        assert len(set(got)) == len(got)


def test_repeats_after_numbered_headings_probe_each_number_once() -> None:
    bases = [f"h-{i}" for i in range(1, 2001)] + ["h"] * 2001
    anchors = Anchors()
    got = [anchors.take(b) for b in bases]
    assert got == _old_anchors(bases)
    assert got[-1] == "h-4000"
    assert anchors.probes <= 2000  # each taken number tried once; before, ~2 million
