"""The site's tags from the notes' tags: parents of nested tags (the first TAG_PARENTS levels), each
note once per tag, as the loop with a list `in` per note and tag did."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest

from kbgen import assemble
from kbgen.assemble import TAG_PARENTS, _tags


def _old_tags(notes: dict[str, Any]) -> dict[str, list[str]]:
    tags: dict[str, list[str]] = {}
    for path, note in notes.items():
        for tag in note.tags:
            parts = tag.split("/")
            for i in range(1, len(parts) + 1):
                entry = tags.setdefault("/".join(parts[:i]).casefold(), [])
                if path not in entry:
                    entry.append(path)
    return dict(sorted(tags.items()))


@pytest.mark.parametrize("seed", range(20))
def test_tags_as_before(seed: int) -> None:
    rng = random.Random(seed)
    parts = ["a", "B", "b", "c d", ""]
    notes = {f"n{i}.md": SimpleNamespace(tags=["/".join(rng.choice(parts) for _ in range(rng.randint(1, 4)))
                                               for _ in range(rng.randint(0, 5))]) for i in range(15)}
    assert {k: t.notes for k, t in _tags(notes).items()} == _old_tags(notes)  # type: ignore[arg-type]


def test_deep_tag_parents_stop() -> None:
    tag = "/".join(f"l{i}" for i in range(100))
    tags = _tags({"n.md": SimpleNamespace(tags=[tag])})  # type: ignore[dict-item]
    assert len(tags) == TAG_PARENTS + 1 and tag.casefold() in tags


class _Notes(list):  # type: ignore[type-arg]
    searched = 0

    def __contains__(self, item: object) -> bool:
        _Notes.searched += 1
        return super().__contains__(item)


@dataclass
class _Tag:
    name: str
    url: str
    notes: list[str] = field(default_factory=_Notes)


def test_notes_not_searched(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(assemble, "Tag", _Tag)
    _Notes.searched = 0
    tags = _tags({f"n{i}.md": SimpleNamespace(tags=["t", "t/u", "T"]) for i in range(300)})  # type: ignore[misc]
    assert len(tags["t"].notes) == 300 and len(tags["t/u"].notes) == 300
    assert _Notes.searched == 0  # the old loop searched the tag's notes per note and tag
