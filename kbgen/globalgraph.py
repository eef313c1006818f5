"""The graph page's data: the global layout in graph.json, its static preview, and the layout kept
across edits.

Stable from build to build (sorted iteration, seeded layouts) and costs the browser nothing but
drawing. The global layout is built for level of detail: nodes are listed most linked first and
edges in the order their endpoints appear, so a viewer that shows the first k nodes draws exactly
a prefix of both lists.
"""
from __future__ import annotations

import math
from typing import Any

from kbgen.adjacency import _PerGraph, _group, _ranked, adjacency, group_of, legend, node_url, palette
from kbgen.graph import LinkGraph
from kbgen.layout import _communities, _positions
from kbgen.site import Site

PREVIEW = 120
"""Nodes drawn in the graph page's static SVG (readable without JavaScript)."""


def radius_of(degree: int) -> float:
    """Node size grows with the number of links, gently (square root)."""
    return round(3 + 1.6 * math.sqrt(degree), 1)


_layouts = _PerGraph("_layouts")
_last: dict[str, Any] = {}
"""A layout and the key of its inputs, kept by remember(): `kbgen serve` renews the graph at
every edit, and most edits change no link, title or URL, so the layout is taken from here (one
slot: one site is served at a time)."""


def global_layout(site: Site) -> dict[str, Any]:
    """The global layout, once per graph (the graph page and graph.json both ask), and not
    again for a new graph whose layout inputs are those remember() kept."""
    cached = _layouts.get(site.graph)
    if cached is None:
        key = _layout_key(site) if _last else None
        if key is not None and _last["key"] == key:
            cached = _last["data"]
        else:
            cached = _global_layout(site)
            _last.clear()
            if key is not None:  # computed anyway: remember() need not again
                _last.update(key=key, data=cached)
        _layouts[site.graph] = cached
    return cached


def adopt(site: Site, layout: dict[str, Any]) -> None:
    """Take the global layout a worker process computed for the site's graph (the lazy graph
    page is filled in a worker while the others render notes)."""
    if _layouts.get(site.graph) is None:
        _layouts[site.graph] = layout
        _last.clear()


def remember(site: Site) -> None:
    """Keep the site's layout with the key of its inputs, for the next graph that has the same
    (serve: most full passes change no link). Costs the key: ~0.2 s at 10 000 notes."""
    layout = global_layout(site)
    if _last.get("data") is not layout:
        _last.clear()
        _last.update(key=_layout_key(site), data=layout)


def keep_layout(before: LinkGraph, after: LinkGraph) -> bool:
    """Let the renewed graph `after` use the global layout computed for `before`; True when
    there was one to keep (it may be out of date: forget_layout() makes the next ask lay out)."""
    layout = _layouts.get(before)
    if layout is None:
        return False
    _layouts[after] = layout
    return True


def forget_layout(graph: LinkGraph) -> None:
    """Drop the layout kept for `graph`, so the next global_layout() lays it out again."""
    graph.memo.pop(_layouts.name, None)


def _layout_key(site: Site) -> tuple[int, int]:
    """Everything the layout depends on: the links (an order-free sum of their hashes) and each
    node's title, URL and colour. On the 10 000-note vault 0.3 s with the adjacency (which the
    local graphs need anyway), against 2.4 s for the layout, measured on a busy machine."""
    adj = adjacency(site.graph)
    links = 0
    for a, near in adj.items():
        for b in near:
            if a < b:
                links = (links + hash((a, b))) & 0xFFFFFFFFFFFFFFFF
    colours = palette(site)
    g = site.graph.g
    nodes = hash((tuple(sorted(colours.items())),
                  tuple(sorted((n, g.nodes[n]["title"], node_url(site, n), colours.get(_group(site, n), 0))
                               for n in adj))))
    return links, nodes


