"""with_levels: configured levels applied, `off` dropped, duplicates merged, a stable order whatever the input order."""
from __future__ import annotations

import random

from kbgen.diagnostics import Diagnostic, with_levels


def test_levels_duplicates_and_order() -> None:
    diags = [Diagnostic(f"n{i % 7}.md", i % 5, code, f"m{i % 3}", "warning")
             for i in range(200) for code in ("unresolved-link", "empty-note", "orphan")]
    want = None
    for seed in range(5):
        shuffled = diags + diags[:50]  # repeated diagnostics count once
        random.Random(seed).shuffle(shuffled)
        got = with_levels(shuffled, {"orphan": "off", "empty-note": "error"})
        assert len(got) == len(set(got))
        assert not any(d.code == "orphan" for d in got)
        assert {d.level for d in got if d.code == "empty-note"} == {"error"}
        assert got == sorted(got, key=lambda d: (d.path, d.line, d.code, d.message, d.level))
        assert want is None or got == want
        want = got
    assert len(want) == len({(d.path, d.line, d.code, d.message) for d in diags if d.code != "orphan"})
