"""assemble.resolve_note: a note's links → targets and problems, as resolving each link gives them."""
from __future__ import annotations

import random

from kbgen.assemble import _PRIVATE, _stem_key, resolve_note
from kbgen.diagnostics import DEFAULT_LEVELS, Diagnostic
from kbgen.markdown import make_parser
from kbgen.model import SourcePath
from kbgen.parse import parse_note
from kbgen.resolve import NoteInfo, Resolver

LINKS = ["[[a]]", "[[A ]]", "[[b]]", "[[f/b]]", "[[Other]]", "[[Other#H]]", "[[Other#Nope]]", "[[#H]]", "[[#^x]]",
         "![[a]]", "![[pic.png]]", "[[pic.png]]", "[[Secret]]", "[[../out]]", "[o](Other.md)", "[m](missing.md)",
         "[[Other|shown]]", "[[a|x]]", " ", "\n", "%%[[a]]%%"]


def _previous(resolver: Resolver, hidden: set[str], path: SourcePath, note) -> tuple[dict, list]:  # type: ignore[no-untyped-def]
    """resolve_note's loop as it was before it remembered targets: resolve() per link."""
    table: dict = {}
    diags: list = []
    said: dict = {}
    last = None
    for ref in note.links:
        if ref is last:
            continue
        last = ref
        target, problems = resolver.resolve(path, ref)
        unresolved = target.kind == "unresolved"
        if unresolved and hidden and _stem_key(ref.target) in hidden:
            target = _PRIVATE
        size = len(table)
        table.setdefault(ref, target)
        if len(table) == size:
            continue
        diags.extend(problems)
        if unresolved and target is not _PRIVATE and not ref.embed and target.label:
            hit = said.get(ref.original)
            if hit is None or hit[0] != ref.target:
                hit = said[ref.original] = (ref.target, f"{ref.original!r}: no note or file {ref.target!r}")
            diags.append(Diagnostic(path, ref.line, "unresolved-link", hit[1], DEFAULT_LEVELS["unresolved-link"]))
    return table, diags


def test_random_notes_resolve_as_link_by_link() -> None:
    md = make_parser()
    heading = parse_note(SourcePath("Other.md"), b"# H\n\ntext ^x\n", md)
    notes = {SourcePath(p): NoteInfo(heading.headings, heading.blocks) if p.endswith("Other.md") else NoteInfo()
             for p in ("N.md", "a.md", "f/b.md", "g/b.md", "Other.md", "Secret.md")}
    rng = random.Random(12)
    for _ in range(300):
        text = "".join(rng.choice(LINKS) + rng.choice([" ", "\n", ""]) for _ in range(rng.randint(1, 25)))
        note = parse_note(SourcePath("N.md"), text.encode(), md)
        hidden = {_stem_key("Secret")} if rng.random() < 0.5 else set()
        table, diags = resolve_note(Resolver(notes, {SourcePath("pic.png")}), hidden, SourcePath("N.md"), note)
        want_table, want_diags = _previous(Resolver(notes, {SourcePath("pic.png")}), hidden, SourcePath("N.md"), note)
        assert list(table.items()) == list(want_table.items()), text
        assert diags == want_diags, text
