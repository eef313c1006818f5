"""Front matter: properties as Obsidian reads them, and what the site does with them."""
from __future__ import annotations

from kbgen import frontmatter
from kbgen.markdown import make_parser
from kbgen.model import SourcePath
from kbgen.parse import parse_note

from conftest import build

MD = make_parser()


def parsed(text: str):
    return parse_note(SourcePath("notes/N.md"), text.encode(), MD)


def test_lists_and_scalars():
    n = parsed("---\naliases: Single alias\ntags: one-tag\ncssclasses: [wide]\n---\nbody\n")
    assert n.aliases == ("Single alias",) and n.tags == ("one-tag",)
    assert parsed("---\ntags: a, b\n---\n").tags == ("a, b",)   # a comma string is one value, not split
    assert parsed("---\ntags:\n  - '#x'\n  - y/z\n---\n").tags == ("x", "y/z")
    assert parsed("---\ntags:\n---\n").tags == ()


def test_dates_stay_as_written_and_unknown_keys_are_kept():
    n = parsed("---\ndate: 2024-01-31\nupdated: 2024-02-01T10:30:00\nrating: 5\ncustom: {a: 1}\n---\n")
    assert n.meta["date"] == "2024-01-31" and n.meta["updated"] == "2024-02-01T10:30:00"
    assert n.meta["rating"] == 5 and n.meta["custom"] == {"a": 1}


def test_json_front_matter():
    n = parsed('---\n{"tags": ["journal"], "publish": true, "title": "J"}\n---\ntext\n')
    assert n.tags == ("journal",) and n.title == "J"


def test_bad_types_are_reported_with_lines():
    meta, diags = frontmatter.parse("title: ok\ntags: {a: 1}\naliases: [x, {b: 2}]\n", "notes/N.md")
    assert meta["tags"] == [] and meta["aliases"] == ["x"]
    assert [(d.line, d.code) for d in diags] == [(3, "invalid-front-matter"), (4, "invalid-front-matter")]
    _, diags = frontmatter.parse("- just\n- a list\n", "notes/N.md")
    assert "not a mapping" in diags[0].message


def test_front_matter_links_count_as_links():
    n = parsed('---\nrelated: "[[Other note]]"\nsee: ["[[A]]", "plain"]\n---\n')
    assert sorted(r.target for r in n.links if r.kind == "frontmatter") == ["A", "Other note"]


def test_site_uses_title_description_cssclasses_and_permalink(make_vault):
    vault = make_vault({
        "notes/Note.md": ("---\ntitle: A <Nice> Title\ndescription: Short summary\ncssclasses: [wide, cards]\n"
                          "permalink: guides/intro\ndate: 2024-03-01\n---\nText.\n"),
        "notes/Other.md": "[[Note]]\n",
    })
    _, out = build(vault)
    page = (out / "guides/intro.html").read_text(encoding="utf-8")
    assert "<title>A &lt;Nice&gt; Title" in page
    assert '<meta name="description" content="Short summary">' in page
    assert 'class="note wide cards"' in page or "wide cards" in page
    assert "2024-03-01" in page
    assert 'href="guides/intro.html"' in (out / "other.html").read_text(encoding="utf-8")


def test_unpublished_notes_leave_no_trace(make_vault):
    vault = make_vault({
        "notes/Public.md": "See [[Secret plan]] and [[Draft idea]].\n",
        "notes/Secret plan.md": "---\npublish: false\n---\nsecret words ![[private.png]]\n",
        "notes/Draft idea.md": "---\ndraft: true\n---\ndraft words [[Public]]\n",
        "attachments/private.png": b"\x89PNG",
    })
    result, out = build(vault)
    everything = b"".join(p.read_bytes() for p in out.rglob("*") if p.is_file())
    for marker in (b"secret words", b"draft words", b"private.png", b"secret-plan", b"draft-idea"):
        assert marker not in everything, marker
    page = (out / "public.html").read_text(encoding="utf-8")
    assert page.count('class="internal-link is-unresolved"') == 2
    assert not (out / "attachments").exists()
