"""One process building vault after vault (tests, benchmarks, bad_input --scale) keeps no tokens of the earlier ones."""
from __future__ import annotations

import gc
from pathlib import Path

from markdown_it.token import Token

from conftest import write_vault
from kbgen.build import Builder


def _dated(version: int) -> str:
    # a date property that is no date: feeds.py and history.py both read it and remember it
    return "---\ndate: not a date\n---\n" + "".join(f"marker{version}x {i} [[Other]]\n\n" for i in range(200))


def test_a_process_building_vault_after_vault_lets_their_tokens_go(tmp_path: Path) -> None:
    for n in range(3):
        vault = write_vault(tmp_path / f"vault{n}", {"Dated.md": _dated(n), "Other.md": "plain\n"})
        Builder(vault, tmp_path / f"site{n}", quiet=True, search=False, jobs=1, cache=False,
                rebuilds=False).build()
    gc.collect()
    alive = [sum(1 for o in gc.get_objects() if isinstance(o, Token) and f"marker{n}x" in (o.content or ""))
             for n in range(3)]
    # was [400, 400]: the date caches of feeds.py (by the note object) and history.py (by vault)
    # held each vault's notes, with their tokens in a one-process build; bad_input --scale's
    # process grew to 6 GB and its later cases measured slower for it
    assert alive[:2] == [0, 0]
