"""A note page's tag links (pages.tag_links) with URLs read from site.tags: as tag_url makes them,
for tags in any case, nested or not, and for a tag site.tags does not hold."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from kbgen import pages, taglimit
from kbgen.build import Builder
from kbgen.urls import tag_url

from conftest import write_vault


def _made(tags: tuple[str, ...]) -> list[dict[str, Any]]:
    """tag_links as it was: every URL made by tag_url, every tag split into its parents."""
    return [{"name": t, "url": tag_url(t), "parents": [n.lower() for n in taglimit.names(t)[:-1]]}
            for t in taglimit.split(tags).tags]


def test_tag_links_as_tag_url_makes_them(tmp_path: Path) -> None:
    vault = write_vault(tmp_path / "vault", {
        "A.md": "#Topic/Sub and #plain and #Ünï/Ça #index #x.page-2\n",
        "B.md": "#topic/sub #PLAIN #a--b #a/b/c/d\n",
        "C.md": "---\ntags: [Front, deep/er]\n---\n#topic\n",
    })
    site, _ = Builder(vault, tmp_path / "site", quiet=True, search=False).collect()
    checked = 0
    for note in site.notes.values():
        assert pages.tag_links(site, note.tags) == _made(note.tags)
        checked += len(note.tags)
    assert checked >= 12
    del site.tags["plain"]  # not known (a page assembled before its tags): made by tag_url
    assert pages.tag_links(site, ("PLAIN", "Topic/Sub")) == _made(("PLAIN", "Topic/Sub"))
