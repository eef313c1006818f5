"""Builder.rebuild() as serve drives it: after every kind of edit the site equals a clean build.

Each step makes real file operations and passes rebuild() the paths a watcher reports for them
(both ends of a rename, the folder of a new note, …); then every file of the output, the
manifest included, is compared with a clean build of the same vault into a fresh folder.
"""
from __future__ import annotations

import os
import random
import re
import shutil
from pathlib import Path
from typing import Callable

import pytest

from kbgen import incremental, pictures
from kbgen.build import Builder

from conftest import build, write_vault

REPO = Path(__file__).resolve().parent.parent
VAULT = {
    "notes/Home.md": "# Home\nStart at [[Alpha]], [[Beta]] and [[Sub/Gamma|Gamma]]. #start\n",
    "notes/Alpha.md": "---\ntags: [one]\naliases: [First]\n---\n# Alpha\nLinks [[Beta#Part]] and [[Idea]].\n\n"
                      "## Section\ntext ^blk\n",
    "notes/Beta.md": "Beta embeds ![[Alpha#Section]] and ![[logo.png]].\n\n## Part\nbeta part\n",
    "notes/Sub/Gamma.md": "Gamma links [[Alpha#^blk]], [[Beta]] and [[Idea]]. #two/nested\n",
    "notes/Sub/Delta.md": "Delta links [[Gamma]].\n",
    "attachments/logo.png": b"\x89PNG\r\n\x1a\nlogo",
}


def _files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


class Session:
    """A vault, a builder kept across edits like serve keeps it, and a clean build to compare."""

    def __init__(self, tmp: Path, files: dict[str, str | bytes] = VAULT) -> None:
        self.tmp = tmp
        self.vault = write_vault(tmp / "vault", files)
        self.builder = Builder(self.vault, tmp / "served", quiet=True, search=False)
        self.builder.build()
        self.steps = 0

    def write(self, rel: str, content: str | bytes) -> set[Path]:
        path = self.vault / rel
        made = {p for p in path.parents if not p.exists() and p.is_relative_to(self.vault)}
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return {path} | made

    def move(self, src: str, dest: str) -> set[Path]:
        a, b = self.vault / src, self.vault / dest
        b.parent.mkdir(parents=True, exist_ok=True)
        os.replace(a, b)
        return {a, b}

    def delete(self, rel: str) -> set[Path]:
        path = self.vault / rel
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
        return {path}

    def check(self, changed: set[Path], label: str) -> list[str]:
        """Rebuild for `changed`, then compare the whole output with a clean build."""
        self.steps += 1
        result = self.builder.rebuild(changed, search=False)
        clean_result, clean = build(self.vault, self.tmp / f"clean-{self.steps}", cache=False)
        served, expected = _files(self.builder.out), _files(clean)
        assert sorted(served) == sorted(expected), f"{label}: different files"
        for name in expected:
            assert served[name] == expected[name], f"{label}: {name} differs"
        assert [d.format() for d in result.diagnostics] == [d.format() for d in clean_result.diagnostics], label
        shutil.rmtree(clean)
        return result.changed


