"""Site files for the outside world: sitemap.xml, the Atom feed, redirect pages, canonical and
Open Graph meta, and the 404 page — absolute URLs only where base_url is needed."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import build, codes, write_vault
from kbgen.feeds import FEED_LIMIT, parse_date

ATOM = "{http://www.w3.org/2005/Atom}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BASE = "https://alice.github.io/bio/"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8cfc0f01f0005000201a5d6c2a90000000049454e44ae426082")


@pytest.fixture
def vault(make_vault):
    return make_vault({
        "kbgen.toml": f'base_url = "{BASE}"\ntitle = "Bio & more"\n',
        "notes/Home.md": "---\nupdated: 2024-02-01\n---\nStart at [[Cell]].\n",
        "notes/Cell.md": (
            "---\ndate: 2024-01-05\nupdated: 2024-03-10T09:30:00+01:00\ntags: [biology, cells]\n"
            "description: What a cell is.\naliases: [Cells, Old/Cell biology]\n---\n"
            "# Cell\n![[Pasted image 1.png]]\nSee [[Membrane]].\n"),
        "notes/Membrane.md": "---\ndate: 2024-03-10\npermalink: topics/membrane\n---\nLipid bilayer.\n",
        "notes/Undated.md": "No date here. [[Cell]]\n",
        "notes/Bad date.md": "---\ntitle: Bad\ndate: someday soon\n---\nText.\n",
        "notes/Draft.md": "---\ndraft: true\ndate: 2030-01-01\naliases: [Drafty]\n---\nNot yet.\n",
        "attachments/Pasted image 1.png": PNG,
    })


def page(out: Path, url: str) -> str:
    return (out / url).read_text(encoding="utf-8")


def test_sitemap_lists_every_page_with_absolute_urls(vault: Path) -> None:
    _, out = build(vault)
    root = ET.parse(out / "sitemap.xml").getroot()
    entries = {u.find(f"{SM}loc").text: u.find(f"{SM}lastmod") for u in root}  # type: ignore[union-attr]
    locs = set(entries)
    assert all(loc.startswith(BASE) for loc in locs)
    assert {BASE + "index.html", BASE + "cell.html", BASE + "topics/membrane.html", BASE + "undated.html",
            BASE + "bad-date.html", BASE + "tags/biology.html", BASE + "graph.html"} <= locs
    assert BASE + "404.html" not in locs and BASE + "draft.html" not in locs
    assert BASE + "cells.html" not in locs  # redirects are not pages
    assert entries[BASE + "cell.html"].text == "2024-03-10T08:30:00Z"  # type: ignore[union-attr]
    assert entries[BASE + "undated.html"] is None


def test_feed_is_atom_of_dated_notes_newest_first(vault: Path) -> None:
    result, out = build(vault)
    feed = ET.parse(out / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    assert feed.find(f"{ATOM}title").text == "Bio & more"  # type: ignore[union-attr]
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == BASE + "feed.xml"  # type: ignore[union-attr]
    entries = feed.findall(f"{ATOM}entry")
    titles = [e.find(f"{ATOM}title").text for e in entries]  # type: ignore[union-attr]
    # Cell was updated at 08:30 UTC on the day Membrane is dated (midnight): Cell comes first
    assert titles == ["Cell", "Membrane", "Home"]
    cell = entries[0]
    assert cell.find(f"{ATOM}id").text == BASE + "cell.html"  # type: ignore[union-attr]
    assert cell.find(f"{ATOM}updated").text == "2024-03-10T08:30:00Z"  # type: ignore[union-attr]
    assert cell.find(f"{ATOM}published").text == "2024-01-05T00:00:00Z"  # type: ignore[union-attr]
    assert cell.find(f"{ATOM}summary").text == "What a cell is."  # type: ignore[union-attr]
    assert [c.get("term") for c in cell.findall(f"{ATOM}category")] == ["biology", "cells"]
    assert entries[1].find(f"{ATOM}link").get("href") == BASE + "topics/membrane.html"  # type: ignore[union-attr]
    assert feed.find(f"{ATOM}updated").text == "2024-03-10T08:30:00Z"  # type: ignore[union-attr]
    assert "Not yet" not in page(out, "feed.xml")
    # a date that cannot be read is reported where it is written, and the note stays out
    assert ("notes/Bad date.md", 3, "invalid-date") in codes(result)


def test_feed_keeps_the_newest_notes_only(make_vault) -> None:
    notes = {f"notes/N{i:02}.md": f"---\ndate: 2024-01-{i:02}\n---\nNote {i}.\n" for i in range(1, 29)}
    notes.update({f"notes/M{i:02}.md": f"---\ndate: 2023-12-{i:02}\n---\nOld {i}.\n" for i in range(1, 29)})
    vault = make_vault({"kbgen.toml": f'base_url = "{BASE}"\n', **notes})
    _, out = build(vault)
    entries = ET.parse(out / "feed.xml").getroot().findall(f"{ATOM}entry")
    assert len(entries) == FEED_LIMIT
    assert entries[0].find(f"{ATOM}title").text == "N28"  # type: ignore[union-attr]
    assert entries[-1].find(f"{ATOM}title").text == "M27"  # type: ignore[union-attr]


def test_no_sitemap_or_feed_without_base_url(make_vault) -> None:
    vault = make_vault({"notes/Home.md": "---\ndate: 2024-01-01\naliases: [Start]\n---\nHi.\n"})
    _, out = build(vault)
    assert not (out / "sitemap.xml").exists() and not (out / "feed.xml").exists()
    home = page(out, "index.html")
    assert 'rel="canonical"' not in home and "og:url" not in home and "application/atom+xml" not in home
    assert (out / "start.html").is_file()  # redirects need no base_url


def test_alias_and_permalink_redirects(vault: Path) -> None:
    result, out = build(vault)
    old = page(out, "old/cell-biology.html")
    assert '<meta http-equiv="refresh" content="0; url=../cell.html">' in old
    assert '<link rel="canonical" href="https://alice.github.io/bio/cell.html">' in old
    assert '<a href="../cell.html">Cell</a>' in old
    assert 'url=cell.html"' in page(out, "cells.html")
    # permalink: the note lives at its permalink, its default URL redirects there
    assert "Lipid bilayer" in page(out, "topics/membrane.html")
    assert 'url=topics/membrane.html"' in page(out, "membrane.html")
    assert not (out / "drafty.html").exists()  # a draft's alias makes nothing
    assert not [c for c in codes(result) if c[2] == "redirect-conflict"]


def test_redirects_never_replace_pages_or_each_other(make_vault) -> None:
    vault = make_vault({
        "notes/Home.md": "Hi.\n",
        "notes/Glossary.md": "Terms.\n",
        "notes/A.md": "---\naliases: [Glossary, Shared, graph]\n---\nA.\n",
        "notes/B.md": "---\naliases: [shared]\n---\nB.\n",
        "notes/Topics/index.md": "Topics.\n",
        "notes/C.md": "---\naliases: [Topics/index]\n---\nC.\n",
    })
    result, out = build(vault)
    assert "Terms." in page(out, "glossary.html")  # the real page wins
    assert "http-equiv" not in page(out, "graph.html")  # so does a generated one
    assert "http-equiv" not in page(out, "topics/index.html")
    assert 'url=a.html"' in page(out, "shared.html")  # first note in path order wins
    assert ("notes/B.md", 0, "redirect-conflict") in codes(result)


def test_canonical_and_open_graph_use_base_url(vault: Path) -> None:
    _, out = build(vault)
    cell = page(out, "cell.html")
    assert '<link rel="canonical" href="https://alice.github.io/bio/cell.html">' in cell
    assert '<meta property="og:url" content="https://alice.github.io/bio/cell.html">' in cell
    assert '<meta property="og:title" content="Cell">' in cell
    assert '<meta property="og:description" content="What a cell is.">' in cell
    assert ('<meta property="og:image" content="https://alice.github.io/bio/attachments/Pasted%20image%201.png">'
            in cell)
    assert '<meta name="twitter:card" content="summary_large_image">' in cell
    assert '<link rel="alternate" type="application/atom+xml" title="Bio &amp; more" href="feed.xml">' in cell
    # everything else stays relative
    assert 'href="_static/' in cell or 'href="./_static/' in cell
    hrefs = re.findall(r'(?:href|src)="([^"]+)"', cell)
    absolute = [h for h in hrefs if h.startswith(("http:", "https:", "/"))]
    assert absolute == ["https://alice.github.io/bio/cell.html"]  # the canonical link only


def test_404_page_resolves_from_the_site_root(vault: Path, tmp_path: Path) -> None:
    _, out = build(vault)
    missing = page(out, "404.html")
    assert '<base href="https://alice.github.io/bio/">' in missing
    assert 'href="https://alice.github.io/bio/index.html"' in missing
    plain = write_vault(tmp_path / "plain", {"notes/Other.md": "x"})
    _, out2 = build(plain)
    assert "<base " not in page(out2, "404.html")


def test_site_files_are_deterministic(vault: Path, tmp_path: Path) -> None:
    _, a = build(vault, tmp_path / "a")
    _, b = build(vault, tmp_path / "b")
    for name in ("sitemap.xml", "feed.xml", "old/cell-biology.html", "membrane.html"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


@pytest.mark.parametrize("value, expected", [
    ("2024-01-31", "2024-01-31T00:00:00+00:00"),
    ("2024-01-31T10:20", "2024-01-31T10:20:00+00:00"),
    ("2024-01-31 10:20:30", "2024-01-31T10:20:30+00:00"),
    ("2024-01-31T10:20:30Z", "2024-01-31T10:20:30+00:00"),
    ("2024-01-31T10:20:30-02:00", "2024-01-31T12:20:30+00:00"),
    ("31/01/2024", None),
    ("", None),
    (2024, None),
])
def test_parse_date(value: object, expected: str | None) -> None:
    got = parse_date(value)
    assert (got.isoformat() if got else None) == expected


def test_a_base_url_without_scheme_is_refused(make_vault, capsys: pytest.CaptureFixture[str]) -> None:
    from kbgen.cli import main
    vault = make_vault({"notes/Home.md": "Hi.\n"})
    assert main(["build", str(vault), "--no-search", "--base-url", "alice.github.io/bio"]) == 2
    assert "--base-url must be an absolute http(s) URL" in capsys.readouterr().err
    (vault / "kbgen.toml").write_text('base_url = "/bio/"\n', encoding="utf-8")
    assert main(["build", str(vault), "--no-search"]) == 2
    assert "key 'base_url' must be an absolute http(s) URL" in capsys.readouterr().err
    assert not (vault.parent / "site").exists()
