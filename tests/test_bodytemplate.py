"""Body templates (kbgen.bodytemplate): filled on a page, a note's template is its tokens rendered there."""
from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from kbgen import build as build_module
from kbgen.body import BodyRenderer
from kbgen.bodytemplate import MARK, Template, cut_names, fence_languages, make
from kbgen.build import Builder
from kbgen.markdown import make_parser
from kbgen.taglimit import TAG_LIMIT

from conftest import write_vault

NOTES: dict[str, str | bytes] = {
    "A.md": "# A\n\n[[B]] [[B#Sec|to B's section]] [[Missing]] [[#Here]] #tag #tag/sub [md](B.md) #tag\n\n"
            "[[B]][[B]] [[B]] #Tag [[missing]]\n\n"
            "## Here\n\n![[B]]\n\n![[B#Sec]]\n\n![[B#^blk]]\n\n![[pic.png|alt|40x20]] ![ext](https://e.x/i.png)\n\n"
            "> [!note]- Folded [[C]] #tag\n> body ==mark== $x^2$ [[B|in a callout]]\n\n"
            "```python\nx = 1  # [[not a link]]\n```\n\n"
            "- [ ] [[C|task]] [^1]\n\n| a | [[C]] |\n|---|---|\n| ![[pic.png]] | #t2 |\n\n"
            "![[Nope]] ![[gone.png]] %%[[hidden]]%% [[C#Nowhere]]\n\n[^1]: a footnote with [[B]] and #tag\n",
    "B.md": "---\ntags: [fm]\n---\n# B\n\n## Sec\n\ntext [[A#Here]] #b\n\n![[A]]\n\nA block ^blk\n",
    "sub/C.md": "C links [[A]], [[B#Sec]] and <b>raw</b>. ![[sub/D]]\n",
    "sub/D.md": "D embeds ![[sub/C]] (a cycle) and [[A]].\n",
    "Private.md": "---\npublish: false\n---\nsecret\n",
    "E.md": "E links [[Private]] and embeds ![[Private]].\n",
    "pic.png": b"\x89PNG\r\n\x1a\n",
}


def _renderers(builder: Builder, path: str) -> tuple[BodyRenderer, BodyRenderer]:
    """(tokens rendered, templates filled) for the page of `path`."""
    st = builder._state
    assert st is not None
    site, md = st.site, builder._md

    def tokens_of(p: str) -> list:
        return builder._tokens_of(p, site.notes[p])

    def template_of(p: str) -> Template | None:
        return make(md, site.notes[p], tokens_of(p))
    return (BodyRenderer(site, md, site.urls[path], tokens_of),
            BodyRenderer(site, md, site.urls[path], tokens_of, template_of))


def _check_every_note(builder: Builder) -> None:
    st = builder._state
    assert st is not None
    for path, note in st.site.notes.items():
        plain, filled = _renderers(builder, path)
        assert make(builder._md, note, builder._tokens_of(path, note)) is not None, path
        assert filled.render_note(path) == plain.render(path, builder._tokens_of(path, note)), path
        assert filled.diagnostics == plain.diagnostics and filled.deps == plain.deps, path
        assert filled.embeds == plain.embeds


def test_a_filled_template_is_the_rendered_body(tmp_path: Path) -> None:
    vault = write_vault(tmp_path / "vault", NOTES)
    builder = Builder(vault, tmp_path / "site", quiet=True, search=False, cache=False, jobs=1)
    builder.build()
    _check_every_note(builder)


def test_tags_past_the_cap_are_text_in_the_template_too(tmp_path: Path) -> None:
    tags = " ".join(f"#t{i}" for i in range(TAG_LIMIT + 50))
    vault = write_vault(tmp_path / "vault", {"Many.md": f"{tags} #t1 #t{TAG_LIMIT + 10}\n", "B.md": "![[Many]]\n"})
    builder = Builder(vault, tmp_path / "site", quiet=True, search=False, cache=False, jobs=1)
    builder.build()
    st = builder._state
    assert st is not None
    note = st.site.notes["Many.md"]
    template = make(builder._md, note, builder._tokens_of("Many.md", note))
    assert template is not None
    assert len(template.kinds) == TAG_LIMIT  # one hole per paged tag, written once or twice
    html = _renderers(builder, "Many.md")[1].render_note("Many.md")
    assert f'<span class="tag">#t{TAG_LIMIT + 10}</span>' in html and 'href="tags/t1.html"' in html
    _check_every_note(builder)


def test_the_holes_are_the_notes_own_links(tmp_path: Path) -> None:
    """A hole names its link by its place among the note's links: filled, _Links gets the very
    LinkRefs its table holds."""
    vault = write_vault(tmp_path / "vault", NOTES)
    builder = Builder(vault, tmp_path / "site", quiet=True, search=False, cache=False, jobs=1)
    builder.build()
    st = builder._state
    assert st is not None
    note = st.site.notes["A.md"]
    template = make(builder._md, note, builder._tokens_of("A.md", note))
    assert template is not None and not template.extra
    refs = [note.links[i] for kind, i in zip(template.kinds, template.args) if kind != 3]
    assert refs and all(ref in st.site.targets["A.md"] for ref in refs)
    assert not any(MARK in part for part in template.parts)


def test_a_note_whose_holes_cannot_be_told_apart_has_no_template() -> None:
    md = make_parser()
    md.add_render_rule("wikilink_close", lambda self, tokens, idx, options, env:
                       env["kbgen_render"].link_close(tokens[idx].meta["ref"]) * 2)
    from kbgen.parse import parse_note
    note = parse_note("n.md", b"a [[b]] c\n", md)
    assert make(md, note, note.tokens) is None
    assert make(md, parse_note("m.md", b"no links\n", md), parse_note("m.md", b"no links\n", md).tokens) is not None


