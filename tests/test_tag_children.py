"""A tag page's child tags, found by bisecting the sorted tag keys, against the scan of every tag it replaced."""
from __future__ import annotations

import random
from types import SimpleNamespace
from typing import Any

import pytest

from kbgen.pages import tag_page
from kbgen.site import Tag
from kbgen.urls import tag_url


class _Tags(dict):  # type: ignore[type-arg]
    """Tags that count how often they are walked whole."""
    walks = 0

    def items(self) -> Any:
        _Tags.walks += 1
        return super().items()

    def __iter__(self) -> Any:
        _Tags.walks += 1
        return super().__iter__()


def _site(names: list[str]) -> Any:
    tags = _Tags()
    for name in names:
        tags.setdefault(name.casefold(), Tag(name=name, url=tag_url(name), notes=["a.md"]))
    return SimpleNamespace(tags=tags, urls={"a.md": "a.html"}, title=lambda p: p)


def _old_children(site: Any, key: str) -> list[str]:
    return sorted({t.name for k, t in dict.items(site.tags) if k.startswith(key + "/")}, key=str.casefold)


@pytest.mark.parametrize("seed", range(30))
def test_children_as_every_tag_scanned(seed: int) -> None:
    rng = random.Random(seed)
    parts = ["a", "b", "A", "a0", "a-b", "a.b", "é", "", "z"]
    names = ["/".join(rng.choice(parts) for _ in range(rng.randint(1, 4))) for _ in range(40)]
    site = _site([n for n in names if n])
    keys = sorted(dict.keys(site.tags))
    for key in keys:
        children = tag_page(site, key, keys)[0].context["tag"]["children"]
        assert [c["name"] for c in children] == _old_children(site, key), key


def test_pages_do_not_walk_every_tag() -> None:
    site = _site([f"t/{i}" for i in range(50)] + ["t", "u"])
    keys = sorted(dict.keys(site.tags))
    _Tags.walks = 0
    pages = [tag_page(site, key, keys) for key in keys]
    assert _Tags.walks == 0  # the old page scanned all the tags: once per page
    assert len(pages[keys.index("t")][0].context["tag"]["children"]) == 50
