"""Privacy: unpublished notes, their attachments and everything kbgen must skip leave no trace in the site.

Each private thing carries a distinctive marker (`zqpriv…`) in its name and its content; the test
reads every byte the build wrote (gzip-compressed search index files decompressed too) and looks
for every marker. A public marker in a published note shows the scan would see a leak.
"""
from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from conftest import build

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8cfc0f01f0005000201a5d6c2a90000000049454e44ae426082")


def png(marker: str) -> bytes:
    """A valid image whose bytes also hold `marker` (after the IEND chunk, ignored by viewers)."""
    return PNG + marker.encode()


PRIVATE_VAULT: dict[str, str | bytes] = {
    "kbgen.toml": 'ignore = ["notes/Journal/**", "*.secret.md"]\nbase_url = "https://example.org/repo/"\n',
    "notes/Home.md": (
        "---\ntitle: Public home zqpubhome\ndate: 2024-03-01\n---\n"
        "Open [[Public]] and [[Public Two]]; searchable word zqpubsearch.\n"),
    "notes/Public.md": (
        "---\ndate: 2024-03-02\ntags: [shared]\n---\n"
        "Read [[Secret zqprivname1|my plan]] and [[Plan zqprivname2#zqprivhead2|the draft]], "
        "or [the file](<Secret zqprivname1.md>) before [[Public Two]].\n\n"
        "![[Secret zqprivname1]]\n\n"
        "![[Plan zqprivname2#zqprivhead2]]\n\n"
        "Shown text. %%zqprivcomment1 ![[zqprivcommentimg1.png]]%%\n\n"
        "%%\nzqprivcomment2 [[Public Two]]\n%%\n\n"
        "An image everyone may see: ![[public zqpubimg.png]]\n"),
    "notes/Public Two.md": "---\ndate: 2024-03-03\n---\nPlain public note. [[Home]]\n",
    # unpublished and draft notes, with every kind of property and link
    "notes/Secret zqprivname1.md": (
        "---\npublish: false\ntitle: Secret title zqprivtitle1\naliases: [zqprivalias1, Old/zqprivoldpath1]\n"
        "permalink: zqprivperma1\ntags: [zqprivtag1]\ndate: 2024-03-04\ndescription: zqprivdesc1\n"
        "image: \"[[zqprivfmimg1.png]]\"\n---\n"
        "# zqprivhead1\nzqprivbody1 links [[Public]], [[Public Two]] and [[zqprivconcept1]] #zqprivtag3\n\n"
        "![[zqprivimg1.png]] [pdf](../attachments/zqprivpdf1.pdf) ^zqprivblock1\n"),
    "notes/Drafts zqprivfolder1/Plan zqprivname2.md": (
        "---\ndraft: true\ntags: [zqprivtag2]\n---\n## zqprivhead2\nzqprivbody2 [[Public]] ![[zqprivimg2.png]]\n"),
    # never read: templates folder, dotfiles, .obsidian, ignore globs
    "notes/templates/Tpl zqprivtpl1.md": "zqprivtplbody [[Public]] ![[zqprivimg3.png]]\n",
    "notes/.hidden zqprivdot1.md": "zqprivdotbody [[Public]]\n",
    ".obsidian/workspace zqprivobs1.json": '{"zqprivobsbody": 1}\n',
    "notes/Journal/Day zqprivjournal1.md": "zqprivjournalbody [[Public]] ![[zqprivimg4.png]]\n",
    "notes/Note zqprivglob1.secret.md": "zqprivglobbody [[Public]]\n",
    # attachments: only the one a published note shows is public
    "attachments/public zqpubimg.png": png("zqpubimgbody"),
    "attachments/zqprivimg1.png": png("zqprivimgbody1"),
    "attachments/zqprivimg2.png": png("zqprivimgbody2"),
    "attachments/zqprivimg3.png": png("zqprivimgbody3"),
    "attachments/zqprivimg4.png": png("zqprivimgbody4"),
    "attachments/zqprivfmimg1.png": png("zqprivfmimgbody1"),
    "attachments/zqprivcommentimg1.png": png("zqprivcommentimgbody1"),
    "attachments/zqprivpdf1.pdf": b"%PDF-1.4 zqprivpdfbody1\n%%EOF\n",
    "attachments/zqprivunref1.pdf": b"%PDF-1.4 zqprivunrefbody1\n%%EOF\n",
    "attachments/.zqprivdotimg1.png": png("zqprivdotimgbody1"),
}

PUBLIC_MARKERS = ["zqpubhome", "zqpubsearch", "zqpubimg", "zqpubimgbody"]


def markers(files: dict[str, str | bytes], prefix: str) -> set[str]:
    found: set[str] = set()
    for name, content in files.items():
        text = name + "\n" + (content.decode("latin-1") if isinstance(content, bytes) else content)
        found.update(re.findall(prefix + r"[a-z]+\d*", text))
    return found