def test_fence_languages_guesses_the_fences_languages() -> None:
    notes = [b"```python\nx\n```\n", b"text\n  ~~~ rust {.x}\n~~~\n", b"``not a fence``", b"no code"]
    assert fence_languages(notes) == {"python", "rust"}


def _parallel(monkeypatch: pytest.MonkeyPatch) -> None:
    """The notes parsed by worker processes (which send templates) even in a small vault."""
    monkeypatch.setattr(build_module, "PARALLEL_MIN", 1)


def test_a_build_from_templates_is_the_build_from_tokens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    vault = write_vault(tmp_path / "vault", NOTES)
    Builder(vault, tmp_path / "one", quiet=True, search=False, cache=False, jobs=1).build()
    _parallel(monkeypatch)
    two = Builder(vault, tmp_path / "two", quiet=True, search=False, jobs=2)
    two.build()
    bodies = {d: pickle.loads(b) for d, b in two._pickled_bodies.items()}
    cut = two.site.notes["B.md"].digest  # its sections are embedded: its tokens came (cut_names)
    assert isinstance(bodies.pop(cut), list)
    assert bodies and all(isinstance(b, Template) for b in bodies.values())
    # and from the parse cache, which now holds the templates, into a fresh folder
    three = Builder(vault, tmp_path / "three", quiet=True, search=False, jobs=1)
    three.build()
    assert not three._tokens or set(three._tokens) <= {two.site.notes["B.md"].digest}  # (a section embed's)
    trees = [{p.relative_to(tmp_path / n).as_posix(): p.read_bytes()
              for p in sorted((tmp_path / n).rglob("*")) if p.is_file()} for n in ("one", "two", "three")]
    assert trees[0] == trees[1] == trees[2]


@pytest.mark.parametrize("guessed", [True, False])
def test_section_embeds_of_a_templated_note_parse_it_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          guessed: bool) -> None:
    """The parse workers send the tokens of a note whose sections are embedded (cut_names); a
    note the guess misses, kept as a template, is parsed again for the pages that embed its
    sections, once while they come (not once per page)."""
    files: dict[str, str | bytes] = {f"P{i}.md": f"![[Long#H{i % 5}]] ![[sub/long#^b{i % 3}|x]]\n" for i in range(30)}
    files["sub/Long.md"] = "".join(f"# H{i}\n\ntext {i} ^b{i}\n\n" for i in range(5))
    vault = write_vault(tmp_path / "vault", files)
    _parallel(monkeypatch)
    if not guessed:
        from kbgen import bodytemplate
        monkeypatch.setattr(bodytemplate, "cut_names", lambda sources: set())
    parsed = []
    real = build_module._parse_one
    monkeypatch.setattr(build_module, "_parse_one", lambda *a: parsed.append(a[1]) or real(*a))
    builder = Builder(vault, tmp_path / "site", quiet=True, search=False, cache=False, jobs=2, rebuilds=False)
    builder.build()  # (the parse workers' own calls are not seen here)
    assert parsed.count("sub/Long.md") == (0 if guessed else 1)
    page = (tmp_path / "site" / "p7.html").read_text(encoding="utf-8")
    assert "text 2" in page and "text 1" in page


def test_cut_names_guesses_the_notes_whose_sections_are_embedded() -> None:
    notes = [b"![[Long#H1]] ![[a/b/Deep.md#^x|y]] ![[Whole]] ![[#Own]] [[Linked#H]] ![[Bar|x#y]]",
             b"![x](My%20Note.md#Part) ![y](<Other.md#^b>) ![z](pic.png)", "![[\u00c9t\u00e9#x]]".encode()]
    assert cut_names(notes) == {"long", "deep", "my note", "other", "\u00e9t\u00e9"}


def test_the_bundled_vault_from_templates_is_the_vault_from_tokens(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil
    repo = Path(__file__).resolve().parent.parent
    vault = tmp_path / "vault"
    for part in ("notes", "attachments"):
        shutil.copytree(repo / part, vault / part)
    Builder(vault, tmp_path / "one", quiet=True, search=False, cache=False, jobs=1).build()
    _parallel(monkeypatch)
    two = Builder(vault, tmp_path / "two", quiet=True, search=False, cache=False, jobs=2)
    two.build()
    assert any(isinstance(pickle.loads(b), Template) for b in two._pickled_bodies.values())
    trees = [{p.relative_to(tmp_path / n).as_posix(): p.read_bytes()
              for p in sorted((tmp_path / n).rglob("*")) if p.is_file()} for n in ("one", "two")]
    assert trees[0] == trees[1]


def test_tokens_loaded_for_a_section_embed_are_not_loaded_again_for_the_page(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A note whose tokens came from a parse worker is loaded once for the section embeds of it
    and its own page, whichever comes first (the 0.7 MB note of 41 000 headings was unpickled twice)."""
    vault = write_vault(tmp_path / "vault", {"A.md": "![[Z#H]]\n", "Z.md": "# H\n\nz\n"})
    _parallel(monkeypatch)
    builder = Builder(vault, tmp_path / "site", quiet=True, search=False, cache=False, jobs=2, rebuilds=False)
    builder.build()
    z = builder.site.notes["Z.md"]
    assert isinstance(pickle.loads(builder._pickled_bodies[z.digest]), list)  # (cut_names: its tokens came)
    builder._recent.clear()
    builder._templates.clear()
    loads = []
    real = pickle.loads
    monkeypatch.setattr(build_module.pickle, "loads", lambda data: loads.append(1) or real(data))
    tokens = builder._tokens_of("Z.md", z)
    assert builder._template_of("Z.md", z) is None and builder._tokens_of("Z.md", z) is tokens
    assert len(loads) == 1
