"""Graph pictures: the local graph of each note and the global layout with its level of detail."""
from __future__ import annotations

import json
import math
import os
import random
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import REPO, write_vault
from kbgen import graphview
from kbgen.build import Builder
from kbgen.config import Config
from kbgen.graph import LinkGraph
from kbgen.site import Site


def collect(root: Path) -> Site:
    site, _ = Builder(root, root.parent / "site", quiet=True, cache=False).collect()
    return site


@pytest.fixture
def small(tmp_path: Path) -> Site:
    return collect(write_vault(tmp_path / "vault", {
        "kbgen.toml": 'title = "T"\n',
        "Hub.md": "# Hub\n[[A]] [[B]] [[Sub/C]] [[Nowhere]]\n",
        "A.md": "# A\n[[Hub]] [[Far]]\n",
        "B.md": "# B\nback to [[Hub]]\n",
        "Sub/C.md": "# C\n[[D]]\n",
        "Sub/D.md": "# D\nalone at depth 3 from Hub? no: [[E]]\n",
        "Sub/E.md": "# E\n",
        "Far.md": "# Far\n[[Farther]]\n",
        "Farther.md": "# Farther\n",
        "Lonely.md": "# Lonely\nno links\n",
    }))


def titles(graph: dict) -> list[str]:
    return [n["title"] for n in graph["nodes"]]


def test_local_graph_holds_the_note_its_neighbours_and_theirs(small: Site) -> None:
    g = graphview.local_graph(small, "Hub.md")
    assert g["nodes"][0]["id"] == "note:Hub.md" and g["nodes"][0]["title"] == "Hub"
    assert set(titles(g)) == {"Hub", "A", "B", "C", "Nowhere", "Far", "D"}  # E and Farther: 3 links away
    rings = {n["title"]: n["ring"] for n in g["nodes"]}
    assert rings == {"Hub": 0, "A": 1, "B": 1, "C": 1, "Nowhere": 1, "Far": 2, "D": 2}
    ghost = next(n for n in g["nodes"] if n["title"] == "Nowhere")
    assert ghost["id"].startswith("concept:") and ghost["url"].startswith("concepts/")
    for a, b in g["edges"]:
        assert 0 <= a < b < len(g["nodes"])
    pairs = {(g["nodes"][a]["title"], g["nodes"][b]["title"]) for a, b in g["edges"]}
    assert ("Hub", "A") in pairs and ("A", "Far") in pairs and ("C", "D") in pairs
    for n in g["nodes"]:
        assert n["r"] > 0 and 0 <= n["x"] <= graphview.SIZE and 0 <= n["y"] <= graphview.SIZE
        assert isinstance(n["x"], int) and isinstance(n["y"], int)
    # the browser tells nodes apart by their point
    assert len({(n["x"], n["y"]) for n in g["nodes"]}) == len(g["nodes"])
    # an outer node sits near the inner node that brought it in
    pos = {n["title"]: (n["x"], n["y"]) for n in g["nodes"]}
    far, a, b = pos["Far"], pos["A"], pos["B"]
    assert math.dist(far, a) < math.dist(far, b)


def href(url: str) -> str:
    return "../" + url


def drawn(g: dict) -> tuple[ET.Element, list[ET.Element], set[tuple[str, str]], int]:
    """The local graph's SVG parsed: the root, the node elements in drawing order, the edges
    drawn (pairs of node titles, read from the path as the script reads them) and the number
    of segments drawn."""
    svg = ET.fromstring(str(graphview.local_graph_svg(g, href)))
    nodes = [n for group in svg.iter("g") if "nodes" in group.get("class", "").split() for n in group]
    at = {}
    for n in nodes:
        c = n.find("circle")
        at[c.get("cx"), c.get("cy")] = n.find("title").text.removesuffix(" (no note yet)")
    edges, segments = set(), 0
    for trail in svg.find("path").get("d").split("M")[1:]:
        v = trail.replace("L", " ").split()
        points = [at[v[k], v[k + 1]] for k in range(0, len(v), 2)]
        for a, b in zip(points, points[1:]):
            edges.add(tuple(sorted((a, b))))
            segments += 1
    return svg, nodes, edges, segments


