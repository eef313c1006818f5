"""Embedded notes keep their anchors to themselves: ids scoped per embed, the page's own untouched."""
from __future__ import annotations

import re
from pathlib import Path

from test_properties import broken_links, build, read_refs, repeated_ids, write_vault

NOTES = {
    "Home.md": "# Intro\n\nhost[^1] see [[#Intro]]\n\n![[Inner]]\n\n![[Inner#Part]]\n\n[^1]: host note\n",
    "Inner.md": "# Intro\n\ninner[^1] back to [[Home#Intro]] ^blk\n\n## Part\n\npart text[^2]\n\n"
                "![[Leaf]]\n\n[^1]: inner note\n[^2]: part note\n",
    "Leaf.md": "# Intro\n\nleaf[^1]\n\n[^1]: leaf note\n",
}


def _footnote_target(html: str, ref_text: str) -> str:
    """The text of the footnote that the reference right after `ref_text` jumps to."""
    at = html.index(ref_text)
    href = re.search(r'<a href="#([^"]+)" id="([^"]+)">', html[at:])
    assert href is not None
    item = re.search(rf'<li id="{re.escape(href.group(1))}" class="footnote-item"><p>([^<]*)', html)
    assert item is not None, href.group(1)
    back = re.search(rf'<a href="#{re.escape(href.group(2))}" class="footnote-backref">', html)
    assert back is not None, href.group(2)  # and its back-link returns to this very reference
    return item.group(1).strip()


def test_each_footnote_link_reaches_its_own_note_and_no_id_repeats(tmp_path: Path) -> None:
    vault = write_vault(tmp_path / "vault", NOTES)
    _, out = build(vault, tmp_path / "site", cache=False)
    assert broken_links(out) == []
    assert repeated_ids(out) == []  # was: index.html: intro, fn1, fnref1, part…
    home = (out / "index.html").read_text(encoding="utf-8")
    # was: the host's [1] jumped to the embedded note's footnote, the first `fn1` of the page
    assert _footnote_target(home, "host") == "host note"
    assert _footnote_target(home, "inner") == "inner note"
    assert _footnote_target(home, "leaf") == "leaf note"  # an embed inside an embed


def test_the_pages_own_anchors_keep_their_names(tmp_path: Path) -> None:
    vault = write_vault(tmp_path / "vault", NOTES)
    _, out = build(vault, tmp_path / "site", cache=False)
    home = (out / "index.html").read_text(encoding="utf-8")
    ids = read_refs(out / "index.html").ids
    assert {"intro", "fn1", "fnref1"} <= ids  # the host's heading and footnote, as on any page
    # a same-page link, in the host or inside the embed, goes to the host's heading
    body = home[home.index('class="note-body'):home.index("</article>")]
    assert body.count('href="#intro"') == 2
    # the embedded copies are scoped: heading, block id and section heading of each embed
    scoped = {i for i in ids if ":" in i and not i.startswith("fn")}
    assert {i.split(":", 1)[1] for i in scoped} >= {"intro", "^blk", "part"}
    # other pages link to the embedded note's own page, where its anchors are unprefixed
    inner = read_refs(out / "inner.html").ids
    assert {"intro", "^blk", "part", "fn1"} <= inner
