"""Long lists a page context hands its theme, kept as one list per key and made into dicts only when read."""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, ClassVar


class Columns(Sequence[dict[str, Any]]):
    """A sequence of dicts with the keys of FIELDS, each key's values in the list the attribute of
    the same entry holds. A note may link to 75 000 concepts or hold 250 000 headings, and the
    default theme reads only whether there are any (it shows HTML written in Python): dicts made
    for every item, pickled for the page's fingerprint and dropped, took some 70 ms a page."""

    FIELDS: ClassVar[tuple[tuple[str, str], ...]] = ()
    """(dict key, attribute holding its values), in the dicts' key order."""
    __slots__ = ()

    def _lists(self) -> list[list[Any]]:
        return [getattr(self, attr) for _, attr in self.FIELDS]

    def __len__(self) -> int:
        return len(getattr(self, self.FIELDS[0][1]))

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return {key: getattr(self, attr)[i] for key, attr in self.FIELDS}

    def __iter__(self) -> Iterator[dict[str, Any]]:
        keys = [key for key, _ in self.FIELDS]
        for row in zip(*self._lists()):
            yield dict(zip(keys, row))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]  # (equal to lists, which are unhashable)

    def __reduce__(self) -> tuple[Any, ...]:  # pickled (a page's fingerprint) as its lists
        return type(self), tuple(self._lists())
