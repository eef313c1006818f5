"""Backlink contexts made with and without their caches (paragraphs.contexts `remember`, the pieces
kept only for paragraphs of KEEP links or more): the same contexts either way."""
from __future__ import annotations

import random

from kbgen import paragraphs
from kbgen.markdown import make_parser
from kbgen.model import LinkRef, ParsedNote, SourcePath
from kbgen.parse import parse_note

MD = make_parser()
WORDS = ["alpha", "beta", "a & b", "<i>", "[[A]]", "[[B|shown]]", "[[A#Head]]", "[x](C)", "\n", "word"]


def _note(rng: random.Random) -> ParsedNote:
    paras = []
    for _ in range(rng.randint(1, 8)):
        paras.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 120))))
    return parse_note(SourcePath("n.md"), "\n\n".join(paras).encode(), MD)


def _refs_to(note: ParsedNote, target: str) -> tuple[LinkRef, ...]:
    return tuple(r for r in note.links if r.target == target)


def _clear() -> None:
    for cache in (paragraphs._PARAGRAPHS, paragraphs._CONTEXTS, paragraphs._BY_CONTEXT):
        cache.clear()


def test_contexts_alike_with_and_without_caches() -> None:
    rng = random.Random(5)
    for _ in range(150):
        note = _note(rng)
        for target in ("A", "B", "C"):
            refs = _refs_to(note, target)
            if not refs:
                continue
            _clear()
            fresh = paragraphs.contexts(note, target, refs, remember=False)
            assert not paragraphs._CONTEXTS  # not remembered
            assert paragraphs.contexts(note, target, refs, remember=True) == fresh
            assert paragraphs.contexts(note, target, refs) == fresh  # (remembered: the same lists)
            # the other targets first, then this one again: pieces made before, or kept, alike
            for other in ("A", "B", "C"):
                paragraphs.contexts(note, other, _refs_to(note, other), remember=False)
            assert paragraphs.contexts(note, target, refs, remember=False) == fresh


def test_pieces_kept_only_for_paragraphs_of_many_links() -> None:
    few = parse_note(SourcePath("f.md"), b"a [[A]] b [[B]] c\n", MD)
    many = parse_note(SourcePath("m.md"), (" x ".join(["[[A]]"] * paragraphs.KEEP) + "\n").encode(), MD)
    _clear()
    paragraphs.contexts(few, "A", _refs_to(few, "A"), remember=False)
    assert not paragraphs._PARAGRAPHS
    shown, more = paragraphs.contexts(many, "A", _refs_to(many, "A"), remember=False)
    assert len(paragraphs._PARAGRAPHS) == 1 and more == 0
    assert str(shown[0]["html"]).count("<mark>A</mark>") == paragraphs.KEEP


def test_an_edited_note_takes_the_place_of_its_old_version() -> None:
    """The caches hold one version of a note (serve: an old version is let go, not kept until a bound)."""
    _clear()
    old = parse_note(SourcePath("e.md"), b"a [[A]] b\n", MD)
    new = parse_note(SourcePath("e.md"), b"a [[A]] b, edited\n", MD)
    for note in (old, new):
        refs = _refs_to(note, "A")
        shown, _ = paragraphs.contexts(note, "A", refs)
        assert "edited" in str(shown[0]["html"]) or note is old
    assert len(paragraphs._BY_CONTEXT) == 1 and paragraphs._BY_CONTEXT["e.md"][0] is new
    assert len(paragraphs._CONTEXTS) == 1 and paragraphs._CONTEXTS[("e.md", "A")][0] is new
