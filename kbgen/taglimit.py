"""Which of a note's tags give it a place on tag pages: at most TAG_LIMIT tag names per note.

A tag names itself and its parents, down to TAG_PARENTS levels (`#a/b/c` names `a`, `a/b` and
`a/b/c`), and each name is a tag page. A note's tags are taken in order (front matter, then the
body) and each one keeps the names it adds while the note's count stays within TAG_LIMIT; a tag
that would pass it is "capped": it renders as text in this note, is not among the note's tags
and does not list the note on any tag page. Without the cap one note of 75 000 distinct tags made
75 000 pages (11 s of CPU per MB of note). It depends on nothing but the note, so a note's page
still depends on the note alone.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

TAG_PARENTS = 16
"""Parents of a nested tag with a page of their own: its first levels. A page per level of
`#a/a/…/a`, each listing the levels below it, grew as the cube of the tag's length (1 KB of
tag made 160 MB of pages)."""

TAG_LIMIT = 2000
"""Tag names (tags and their parents) per note that get pages: as many as the concept pages a note
may give (graph.CONCEPT_LIMIT), about 0.3 s of pages; no real note comes near it."""


def names(tag: str) -> list[str]:
    """The names a tag gives pages to, shortest first: its first TAG_PARENTS levels and itself."""
    parts = tag.split("/")
    return ["/".join(parts[:i]) for i in [*range(1, min(len(parts), TAG_PARENTS + 1)), len(parts)]]


@dataclass(frozen=True)
class Paged:
    """One note's tags split by the cap."""

    tags: tuple[str, ...]
    """The tags that get pages, in the note's order."""
    keys: frozenset[str] | None
    """Their casefolded spellings; None when every tag of the note is paged."""
    capped: tuple[str, ...]
    """The tags past the cap, in the note's order."""

    def paged(self, tag: str) -> bool:
        """Whether a tag as written in the note (any case) gets a page from it."""
        return self.keys is None or tag.casefold() in self.keys


@lru_cache(maxsize=1024)
def _split(tags: tuple[str, ...], limit: int, parents: int) -> Paged:
    if len(tags) * (parents + 1) <= limit:  # cannot reach the cap: nothing to count
        return Paged(tags, None, ())
    seen: set[str] = set()
    kept, capped = [], []
    for tag in tags:
        if len(seen) >= limit and tag.casefold() not in seen:
            capped.append(tag)  # a new name when the cap is full (most tags of a huge note)
            continue
        new = {n.casefold() for n in names(tag)} - seen
        if len(seen) + len(new) > limit:
            capped.append(tag)
        else:
            seen |= new
            kept.append(tag)
    keys = frozenset(t.casefold() for t in kept) if capped else None
    return Paged(tuple(kept), keys, tuple(capped))


def split(tags: tuple[str, ...] | list[str]) -> Paged:
    """The note's tags (ParsedNote.tags: distinct case-insensitively) split by TAG_LIMIT."""
    return _split(tuple(tags), TAG_LIMIT, TAG_PARENTS)  # (the constants as keys: tests change them)
