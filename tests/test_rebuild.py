"""Builder.rebuild() after edits gives exactly the site a clean build gives (fast path and full pass)."""
from __future__ import annotations

from pathlib import Path

import pytest

from kbgen.build import Builder

from conftest import build, write_vault

VAULT = {
    "notes/Home.md": "# Home\nStart at [[A]] and [[B]]. #start\n",
    "notes/A.md": "---\ntags: [alpha]\n---\nA links [[B]], [[C]] and [[Concept one]].\n\n## Part\npart of A ^blk\n",
    "notes/B.md": "B embeds ![[A#Part]] and links [[Hub]].\n",
    "notes/C.md": "C links [[Hub]] and [[Concept one]].\n",
    "notes/Hub.md": "Hub links [[A]].\n",
    "notes/D/E.md": "E links [[Hub]] and [[C]] #deep/tag\n",
    "notes/F.md": "F embeds ![[B]] and shows ![[pic.png]].\n",
    "attachments/pic.png": b"\x89PNG\r\n",
}

EDITS = [
    ("notes/C.md", "C links [[Hub]], [[Concept one]] and now [[A]] and [[New concept]].\n"),
    ("notes/A.md", "---\ntags: [alpha, beta]\n---\nA links [[B]] only.\n\n## Part\nchanged part ^blk\n"),
    ("notes/Hub.md", "Hub links [[A]] and [[D/E]] and [[Concept one]].\n"),
    ("notes/C.md", "C links nothing now.\n"),
    ("notes/A.md", "---\ntags: [alpha, beta]\n---\nA links [[B]] only.\n\n## Part renamed\nheading changed\n"),
    ("notes/F.md", "F embeds ![[B]] but no picture.\n"),
    ("notes/New.md", "A new note linking [[Hub]].\n"),
    ("notes/Home.md", "# Home\nStart at [[A]], [[New]]. #start #other\n"),
]


def _files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("cache", [True, False])
def test_every_rebuild_equals_a_clean_build(tmp_path: Path, cache: bool) -> None:
    vault = write_vault(tmp_path / "vault", VAULT)
    builder = Builder(vault, tmp_path / "served", quiet=True, search=False, cache=cache)
    builder.build()
    for step, (rel, text) in enumerate(EDITS):
        (vault / rel).write_text(text, encoding="utf-8")
        result = builder.rebuild({vault / rel})
        _, clean = build(vault, tmp_path / f"clean{step}", cache=False)
        served, expected = _files(tmp_path / "served"), _files(clean)
        assert sorted(served) == sorted(expected), f"step {step}: files differ"
        for name in expected:
            assert served[name] == expected[name], f"step {step}: {name} differs"
        assert [d.format() for d in result.diagnostics] == \
            [d.format() for d in build(vault, tmp_path / f"again{step}", cache=False)[0].diagnostics]


def test_fast_path_renders_only_affected_pages(tmp_path: Path) -> None:
    vault = write_vault(tmp_path / "vault", VAULT)
    builder = Builder(vault, tmp_path / "served", quiet=True, search=False)
    full = builder.build()
    (vault / "notes/D/E.md").write_text("E links [[Hub]] and [[C]] and more words #deep/tag\n", encoding="utf-8")
    result = builder.rebuild({vault / "notes/D/E.md"})
    assert 0 < result.rendered < full.rendered
    assert "d/e.html" in result.changed
    assert "b.html" not in result.changed  # B neither links to E nor shows it


def test_settings_in_pyproject_rebuild_from_scratch(tmp_path: Path) -> None:
    vault = write_vault(tmp_path / "vault", {**VAULT, "pyproject.toml": '[tool.kbgen]\ntitle = "Before"\n'})
    builder = Builder(vault, tmp_path / "served", quiet=True, search=False)
    builder.build()
    (vault / "pyproject.toml").write_text('[tool.kbgen]\ntitle = "After"\n', encoding="utf-8")
    builder.rebuild({vault / "pyproject.toml"})
    assert "After" in (tmp_path / "served" / "a.html").read_text(encoding="utf-8")


def test_a_deferred_rebuild_shows_the_edit_at_once_and_the_global_graph_after_finish(tmp_path: Path) -> None:
    vault = write_vault(tmp_path / "vault", VAULT)
    builder = Builder(vault, tmp_path / "served", quiet=True, search=False)
    builder.build()
    graph_files = {"graph.html", "_kbgen/graph.json", ".kbgen-site"}  # the manifest holds their fingerprints
    deferred = 0
    for step, (rel, text) in enumerate(EDITS):
        before = _files(tmp_path / "served")
        (vault / rel).write_text(text, encoding="utf-8")
        builder.rebuild({vault / rel}, defer=True)
        _, clean = build(vault, tmp_path / f"clean{step}", cache=False)
        served, expected = _files(tmp_path / "served"), _files(clean)
        assert sorted(served) == sorted(expected), f"step {step}: files differ"
        for name in set(expected) - graph_files:
            assert served[name] == expected[name], f"step {step}: {name} differs before finish()"
        if builder.unfinished:
            deferred += 1
            assert all(served[f] == before[f] for f in graph_files - {".kbgen-site"}), f"step {step}: graph not deferred"
            assert builder.finish().changed, f"step {step}: finish() changed nothing"
            assert not builder.unfinished
        served = _files(tmp_path / "served")
        for name in graph_files:
            assert served[name] == expected[name], f"step {step}: {name} differs after finish()"
    assert deferred >= 3  # the link edits among EDITS (not the new note: a full pass lays out anew)


