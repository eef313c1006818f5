"""The tags index's items are written in Python (pages._tag_items): the same bytes as the template's loop was."""
from __future__ import annotations

import json
import random
from pathlib import Path

from kbgen import pages
from kbgen.build import Builder
from kbgen.render import Theme
from kbgen.urls import quote_path, relative

from conftest import write_vault

LOOP = """  {% for t in tags %}<li><a class="tag" href="{{ href(t.url) }}">#{{ t.name }}</a> <span class="count">{{ t.count }}</span></li>
  {% endfor %}"""
"""The default tags.html's loop before tags_html."""


def test_items_as_the_template_wrote_them(tmp_path: Path) -> None:
    rng = random.Random(7)
    chars = "aZ9_-/é🙂&<>\"' %#?.~"
    fm = ["".join(rng.choice(chars) for _ in range(rng.randint(1, 8))) for _ in range(200)]
    fm = [t for t in fm if t.strip("# ")]
    listed = json.dumps(fm, ensure_ascii=False)  # JSON is YAML
    vault = write_vault(tmp_path / "v", {"A.md": f"---\ntags: {listed}\n---\n#body/tag #Ünï\n"})
    site, _ = Builder(vault, tmp_path / "site", quiet=True, search=False, cache=False).collect()
    assert len(site.tags) > 100
    page = pages.tags_page(site)
    env = Theme(site.config).env
    expected = env.from_string(LOOP).render(tags=page.context["tags"],
                                             href=lambda url: relative("tags/index.html", url))
    assert str(page.context["tags_html"]) == expected


def test_quote_path_is_relatives_quoting() -> None:
    for path in ("a/b.html", "é/ü 1.html", "a~~b.html", "x%y&z.html", "q?.html"):
        assert quote_path(path) == relative("index.html", path)
