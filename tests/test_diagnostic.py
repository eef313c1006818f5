"""Diagnostic: its own __init__ makes what the frozen dataclass's made (fields, default level,
equality, hash, order, frozen, pickling, dataclasses.replace)."""
from __future__ import annotations

import dataclasses
import pickle
import random

import pytest

from kbgen.diagnostics import Diagnostic, make


def test_fields_default_and_keywords() -> None:
    d = Diagnostic("a.md", 3, "unresolved-link", "m")
    assert (d.path, d.line, d.code, d.message, d.level) == ("a.md", 3, "unresolved-link", "m", "warning")
    assert Diagnostic(path="a.md", line=3, code="unresolved-link", message="m", level="error").level == "error"
    assert make("a.md", 3, "duplicate-name", "m").level == "info"
    assert d.format() == "a.md:3: unresolved-link: m"
    assert [f.name for f in dataclasses.fields(Diagnostic)] == ["path", "line", "code", "message", "level"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.line = 4  # type: ignore[misc]
    with pytest.raises(TypeError):
        Diagnostic("a.md", 3, "x")  # type: ignore[call-arg]


def test_equality_hash_order_as_their_fields() -> None:
    rng = random.Random(7)
    diags = [Diagnostic(rng.choice(["a.md", "b.md", ""]), rng.randrange(3), rng.choice(["x", "y"]),
                        rng.choice(["m", "n"]), rng.choice(["warning", "info"])) for _ in range(300)]
    fields = [(d.path, d.line, d.code, d.message, d.level) for d in diags]
    assert [fields[i] for i in sorted(range(300), key=diags.__getitem__)] == sorted(fields)
    for d, f, e in zip(diags, fields, reversed(diags)):
        assert (d == e) == (f == (e.path, e.line, e.code, e.message, e.level))
        assert d == Diagnostic(*f) and hash(d) == hash(Diagnostic(*f))
        assert pickle.loads(pickle.dumps(d)) == d
        assert dataclasses.replace(d, line=d.line + 1) == Diagnostic(f[0], f[1] + 1, *f[2:])
    assert len(set(diags)) == len(set(fields))


def test_unresolved_links_each_said_with_its_own_text(make_vault) -> None:  # type: ignore[no-untyped-def]
    from kbgen.check import check
    vault = make_vault({"N.md": "[[a]]\n[[a]] [[a|x]]\n[y](b.md) [y](c.md)\n[[a]]\n"})
    got = [(d.line, d.message) for d in check(vault, cache=False).diagnostics if d.code == "unresolved-link"]
    assert got == [(1, "'[[a]]': no note or file 'a'"), (2, "'[[a]]': no note or file 'a'"),
                   (2, "'[[a|x]]': no note or file 'a'"), (3, "'[y](b.md)': no note or file 'b.md'"),
                   (3, "'[y](c.md)': no note or file 'c.md'"), (4, "'[[a]]': no note or file 'a'")]
