"""Links written alike in a row share one LinkRef (wikilinks._scan): resolve_note and the page's
link tags skip the repeat by identity, and give what equal copies give."""
from __future__ import annotations

import dataclasses
from pathlib import Path

from kbgen.assemble import resolve_note
from kbgen.markdown import make_parser
from kbgen.model import SourcePath
from kbgen.parse import parse_note
from kbgen.resolve import NoteInfo, Resolver

from tests.conftest import build

TEXT = "[[a]] [[a]] [[Other]] [[Other]] ![[a]] ![[a]] [[Other#H]] [[Other#H]]\n[[a]] [[a]]\n"


def test_resolve_note_alike_with_shared_refs() -> None:
    note = parse_note(SourcePath("N.md"), TEXT.encode(), make_parser())
    assert note.links[0] is note.links[1]  # (shared: what this test is about)
    fresh = dataclasses.replace(note, links=tuple(dataclasses.replace(r) for r in note.links))
    notes = {SourcePath("N.md"): NoteInfo(), SourcePath("Other.md"): NoteInfo()}
    shared_table, shared_diags = resolve_note(Resolver(notes, ()), set(), SourcePath("N.md"), note)
    fresh_table, fresh_diags = resolve_note(Resolver(notes, ()), set(), SourcePath("N.md"), fresh)
    assert list(shared_table.items()) == list(fresh_table.items())
    assert shared_diags == fresh_diags and len(shared_diags) > 2


def test_each_shared_link_rendered(make_vault, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    vault = make_vault({"N.md": TEXT, "Other.md": "# H\nother\n"})
    _, out = build(vault, tmp_path / "site", cache=False)
    page = (out / "n.html").read_text()
    assert page.count('<a class="internal-link" href="other.html" data-href="Other">Other</a>') == 2
    assert page.count('<a class="internal-link" href="other.html#h" data-href="Other">Other &gt; H</a>') == 2
    assert page.count('<a class="internal-link is-unresolved" href="concepts/a.html" data-href="a" title="No note yet">a</a>') == 4