def test_a_session_of_every_kind_of_edit_equals_clean_builds(tmp_path: Path) -> None:
    s = Session(tmp_path)
    theme = (REPO / "themes/default/templates/note.html").read_text(encoding="utf-8")
    steps: list[tuple[str, Callable[[], set[Path]]]] = [
        ("modify", lambda: s.write("notes/Alpha.md", str(VAULT["notes/Alpha.md"]) + "\nMore words.\n")),
        ("modify links", lambda: s.write("notes/Sub/Delta.md",
                                         "Delta links [[Alpha]] and [[New idea]].\n")),
        ("add", lambda: s.write("notes/Added.md", "Added links [[Home]] #one\n")),
        ("add in new folders", lambda: s.write("notes/New/Deeper/Far.md", "Far links [[Added]].\n")),
        ("rename", lambda: s.move("notes/Added.md", "notes/Renamed.md")),
        ("heading change", lambda: s.write("notes/Beta.md", "Beta embeds ![[Alpha#Section]].\n\n## Other\nx\n")),
        ("title from front matter", lambda: s.write("notes/Sub/Gamma.md",
                                                    "---\ntitle: Gamma Prime\n---\nGamma links [[Beta]].\n")),
        ("case-only rename", lambda: s.move("notes/Sub/Delta.md", "notes/Sub/delta.md")),
        ("folder rename", lambda: s.move("notes/Sub", "notes/Moved")),
        ("unpublish", lambda: s.write("notes/Renamed.md", "---\npublish: false\n---\nsecret\n")),
        ("embed before its attachment", lambda: s.write("notes/Alpha.md", "# Alpha\nshows ![[chart.png]]\n")),
        ("the attachment arrives", lambda: s.write("attachments/chart.png", b"\x89PNGchart")),
        ("attachment changes", lambda: s.write("attachments/chart.png", b"\x89PNGchart two")),
        ("attachment deleted", lambda: s.delete("attachments/logo.png")),
        ("template override", lambda: s.write("theme/templates/note.html",
                                              theme.replace("<article", "<article data-own"))),
        ("template edit", lambda: s.write("theme/templates/note.html",
                                          theme.replace("<article", "<article data-own-two"))),
        ("static override", lambda: s.write("theme/static/css/kbgen.css", "body { color: red }\n")),
        ("template override removed", lambda: s.delete("theme/templates/note.html")),
        ("delete", lambda: s.delete("notes/Beta.md")),
        ("delete a folder", lambda: s.delete("notes/New")),
        ("config", lambda: s.write("kbgen.toml", 'title = "Other title"\n')),
        ("after config", lambda: s.write("notes/Home.md", "# Home\nOnly [[Alpha]] now.\n")),
    ]
    for label, action in steps:
        s.check(action(), label)


def test_template_override_created_while_serving_is_used(tmp_path: Path) -> None:
    s = Session(tmp_path)
    theme = (REPO / "themes/default/templates/note.html").read_text(encoding="utf-8")
    s.check(s.write("theme/templates/note.html", theme.replace("<article", "<article data-own")), "override")
    assert b"data-own" in (s.builder.out / "alpha.html").read_bytes()


def test_a_rebuild_without_paths_is_a_full_pass(tmp_path: Path) -> None:
    s = Session(tmp_path)
    s.write("notes/Alpha.md", "Alpha, changed behind the watcher's back.\n")
    s.move("notes/Beta.md", "notes/Beta 2.md")
    changed = s.check(set(), "full pass")
    assert {"alpha.html", "beta-2.html", "beta.html"} <= set(changed)


def test_edits_after_a_failed_rebuild_still_end_equal(tmp_path: Path) -> None:
    s = Session(tmp_path)
    s.write("theme/templates/note.html", '{% extends "base.html" %}{% block content %}{% if %}{% endblock %}\n')
    with pytest.raises(Exception):
        s.builder.rebuild({s.vault / "theme/templates/note.html"}, search=False)
    s.write("notes/Alpha.md", "Alpha while the theme is broken.\n")
    with pytest.raises(Exception):
        s.builder.rebuild({s.vault / "notes/Alpha.md"}, search=False)
    # serve follows a failure with a full pass (an empty set), as here
    s.delete("theme")
    s.check(set(), "fixed")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_sequences_of_edits_equal_clean_builds(tmp_path: Path, seed: int) -> None:
    rnd = random.Random(seed)
    s = Session(tmp_path)
    words = ["alpha", "beta", "gamma", "idea", "note"]

    def notes() -> list[str]:
        return sorted(p.relative_to(s.vault).as_posix() for p in (s.vault / "notes").rglob("*.md"))

    def body() -> str:
        targets = [Path(n).stem for n in notes()] + ["Nowhere", "Idea"]
        links = " ".join(f"[[{rnd.choice(targets)}]]" for _ in range(rnd.randint(0, 3)))
        embed = f"![[{rnd.choice(targets)}]]" if rnd.random() < 0.2 else ""
        pic = "![[pic.png]]" if rnd.random() < 0.2 else ""
        tag = f"#{rnd.choice(words)}" if rnd.random() < 0.5 else ""
        return f"# {rnd.choice(words).title()}\n{rnd.choice(words)} {links} {embed} {pic} {tag}\n"

    for i in range(12):
        op = rnd.choice(["modify", "modify", "add", "rename", "delete", "asset"])
        existing = notes()
        if op == "modify" or (op in ("rename", "delete") and len(existing) < 3):
            changed = s.write(rnd.choice(existing), body())
        elif op == "add":
            folder = rnd.choice(["notes", "notes/Sub", "notes/Other/Deep"])
            changed = s.write(f"{folder}/{rnd.choice(words).title()} {i}.md", body())
        elif op == "rename":
            src = rnd.choice(existing)
            changed = s.move(src, f"notes/{rnd.choice(['', 'Sub/', 'X/'])}{rnd.choice(words).title()} r{i}.md")
        elif op == "delete":
            changed = s.delete(rnd.choice(existing))
        else:
            pic = s.vault / "attachments/pic.png"
            changed = s.delete("attachments/pic.png") if pic.exists() and rnd.random() < 0.5 \
                else s.write("attachments/pic.png", f"png {i}".encode())
        s.check(changed, f"seed {seed} step {i}: {op}")


