"""The global graph: its layout with the level of detail, communities, preview and reuse across edits."""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, write_vault
from graphsites import collect, small_vault, synthetic
from kbgen import globalgraph
from kbgen.build import Builder
from kbgen.site import Site


@pytest.fixture
def small(tmp_path: Path) -> Site:
    return small_vault(tmp_path)


def test_global_layout_lists_every_node_once_best_linked_first(small: Site) -> None:
    data = globalgraph.global_layout(small)
    cols = data["nodes"]
    n = data["total"]
    assert n == len(cols["title"]) == len(set(cols["title"])) == 10  # 9 notes and the concept
    assert all(len(v) == n for v in cols.values())
    degree = dict(zip(cols["title"], cols["r"]))
    assert list(cols["r"]) == sorted(degree.values(), reverse=True)
    assert cols["k"][cols["title"].index("Nowhere")] == 1
    for x, y in zip(cols["x"], cols["y"]):
        assert 0 <= x <= data["size"] and 0 <= y <= data["size"]
    assert len({(x, y) for x, y in zip(cols["x"], cols["y"])}) == n


def test_global_edges_are_a_prefix_for_every_level_of_detail(small: Site) -> None:
    data = globalgraph.global_layout(small)
    flat = data["edges"]
    pairs = [(flat[i], flat[i + 1]) for i in range(0, len(flat), 2)]
    assert all(a < b for a, b in pairs)
    assert [b for _, b in pairs] == sorted(b for _, b in pairs)
    names = data["nodes"]["title"]
    linked = {tuple(sorted((names[a], names[b]))) for a, b in pairs}
    assert ("A", "Hub") in linked and ("C", "D") in linked and ("Far", "Farther") in linked
    assert len(linked) == len(pairs)
    for k in range(len(names) + 1):  # the edges among the first k nodes come first
        among = [p for p in pairs if p[1] < k]
        assert pairs[:len(among)] == among


def test_communities_and_clusters(tmp_path: Path) -> None:
    # two dense groups joined by one link: two communities, each its own cluster
    files = {}
    for group in "AB":
        for i in range(8):
            files[f"{group}{i}.md"] = " ".join(f"[[{group}{j}]]" for j in range(8) if j != i)
    files["A0.md"] += " [[B0]]"
    site = collect(write_vault(tmp_path / "v", files))
    data = globalgraph.global_layout(site)
    m = dict(zip(data["nodes"]["title"], data["nodes"]["m"]))
    assert len({m[f"A{i}"] for i in range(8)}) == 1 and len({m[f"B{i}"] for i in range(8)}) == 1
    assert m["A1"] != m["B1"]
    assert sorted(c["size"] for c in data["clusters"]) == [8, 8]


def test_a_large_graph_is_laid_out_without_a_dense_solver(tmp_path: Path) -> None:
    site = synthetic(3000)
    data = globalgraph.global_layout(site)
    assert data["total"] == 3000
    xs, ys = data["nodes"]["x"], data["nodes"]["y"]
    assert all(math.isfinite(v) and 0 <= v <= data["size"] for v in xs + ys)
    assert len(set(zip(xs, ys))) > 2900  # next to no two nodes on the same spot
    assert data["clusters"] and sum(c["size"] for c in data["clusters"]) <= 3000
    preview = globalgraph.preview(site)
    assert len(preview["nodes"]) == globalgraph.PREVIEW
    assert all(b < globalgraph.PREVIEW for _, b in preview["edges"])


def test_layouts_do_not_depend_on_the_hash_seed() -> None:
    code = ("import json, sys; sys.path.insert(0, 'tests'); from graphsites import synthetic;"
            "from kbgen import globalgraph, localgraph; s = synthetic(700);"
            "print(json.dumps([globalgraph.global_layout(s), [localgraph.local_graph(s, f'n{i}.md')"
            " for i in range(0, 700, 50)]], sort_keys=True))")
    outs = set()
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, env=env,
                              timeout=300)
        assert proc.returncode == 0, proc.stderr
        outs.add(proc.stdout)
    assert len(outs) == 1


def test_the_bundled_vault_graph_page_preview(tmp_path: Path) -> None:
    site = collect_bundled()
    p = globalgraph.preview(site)
    assert p["nodes"] and p["box"][2] > 0 and p["box"][3] > 0
    for n in p["nodes"]:
        assert p["box"][0] <= n["x"] <= p["box"][0] + p["box"][2]
    json.dumps(p)


def collect_bundled() -> Site:
    site, _ = Builder(REPO, quiet=True).collect()
    return site


def test_a_renewed_graph_with_the_same_links_reuses_the_layout(small: Site) -> None:
    first = globalgraph.global_layout(small)
    globalgraph.remember(small)  # as serve's builder does after each pass
    small.graph = small.graph.renewed()  # what kbgen serve does after an edit
    assert globalgraph.global_layout(small) is first
    small.graph.g.add_edge("note:B.md", "note:Sub/E.md")  # a new link: a new layout
    small.graph = small.graph.renewed()
    second = globalgraph.global_layout(small)
    assert second is not first
    names = second["nodes"]["title"]
    flat = second["edges"]
    pairs = {tuple(sorted((names[flat[i]], names[flat[i + 1]]))) for i in range(0, len(flat), 2)}
    assert ("B", "E") in pairs


def test_a_worker_lays_the_graph_out_while_others_render_and_the_build_adopts_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In a parallel build the lazy graph page is filled by a worker process: the parent never
    computes the layout itself, yet graph.json and the graph page hold the same one, and serve's
    builder keeps it for its edits."""
    from kbgen import output
    notes = {f"N{i}.md": f"# N{i}\n[[N{(i * 7) % 40}]] [[N{(i + 1) % 40}]] [[Concept {i % 3}]]\n" for i in range(40)}
    root = write_vault(tmp_path / "vault", notes)
    serial = Builder(root, tmp_path / "serial", quiet=True, cache=False, search=False, jobs=1)
    serial.build()
    monkeypatch.setattr(output, "PARALLEL_PAGES", 2)
    in_parent = []
    real = globalgraph._global_layout
    parent = os.getpid()
    monkeypatch.setattr(globalgraph, "_global_layout",
                        lambda site: in_parent.append(os.getpid()) or real(site) if os.getpid() == parent else real(site))
    b = Builder(root, tmp_path / "parallel", quiet=True, cache=False, search=False, jobs=2, keep_state=True)
    b.build()
    assert in_parent == []  # laid out in a worker only
    site = b.site
    assert site is not None
    for rel in ("_kbgen/graph.json", "graph.html"):
        assert (tmp_path / "parallel" / rel).read_bytes() == (tmp_path / "serial" / rel).read_bytes()
    assert json.loads((tmp_path / "parallel" / "_kbgen/graph.json").read_bytes()) == globalgraph.global_layout(site)
    assert in_parent == []  # the parent took the worker's layout