def test_the_svg_draws_each_edge_once_between_the_right_nodes(small: Site, tmp_path: Path) -> None:
    site = synthetic(400)
    for g in [graphview.local_graph(small, "Hub.md")] + [graphview.local_graph(site, f"n{i}.md")
                                                         for i in range(0, 400, 37)]:
        _, nodes, edges, segments = drawn(g)
        assert len(nodes) == len(g["nodes"])
        names = [n["title"] for n in g["nodes"]]
        assert edges == {tuple(sorted((names[a], names[b]))) for a, b in g["edges"]}
        assert segments == len(g["edges"])  # no edge drawn twice


def test_the_svg_links_titles_and_labels_each_node(small: Site) -> None:
    g = graphview.local_graph(small, "Hub.md")
    svg, nodes, _, _ = drawn(g)
    assert svg.get("viewBox") == f"0 0 {graphview.SIZE} {graphview.SIZE}"
    by_title = {n.find("title").text: n for n in nodes}
    assert set(by_title) == {"Hub", "A", "B", "C", "Nowhere (no note yet)", "Far", "D"}
    hub = by_title["Hub"]
    assert hub.tag == "g" and {"current", "labelled"} <= set(hub.get("class").split())  # not a link to itself
    assert nodes[-1] is hub  # drawn last, on top
    for data in g["nodes"][1:]:
        node = by_title[data["title"] + (" (no note yet)" if data["id"].startswith("concept:") else "")]
        assert node.tag == "a" and node.get("href") == href(data["url"])
        assert ("node-concept" in node.get("class", "")) == data["id"].startswith("concept:")
        assert (node.find("text") is not None) == data["label"]  # the script adds the other labels
        circle = node.find("circle")
        assert (int(circle.get("cx")), int(circle.get("cy"))) == (data["x"], data["y"])
    assert by_title["Hub"].find("text").text == "Hub"
    rings = {n.get("class") for n in svg.iter("g") if n.get("class", "").startswith("nodes")}
    assert rings == {"nodes ring0", "nodes ring1", "nodes ring2"}
    assert [n.find("title").text for n in svg.find("g[@class='nodes ring1']")] == \
        [n["title"] + (" (no note yet)" if n["id"].startswith("concept:") else "")
         for n in reversed(g["nodes"]) if n["ring"] == 1]


def test_svg_text_is_escaped_and_long_labels_shortened(tmp_path: Path) -> None:
    long = "A <b>very</b> long & \"quoted\" title, really"
    site = collect(write_vault(tmp_path / "v", {"Hub.md": "# Hub\n[[Odd]]\n",
                                                "Odd.md": f"---\ntitle: '{long}'\n---\n[[Hub]]\n"}))
    odd = next(p for p in site.notes if p.startswith("Odd"))
    g = graphview.local_graph(site, odd)
    assert g["nodes"][0]["title"] == long
    _, nodes, edges, _ = drawn(g)  # parses: the markup is well formed
    assert nodes[-1].find("title").text == long
    assert nodes[-1].find("text").text == graphview._short(long) == "A <b>very</b> long &…"
    assert edges == {(long, "Hub")}


def test_a_note_without_links_shows_only_itself(small: Site) -> None:
    g = graphview.local_graph(small, "Lonely.md")
    assert titles(g) == ["Lonely"] and g["edges"] == []


def test_a_hub_page_shows_at_most_the_limit_best_linked_first(tmp_path: Path) -> None:
    files = {"Hub.md": " ".join(f"[[N{i:02}]]" for i in range(60))}
    for i in range(60):
        files[f"N{i:02}.md"] = "[[Hub]]" + (" [[N00]]" if i < 10 else "")
    site = collect(write_vault(tmp_path / "v", files))
    g = graphview.local_graph(site, "Hub.md", limit=40)
    assert len(g["nodes"]) == 40
    assert "N00" in titles(g)  # eleven links: the best linked neighbour is always kept
    assert all(n["ring"] == 1 for n in g["nodes"][1:])
    labelled = [n for n in g["nodes"] if n["label"]]
    assert g["nodes"][0]["label"] and len(labelled) <= 1 + graphview.LABELS


