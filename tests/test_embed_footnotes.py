"""Footnotes in embedded sections and blocks: the embedding page has neither end of their links."""
from __future__ import annotations

import re
from pathlib import Path

from test_properties import broken_links, build, write_vault

NOTES = {
    "Home.md": "# H\n\nmine[^1]\n\n![[Alpha#Top]]\n\n![[Alpha#Last]]\n\n![[Alpha#^blk]]\n\n![[Alpha]]\n\n"
               "[^1]: home note\n",
    "Alpha.md": "# Top\n\nalpha[^1] and[^n]\n\n# Last\n\nlast[^2]\n\n[^1]: one ^blk\n[^2]: two\n[^n]: en\n",
}


def _embed(html: str, src: str) -> str:
    start = html.index(f'data-src="{src}"')
    return html[start:html.index('<div class="internal-embed', start + 1)]


def test_a_cut_part_shows_footnote_numbers_without_dead_links(tmp_path: Path) -> None:
    vault = write_vault(tmp_path / "vault", NOTES)
    _, out = build(vault, tmp_path / "site", cache=False)
    assert broken_links(out) == []  # was: index.html: #fn2 (no id 'fn2'), …
    home = (out / "index.html").read_text(encoding="utf-8")
    top, last = _embed(home, "Alpha#Top"), _embed(home, "Alpha#Last")
    assert '<sup class="footnote-ref">[1]</sup>' in top and '<sup class="footnote-ref">[2]</sup>' in top
    assert '<sup class="footnote-ref">[3]</sup>' in last
    # the last section stops before the note's footnote definitions
    assert "footnotes" not in last and "two" not in last
    # a block that is a footnote definition: its text, not its back-link
    block = _embed(home, "Alpha#^blk")
    assert "one" in block and "footnote-backref" not in block
    # the whole note embedded keeps its footnotes, links and all (their ids scoped to the embed:
    # test_embed_ids.py); so does its own page
    whole = home[home.index('data-src="Alpha"'):]
    assert re.search(r'href="#e\d+:fn3"', whole) and 'class="footnote-backref"' in whole
    alpha = (out / "alpha.html").read_text(encoding="utf-8")
    assert len(re.findall(r'<a href="#fn\d" id="fnref\d">', alpha)) == 3