# -- Pictures.stale(): the local graphs an edit changes ---------------------------------------

GENERATOR = REPO / "benchmarks"


def _hub_vault(root: Path, n: int, seed: int) -> Path:
    """Every note links to one of a few hubs (Zipf-like), to some random notes and concepts."""
    rnd = random.Random(seed)
    files: dict[str, str | bytes] = {}
    for i in range(n):
        hubs = [f"[[Note {h}]]" for h in range(4) if rnd.random() < 0.8 / (h + 1)]
        others = [f"[[Note {rnd.randrange(n)}]]" for _ in range(rnd.randint(0, 3))]
        concepts = [f"[[Idea {rnd.randrange(6)}]]" for _ in range(rnd.randint(0, 1))]
        folder = ["notes", "notes/a", "notes/b"][i % 3]
        files[f"{folder}/Note {i}.md"] = f"# Note {i}\n{' '.join(hubs + others + concepts)}\n"
    return write_vault(root, files)


class Editing:
    """A Site as `kbgen serve` keeps it, every note's local graph as last drawn, and Pictures."""

    def __init__(self, vault: Path, tmp: Path) -> None:
        from kbgen.build import _parse_one, note_key
        from kbgen.localgraph import local_graph
        self.builder = Builder(vault, tmp / "out", quiet=True, cache=False, search=False)
        self.site, _ = self.builder.collect()
        self.vault, sources = self.builder._read(self.builder._config)
        self.texts = {p: d.decode() for p, d, _ in sources}
        self.parse = lambda p, data: _parse_one(self.builder._md, p, data, note_key(p, data))
        self.draw = lambda p: local_graph(self.site, p)
        self.drawn = {p: self.draw(p) for p in self.site.notes}
        self.pictures = pictures.Pictures()
        for p, picture in self.drawn.items():
            self.pictures.set(p, picture)

    def degree(self, path: str) -> int:
        from kbgen.adjacency import adjacency
        return len(adjacency(self.site.graph).get("note:" + path, ()))

    def edit(self, path: str, text: str) -> tuple[set[str], set[str]]:
        """Apply an edit; returns (what stale() named, the pages whose local graph changed)."""
        self.texts[path] = text
        dirty = incremental.update(self.site, {path: self.parse(path, text.encode())}, self.vault.assets)
        assert dirty is not None
        named = self.pictures.stale(self.site, dirty)
        changed = set()
        for p in self.site.notes:
            now = self.draw(p)
            if now != self.drawn[p]:
                changed.add(p)
                self.drawn[p] = now
        for p in named | dirty.notes:  # what build.py draws again
            self.pictures.set(p, self.drawn[p])
        return named, changed


