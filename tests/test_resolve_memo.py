"""Resolver.resolve's table of plain links (no subpath) against resolving each link afresh, on random vaults."""
from __future__ import annotations

import random

import pytest

from kbgen.model import Heading, LinkRef, SourcePath
from kbgen.resolve import NoteInfo, Resolver

FOLDERS = ["", "notes/", "notes/a/", "notes/b/", "x/"]
NAMES = ["Role", "role", "Policy", "Ünï", "Unï", "A b"]
TARGETS = ["Role", "role", " Role ", "Role.md", "notes/a/Role", "a/Role", "./Role", "../Role", "../../../x",
           "/Role", "Policy", "Nothing", "p.png", "P.PNG", "d.pdf", "Alias", "a\\Role", "Ünï", "Uni\u0308",
           "x/Policy", ""]


def _vault(rng: random.Random) -> tuple[dict[SourcePath, NoteInfo], list[SourcePath]]:
    notes = {}
    for _ in range(rng.randint(1, 10)):
        path = SourcePath(rng.choice(FOLDERS) + rng.choice(NAMES) + ".md")
        notes[path] = NoteInfo((Heading(2, "Step", "step", 3),), {"id": 4}, tuple(rng.sample(["Alias", "Other"], 1)))
    assets = [SourcePath(rng.choice(FOLDERS) + rng.choice(["p.png", "d.pdf"])) for _ in range(rng.randint(0, 3))]
    return notes, assets


@pytest.mark.parametrize("seed", range(60))
def test_plain_links_resolve_as_afresh(seed: int) -> None:
    rng = random.Random(seed)
    notes, assets = _vault(rng)
    options = {"content_dirs": ("notes",) if seed % 2 else (), "resolve_aliases": seed % 3 == 0}
    shared = Resolver(notes, assets, **options)
    sources = list(notes)
    links = []
    for i in range(80):
        sub = rng.choice(["", "", "", "Step", "^id", "missing"])
        links.append((rng.choice(sources), LinkRef(rng.choice(TARGETS), sub, None, False, "wiki", i, f"[[{i}]]")))
    for source, ref in links + rng.sample(links, len(links)):  # each link again, in another order
        fresh = Resolver(notes, assets, **options)
        assert shared.resolve(source, ref) == fresh._resolve(source, ref), (source, ref)
    assert any(not ref.subpath and ref.target for _, ref in links)
