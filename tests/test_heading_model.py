"""model.Heading: its own __init__ makes what the frozen dataclass's made (fields, keywords,
equality, hash, frozen, pickling, dataclasses.replace; unordered, as before)."""
from __future__ import annotations

import dataclasses
import pickle
import random

import pytest

from kbgen.model import Heading


def test_fields_keywords_and_frozen() -> None:
    h = Heading(2, "A [[b]]", "a-b", 7)
    assert (h.level, h.text, h.anchor, h.line) == (2, "A [[b]]", "a-b", 7)
    assert Heading(level=2, text="A [[b]]", anchor="a-b", line=7) == h
    assert [f.name for f in dataclasses.fields(Heading)] == ["level", "text", "anchor", "line"]
    assert repr(h) == "Heading(level=2, text='A [[b]]', anchor='a-b', line=7)"
    with pytest.raises(dataclasses.FrozenInstanceError):
        h.line = 8  # type: ignore[misc]
    with pytest.raises(TypeError):
        Heading(2, "A", "a")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        h < h  # type: ignore[operator]  # (never ordered)
    assert not hasattr(h, "__dict__")


def test_equality_hash_pickling_as_their_fields() -> None:
    rng = random.Random(11)
    heads = [Heading(rng.randrange(1, 3), rng.choice(["a", "b"]), rng.choice(["a", "a-1"]), rng.randrange(3))
             for _ in range(200)]
    fields = [(h.level, h.text, h.anchor, h.line) for h in heads]
    for h, f, other in zip(heads, fields, reversed(heads)):
        assert (h == other) == (f == (other.level, other.text, other.anchor, other.line))
        assert h == Heading(*f) and hash(h) == hash(Heading(*f))
        assert pickle.loads(pickle.dumps(h, protocol=pickle.HIGHEST_PROTOCOL)) == h
        assert dataclasses.replace(h, line=h.line + 1) == Heading(*f[:3], f[3] + 1)
    assert len(set(heads)) == len(set(fields))
