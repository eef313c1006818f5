"""The local graph of each note: the nodes it holds, where they sit, and its SVG."""
from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import write_vault
from graphsites import collect, small_vault, synthetic
from kbgen import graphsvg, localgraph
from kbgen.site import Site


@pytest.fixture
def small(tmp_path: Path) -> Site:
    return small_vault(tmp_path)


def titles(graph: dict) -> list[str]:
    return [n["title"] for n in graph["nodes"]]


def test_local_graph_holds_the_note_its_neighbours_and_theirs(small: Site) -> None:
    g = localgraph.local_graph(small, "Hub.md")
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
        assert n["r"] > 0 and 0 <= n["x"] <= localgraph.SIZE and 0 <= n["y"] <= localgraph.SIZE
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
    svg = ET.fromstring(str(graphsvg.local_graph_svg(g, href)))
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
    for g in [localgraph.local_graph(small, "Hub.md")] + [localgraph.local_graph(site, f"n{i}.md")
                                                         for i in range(0, 400, 37)]:
        _, nodes, edges, segments = drawn(g)
        assert len(nodes) == len(g["nodes"])
        names = [n["title"] for n in g["nodes"]]
        assert edges == {tuple(sorted((names[a], names[b]))) for a, b in g["edges"]}
        assert segments == len(g["edges"])  # no edge drawn twice


def test_the_svg_links_titles_and_labels_each_node(small: Site) -> None:
    g = localgraph.local_graph(small, "Hub.md")
    svg, nodes, _, _ = drawn(g)
    assert svg.get("viewBox") == f"0 0 {localgraph.SIZE} {localgraph.SIZE}"
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
    g = localgraph.local_graph(site, odd)
    assert g["nodes"][0]["title"] == long
    _, nodes, edges, _ = drawn(g)  # parses: the markup is well formed
    assert nodes[-1].find("title").text == long
    assert nodes[-1].find("text").text == graphsvg._short(long) == "A <b>very</b> long &…"
    assert edges == {(long, "Hub")}


def test_a_note_without_links_shows_only_itself(small: Site) -> None:
    g = localgraph.local_graph(small, "Lonely.md")
    assert titles(g) == ["Lonely"] and g["edges"] == []


def test_a_hub_page_shows_at_most_the_limit_best_linked_first(tmp_path: Path) -> None:
    files = {"Hub.md": " ".join(f"[[N{i:02}]]" for i in range(60))}
    for i in range(60):
        files[f"N{i:02}.md"] = "[[Hub]]" + (" [[N00]]" if i < 10 else "")
    site = collect(write_vault(tmp_path / "v", files))
    g = localgraph.local_graph(site, "Hub.md", limit=40)
    assert len(g["nodes"]) == 40
    assert "N00" in titles(g)  # eleven links: the best linked neighbour is always kept
    assert all(n["ring"] == 1 for n in g["nodes"][1:])
    labelled = [n for n in g["nodes"] if n["label"]]
    assert g["nodes"][0]["label"] and len(labelled) <= 1 + localgraph.LABELS
