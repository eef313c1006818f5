"""Links to a name many notes share: rule 5's order against the per-link sort it replaced, one
ranking for all linking folders, and a warning that names a few candidates and counts the rest."""
from __future__ import annotations

import posixpath
import random

import pytest

from kbgen.model import LinkRef, SourcePath
from kbgen.resolve import NAMED, NoteInfo, Resolver


def _old_order(source: str, cands: list[str]) -> list[str]:
    folder = posixpath.dirname(source)
    return sorted(cands, key=lambda c: (posixpath.dirname(c) != folder, c.count("/"), c))


@pytest.mark.parametrize("seed", range(20))
def test_order_as_sorted_per_link(seed: int) -> None:
    rng = random.Random(seed)
    folders = ["a", "b", "a/b", "a/c", "b/a", "c/d/e"]
    paths = {f"{rng.choice(folders)}/{rng.choice(['x', 'X', 'y'])}{rng.choice(['', ' 1'])}.md"
             for _ in range(25)}
    r = Resolver({SourcePath(p): NoteInfo() for p in paths}, [])
    seen = 0
    for source in sorted(paths) + ["c/new.md", "a/b/new.md"]:
        for target in ("x", "X.md", "y 1", "b/x", "a/x"):
            path, cands, problem = r.find(SourcePath(source), target)
            if problem == "ambiguous":  # the candidates are found as before: their order is new
                assert cands == _old_order(source, cands) and path == cands[0] and len(cands) > 1
                seen += 1
    assert seen >= 5


def test_one_ranking_for_every_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    paths = [SourcePath(f"f{i}/Same.md") for i in range(40)]
    r = Resolver({p: NoteInfo() for p in paths}, [])
    ranked = []
    rank = r._rank
    monkeypatch.setattr(r, "_rank", lambda cands: ranked.append(1) or rank(cands))
    ref = LinkRef("Same", "", None, False, "wiki", 1, "[[Same]]")
    for p in paths:
        target, diags = r.resolve(p, ref)
        assert target.path == p  # its own folder's first
        msg = diags[0].message
        assert "matches 40 files" in msg and f"and {40 - NAMED} more" in msg
        assert msg.count("Same.md'") == NAMED + 1  # the named ones, and the one used
        assert msg.index("(") + 1 == msg.index(repr(p))  # its own named first
    assert len(ranked) == 1
