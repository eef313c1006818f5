"""obsidian-export's test vaults (../shared/conformance/obsidian-export-testdata/): every input vault
builds, and embeds, recursion, trimming, escaping and names behave as their expected outputs say.

The expected side is CommonMark, so pages are compared on meaning: which text is embedded, where
links go, what stays literal.
"""
from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest

from conftest import SHARED, build, codes

DATA = SHARED / "conformance" / "obsidian-export-testdata" / "input"
pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason=f"{DATA} is absent")
VAULTS = sorted(p.name for p in DATA.iterdir()) if DATA.is_dir() else []


def _site(tmp_path: Path, name: str) -> tuple[object, Path]:
    vault = tmp_path / name
    shutil.copytree(DATA / name, vault)
    return build(vault, tmp_path / "site")


def _body(out: Path, url: str) -> str:
    text = (out / url).read_text(encoding="utf-8")
    return text.split('<div class="note-body markdown-rendered">', 1)[1].split("\n  </div>\n</article>", 1)[0]


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment))


@pytest.mark.parametrize("name", VAULTS)
def test_every_input_vault_builds(tmp_path: Path, name: str) -> None:
    result, out = _site(tmp_path, name)
    assert result.errors == 0, [d.format() for d in result.diagnostics if d.level == "error"]
    assert result.notes == len(list((DATA / name).rglob("*.md")))
    assert (out / "index.html").is_file()


def test_embeds(tmp_path: Path) -> None:
    result, out = _site(tmp_path, "main-samples")
    page = _body(out, "embeds.html")
    text = _text(page)
    assert text.count("Note with frontmatter.") == 2           # once plain, once inside the quote
    assert re.search(r"<blockquote>\s*<div class=\"internal-embed", page)
    assert "foo: bar" not in text and "---" not in text         # front matter is dropped
    assert "non-existing note" in text and "embed-note-missing" in page
    assert '<img src="white.png"' in page and '<img src="bulb.svg"' in page
    assert 'class="embed-pdf" src="note.pdf"' in page
    assert "<code>![[note-with-frontmatter]]</code>" in page   # code stays literal
    assert "![[Not a valid embed.]" in text and "![[Partial embed" in text
    assert '<img src="white.png" alt="image, not embed"' in page
    assert ("embeds.md", 7, "missing-embed") in codes(result)


def test_partial_embeds(tmp_path: Path) -> None:
    _, out = _site(tmp_path, "main-samples")
    text = _text(_body(out, "embeds-partial-note.html"))
    assert "Second paragraph." in text and "Subheading" in text and "Three" in text
    assert "First paragraph." not in text and "Don't delete" not in text   # the real heading, not the paragraph
    assert "also named heading" not in text                                # the first "Heading" section only
    assert "![[Partial embed" in _text(_body(out, "partial-embed-at-eof.html"))


def test_infinite_recursion_is_cut_with_a_link(tmp_path: Path) -> None:
    result, out = _site(tmp_path, "infinite-recursion")
    page = _body(out, "note-a.html")
    text = _text(page)
    for expected in ("This note (A) embeds note B", "This note (B) embeds note C",
                     "This note (C) embeds note A", "Note C ends here."):
        assert expected in text
    assert text.count("This note (A) embeds") == 1
    assert re.search(r'<a class="internal-link embed-cut" href="note-a.html">→ Note A</a>', page)
    assert any(c[2] == "embed-cycle" for c in codes(result))


def test_wikilinks_case_trimming_and_escaping(tmp_path: Path) -> None:
    _, out = _site(tmp_path, "main-samples")
    page = _body(out, "obsidian-wikilinks.html")
    assert page.count('href="pure-markdown-examples.html"') == 3
    assert re.search(r'href="pure-markdown-examples.html#heading-1"[^>]*>pure-markdown-examples &gt; Heading 1</a>', page)
    assert 'href="uppercased-note.html"' in page and 'href="_underscored-note.html"' in page
    assert "<code>[[pure-markdown-examples]]</code>" in page
    assert "[[unclosed link" in _text(page)
    target = (out / "pure-markdown-examples.html").read_text(encoding="utf-8")
    assert 'id="heading-1"' in target
    trimmed = _body(out, "issue-188-wikilinks-need-trimming.html")
    assert trimmed.count('href="foo.html"') == 12  # foo has no ^abc block: the links go to its top
    assert "foo &gt; ^abc" in trimmed


def test_section_and_block_references(tmp_path: Path) -> None:
    _, out = _site(tmp_path, "main-samples")
    a = _body(out, "section-ref-a.html")
    assert 'href="#this-is-a-header"' in a and 'id="this-is-a-header"' in a
    assert 'href="#^dda637"' in a and 'id="^dda637"' in a
    assert "^dda637" not in _text(a).replace("^dda637", "", 1)  # the marker itself is not shown
    b = _body(out, "section-ref-b.html")
    assert 'href="section-ref-a.html#this-is-a-header"' in b and 'href="section-ref-a.html#^dda637"' in b


def test_non_ascii_names(tmp_path: Path) -> None:
    _, out = _site(tmp_path, "non-ascii")
    page = _body(out, "embed.html")
    assert 'href="n%C3%B6te-with-quotes.html"' in page
    assert "This note has quotes in the filename." in _text(page)


def test_same_filename_different_directories(tmp_path: Path) -> None:
    _, out = _site(tmp_path, "same-filename-different-directories")
    page = _body(out, "note.html")
    assert re.search(r'href="dir1/note.html"[^>]*>note from dir1</a>', page)
    assert re.search(r'href="dir2/note.html"[^>]*>note from dir2</a>', page)
    text = _text(page)
    assert "Note in dir1." in text and "Note in dir2." in text
