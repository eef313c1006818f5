"""A note body's links and embeds: targets found by the identity of the parsed LinkRefs or by their value, made once per target or per link, the same HTML."""
from __future__ import annotations

import copy
from pathlib import Path

from conftest import write_vault

from kbgen.body import BodyRenderer
from kbgen.build import Builder


def test_links_render_alike_from_equal_copies(tmp_path: Path) -> None:
    lines = ["# Top", ""]
    for i in range(60):  # past the size from which the page's own note is looked up by identity
        lines.append(f"- [[Other]] [[other]] [[Other#Part]] [[#Top]] [[Big#Top]] [[Missing {i % 7}]] "
                     f"[[pic.png]] [[Other|shown & told]] ![[Other#Part]] ![[pic.png]]")
    vault = write_vault(tmp_path / "vault", {"Big.md": "\n".join(lines) + "\n",
                                             "Other.md": "# Part\n\ntext\n", "pic.png": b"\x89PNG"})
    builder = Builder(vault, tmp_path / "site", quiet=True, search=False, cache=False, jobs=1)
    builder.build()
    site = builder.site
    assert site is not None
    path = next(p for p in site.notes if p.endswith("Big.md"))
    url = site.urls[path]
    tokens = builder._tokens_of(path, site.notes[path])
    assert len(site.targets[path]) > 100

    def body(toks: list) -> str:
        return BodyRenderer(site, builder._md, url, lambda p: builder._tokens_of(p, site.notes[p])).render(path, toks)

    html = body(tokens)
    assert html == body(copy.deepcopy(tokens))  # LinkRefs equal to the table's, not the same objects
    other = site.urls[next(p for p in site.notes if p.endswith("Other.md"))]
    assert html.count(f'href="{other}" data-href="Other"') == 120  # [[Other]] and [[Other|…]]
    assert html.count(f'href="{other}" data-href="other"') == 60
    assert html.count(f'href="{other}#part" data-href="Other"') == 60
    assert html.count('href="#top" data-href="Big"') == 60 and html.count('href="#top" data-href=""') == 60
    assert html.count('href="pic.png" data-href="pic.png"') == 60
    assert html.count('class="internal-link is-unresolved"') == 60 and "shown &amp; told" in html
    assert html.count('<div class="internal-embed markdown-embed" data-src="Other#Part">') == 60
    assert html.count('<img src="pic.png"') == 60