def _global_layout(site: Site) -> dict[str, Any]:
    """The data of `_kbgen/graph.json`, in columns (see the module docstring for the order):

    nodes:    title, url, x, y, r (size), c (colour group), k (0 note, 1 concept), m (community)
    edges:    flat [a0, b0, a1, b1, ...], each pair ordered so a < b, sorted by b
    clusters: communities, largest first: label, x, y, r, size, top (its best-linked node)
    groups:   the colour legend; total: node count; size: the world's width and height
    """
    graph = site.graph
    adj = adjacency(graph)
    rank, order = _ranked(graph)  # the local graphs' ranking: best linked first, ties by name
    ranked = list(rank)
    community = _communities(adj, ranked)
    pos, clusters = _positions(adj, ranked, rank, community, order)
    colours = palette(site)
    size = 0.0
    if pos:
        xs = [p[0] for p in pos.values()]
        ys = [p[1] for p in pos.values()]
        pad = 40.0
        size = max(max(xs) - min(xs), max(ys) - min(ys)) + 2 * pad
        ox, oy = min(xs) - pad, min(ys) - pad
        pos = {n: (x - ox, y - oy) for n, (x, y) in pos.items()}
        clusters = [dict(c, x=c["x"] - ox, y=c["y"] - oy) for c in clusters]
    cols: dict[str, list[Any]] = {k: [] for k in ("title", "url", "x", "y", "r", "c", "k", "m")}
    for n in ranked:
        data = graph.g.nodes[n]
        cols["title"].append(data["title"])
        cols["url"].append(node_url(site, n))
        cols["x"].append(round(pos[n][0], 1))
        cols["y"].append(round(pos[n][1], 1))
        cols["r"].append(radius_of(len(adj[n])))
        cols["c"].append(colours.get(group_of(site, n), 0))
        cols["k"].append(0 if data["kind"] == "note" else 1)
        cols["m"].append(community[n])
    edges: list[int] = []
    for b, n in enumerate(ranked):
        for m in order[n]:  # its neighbours, best ranked first
            a = rank[m]
            if a >= b:
                break
            edges += (a, b)
    result = {
        "version": 1, "total": len(ranked), "size": round(size, 1),
        "nodes": cols, "edges": edges,
        "clusters": [{"label": graph.g.nodes[c["top"]]["title"], "x": round(c["x"], 1),
                      "y": round(c["y"], 1), "r": round(c["r"], 1), "size": c["size"],
                      "top": rank[c["top"]]} for c in clusters],
        "groups": legend(site),
    }
    return result


def preview(site: Site, limit: int = PREVIEW) -> dict[str, Any]:
    """The graph page's static picture: the `limit` best-linked nodes of the global layout,
    in a viewBox fitted around them, with the links between them."""
    data = global_layout(site)
    cols = data["nodes"]
    n = min(limit, data["total"])
    if not n:
        return {"nodes": [], "edges": [], "box": [0, 0, 1, 1], "total": 0}
    xs, ys = cols["x"][:n], cols["y"][:n]
    pad = 30 + max(cols["r"][:n])
    box = [round(min(xs) - pad, 1), round(min(ys) - pad, 1),
           round(max(xs) - min(xs) + 2 * pad, 1), round(max(ys) - min(ys) + 2 * pad, 1)]
    scale = max(box[2], box[3]) / 600  # keep labels and strokes readable in any world size
    nodes = [{"title": cols["title"][i], "url": cols["url"][i], "x": xs[i], "y": ys[i],
              "r": round(cols["r"][i] * scale, 1), "colour": cols["c"][i],
              "kind": "note" if cols["k"][i] == 0 else "concept", "label": i < 40}
             for i in range(n)]
    edges = []
    flat = data["edges"]
    for j in range(0, len(flat), 2):
        if flat[j + 1] >= n:
            break  # sorted by the larger end: no later pair is inside the preview
        edges.append((flat[j], flat[j + 1]))
    return {"nodes": nodes, "edges": edges, "box": box, "total": data["total"],
            "font": round(11 * scale, 1), "stroke": round(scale, 2)}