def _random_edit(s: Editing, rnd: random.Random) -> tuple[str, str, str]:
    """(kind, note, new text): a link to a hub, to a leaf, to anything, to a concept (spelled
    another way sometimes), a link removed, every link removed, or text only."""
    notes = sorted(s.site.notes)
    by_degree = sorted(notes, key=lambda p: (s.degree(p), p))
    path = rnd.choice(notes)
    text = s.texts[path]
    kind = rnd.choice(["hub", "hub", "leaf", "any", "concept", "remove", "remove", "unlink", "text"])
    target = {"hub": lambda: rnd.choice(by_degree[-4:]), "leaf": lambda: rnd.choice(by_degree[:20]),
              "any": lambda: rnd.choice(notes)}.get(kind)
    links = list(re.finditer(r"!?\[\[[^\]]+\]\]", text))
    if target:
        text += f"\nSee [[{Path(target()).stem}]].\n"
    elif kind == "concept":
        name = rnd.choice(["Idea 1", "idea 1", "IDEA 2", "Nowhere", f"Fresh {rnd.randrange(3)}"])
        text += f"\nAbout [[{name}]].\n"
    elif kind == "remove" and links:
        cut = rnd.choice(links)
        text = text[:cut.start()] + text[cut.end():]
    elif kind == "unlink":
        text = re.sub(r"!?\[\[[^\]]+\]\]", "", text)
    else:
        text += "\nMore words.\n"
    return kind, path, text


@pytest.mark.parametrize("vault_kind,seed,crossings", [
    ("generated", 1, pictures.CROSSINGS), ("generated", 2, pictures.CROSSINGS),
    ("generated", 3, 0), ("hubs", 4, pictures.CROSSINGS), ("hubs", 5, 0), ("hubs", 6, 3),
])
def test_stale_names_every_local_graph_an_edit_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       vault_kind: str, seed: int, crossings: int) -> None:
    # crossings 0 sends every node that changed rank to the page-by-page checks
    monkeypatch.setattr(pictures, "CROSSINGS", crossings)
    if vault_kind == "generated":
        import sys
        sys.path.insert(0, str(GENERATOR))
        from generate import generate
        vault = tmp_path / "vault"
        generate(150 + 50 * seed, vault, seed)
    else:
        vault = _hub_vault(tmp_path / "vault", 160, seed)
    s = Editing(vault, tmp_path)
    rnd = random.Random(seed)
    named_total = changed_total = 0
    for step in range(40):
        kind, path, text = _random_edit(s, rnd)
        named, changed = s.edit(path, text)
        assert changed <= named, f"step {step} ({kind} in {path}): missed {sorted(changed - named)}"
        if kind == "text":
            assert not named
        named_total += len(named)
        changed_total += len(changed)
    assert changed_total > 0
    assert named_total <= 1.2 * changed_total + 40  # a few extra, not every page within two links


def test_a_dropped_page_is_never_named(tmp_path: Path) -> None:
    s = Editing(_hub_vault(tmp_path / "vault", 60, 1), tmp_path)
    leaf = min(s.site.notes, key=s.degree)
    for p in s.site.notes:
        s.pictures.drop(p)
    s.pictures.drop(leaf)  # twice: no error
    assert len(s.pictures) == 0
    named, changed = s.edit(leaf, s.texts[leaf] + "\n[[Note 0]] [[Brand new]]\n")
    assert leaf in changed and not named


def test_a_picture_drawn_from_another_graph_is_named(tmp_path: Path) -> None:
    s = Editing(_hub_vault(tmp_path / "vault", 80, 2), tmp_path)
    full = next(p for p, pic in s.drawn.items() if len(pic["nodes"]) == pictures.LIMIT)
    nodes = [dict(n) for n in s.drawn[full]["nodes"]]
    nodes[-1]["id"] = "concept:no such node"  # a node of the outer ring, ranked at the next edit
    s.pictures.set(full, {"nodes": nodes})
    other = next(p for p in sorted(s.site.notes) if p != full)
    named, _ = s.edit(other, s.texts[other] + "\nMore words.\n")
    assert named == {full}


def _leaves(note: str, n: int) -> str:
    return " ".join(f"[[{note} leaf {i}]]" for i in range(n))


