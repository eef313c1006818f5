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


class _EagerAnchors:
    """Anchors as they were before the numbered anchors were left out of `used`: each kept."""

    def __init__(self) -> None:
        self.used: dict[str, int] = {}
        self.probes = 0

    def take(self, base: str) -> str:
        n = self.used.get(base, 0)
        if not n:
            self.used[base] = 1
            return base
        while (anchor := f"{base}-{n}") in self.used:
            n += 1
            self.probes += 1
        self.used[base] = n + 1
        self.used[anchor] = 1
        return anchor


NUMBERED = ["h", "h-1", "h-2", "h-3", "h-10", "h-01", "h-0", "h-", "-1", "-", "h-1-1", "h-1-2", "h-2-1",
            "a-b", "a-b-1", "a-b-2", "a", "a-1", "a-1-1-1", "h-\u0663", "h-99999999999999999999999", "1", "1-1",
            "h--1", "h-1a", "x-1-1"]


def test_anchors_as_the_eager_numbering() -> None:
    """Numbered anchors found from their base's next number, not kept: the same anchors and
    probes as when each was kept, on random runs of names that look numbered."""
    rng = random.Random(11)
    for _ in range(3000):
        pool = rng.sample(NUMBERED, rng.randint(1, 8))
        bases = [rng.choice(pool) for _ in range(rng.randint(1, 60))]
        ours, eager = Anchors(), _EagerAnchors()
        assert [ours.take(b) for b in bases] == [eager.take(b) for b in bases], bases
        assert ours.probes == eager.probes


def test_headings_as_the_eager_numbering() -> None:
    """parse._headings (its loop writes the common cases of take() out) against the eager take()."""
    from kbgen import parse
    from kbgen.markdown import make_parser
    from kbgen.markdown.collect import ENV_KEY, Collector

    md = make_parser()
    rng = random.Random(12)
    for _ in range(300):
        pool = rng.sample(NUMBERED, rng.randint(1, 8))
        names = [rng.choice(pool) for _ in range(rng.randint(1, 40))]
        col = Collector(path="n.md")
        tokens = md.parse("".join(f"# {name}\n" for name in names), {ENV_KEY: col})
        eager = _EagerAnchors()
        got = [h.anchor for h in parse._headings(tokens, [t.type for t in tokens], col)]
        assert got == [eager.take(parse.heading_anchor(name)) for name in names], names
