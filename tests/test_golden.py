"""Golden test of the bundled vault: each page's rendered note body, compared as a readable diff.

Regenerate only on purpose: `pytest tests/test_golden.py --update-golden`, then review the diff.
"""
from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest

from conftest import REPO, build

GOLDEN = Path(__file__).parent / "golden" / "bundled"


def _bodies(out: Path) -> dict[str, str]:
    found = {}
    for page in sorted(out.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        m = re.search(r'<div class="note-body markdown-rendered">(.*?)\n  </div>\n</article>', text, re.S)
        if m:
            rel = page.relative_to(out).as_posix()
            found[rel.removesuffix(".html") + ".body.html"] = m.group(1).strip() + "\n"
    return found


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("golden") / "site"
    result, out = build(REPO, out, cache=False)
    assert result.notes >= 15
    return out


def test_bundled_vault_matches_golden(bundled: Path, request: pytest.FixtureRequest) -> None:
    bodies = _bodies(bundled)
    assert bodies, "no note pages found"
    if request.config.getoption("--update-golden"):
        if GOLDEN.exists():
            for old in GOLDEN.rglob("*.body.html"):
                old.unlink()
        for rel, text in bodies.items():
            (GOLDEN / rel).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / rel).write_text(text, encoding="utf-8")
        pytest.skip("golden files rewritten; review `git diff tests/golden`")
    expected = {p.relative_to(GOLDEN).as_posix(): p.read_text(encoding="utf-8")
                for p in sorted(GOLDEN.rglob("*.body.html"))}
    assert sorted(bodies) == sorted(expected), "pages added or removed; rerun with --update-golden"
    diffs = []
    for rel in sorted(bodies):
        if bodies[rel] != expected[rel]:
            diffs.extend(difflib.unified_diff(expected[rel].splitlines(), bodies[rel].splitlines(),
                                              f"golden/{rel}", f"built/{rel}", lineterm="", n=1))
    assert not diffs, "\n".join(diffs[:200])
