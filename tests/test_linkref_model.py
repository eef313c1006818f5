"""model.LinkRef: its own __init__ makes what the frozen dataclass's made (fields, keywords,
defaults, equality, hash, frozen, pickling, dataclasses.replace)."""
from __future__ import annotations

import dataclasses
import pickle
import random

import pytest

from kbgen.model import LinkRef

NAMES = ["target", "subpath", "display", "embed", "kind", "line", "original", "context", "commented"]


@dataclasses.dataclass(frozen=True, slots=True)
class Reference:
    """LinkRef's fields made by the dataclass's own __init__."""
    target: str
    subpath: str
    display: str | None
    embed: bool
    kind: str
    line: int
    original: str
    context: int = -1
    commented: bool = False


def values(ref: object) -> tuple[object, ...]:
    return tuple(getattr(ref, n) for n in NAMES)


def test_fields_keywords_defaults_and_frozen() -> None:
    r = LinkRef("a", "h", "x", True, "wiki", 4, "![[a#h|x]]")
    assert values(r) == ("a", "h", "x", True, "wiki", 4, "![[a#h|x]]", -1, False)
    assert LinkRef(target="a", subpath="h", display="x", embed=True, kind="wiki", line=4,
                   original="![[a#h|x]]") == r
    assert [f.name for f in dataclasses.fields(LinkRef)] == NAMES
    assert repr(r).startswith("LinkRef(target='a', subpath='h', display='x', embed=True")
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.line = 5  # type: ignore[misc]
    with pytest.raises(TypeError):
        LinkRef("a", "", None, False, "wiki", 1)  # type: ignore[call-arg]
    assert not hasattr(r, "__dict__")


def test_as_the_dataclass_made_them() -> None:
    rng = random.Random(5)
    for _ in range(300):
        args = [rng.choice(["a", "b"]), rng.choice(["", "h"]), rng.choice([None, "x"]), rng.random() < 0.5,
                rng.choice(["wiki", "markdown"]), rng.randrange(3), rng.choice(["[[a]]", "[[b]]"])]
        extra = {k: v for k, v in (("context", rng.randrange(-1, 2)), ("commented", rng.random() < 0.5))
                 if rng.random() < 0.5}
        ref, expected = LinkRef(*args, **extra), Reference(*args, **extra)  # type: ignore[arg-type]
        assert values(ref) == values(expected)
        again = LinkRef(*args, **extra)  # type: ignore[arg-type]
        assert ref == again and hash(ref) == hash(again)
        assert pickle.loads(pickle.dumps(ref, protocol=pickle.HIGHEST_PROTOCOL)) == ref
        moved = dataclasses.replace(ref, line=ref.line + 1)
        assert values(moved) == values(expected)[:5] + (ref.line + 1,) + values(expected)[6:]
