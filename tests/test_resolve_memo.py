"""Resolver.resolve's tables of plain links and of links with a subpath against resolving each link
afresh, on random vaults."""
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


SUBS = ["Step", "step", "Step#Sub", "Sub", "^id", "^ID", "^nope", "missing", "Step#missing", "#", "^"]


def _info(rng: random.Random) -> NoteInfo:
    heads = tuple(Heading(rng.randint(1, 3), rng.choice(["Step", "Sub", "Other"]), f"a{i}", i) for i in range(rng.randint(0, 5)))
    return NoteInfo(heads, dict.fromkeys(rng.sample(["id", "ID", "b"], rng.randint(0, 2)), 1), ())


@pytest.mark.parametrize("seed", range(40))
def test_subpath_links_resolve_as_afresh(seed: int) -> None:
    """Links with a subpath, each written many times in a note (to the note itself too), and the
    target notes' info replaced between rounds as an edit while serving replaces it."""
    rng = random.Random(seed)
    notes, assets = _vault(rng)
    for path in notes:
        notes[path] = _info(rng)
    shared = Resolver(notes, assets)
    sources = list(notes)
    links = [(rng.choice(sources), LinkRef(rng.choice(TARGETS[:12] + [""] * 4), rng.choice(SUBS), None,
                                           rng.random() < 0.5, "wiki", i, f"[[{i}]]")) for i in range(40)]
    for _ in range(3):
        for source, ref in links + rng.sample(links, len(links)):
            fresh = Resolver(notes, assets)
            assert shared.resolve(source, ref) == fresh._resolve(source, ref), (source, ref)
        changed = rng.choice(sources)
        notes[changed] = _info(rng)  # a new NoteInfo: what the memo was made from is gone