def test_an_edit_that_keeps_the_links_needs_no_finish(tmp_path: Path) -> None:
    vault = write_vault(tmp_path / "vault", VAULT)
    builder = Builder(vault, tmp_path / "served", quiet=True, search=False)
    builder.build()
    (vault / "notes/C.md").write_text("C still links [[Hub]] and [[Concept one]], in new words.\n", encoding="utf-8")
    result = builder.rebuild({vault / "notes/C.md"}, defer=True)
    assert "c.html" in result.changed and not builder.unfinished


def test_a_concept_renamed_by_its_first_mention_gets_its_new_name_in_the_graph(tmp_path: Path) -> None:
    vault = write_vault(tmp_path / "vault", {"notes/A.md": "A mentions [[some idea]].\n",
                                             "notes/B.md": "B mentions [[Some Idea]] too.\n"})
    builder = Builder(vault, tmp_path / "served", quiet=True, search=False)
    builder.build()
    (vault / "notes/A.md").write_text("A mentions [[SOME IDEA]].\n", encoding="utf-8")
    builder.rebuild({vault / "notes/A.md"}, defer=True)
    builder.finish()
    _, clean = build(vault, tmp_path / "clean", cache=False)
    assert _files(tmp_path / "served") == _files(clean)


def test_serve_compiles_every_template_before_the_first_edit(tmp_path: Path) -> None:
    """A cold build may render every page in workers; the serving process has the templates
    compiled anyway, so its first edit does not pay for it."""
    root = write_vault(tmp_path / "v", {"A.md": "# A\n[[B]]\n", "B.md": "# B\n"})
    b = Builder(root, tmp_path / "site", quiet=True, keep_state=True, search=False)
    b.build()
    names = set(b._theme.env.list_templates(extensions=["html", "xml", "txt"]))
    assert {"note.html", "base.html", "graph.html", "partials/backlinks.html"} <= names
    compiled = {name for (_, name) in b._theme.env.cache.keys()}
    assert names <= compiled


def _dangling(out: Path) -> list[str]:
    """Relative links of the site's pages whose file does not exist."""
    import re
    bad = []
    for page in out.rglob("*.html"):
        for href in re.findall(r'(?<![-\w])(?:href|src)="([^"#?:]+)', page.read_text(encoding="utf-8")):
            if not href.startswith("/") and not (page.parent / href).resolve().exists():
                bad.append(f"{page.relative_to(out)} → {href}")
    return bad


def test_a_split_rebuild_writes_the_edited_page_first_and_the_rest_at_catch_up(tmp_path: Path) -> None:
    vault = write_vault(tmp_path / "vault", VAULT)
    builder = Builder(vault, tmp_path / "served", quiet=True, search=False)
    builder.build()
    split = 0
    for step, (rel, text) in enumerate(EDITS):
        before = _files(tmp_path / "served")
        (vault / rel).write_text(text, encoding="utf-8")
        first = builder.rebuild({vault / rel}, split=True)
        _, clean = build(vault, tmp_path / f"clean{step}", cache=False)
        served, expected = _files(tmp_path / "served"), _files(clean)
        assert not _dangling(tmp_path / "served"), f"step {step}: a link broke before catch_up()"
        if builder.behind:
            split += 1
            page = next(p for p in first.changed if p.endswith(".html"))
            assert served[page] == expected[page], f"step {step}: the edited page is not written first"
            assert set(served) >= set(before), f"step {step}: a page was removed before catch_up()"
            late = {n for n in expected if served.get(n) != expected[n]} - {".kbgen-site"}
            assert late and all(served.get(n) == before.get(n) for n in late), f"step {step}: {late}"
            again = builder.catch_up()
            assert late <= set(again.changed) and not builder.behind
            served = _files(tmp_path / "served")
        assert served == expected, f"step {step}: the site differs from a clean build"
    assert split >= 3  # the link edits of EDITS that remove no page


def test_a_build_after_a_split_rebuild_does_not_take_the_site_as_up_to_date(tmp_path: Path) -> None:
    """serve stopped between the two halves of a split rebuild: `kbgen build` redoes the rest."""
    vault = write_vault(tmp_path / "vault", VAULT)
    Builder(vault, tmp_path / "served", quiet=True, search=False).build()
    serving = Builder(vault, tmp_path / "served", quiet=True, search=False, keep_state=True)
    serving.build()
    rel, text = EDITS[0]
    (vault / rel).write_text(text, encoding="utf-8")
    serving.rebuild({vault / rel}, split=True, defer=True)
    assert serving.behind
    result = Builder(vault, tmp_path / "served", quiet=True, search=False).build()
    assert result.rendered > 0
    _, clean = build(vault, tmp_path / "clean", cache=False)
    assert _files(tmp_path / "served") == _files(clean)


def test_a_builder_made_for_one_build_keeps_no_pictures_and_rebuilds_by_a_full_pass(tmp_path: Path) -> None:
    """`kbgen build` (rebuilds=False) keeps no local-graph pictures; a rebuild() anyway is right."""
    vault = write_vault(tmp_path / "vault", VAULT)
    once = Builder(vault, tmp_path / "once", quiet=True, search=False, rebuilds=False)
    full = once.build()
    assert once._state is not None and not once._state.pictures._rings
    _, clean = build(vault, tmp_path / "clean", cache=False)
    assert _files(tmp_path / "once") == _files(clean)  # the same site as a builder that keeps them
    rel, text = EDITS[0]
    (vault / rel).write_text(text, encoding="utf-8")
    state = once._state
    result = once.rebuild({vault / rel})
    assert once._state is not state  # a full pass: without pictures the fast path cannot tell
    assert result.pages == full.pages + 1  # EDITS[0] adds a concept page
    _, clean = build(vault, tmp_path / "clean2", cache=False)
    assert _files(tmp_path / "once") == _files(clean)