def site_text(out: Path) -> dict[str, str]:
    """Every file of the site by its path: its bytes, and for gzip files the bytes inside too,
    as lower-case text (Pagefind compresses its index and fragments)."""
    texts = {}
    for file in sorted(out.rglob("*")):
        if not file.is_file():
            continue
        data = file.read_bytes()
        parts = [data]
        if data[:2] == b"\x1f\x8b":
            parts.append(gzip.decompress(data))
        elif data[8:10] == b"\x1f\x8b":  # Pagefind's files: an 8-byte signature, then gzip
            parts.append(gzip.decompress(data[8:]))
        rel = file.relative_to(out).as_posix()
        texts[rel] = (rel + "\n" + "\n".join(p.decode("utf-8", "replace") for p in parts)).lower()
    return texts


def leaks(texts: dict[str, str], words: set[str]) -> dict[str, list[str]]:
    return {w: [f for f, t in texts.items() if w in t] for w in sorted(words)
            if any(w in t for t in texts.values())}


@pytest.fixture(scope="module")
def private_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import write_vault
    vault = write_vault(tmp_path_factory.mktemp("privacy") / "vault", PRIVATE_VAULT)
    result, out = build(vault, search=True)
    assert not [d for d in result.diagnostics if d.code == "search"], result.diagnostics
    return out


def test_nothing_private_appears_anywhere_in_the_site(private_site: Path) -> None:
    texts = site_text(private_site)
    assert any(f.startswith("pagefind/") for f in texts), "the search index was not built"
    private = markers(PRIVATE_VAULT, "zqpriv")
    assert len(private) > 40
    assert leaks(texts, private) == {}


def test_the_scan_sees_public_words_in_pages_search_index_and_files(private_site: Path) -> None:
    """The control: the same scan finds what was published, in pages and in Pagefind's files."""
    texts = site_text(private_site)
    found = leaks(texts, set(PUBLIC_MARKERS))
    assert set(found) == set(PUBLIC_MARKERS)
    assert any(f.startswith("pagefind/") and f.endswith(".pf_fragment") for f in found["zqpubsearch"])
    assert any(f.startswith("pagefind/") and "pf_index" in f for f in found["zqpubsearch"])
    assert (private_site / "attachments" / "public zqpubimg.png").is_file()


def test_only_referenced_attachments_are_published(private_site: Path) -> None:
    attachments = sorted(p.name for p in (private_site / "attachments").iterdir())
    assert attachments == ["public zqpubimg.png"]


def test_links_to_private_notes_are_plain_text(private_site: Path) -> None:
    page = (private_site / "public.html").read_text(encoding="utf-8")
    assert ">my plan</span>" in page and ">the draft</span>" in page
    assert "is-unresolved" in page  # shown as text, not as links or concept pages
    assert not (private_site / "concepts").exists()


def test_no_backlinks_tags_or_graph_edges_from_private_notes(private_site: Path) -> None:
    graph = json.loads((private_site / "_kbgen" / "graph.json").read_text(encoding="utf-8"))
    text = json.dumps(graph)
    assert "public-two.html" in text and "zqpriv" not in text
    tags = sorted(p.name for p in (private_site / "tags").iterdir())
    assert tags == ["index.html", "shared.html"]
    two = (private_site / "public-two.html").read_text(encoding="utf-8")
    # Public links to Public Two in shown text; its commented link adds nothing
    assert two.count('href="public.html"') >= 1 and "zqprivcomment" not in two


def test_publish_all_attachments_still_skips_dotfiles_ignored_and_own_files(make_vault) -> None:
    vault = make_vault({
        "kbgen.toml": 'publish_all_attachments = true\nignore = ["attachments/private/**"]\n',
        "notes/Home.md": "Hello.\n",
        "attachments/unreferenced.pdf": b"%PDF-1.4\n",
        "attachments/.hidden.png": PNG,
        "attachments/private/secret.png": PNG,
        ".obsidian/app.json": "{}",
        "notes/templates/T.md": "t",
    })
    _, out = build(vault)
    published = sorted(p.relative_to(out).as_posix() for p in (out / "attachments").rglob("*") if p.is_file())
    assert published == ["attachments/unreferenced.pdf"]
    assert not (out / ".obsidian").exists() and not (out / "templates").exists()


def test_publish_all_attachments_in_a_flat_vault_skips_config_and_theme(make_vault) -> None:
    vault = make_vault({
        "kbgen.toml": 'publish_all_attachments = true\n',
        "Home.md": "Hello.\n",
        "diagram.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
        "theme/static/extra.css": "body{}",
    })
    _, out = build(vault)
    assert (out / "diagram.svg").is_file()
    assert not (out / "kbgen.toml").exists() and not (out / "theme").exists()
    assert (out / "_static" / "extra.css").is_file()  # the theme folder still themes the site
