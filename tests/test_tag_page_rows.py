"""pages.tag_page's pages (notes ordered by title, split PER_PAGE to a page, children, pager)
equal those of the plain version it replaced."""
from __future__ import annotations

import bisect
import random
from types import SimpleNamespace
from typing import Any

import pytest

from kbgen.pages import PER_PAGE, Page, _pager, continuation_url, tag_page
from kbgen.site import Tag
from kbgen.urls import tag_url


def _plain(site: Any, key: str, keys: list[str]) -> list[Page]:
    """tag_page as it was written before its rows were made once per tag."""
    tag = site.tags[key]
    below = keys[bisect.bisect_left(keys, key + "/"):bisect.bisect_left(keys, key + "0")]
    children = sorted({site.tags[k].name for k in below}, key=str.casefold)
    notes = sorted(tag.notes, key=lambda p: (site.title(p).casefold(), p))
    count = max(1, (len(notes) + PER_PAGE - 1) // PER_PAGE)
    url_of = lambda i: tag.url if i == 1 else continuation_url(tag.url, i, "page")  # noqa: E731
    return [Page(url=url_of(i + 1), template="tag.html", kind="tag",
                 title=f"#{tag.name}" + (f" ({i + 1}/{count})" if i else ""),
                 description=f"Notes tagged #{tag.name}", parent=tag.url if i else "",
                 context={"tag": {"name": tag.name, "total": len(notes),
                                  "notes": [{"title": site.title(p), "url": site.urls[p]}
                                            for p in notes[i * PER_PAGE:(i + 1) * PER_PAGE]],
                                  "children": [{"name": c, "url": tag_url(c)} for c in children]},
                          "pager": _pager(url_of, i + 1, count),
                          "breadcrumbs": [{"title": "Tags", "url": "tags/index.html"}]})
            for i in range(count)]


@pytest.mark.parametrize("seed", range(12))
def test_tag_pages_as_the_plain_version_made_them(seed: int) -> None:
    rng = random.Random(seed)
    paths = [f"{rng.choice(['', 'd/', 'D/e/'])}{rng.choice(['n', 'N', 'é', 'b'])}{i}.md" for i in range(350)]
    titles = {p: rng.choice(["Same", "same", "SAME", "Other", "ä", p]) for p in paths[:300]}  # the rest: no note
    tags: dict[str, Tag] = {}
    for name in ["a", "a/b", "A/c", "a/b/c", "x", "x-y", "solo", "big", "é/ü"]:
        count = {"solo": 1, "big": rng.randint(201, 349)}.get(name, rng.randint(0, 120))
        tags[name.casefold()] = Tag(name=name, url=tag_url(name), notes=rng.sample(paths, count))
    site = SimpleNamespace(tags=tags, urls={p: p[:-3] + ".html" for p in paths},
                           title=lambda p: titles.get(p, p.rpartition("/")[2]))
    keys = sorted(tags)
    for key in keys:
        assert tag_page(site, key, keys) == _plain(site, key, keys), key  # type: ignore[arg-type]
        assert tag_page(site, key) == _plain(site, key, keys), key  # type: ignore[arg-type]
