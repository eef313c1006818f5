"""kbgen against real Obsidian: what it extracts from 89 notes, and where their links resolve.

The data (../shared/conformance/obsidian-tasks-captured/) is Obsidian's own metadata cache for
each note; the tests skip, visibly, where it is absent. Deliberate differences are listed in
the README ("Deliberate differences from Obsidian").
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from kbgen.markdown import make_parser
from kbgen.markdown.wikilinks import default_display
from kbgen.model import SourcePath
from kbgen.parse import parse_note
from kbgen.resolve import NoteInfo, Resolver

from conftest import SHARED

DATA = SHARED / "conformance" / "obsidian-tasks-captured"
FILES = sorted(DATA.glob("*.json")) if DATA.is_dir() else []
pytestmark = pytest.mark.skipif(not FILES, reason=f"{DATA} is absent: no real Obsidian output to compare with")

MD = make_parser()


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _parsed(data: dict):
    return parse_note(SourcePath(data["filePath"]), data["fileContents"].encode("utf-8"), MD)


def _link(ref) -> str:
    return ref.target + ("#" + ref.subpath if ref.subpath else "")


def _display(ref) -> str:
    return ref.display if ref.display is not None else default_display(ref.target, ref.subpath)


@pytest.mark.parametrize("file", FILES, ids=[f.stem for f in FILES])
def test_links_and_embeds_match_obsidian(file: Path) -> None:
    data = _load(file)
    cache = data["cachedMetadata"]
    note = _parsed(data)
    body = [r for r in note.links if r.kind != "frontmatter"]
    mine_links = Counter((_link(r), r.original, _display(r)) for r in body if not r.embed)
    theirs_links = Counter((l["link"], l["original"], l["displayText"]) for l in cache.get("links", []))
    assert mine_links == theirs_links
    mine_embeds = Counter((_link(r), r.original) for r in body if r.embed)
    theirs_embeds = Counter((e["link"], e["original"]) for e in cache.get("embeds", []))
    assert mine_embeds == theirs_embeds


@pytest.mark.parametrize("file", FILES, ids=[f.stem for f in FILES])
def test_headings_match_obsidian(file: Path) -> None:
    data = _load(file)
    note = _parsed(data)
    assert [(h.text, h.level) for h in note.headings] == \
        [(h["heading"], h["level"]) for h in data["cachedMetadata"].get("headings", [])]


@pytest.mark.parametrize("file", FILES, ids=[f.stem for f in FILES])
def test_front_matter_links_match_obsidian(file: Path) -> None:
    data = _load(file)
    note = _parsed(data)
    mine = Counter(_link(r) for r in note.links if r.kind == "frontmatter")
    theirs = Counter(l["link"] for l in data["cachedMetadata"].get("frontmatterLinks", []))
    assert mine == theirs


def test_resolution_matches_obsidian() -> None:
    """Every `resolveLinkToPath` answer, given a vault of every file the data names."""
    datas = [_load(f) for f in FILES]
    files = {d["filePath"] for d in datas}
    for d in datas:
        files |= {p for p in d.get("resolveLinkToPath", {}).values() if p}
    notes = {SourcePath(p): NoteInfo() for p in files if p.endswith(".md")}
    assets = [SourcePath(p) for p in files if not p.endswith(".md")]
    resolver = Resolver(notes, assets)
    checked = 0
    for d in datas:
        for linktext, expected in d.get("resolveLinkToPath", {}).items():
            target = linktext.split("#", 1)[0]
            found, _, _ = resolver.find(SourcePath(d["filePath"]), target)
            assert found == (expected or None), (d["filePath"], linktext)
            checked += 1
    assert checked > 50


@pytest.mark.parametrize("file", FILES, ids=[f.stem for f in FILES])
def test_block_ids_match_obsidian(file: Path) -> None:
    data = _load(file)
    note = _parsed(data)
    assert {b.casefold() for b in note.blocks} == set((data["cachedMetadata"].get("blocks") or {}).keys())
