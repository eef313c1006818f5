"""Tag pages written without jinja (render.tag_html) read exactly as tag.html through base.html
renders them, and only while the theme's templates are the ones it was written from."""
from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

from conftest import build, write_vault
from kbgen import config as configs
from kbgen.render import TAG_SOURCES, Theme, _sources_digest, base_context, tag_html

ODD = ["plain", "a<b>&\"c'", "", "#x/y", "ünï ✓", "{{ x }}", "a  b\n"]


def _context(theme: Theme, cfg: Any, versions: dict[str, str], url: str, i: int, kind: str = "tag") -> dict[str, Any]:
    """What output.PageRenderer.render hands the template, varied by `i`."""
    ctx = base_context(cfg, url, versions)
    odd = ODD[i % len(ODD)]
    count = 1 + i % 3
    number = 1 + (i // 3) % count
    ctx.update({
        "tag": {"name": odd or "t", "total": i * 7,
                "notes": [{"title": ODD[(i + k) % len(ODD)], "url": f"n{k}/{ODD[k % len(ODD)]}.html"}
                          for k in range(i % 4)],
                "children": [{"name": f"{odd}/c{k}", "url": f"tags/{odd}/c{k}.html"} for k in range(i % 3)]},
        "pager": {"number": number, "count": count,
                  "prev": f"tags/p{number - 1}.html" if number > 1 else "",
                  "next": f"tags/p{number + 1}.html" if number < count else ""},
        "breadcrumbs": [] if i % 5 == 4 else [{"title": "Tags", "url": "tags/index.html"}, {"title": odd, "url": "a&b.html"}],
        "page": {"kind": kind, "title": odd, "url": url, "description": ODD[(i + 1) % len(ODD)],
                 "canonical": cfg.base_url + url if cfg.base_url and i % 2 else "",
                 "has_math": False, "has_mermaid": i % 4 == 1, "image": "a b/ü.png" if i % 3 == 2 else "",
                 "css_classes": ODD[(i + 2) % len(ODD)] if i % 2 else ""},
    })
    return ctx


@pytest.mark.parametrize("base_url,title", [("", "Site"), ("https://x.example/r/", "A & <B>")])
def test_tag_html_writes_what_the_templates_write(tmp_path: Path, base_url: str, title: str) -> None:
    cfg = configs.load(tmp_path, base_url=base_url, title=title)
    theme = Theme(cfg)
    assert theme.fast_tags()
    template = theme.env.get_template("tag.html")
    versions = {"css/kbgen.css": "v1", "favicon.svg": ""}  # one pass: fragments shared by its pages
    urls = ["tags/a.html", "tags/x/y.html", "tags/x/y.page-2.html", "index.html", "t.html", "tags/a.html"]
    kinds = ["tag", "tag", "home", "404", "note", "concept", "graph", "tags"]
    for i, (url, kind) in enumerate(itertools.islice(zip(itertools.cycle(urls), itertools.cycle(kinds)), 60)):
        # jinja first on some pages, the fast path first on others: either fills the fragments
        order = [template.render, tag_html] if i % 2 else [tag_html, template.render]
        got = [f(_context(theme, cfg, versions, url, i, kind)) for f in order]
        assert got[0] == got[1], (url, kind, i)


def test_the_fast_path_follows_the_templates(tmp_path: Path) -> None:
    """Off as soon as the theme chain finds another of the templates it writes out."""
    assert _sources_digest(Theme(configs.load(tmp_path)).env) == TAG_SOURCES, \
        "a template of render.TAG_TEMPLATES changed: bring tag_html() in line, then TAG_SOURCES"
    for name in ("tag.html", "base.html", "partials/pager.html", "partials/breadcrumbs.html"):
        vault = tmp_path / name.replace("/", "_")
        write_vault(vault, {f"theme/templates/{name}": Theme(configs.load(tmp_path)).env.loader
                            .get_source(None, name)[0] + "<!-- mine -->"})  # type: ignore[union-attr]
        assert not Theme(configs.load(vault)).fast_tags()


def test_a_site_is_the_same_with_and_without_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    notes = {f"d{i % 3}/N {i}.md": f"# N{i}\n#t{i % 4} #nest/ed{i % 2} #a&b [[N {i + 1}]]\n" for i in range(130)}
    vault = write_vault(tmp_path / "v", {**notes, "kbgen.toml": 'base_url = "https://e.example/s/"\n'})
    _, fast = build(vault, tmp_path / "fast", cache=False)
    monkeypatch.setattr(Theme, "fast_tags", lambda self: False)
    _, slow = build(vault, tmp_path / "slow", cache=False)
    pages = sorted(p.relative_to(fast).as_posix() for p in fast.rglob("*.html"))
    assert [p for p in pages if p.startswith("tags/t")] and "tags/nest.page-2.html" in pages and "tags/nest/ed0.html" in pages
    assert pages == sorted(p.relative_to(slow).as_posix() for p in slow.rglob("*.html"))
    for rel in pages:
        assert (fast / rel).read_bytes() == (slow / rel).read_bytes(), rel
