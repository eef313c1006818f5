"""Pages written without jinja (pagewriters.FAST: tag, folder and note pages) read exactly as their
templates through base.html render them, and only while the theme's templates are the ones
they were written from."""
from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from markupsafe import Markup

from conftest import build, write_vault
from kbgen import config as configs
from kbgen.pages import Outlinks
from kbgen.pagewriters import FAST, sources_digest
from kbgen.render import Theme, base_context
from kbgen.toc import Toc

ODD = ["plain", "a<b>&\"c'", "", "#x/y", "ünï ✓", "{{ x }}", "a  b\n"]
KINDS = ["tag", "folder", "home", "404", "note", "concept", "graph", "tags"]
URLS = ["tags/a.html", "tags/x/y.html", "tags/x/y.page-2.html", "index.html", "t.html", "d/e/index.html"]


def _context(cfg: Any, versions: dict[str, str], url: str, i: int, kind: str) -> dict[str, Any]:
    """What output.PageRenderer.render hands a tag, folder or note template, varied by `i` (each
    page's keys and some of the others': the writers read only their own)."""
    ctx = base_context(cfg, url, versions)
    odd = ODD[i % len(ODD)]
    count = 1 + i % 3
    number = 1 + (i // 3) % count
    ctx.update({
        "tag": {"name": odd or "t", "total": i * 7,
                "notes": [{"title": ODD[(i + k) % len(ODD)], "url": f"n{k}/{ODD[k % len(ODD)]}.html"}
                          for k in range(i % 4)],
                "children": [{"name": f"{odd}/c{k}", "url": f"tags/{odd}/c{k}.html"} for k in range(i % 3)]},
        "entries": [{"title": ODD[(i + k) % len(ODD)], "url": f"d/{k}&.html", "folder": bool((i + k) % 2),
                     "description": ODD[(i * k) % len(ODD)], "count": k % 3} for k in range(i % 5)],
        "note": {"title": odd, "path": "a.md", "meta": {}, "aliases": [ODD[(i + k) % len(ODD)] for k in range(i % 3)]
                 + ([Markup("<b>m</b>"), 3] if i % 7 == 3 else []),
                 "tags": [{"name": ODD[(i + k) % len(ODD)] + "Ab", "url": f"tags/{k}&.html",
                           "parents": [ODD[k % len(ODD)]] * (k % 3)} for k in range(i % 4)],
                 "date": "2024-01-02" if i % 3 else "", "cssclasses": [ODD[(i + k) % len(ODD)] for k in range(i % 3)]},
        "body": Markup(f"<p>body {i} &amp;</p>"),
        "toc": Toc([1, 2][:i % 3], ["a", "b<"][:i % 3], ["a", "b"][:i % 3]),
        "toc_html": Markup("<li>toc</li>"),
        "backlinks": [{"title": ODD[(i + k) % len(ODD)], "url": f"b{k}.html", "path": "b.md", "embed": False,
                       "contexts": [{"html": Markup(f"<p>{k}</p>"), "line": 1}] * (k % 3), "more": (i + k) % 4}
                      for k in range(i % 4)],
        "backlinks_total": i % 4 + i % 5, "backlinks_more": "a.backlinks.html" if i % 5 == 2 else "",
        "outlinks": Outlinks(["x", "y&"][:i % 3], ["x.html", ""][:i % 3], [True, False][:i % 3]),
        "outlinks_html": Markup("<li>out</li>"),
        "graph": {"nodes": [], "edges": [], "size": 300},
        **({"recent": [{"title": ODD[k], "url": f"r{k}.html", "date": "2024-01-0{k}", "source": ODD[k + 1],
                        "folder": ODD[k + 2]} for k in range(i % 4)]} if i % 6 else {}),
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


@pytest.mark.parametrize("template", sorted(FAST))
@pytest.mark.parametrize("base_url,title", [("", "Site"), ("https://x.example/r/", "A & <B>")])
def test_fast_pages_write_what_the_templates_write(tmp_path: Path, template: str, base_url: str, title: str) -> None:
    cfg = configs.load(tmp_path, base_url=base_url, title=title)
    theme = Theme(cfg)
    write = theme.fast(template)
    assert write is FAST[template][2]
    jinja = theme.env.get_template(template)
    versions = {"css/kbgen.css": "v1", "favicon.svg": ""}  # one pass: fragments shared by its pages
    pages = itertools.islice(zip(itertools.cycle(URLS), itertools.cycle(KINDS)), 80)
    for i, (url, kind) in enumerate(pages):
        # jinja first on some pages, the fast path first on others: either fills the fragments
        order = [jinja.render, lambda c: write(c, theme.env)] if i % 2 else [lambda c: write(c, theme.env), jinja.render]
        got = [f(_context(cfg, versions, url, i, kind)) for f in order]
        assert got[0] == got[1], (url, kind, i)


@pytest.mark.parametrize("template", sorted(FAST))
def test_the_fast_path_follows_the_templates(tmp_path: Path, template: str) -> None:
    """Off as soon as the theme chain finds another of the templates it writes out."""
    names, digest, _ = FAST[template]
    default = Theme(configs.load(tmp_path))
    assert sources_digest(default.env, names) == digest, \
        f"a template {template} renders through changed: bring its pagewriters.FAST writer in line, then the digest"
    for name in names:
        vault = tmp_path / name.replace("/", "_")
        source = default.env.loader.get_source(default.env, name)[0]  # type: ignore[union-attr]
        write_vault(vault, {f"theme/templates/{name}": source + "<!-- mine -->"})
        theme = Theme(configs.load(vault))
        assert theme.fast(template) is None
        for other, (uses, _, write) in FAST.items():  # the others only when they use it too
            assert theme.fast(other) is (None if name in uses else write), (name, other)
        assert theme.fast("concept.html") is None  # (no writer: always jinja)


def test_a_site_is_the_same_with_and_without_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    notes = {f"d{i % 2}/{'e/' * (i % 5 == 0)}N {i}.md":
             f"---\naliases: [A{i}, 'b&{i}']\ncssclasses: [w{i % 3}]\ndate: 2024-0{1 + i % 9}-01\n---\n" * (i % 4 == 1)
             + f"# N{i}\n## Part\n#t{i % 4} #nest/ed{i % 2} #a&b [[N {i + 1}]] [[N {i * 7 % 300}]] [[Missing {i % 5}]]\n"
             for i in range(300)}
    vault = write_vault(tmp_path / "v", {**notes, "Home.md": "# Home\n[[N 1]]\n",
                                         "kbgen.toml": 'base_url = "https://e.example/s/"\n'})
    _, fast = build(vault, tmp_path / "fast", cache=False)
    monkeypatch.setattr(Theme, "fast", lambda self, template: None)
    _, slow = build(vault, tmp_path / "slow", cache=False)
    pages = sorted(p.relative_to(fast).as_posix() for p in fast.rglob("*.html"))
    assert [p for p in pages if p.startswith("tags/t")] and "tags/nest.page-2.html" in pages
    assert "d0/e/index.html" in pages and "d1/index.page-2.html" in pages
    assert pages == sorted(p.relative_to(slow).as_posix() for p in slow.rglob("*.html"))
    for rel in pages:
        assert (fast / rel).read_bytes() == (slow / rel).read_bytes(), rel
