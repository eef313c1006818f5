"""LinkRef's own hash (of its text and line): equal refs hash alike, equality still compares every field."""
from __future__ import annotations

import dataclasses
import itertools
import random

from kbgen.model import LinkRef


def _ref(rng: random.Random) -> LinkRef:
    return LinkRef(rng.choice(["a", "b", ""]), rng.choice(["", "h"]), rng.choice([None, "x"]), rng.random() < 0.5,
                   rng.choice(["wiki", "markdown"]), rng.randint(1, 2), rng.choice(["[[a]]", "[x](a)"]),
                   rng.randint(-1, 1), rng.random() < 0.5)


def test_equal_refs_hash_alike_and_equality_is_by_every_field() -> None:
    rng = random.Random(1)
    refs = [_ref(rng) for _ in range(300)]
    equal = 0
    for a, b in itertools.combinations(refs, 2):
        same = dataclasses.astuple(a) == dataclasses.astuple(b)
        assert (a == b) is same
        if same:
            equal += 1
            assert hash(a) == hash(b)
    assert equal > 10
    assert len(set(refs)) == len({dataclasses.astuple(r) for r in refs})  # a set keeps one of each value
