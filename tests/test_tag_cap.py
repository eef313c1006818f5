"""Tag pages per note are capped (taglimit.TAG_LIMIT names, parents counted): the rest render as text."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from kbgen import parse, taglimit
from kbgen.build import Builder
from kbgen.check import check

from conftest import build, write_vault
from test_rebuild import _dangling, _files

BIG = "---\ntags: [fm]\n---\n#a/b #A/B/c #x\n\nthen #y and #a and #z/w #Y\n"
"""With a cap of 5 names: fm (1), a/b (a, a/b: 3), a/b/c (4), x (5); y is past it, so are z/w
(z, z/w: two more) and Y (the same tag as y); a adds no name and keeps its page."""


@pytest.fixture(autouse=True)
def small_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(taglimit, "TAG_LIMIT", 5)


def _tag_pages(out: Path) -> list[str]:
    return sorted(p.relative_to(out / "tags").as_posix() for p in (out / "tags").rglob("*.html"))


def test_split_keeps_tags_while_their_names_fit() -> None:
    paged = taglimit.split(("fm", "a/b", "A/B/c", "x", "y", "a", "z/w"))
    assert paged.tags == ("fm", "a/b", "A/B/c", "x", "a") and paged.capped == ("y", "z/w")
    assert paged.paged("A") and not paged.paged("Y")
    assert taglimit.split(("a", "b")).keys is None and taglimit.split(("a", "b")).paged("c")


def test_a_note_gives_pages_to_its_first_tags_only(tmp_path: Path) -> None:
    vault = write_vault(tmp_path / "v", {"Big.md": BIG, "Other.md": "Other has #z/w too.\n"})
    result, out = build(vault)
    assert _tag_pages(out) == ["a.html", "a/b.html", "a/b/c.html", "fm.html", "index.html", "x.html",
                               "z.html", "z/w.html"]  # z/w by Other only
    page = (out / "big.html").read_text(encoding="utf-8")
    for tag in ("y", "Y", "z/w"):
        assert f'<span class="tag">#{tag}</span>' in page
    assert '<a href="tags/a.html" class="tag">#a</a>' in page and '<a href="tags/x.html" class="tag">#x</a>' in page
    listed = re.search(r'<ul class="note-tags".*?</ul>', page, re.S)
    assert listed and re.findall(r">#([^<]*)</a>", listed.group(0)) == ["fm", "a/b", "A/B/c", "x", "a"]
    z = (out / "tags/z/w.html").read_text(encoding="utf-8")
    assert "other.html" in z and "big.html" not in z
    assert not _dangling(out)
    limits = [d.format() for d in result.diagnostics if d.code == "tag-limit"]
    assert limits == ["Big.md:6: tag-limit: '#y' and the 1 other tags after it get no tag page from this "
                      "note, whose tags name more than 5 tags and parent tags: a note gives pages to its "
                      "first 5 only; the rest show as text"]


@pytest.mark.parametrize("text, line", [
    (BIG, 6),  # '#y', the first capped tag, on line 6
    ("---\ntitle: T\ntags: [a, b, c, d, e, f, g]\n---\n#a #z\n", 3),  # front matter: its tags: line
    ("#a #b\n#c #A\n\n#d #e\n#e #f #g\n", 5),
])
def test_the_warning_names_the_first_capped_tags_line(tmp_path: Path, text: str, line: int,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    vault = write_vault(tmp_path / "v", {"Big.md": text})
    for run in ("cold", "warm"):
        result = Builder(vault, tmp_path / run, quiet=True, search=False, jobs=1).build()  # (new site: no replay)
        assert [(d.line, d.code) for d in result.diagnostics] == [(line, "tag-limit")], run
        monkeypatch.setattr(parse, "parse_note", None)  # the warm build takes the note from the cache


def test_kbgen_check_reports_it(tmp_path: Path) -> None:
    vault = write_vault(tmp_path / "v", {"Big.md": BIG})
    _, diags = Builder(vault, tmp_path / "site", quiet=True, search=False, cache=False).collect()
    assert [d.code for d in diags if d.code == "tag-limit"] == ["tag-limit"]
    report = check(vault)
    assert [d.format() for d in report.diagnostics if d.code == "tag-limit"] == \
        [d.format() for d in diags if d.code == "tag-limit"]


EDITS = [
    ("Big.md", BIG),  # crosses the cap
    ("Other.md", "Other has #y now.\n"),  # a page for a tag capped in Big
    ("Big.md", "#y #a/b/c/d/e/f\n"),  # over the cap with a deep tag, in another order
    ("Big.md", "#x #y\n"),  # back under the cap
    ("Other.md", "Other has nothing.\n"),
]


@pytest.mark.parametrize("split", [False, True])
def test_a_rebuild_across_the_cap_equals_a_clean_build(tmp_path: Path, split: bool) -> None:
    vault = write_vault(tmp_path / "v", {"Big.md": "#x\n", "Other.md": "Other has #z/w.\n",
                                         "Near.md": "![[Big]]\n"})
    builder = Builder(vault, tmp_path / "served", quiet=True, search=False)
    builder.build()
    for step, (rel, text) in enumerate(EDITS):
        (vault / rel).write_text(text, encoding="utf-8")
        result = builder.rebuild({vault / rel}, split=split)
        if builder.behind:
            builder.catch_up()
        assert not _dangling(tmp_path / "served"), f"step {step}"
        clean_result, clean = build(vault, tmp_path / f"clean{step}", cache=False)
        assert _files(tmp_path / "served") == _files(clean), f"step {step}"
        assert [d.format() for d in result.diagnostics] == [d.format() for d in clean_result.diagnostics]
