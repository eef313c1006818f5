"""Concept pages per note are capped (graph.CONCEPT_LIMIT): the rest render as plain unresolved links."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from kbgen import graph
from kbgen.build import Builder

from conftest import build, write_vault
from test_rebuild import _dangling, _files

BIG = "[[C1]] [[c1]] [[C2]] [[pic.png]] [[C3]] [[C4]] [[C5]]\n\nlast [[C6]] and [[C2]]\n"
"""Six distinct concepts (`c1` is `C1`; a missing picture is no concept): C4, C5, C6 pass a cap of 3."""


@pytest.fixture(autouse=True)
def small_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(graph, "CONCEPT_LIMIT", 3)


def _all_text(out: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(out.rglob("*")) if p.is_file()
                     and p.suffix in (".html", ".json", ".js", ".xml"))


def _link(page: str, target: str) -> str:
    """The opening tag of the first link written `[[target]]` on a page."""
    found = re.search(rf'<(?:a|span) [^>]*data-href="{re.escape(target)}"[^>]*>', page)
    assert found, target
    return found.group(0)


def test_a_note_gives_pages_to_its_first_concepts_and_another_note_to_its_own(tmp_path: Path) -> None:
    vault = write_vault(tmp_path / "v", {"Big.md": BIG, "Other.md": "Other mentions [[C5]].\n"})
    result, out = build(vault)
    made = sorted(p.name for p in (out / "concepts").iterdir())
    assert made == ["c1.html", "c2.html", "c3.html", "c5.html"]  # C5 through Other, within its cap
    page = (out / "big.html").read_text(encoding="utf-8")
    assert _link(page, "C5").startswith('<a class="internal-link is-unresolved" href="concepts/c5.html"')
    assert _link(page, "C4") == '<span class="internal-link is-unresolved" data-href="C4">'
    assert _link(page, "C6") == '<span class="internal-link is-unresolved" data-href="C6">'
    site = _all_text(out)
    assert "concepts/c4.html" not in site and "concepts/c6.html" not in site  # graph.json, local graphs, lists
    nodes = json.loads((out / "_kbgen/graph.json").read_text(encoding="utf-8"))
    assert "C4" not in json.dumps(nodes) and "C5" in json.dumps(nodes)  # not drawn without a page
    assert not _dangling(out)
    limits = [(d.path, d.line, d.code, d.message) for d in result.diagnostics if d.code == "concept-limit"]
    assert len(limits) == 1 and limits[0][:3] == ("Big.md", 1, "concept-limit")
    assert "'[[C4]]' and the 2 other" in limits[0][3] and "links to 6" in limits[0][3]


def test_a_capped_link_renders_as_with_concept_pages_off(tmp_path: Path) -> None:
    vault = write_vault(tmp_path / "v", {"Big.md": BIG})
    _, capped = build(vault, tmp_path / "capped")
    (vault / "kbgen.toml").write_text("concept_pages = false\n", encoding="utf-8")
    _, off = build(vault, tmp_path / "off")
    for target in ("C4", "C6"):
        assert _link((capped / "big.html").read_text(encoding="utf-8"), target) == \
            _link((off / "big.html").read_text(encoding="utf-8"), target)


def test_kbgen_graph_still_counts_every_link(tmp_path: Path) -> None:
    vault = write_vault(tmp_path / "v", {"Big.md": BIG})
    site, diags = Builder(vault, tmp_path / "site", quiet=True, search=False, cache=False).collect()
    assert set(site.graph.obsidian_json()["unresolved"]["Big.md"]) == \
        {"C1", "c1", "C2", "pic.png", "C3", "C4", "C5", "C6"}
    assert [d.code for d in diags if d.code == "concept-limit"] == ["concept-limit"]  # kbgen check sees it


EDITS = [
    ("Big.md", BIG),  # crosses the cap
    ("Other.md", "Other mentions [[C4]] now.\n"),  # a page for a concept capped in Big
    ("Other.md", "Other mentions [[C3]] only.\n"),  # … and gone again
    ("Big.md", "[[C4]] [[C5]] [[C6]] [[C1]]\n"),  # over the cap, with another order
    ("Big.md", "[[C1]] [[C2]]\n"),  # back under the cap
    ("Other.md", "Other mentions [[C2]] and [[C7]].\n"),
]


@pytest.mark.parametrize("split", [False, True])
def test_a_rebuild_across_the_cap_equals_a_clean_build(tmp_path: Path, split: bool) -> None:
    # Far shows Big's links three links away, through two embeds: no picture of it changes
    vault = write_vault(tmp_path / "v", {"Big.md": "[[C1]] [[C2]]\n", "Other.md": "Other mentions [[C5]].\n",
                                         "Near.md": "![[Big]]\n", "Far.md": "![[Near]]\n"})
    builder = Builder(vault, tmp_path / "served", quiet=True, search=False)
    builder.build()
    for step, (rel, text) in enumerate(EDITS):
        (vault / rel).write_text(text, encoding="utf-8")
        result = builder.rebuild({vault / rel}, split=split)
        assert not _dangling(tmp_path / "served"), f"step {step}"
        if builder.behind:
            builder.catch_up()
        clean_result, clean = build(vault, tmp_path / f"clean{step}", cache=False)
        assert _files(tmp_path / "served") == _files(clean), f"step {step}"
        assert [d.format() for d in result.diagnostics] == [d.format() for d in clean_result.diagnostics]


def test_edits_that_give_or_take_a_capped_concept_a_page_take_the_full_pass(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kbgen import incremental
    fast: list[bool] = []
    update = incremental.update


    def spy(*args: Any) -> Any:
        dirty = update(*args)
        fast.append(dirty is not None)
        return dirty
    monkeypatch.setattr(incremental, "update", spy)
    vault = write_vault(tmp_path / "v", {"Big.md": "[[C1]] [[C2]]\n", "Other.md": "Other mentions [[C5]].\n"})
    builder = Builder(vault, tmp_path / "served", quiet=True, search=False)
    builder.build()
    steps = [("Other.md", "Other mentions [[C5]] and [[C1]].\n", True),  # within every cap
             ("Big.md", BIG, False),  # crosses the cap
             ("Big.md", BIG + "more words\n", False),  # stays over it
             ("Other.md", "Other mentions [[C5]], [[C1]] and [[C4]].\n", False),  # gives C4 a page
             ("Other.md", "Other mentions [[C1]] and [[C4]].\n", False),  # takes C5's away
             ("Other.md", "Other mentions [[C1]], [[C4]] and [[C9]].\n", True)]  # a concept of its own
    for rel, text, expected in steps:
        (vault / rel).write_text(text, encoding="utf-8")
        builder.rebuild({vault / rel})
        assert fast.pop() is expected, text
