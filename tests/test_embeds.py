"""Transclusion and file embeds: notes, headings, blocks, cycles, depth, media, external images."""
from __future__ import annotations

import re

from conftest import build, codes

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8cfc0f01f0005000201a5d6c2a90000000049454e44ae426082")


def body(out, url):
    text = (out / url).read_text(encoding="utf-8")
    return text.split('<div class="note-body markdown-rendered">', 1)[1].split("\n  </div>\n</article>", 1)[0]


def test_links_inside_embedded_content_resolve_from_the_embedded_note(make_vault):
    vault = make_vault({
        "notes/A/Host.md": "![[Guest]]\n",
        "notes/B/Guest.md": "---\ntags: [x]\n---\nSee [[Sibling]] and [[#Local]].\n\n## Local\ntext\n",
        "notes/B/Sibling.md": "in B\n",
        "notes/A/Sibling.md": "in A\n",
    })
    result, out = build(vault)
    page = body(out, "a/host.html")
    assert 'href="../b/sibling.html"' in page            # B's Sibling, as Guest resolves it
    assert 'href="../b/guest.html#local"' in page         # [[#Local]] of the guest, not of the host
    assert "tags:" not in page                             # front matter dropped
    assert re.search(r'<div class="markdown-embed-title"><a class="internal-link" href="../b/guest.html">Guest</a>', page)


def test_heading_and_block_embeds(make_vault):
    vault = make_vault({
        "notes/Src.md": ("# Top\nintro\n\n## Part\npart text\n\n### Sub\nsub text\n\n## Next\nnext text\n\n"
                         "A paragraph block ^para\n\n- one\n- two ^item\n  - child\n- three\n\n"
                         "| a | b |\n|---|---|\n| 1 | 2 |\n\n^tbl\n"),
        "notes/Host.md": "![[Src#Part]]\n\n![[Src#^para]]\n\n![[Src#^item]]\n\n![[Src#^tbl]]\n",
    })
    result, out = build(vault)
    page = body(out, "host.html")
    text = re.sub(r"<[^>]+>", " ", page)
    assert "part text" in text and "sub text" in text and "next text" not in text and "intro" not in text
    assert "A paragraph block" in text and "block ^para" not in text
    assert re.search(r"<li[^>]*>two\s*<ul>\s*<li>child</li>", page)   # the item with its children
    assert "one" not in text and "three" not in text
    assert "<table" in page
    assert not [c for c in codes(result) if c[2].startswith("missing")]


def test_cycles_and_self_embeds_are_cut(make_vault):
    vault = make_vault({
        "notes/A.md": "A text ![[B]]\n\n![[A]]\n",
        "notes/B.md": "B text\n\n![[A]]\n",
    })
    result, out = build(vault)
    page = body(out, "a.html")
    assert page.count("B text") == 1
    assert 'class="internal-link embed-cut"' in page
    assert {c[2] for c in codes(result)} >= {"embed-cycle"}


def test_depth_limit(make_vault):
    files = {f"notes/N{i}.md": f"level {i}\n\n![[N{i + 1}]]\n" for i in range(12)}
    files["notes/N12.md"] = "bottom\n"
    result, out = build(make_vault(files))
    page = body(out, "n0.html")
    assert "level 5" in page and "level 7" not in page
    assert "embed-depth" in {c[2] for c in codes(result)}


def test_missing_note_heading_and_block_embeds(make_vault):
    vault = make_vault({"notes/A.md": "![[Nope]]\n\n![[B#No heading]]\n\n![[B#^noblock]]\n", "notes/B.md": "b\n"})
    result, out = build(vault)
    page = body(out, "a.html")
    assert "“Nope” is not created yet." in page
    assert "Unable to find “No heading”" in page and "Unable to find “^noblock”" in page
    # one diagnostic each: the resolver names the missing heading and block, rendering adds none
    assert [c for c in codes(result) if c[2] in ("missing-embed", "missing-heading", "missing-block")] == [
        ("notes/A.md", 1, "missing-embed"), ("notes/A.md", 3, "missing-heading"), ("notes/A.md", 5, "missing-block")]


def test_embeds_count_as_links(make_vault):
    vault = make_vault({"notes/A.md": "![[B]]\n", "notes/B.md": "b\n"})
    _, out = build(vault)
    page = (out / "b.html").read_text(encoding="utf-8")
    assert 'class="internal-link backlink-title" href="a.html">A</a>' in page


def test_media_embeds(make_vault):
    vault = make_vault({
        "notes/A.md": ("![[song.mp3]] ![[clip.mp4]] ![[clip.webm]] ![[doc.pdf#page=3]] ![[doc.pdf#height=400]] "
                       "![[data.zip]] ![[icon.png#icon]] ![[pic.png|alt text|100x50]] ![[pic.png|200]]\n\n"
                       "![Engelbart|100x145](https://example.com/e.jpg) ![250](https://example.com/f.jpg)\n"),
        "attachments/song.mp3": b"ID3", "attachments/clip.mp4": b"x", "attachments/clip.webm": b"x",
        "attachments/doc.pdf": b"%PDF-1.4", "attachments/data.zip": b"PK", "attachments/icon.png": PNG,
        "attachments/pic.png": PNG,
    })
    result, out = build(vault)
    page = body(out, "a.html")
    assert '<audio controls src="attachments/song.mp3"' in page
    assert '<video controls src="attachments/clip.mp4"' in page and '<video controls src="attachments/clip.webm"' in page
    assert 'class="embed-pdf" src="attachments/doc.pdf#page=3"' in page
    assert 'src="attachments/doc.pdf" title="doc.pdf" style="height:400px"' in page
    assert '<a class="embed-file internal-link" href="attachments/data.zip" download>data.zip</a>' in page
    assert '<img src="attachments/icon.png"' in page
    assert '<img src="attachments/pic.png" alt="alt text" width="100" height="50"' in page
    assert '<img src="attachments/pic.png" alt="pic.png" width="200"' in page
    assert '<img src="https://example.com/e.jpg" alt="Engelbart" width="100" height="145"' in page
    assert '<img src="https://example.com/f.jpg" alt="" width="250"' in page
    assert result.missing_attachments == 0


def test_external_links_are_marked(make_vault):
    vault = make_vault({"notes/A.md": "[site](https://example.com) and https://example.org\n"})
    _, out = build(vault)
    page = body(out, "a.html")
    assert page.count('class="external-link" rel="noopener nofollow"') == 2
