"""model.Context and model.Target: their own __init__ makes what the frozen dataclass's made (fields,
keywords, defaults, equality, hash, frozen, repr, dataclasses.replace, and the same pickled bytes,
which the parse cache holds)."""
from __future__ import annotations

import dataclasses
import pickle
import random
from typing import Any

import pytest

from kbgen import model
from kbgen.model import Context, Target


@dataclasses.dataclass(frozen=True, slots=True)
class RefContext:
    text: str
    line: int


@dataclasses.dataclass(frozen=True, slots=True)
class RefTarget:
    kind: str
    path: str | None
    anchor: str = ""
    label: str = ""


def _values(obj: object) -> tuple[Any, ...]:
    return tuple(getattr(obj, f.name) for f in dataclasses.fields(obj))  # type: ignore[arg-type]


def _reduced_as(obj: object, ref: object) -> bool:
    """Pickled alike: the same constructor and state (pickle writes what __reduce_ex__ gives)."""
    (make, args, state, *rest), (ref_make, ref_args, ref_state, *ref_rest) = (
        o.__reduce_ex__(pickle.HIGHEST_PROTOCOL) for o in (obj, ref))  # type: ignore[misc]
    return (make is ref_make and args == (type(obj),) and ref_args == (type(ref),) and state == ref_state
            and type(state) is type(ref_state) and rest == ref_rest)


PICKLED = {  # protocol 5, as the dataclasses' own __init__ made them (before their __init__ was written out)
    Context("a", 3): "80059529000000000000008c0b6b6267656e2e6d6f64656c948c07436f6e746578749493942981945d94288c"
                     "0161944b0365622e",
    Target("note", model.SourcePath("a.md")): "80059535000000000000008c0b6b6267656e2e6d6f64656c948c0654617267657494"
                                              "93942981945d94288c046e6f7465948c04612e6d64948c0094680765622e",
    Target("unresolved", None, label="x"): "80059537000000000000008c0b6b6267656e2e6d6f64656c948c06546172676574949394"
                                           "2981945d94288c0a756e7265736f6c766564944e8c00948c01789465622e",
    Target("asset", model.SourcePath("a.png"), anchor="p"): "80059539000000000000008c0b6b6267656e2e6d6f64656c948c06"
                                                            "5461726765749493942981945d94288c056173736574948c0561"
                                                            "2e706e67948c0170948c009465622e",
}


def test_pickled_bytes_unchanged() -> None:
    for obj, hexed in PICKLED.items():
        assert pickle.dumps(obj, protocol=5).hex() == hexed


def test_context_fields_keywords_and_frozen() -> None:
    c = Context("a [[b]]", 3)
    assert (c.text, c.line) == ("a [[b]]", 3) and Context(text="a [[b]]", line=3) == c
    assert [f.name for f in dataclasses.fields(Context)] == ["text", "line"]
    assert repr(c) == "Context(text='a [[b]]', line=3)"
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.line = 2  # type: ignore[misc]
    with pytest.raises(TypeError):
        Context("a")  # type: ignore[call-arg]
    assert not hasattr(c, "__dict__")


def test_target_fields_keywords_defaults_and_frozen() -> None:
    t = Target("unresolved", None, label="x")
    assert _values(t) == ("unresolved", None, "", "x")
    assert Target(kind="note", path=model.SourcePath("a.md"), anchor="h") == Target("note", model.SourcePath("a.md"), "h")
    assert [f.name for f in dataclasses.fields(Target)] == ["kind", "path", "anchor", "label"]
    assert repr(t) == "Target(kind='unresolved', path=None, anchor='', label='x')"
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.anchor = "h"  # type: ignore[misc]
    with pytest.raises(TypeError):
        Target("note")  # type: ignore[call-arg]
    assert not hasattr(t, "__dict__")


def test_as_the_dataclass_made_them() -> None:
    rng = random.Random(8)
    texts = ["", "a", "a [[b]]", "x\ny", "é ^id"]
    for _ in range(300):
        args: tuple[Any, ...] = (rng.choice(texts), rng.choice([0, 1, 7, 10 ** 6]))
        c, rc = Context(*args), RefContext(*args)
        assert _values(c) == _values(rc) and c == Context(*args) and hash(c) == hash(rc)
        assert _reduced_as(c, rc)
        assert pickle.loads(pickle.dumps(c)) == c
        assert dataclasses.replace(c, line=c.line + 1) == Context(args[0], args[1] + 1)

        kind = rng.choice(["note", "asset", "unresolved"])
        targs: tuple[Any, ...] = (kind, None if kind == "unresolved" else rng.choice(["a.md", "b/c.png"]))
        extra = {k: rng.choice(["", "h", "^b", "\0"]) for k in ("anchor", "label") if rng.random() < 0.5}
        if extra and rng.random() < 0.5 and "anchor" in extra:  # positional anchor too
            targs, extra = targs + (extra.pop("anchor"),), extra
        t, rt = Target(*targs, **extra), RefTarget(*targs, **extra)
        assert _values(t) == _values(rt) and t == Target(*targs, **extra) and hash(t) == hash(rt)
        assert _reduced_as(t, rt)
        assert pickle.loads(pickle.dumps(t)) == t
        assert dataclasses.replace(t, label="z") == Target(t.kind, t.path, t.anchor, "z")
        assert (t == Target("note", "a.md")) == (_values(t) == ("note", "a.md", "", ""))  # type: ignore[arg-type]