def test_colour_groups_follow_folders_or_tags_and_agree_between_pages(tmp_path: Path) -> None:
    files = {f"Big/N{i}.md": "[[Small/S0]] #b/x" for i in range(5)}
    files.update({f"Small/S{i}.md": "[[Big/N0]] #a" for i in range(2)})
    root = write_vault(tmp_path / "v", files)
    site = collect(root)
    assert graphview.palette(site) == {"Big": 1, "Small": 2}
    seen = {}
    for path in site.notes:
        for n in graphview.local_graph(site, path)["nodes"]:
            seen.setdefault(n["title"], set()).add(n["colour"])
    assert all(len(c) == 1 for c in seen.values()), seen
    assert seen["N0"] == {1} and seen["S0"] == {2}
    (root / "kbgen.toml").write_text('graph_color_by = "tag"\n')
    by_tag = collect(root)
    assert graphview.palette(by_tag) == {"b": 1, "a": 2}


def test_global_layout_lists_every_node_once_best_linked_first(small: Site) -> None:
    data = graphview.global_layout(small)
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
    data = graphview.global_layout(small)
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
    data = graphview.global_layout(site)
    m = dict(zip(data["nodes"]["title"], data["nodes"]["m"]))
    assert len({m[f"A{i}"] for i in range(8)}) == 1 and len({m[f"B{i}"] for i in range(8)}) == 1
    assert m["A1"] != m["B1"]
    assert sorted(c["size"] for c in data["clusters"]) == [8, 8]


def synthetic(n: int, seed: int = 3) -> Site:
    """A site of `n` notes with clustered random links, straight into the graph (fast)."""
    rng = random.Random(seed)
    graph = LinkGraph()
    for i in range(n):
        graph.g.add_node(f"note:n{i}.md", kind="note", path=f"f{i % 7}/n{i}.md", title=f"Note {i}")
    for i in range(n):
        for _ in range(rng.randint(0, 6)):
            j = (i + rng.randint(1, 40)) % n if rng.random() < 0.8 else rng.randrange(n)
            if j != i:
                graph.g.add_edge(f"note:n{i}.md", f"note:n{j}.md")
    return Site(config=Config(root=Path(".")), notes={}, urls={f"f{i % 7}/n{i}.md": f"n{i}.html" for i in range(n)},
                targets={}, graph=graph, tags={}, home=None)


def test_a_large_graph_is_laid_out_without_a_dense_solver(tmp_path: Path) -> None:
    site = synthetic(3000)
    data = graphview.global_layout(site)
    assert data["total"] == 3000
    xs, ys = data["nodes"]["x"], data["nodes"]["y"]
    assert all(math.isfinite(v) and 0 <= v <= data["size"] for v in xs + ys)
    assert len(set(zip(xs, ys))) > 2900  # next to no two nodes on the same spot
    assert data["clusters"] and sum(c["size"] for c in data["clusters"]) <= 3000
    preview = graphview.preview(site)
    assert len(preview["nodes"]) == graphview.PREVIEW
    assert all(b < graphview.PREVIEW for _, b in preview["edges"])


def test_layouts_do_not_depend_on_the_hash_seed() -> None:
    code = ("import json, sys; sys.path.insert(0, 'tests'); from test_graphview import synthetic;"
            "from kbgen import graphview; s = synthetic(700);"
            "print(json.dumps([graphview.global_layout(s), [graphview.local_graph(s, f'n{i}.md')"
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
    p = graphview.preview(site)
    assert p["nodes"] and p["box"][2] > 0 and p["box"][3] > 0
    for n in p["nodes"]:
        assert p["box"][0] <= n["x"] <= p["box"][0] + p["box"][2]
    json.dumps(p)


def collect_bundled() -> Site:
    site, _ = Builder(REPO, quiet=True).collect()
    return site


def test_a_renewed_graph_with_the_same_links_reuses_the_layout(small: Site) -> None:
    first = graphview.global_layout(small)
    small.graph = small.graph.renewed()  # what kbgen serve does after an edit
    assert graphview.global_layout(small) is first
    small.graph.g.add_edge("note:B.md", "note:Sub/E.md")  # a new link: a new layout
    small.graph = small.graph.renewed()
    second = graphview.global_layout(small)
    assert second is not first
    names = second["nodes"]["title"]
    flat = second["edges"]
    pairs = {tuple(sorted((names[flat[i]], names[flat[i + 1]]))) for i in range(0, len(flat), 2)}
    assert ("B", "E") in pairs
