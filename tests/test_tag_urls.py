"""Tag URLs: a folder per level up to TAG_FOLDERS, deeper levels in the file name, never shared by two tags."""
from __future__ import annotations

import itertools
from pathlib import Path

from kbgen import taglimit
from kbgen.urls import MAX_SEGMENT, TAG_FOLDERS, tag_url

from conftest import build, write_vault
from test_rebuild import _dangling


def test_the_folders_are_the_paged_levels() -> None:
    assert TAG_FOLDERS == taglimit.TAG_PARENTS


def test_usual_tags_keep_their_urls() -> None:
    assert tag_url("Project") == "tags/project.html"
    assert tag_url("a/B/c-d_e") == "tags/a/b/c-d_e.html"
    assert tag_url("émoji🙂") == "tags/émoji🙂.html"
    seventeen = "/".join(f"l{i}" for i in range(TAG_FOLDERS + 1))
    assert tag_url(seventeen) == "tags/" + seventeen + ".html"


def test_case_variants_share_the_url_as_they_share_the_tag() -> None:
    assert tag_url("Straße") == tag_url("STRASSE") == tag_url("strasse")
    assert tag_url("A/" * 30 + "B") == tag_url("a/" * 30 + "b")


def test_deep_levels_go_into_the_file_name() -> None:
    url = tag_url("/".join(f"l{i}" for i in range(20)))
    assert url == "tags/" + "/".join(f"l{i}" for i in range(TAG_FOLDERS)) + "/l16~~l17~~l18~~l19.html"
    deep = tag_url("a/" * 4000 + "a")
    assert deep.count("/") == TAG_FOLDERS + 1
    assert len(deep.rsplit("/", 1)[1].encode()) <= MAX_SEGMENT + len(".html")


def test_long_levels_are_cut() -> None:
    for tag in ("a" * 300, "🙂" * 300, "x/" + "é" * 300):
        assert all(len(part.encode()) <= MAX_SEGMENT + len(".html") for part in tag_url(tag).split("/"))


def test_different_tags_never_share_a_url() -> None:
    levels = ["a", "a-b", "a--b", "-a-b", "index", "x.page-2", "a~b", "~", "", "my tag", "é", "e\u0301", "_"]
    tags = {"/".join(p) for n in (1, 2, 3) for p in itertools.product(levels, repeat=n)}
    deep = {"/".join(["t"] * TAG_FOLDERS + list(p)) for n in (1, 2, 3) for p in itertools.product(levels, repeat=n)}
    keys = {t.casefold() for t in tags | deep}
    assert len({tag_url(t) for t in keys}) == len(keys)
    assert "tags/index.html" not in {tag_url(t) for t in keys}  # the page that lists the tags
    assert tag_url("x.page-2") != "tags/x.page-2.html"  # the second page of #x


def test_a_deep_tag_builds(tmp_path: Path) -> None:
    deep = "a/" * 3000 + "b"
    vault = write_vault(tmp_path / "v", {"Deep.md": f"#{deep} and #A--b and #a-b\n"})
    _, out = build(vault)
    page = (out / "deep.html").read_text(encoding="utf-8")
    for tag in (deep, "A--b", "a-b"):
        assert (out / tag_url(tag)).is_file()
        assert tag_url(tag)[5:] in page  # the body's links, relative from the site root
    assert not _dangling(out)
    assert len(page) < 10 * len(deep)  # search filters for 16 parents, not for each of 3 000 (18 MB)


def test_a_tag_spelled_two_ways_links_to_its_one_page(tmp_path: Path) -> None:
    # `Straße` and `STRASSE` are one tag (case-folded), named after its first spelling
    vault = write_vault(tmp_path / "v", {"A.md": "#Straße\n", "B.md": "#STRASSE and #a--b\n"})
    _, out = build(vault)
    assert '<a href="tags/strasse.html" class="tag">#STRASSE</a>' in (out / "b.html").read_text(encoding="utf-8")
    assert "#Straße" in (out / "tags/strasse.html").read_text(encoding="utf-8")
    assert not _dangling(out)