def _scenario(name: str) -> tuple[dict[str, str | bytes], str, str]:
    """Hand-made graphs where one rule alone sees the change: (files, edited note, new text)."""
    files: dict[str, str | bytes] = {}
    if name == "new neighbour of a big inner node":  # the outer ring of every spoke has room
        files = {f"S{i:02}.md": "[[Hub]]\n" for i in range(36)}
        files.update({"Hub.md": "hub\n", "Lone.md": "alone\n"})
        return files, "Lone.md", "[[Hub]]\n"
    if name == "concept renamed":  # a fresh build names a concept after its first mention
        files = {"A.md": "[[Idea]]\n", "B.md": "[[Idea]] [[A]]\n", "C.md": "[[B]]\n"}
        return files, "A.md", "[[IDEA]]\n"
    if name == "outer node falls behind":  # P37 is the last of X's outer ring; P38 takes its place
        files = {"X.md": "[[A]]\n", "A.md": "a\n"}
        for i in range(45):
            files[f"P{i:02}.md"] = f"[[A]] {_leaves(f'P{i:02}', 37 if i < 37 else 36 if i < 39 else 35)}\n"
        return files, "P37.md", f"[[A]] {_leaves('P37', 35)}\n"
    if name == "outer node falls behind two":  # P36 falls behind P37, the last, and P38
        files = {"X.md": "[[A]]\n", "A.md": "a\n"}
        for i in range(45):
            files[f"P{i:02}.md"] = f"[[A]] {_leaves(f'P{i:02}', 37 if i < 36 else 36 if i < 39 else 35)}\n"
        return files, "P36.md", f"[[A]] {_leaves('P36', 35)}\n"
    # inner nodes change places in the ranking, and so which of them are labelled
    files = {"X.md": " ".join(f"[[R{c}]]" for c in "abcdeyz") + " [[R1]] [[R2]] [[R3]]\n", "E.md": "e\n"}
    for c, links in {"a": 50, "b": 50, "c": 50, "d": 50, "e": 50, "z": 40, "y": 39,
                     "1": 36, "2": 36, "3": 36}.items():
        files[f"R{c}.md"] = _leaves(f"R{c}", links - 1) + "\n"
    return files, "E.md", "[[Ry]]\n"


@pytest.mark.parametrize("crossings", [pictures.CROSSINGS, 0])
@pytest.mark.parametrize("name", ["new neighbour of a big inner node", "concept renamed",
                                  "outer node falls behind", "outer node falls behind two",
                                  "inner nodes change rank"])
def test_stale_sees_each_kind_of_change(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        name: str, crossings: int) -> None:
    monkeypatch.setattr(pictures, "CROSSINGS", crossings)
    files, path, text = _scenario(name)
    s = Editing(write_vault(tmp_path / "vault", {f"notes/{k}": v for k, v in files.items()}), tmp_path)
    named, changed = s.edit(f"notes/{path}", text)
    assert changed - {f"notes/{path}"}, "the scenario changes other pictures"
    assert changed <= named


@pytest.mark.parametrize("vault_kind,seed", [("generated", 7), ("hubs", 8)])
def test_adjacency_and_ranks_carried_over_an_edit_equal_a_fresh_computation(tmp_path: Path, vault_kind: str,
                                                                           seed: int) -> None:
    """update() patches the new graph's adjacency and ranking from the old one's (carry_over);
    after every edit they must equal computing both from scratch, dict order included."""
    from kbgen.adjacency import _ranked, adjacency
    if vault_kind == "generated":
        import sys
        sys.path.insert(0, str(GENERATOR))
        from generate import generate
        vault = tmp_path / "vault"
        generate(200, vault, seed)
    else:
        vault = _hub_vault(tmp_path / "vault", 160, seed)
    s = Editing(vault, tmp_path)
    rnd = random.Random(seed)
    for step in range(40):
        kind, path, text = _random_edit(s, rnd)
        s.edit(path, text)
        patched_adj, (patched_rank, patched_order) = adjacency(s.site.graph), _ranked(s.site.graph)
        fresh = s.site.graph.renewed()
        adj, (rank, order) = adjacency(fresh), _ranked(fresh)
        where = f"step {step} ({kind} in {path})"
        assert list(patched_adj) == list(adj) and patched_adj == adj, where
        assert patched_rank == rank and list(patched_order) == list(order) and patched_order == order, where
