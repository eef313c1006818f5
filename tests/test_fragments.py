"""Page chrome rendered once per folder ({% fragment %}, render.Fragments): each page still gets
the links and the current-page marks of its own folder and kind."""
from __future__ import annotations

import re
from pathlib import Path

import jinja2

from conftest import build, write_vault
from kbgen.render import Fragments


def _nav(page: str) -> dict[str, str]:
    """The header's links by their text, and which one is marked current."""
    header = page[page.index('<header class="site-header">'):page.index("<main ")]
    links = dict((text, href) for href, text in re.findall(r'<a href="([^"]*)"[^>]*>([^<]*)</a>', header))
    current = re.findall(r'<a href="[^"]*" aria-current="page">([^<]*)</a>', header)
    return {**links, "current": ",".join(current),
            "title": re.search(r'class="site-title" href="([^"]*)"', header).group(1),
            "css": re.search(r'href="([^"]*kbgen\.css[^"]*)"', page).group(1)}


def test_each_folder_and_kind_gets_its_own_chrome(tmp_path: Path) -> None:
    vault = write_vault(tmp_path / "v", {
        "Top.md": "# Top\n#alpha [[Deep]]",
        "a/First.md": "# First\n#alpha [[Top]]",
        "a/Second.md": "# Second\n[[First]]",
        "a/b/Deep.md": "# Deep\n[[Second]]",
    })
    _, out = build(vault)
    read = lambda rel: (out / rel).read_text(encoding="utf-8")  # noqa: E731
    top, first, second, deep = (_nav(read(p)) for p in ("top.html", "a/first.html", "a/second.html", "a/b/deep.html"))
    assert top["Tags"] == "tags/index.html" and top["css"].startswith("_static/css/kbgen.css")
    assert first == second  # one folder, one kind: the same chrome
    assert first["Tags"] == "../tags/index.html" and first["title"] == "../index.html"
    assert deep["Graph"] == "../../graph.html" and deep["css"].startswith("../../_static/")
    tags, tag = _nav(read("tags/index.html")), _nav(read("tags/alpha.html"))
    assert tags["Tags"] == "index.html" and tags["current"] == "Tags"  # same folder as tag pages...
    assert tag["Tags"] == "index.html" and tag["current"] == ""  # ...but not the same kind
    assert _nav(read("graph.html"))["current"] == "Graph" and top["current"] == ""


def test_a_fragment_renders_once_per_key() -> None:
    env = jinja2.Environment(extensions=[Fragments], autoescape=True)
    calls: list[str] = []
    template = env.from_string("{% fragment k %}<{{ count(k) }}>{% endfragment %}|{% fragment k %}{{ k }}{% endfragment %}")
    store: dict[object, object] = {}

    def count(key: str) -> str:
        calls.append(key)
        return key
    got = [template.render(k=k, count=count, fragments=store) for k in ("a&", "b", "a&")]
    assert got == ["<a&amp;>|a&amp;", "<b>|b", "<a&amp;>|a&amp;"]  # escaped once, not twice
    assert calls == ["a&", "b"]  # the second "a&" page reused the first one's markup
