"""Graph layouts computed at build time: a radial local graph per page, a global layout for the graph page."""
from __future__ import annotations

import math
from typing import Any

import networkx as nx

from kbgen.graph import LinkGraph
from kbgen.site import Site, is_concept_label
from kbgen.urls import concept_url

SIZE = 300
"""The local graph's SVG viewBox is SIZE × SIZE."""


def node_url(site: Site, node: str) -> str:
    kind, _, key = node.partition(":")
    if kind == "note":
        return site.urls.get(key, "")  # type: ignore[arg-type]
    if kind == "concept" and site.config.concept_pages:
        title = site.graph.g.nodes[node]["title"]
        return concept_url(title) if is_concept_label(title) else ""
    return ""


def group_of(site: Site, node: str) -> str:
    data = site.graph.g.nodes[node]
    if data["kind"] != "note":
        return data["kind"]
    path = data["path"]
    if site.config.graph_color_by == "tag":
        note = site.notes.get(path)
        return note.tags[0].split("/")[0].casefold() if note and note.tags else ""
    rel = path[len(site.strip):] if site.strip and path.startswith(site.strip) else path
    return rel.split("/")[0] if "/" in rel else ""


def local_graph(site: Site, path: str, depth: int = 2, limit: int = 40) -> dict[str, Any]:
    """Nodes on rings around the note (ring = distance), so the picture is stable and cheap."""
    graph: LinkGraph = site.graph
    center = "note:" + path
    nodes = [n for n in graph.neighbourhood(center, depth, limit)
             if not (n.startswith("concept:") and not is_concept_label(graph.g.nodes[n]["title"]))]
    if not nodes:
        return {"nodes": [], "edges": [], "size": SIZE}
    dist = {center: 0}
    for n in nodes[1:]:
        dist[n] = 1 if (graph.g.has_edge(center, n) or graph.g.has_edge(n, center)) else 2
    rings: dict[int, list[str]] = {}
    for n in nodes:
        rings.setdefault(dist[n], []).append(n)
    pos: dict[str, tuple[float, float]] = {}
    mid = SIZE / 2
    for ring, members in rings.items():
        radius = 0 if ring == 0 else (70 if ring == 1 else 125)
        offset = 0 if ring != 2 else math.pi / max(len(members), 1)
        for i, n in enumerate(members):
            angle = offset + 2 * math.pi * i / max(len(members), 1) - math.pi / 2
            pos[n] = (round(mid + radius * math.cos(angle), 1), round(mid + radius * math.sin(angle), 1))
    index = {n: i for i, n in enumerate(nodes)}
    edges = sorted({(index[a], index[b]) for a in nodes for b in graph.g.successors(a)
                    if b in index and a != b})
    out = []
    for n in nodes:
        data = graph.g.nodes[n]
        out.append({
            "id": n, "title": data["title"], "url": node_url(site, n), "kind": data["kind"],
            "x": pos[n][0], "y": pos[n][1], "r": _radius(graph.degree(n)),
            "group": group_of(site, n), "current": n == center,
        })
    return {"nodes": out, "edges": edges, "size": SIZE}


def _radius(degree: int) -> float:
    return round(3 + 1.6 * math.sqrt(degree), 1)


def global_layout(site: Site, limit: int = 400) -> dict[str, Any]:
    """Positions for the global graph page. The `limit` most-linked notes (plus concepts among
    them) are laid out with a seeded spring layout and drawn as SVG; every note gets a community
    id (networkx label propagation / greedy modularity) for colouring and level of detail."""
    g = site.graph.g
    notes = [n for n, d in g.nodes(data=True) if d["kind"] in ("note", "concept")
             and (d["kind"] == "note" or is_concept_label(d["title"]))]
    ranked = sorted(notes, key=lambda n: (-g.degree(n), n))
    shown = sorted(ranked[:limit])
    sub = nx.Graph()
    sub.add_nodes_from(shown)
    sub.add_edges_from((a, b) for a, b in g.edges(shown) if b in sub and a != b)
    communities = _communities(sub)
    pos = nx.spring_layout(sub, seed=7, iterations=60) if len(sub) else {}
    scale = 480
    nodes = []
    for n in shown:
        x, y = pos.get(n, (0.0, 0.0))
        d = g.nodes[n]
        nodes.append({"id": n, "title": d["title"], "url": node_url(site, n), "kind": d["kind"],
                      "x": round(float(x) * scale + 500, 1), "y": round(float(y) * scale + 500, 1),
                      "r": _radius(g.degree(n)), "group": group_of(site, n),
                      "community": communities.get(n, 0)})
    index = {n["id"]: i for i, n in enumerate(nodes)}
    edges = sorted({(index[a], index[b]) for a, b in sub.edges()})
    return {"nodes": nodes, "edges": edges, "total": len(notes), "size": 1000}


def _communities(g: nx.Graph) -> dict[str, int]:
    if not len(g):
        return {}
    groups = nx.community.louvain_communities(g, seed=7) if len(g) > 2 else [set(g)]
    ordered = sorted((sorted(c) for c in groups), key=lambda c: (-len(c), c[0]))
    return {n: i for i, members in enumerate(ordered) for n in members}
