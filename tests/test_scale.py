"""No page grows with the vault: a hub's backlinks, a big tag and a big folder are paginated."""
from __future__ import annotations

from pathlib import Path

from conftest import build, write_vault


def _vault(root: Path, n: int) -> Path:
    files = {"notes/Hub.md": "The hub. #everything\n"}
    for i in range(n):
        files[f"notes/Flat/Note {i:04d}.md"] = (
            f"Note {i} says something about [[Hub]] and [[Missing concept]] in one sentence. #everything\n")
    return write_vault(root, files)


def _largest(out: Path) -> tuple[int, str]:
    return max((p.stat().st_size, p.relative_to(out).as_posix()) for p in out.rglob("*.html"))


def test_largest_page_does_not_grow_with_the_vault(tmp_path: Path) -> None:
    _, small = build(_vault(tmp_path / "small", 150), tmp_path / "small-site")
    _, big = build(_vault(tmp_path / "big", 600), tmp_path / "big-site")
    small_size, _ = _largest(small)
    big_size, name = _largest(big)
    assert big_size <= small_size * 1.1, f"{name} grew from {small_size} to {big_size} bytes"
    total_small = sum(p.stat().st_size for p in small.rglob("*") if p.is_file())
    total_big = sum(p.stat().st_size for p in big.rglob("*") if p.is_file())
    assert total_big < total_small * 4 * 1.2   # linear in the number of notes


def test_continuation_pages_list_everything(tmp_path: Path) -> None:
    _, out = build(_vault(tmp_path / "v", 180), tmp_path / "site")
    hub = (out / "hub.html").read_text(encoding="utf-8")
    assert 'href="hub.backlinks.html">All 180 backlinks</a>' in hub
    listed = ""
    for page in sorted(out.glob("hub.backlinks*.html")):
        listed += page.read_text(encoding="utf-8")
    shown = hub.count('class="backlink"') + listed.count('class="backlink"')
    assert shown == 180
    tag_pages = sorted(out.glob("tags/everything*.html"))
    assert len(tag_pages) == 2 and 'rel="next"' in (out / "tags/everything.html").read_text(encoding="utf-8")
    assert (out / "flat/index.page-2.html").exists()
