"""The local graph's inline SVG (what partials/graph.html shows), from localgraph.local_graph()'s picture."""
from __future__ import annotations

from operator import itemgetter
from typing import Any

from markupsafe import Markup


def _short(title: str, limit: int = 22) -> str:
    return title if len(title) <= limit else title[:limit - 1].rstrip() + "…"



def _edge_path(point: list[str], edges: list[tuple[int, int]]) -> str:
    """Every edge in one path's `d`: `M` starts a polyline, `L` then points (SVG repeats the
    L for each further pair). The script reads the edges back from it by the nodes' points.

    Each edge is in exactly one polyline: a polyline pays one point per edge where separate
    lines pay two. Greedy walks, from odd-degree nodes first (a trail must end at each), along
    the highest unused neighbour: deterministic and near the fewest polylines. `point`: each
    node's point as written."""
    count = len(point)
    near: list[list[int]] = [[] for _ in range(count)]
    for a, b in edges:
        near[a].append(b)
        near[b].append(a)
    out = []
    for start in [v for v in range(count) if len(near[v]) % 2] + list(range(count)):
        while near[start]:
            v, here, trail = start, near[start], []
            add = trail.append
            while here:
                w = here.pop()
                here = near[w]
                here.remove(v)
                add(point[w])
                v = w
            out.append(f"M{point[start]}L{' '.join(trail)}")
    return "".join(out)


def _xml(text: str) -> str:
    """Text made safe for SVG content and double-quoted attributes; markupsafe's escape costs
    ten times as much, and a page escapes some 90 titles and URLs."""
    if "&" in text or "<" in text or ">" in text or '"' in text:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;")
    return text


def local_graph_svg(graph: dict[str, Any], href: Any, links: dict[str, str] | None = None) -> Markup:
    """The local graph as inline SVG (what partials/graph.html shows), built as one string (a
    template loop costs more than the rest of the page). Kept small, for every page carries
    it: all edges in one path; a node is its link (or group), title and circle, in a group
    per ring; only the labels shown from the start are written, the script adds the others
    (and the highlighted edges) from the title and the path. Label anchors and colours are
    classes the stylesheet fills in.

    `links`: URL → href(URL) escaped, kept by the caller for pages whose href() answers alike
    (those of one folder), so the hubs on most pages are not made relative again each time."""
    nodes = graph["nodes"]
    size = graph["size"]
    point = list(map(_POINTS.__getitem__, map(_POINT, nodes)))
    out = [f'<svg class="graph" viewBox="0 0 {size} {size}" role="group" aria-labelledby="graph-title" '
           f'data-size="{size}"><path class="edges" d="{_edge_path(point, graph["edges"])}"/>']
    rows = list(map(_FIELDS, nodes))
    ring = None
    classes, radii, titles = _CLASSES, _RADII, _TITLES
    if len(titles) > _TITLES_KEPT:
        titles.clear()
    if links is None:
        links = {}
    for i in range(len(rows) - 1, -1, -1):  # outer ring first: inner labels end up on top
        node, level, title, url, x, y, r, colour, label = rows[i]
        if level != ring:
            out.append(f'{"</g>" if ring is not None else ""}<g class="nodes ring{level}">')
            ring = level
        concept = node.startswith("concept:")
        key = (colour, concept, i == 0, label)
        attrs = classes.get(key)
        if attrs is None:
            attrs = classes[key] = _class_attr(*key)
        shown = radii.get(r)
        if shown is None:
            shown = radii[r] = f"{r:g}"
        text = titles.get(title)
        if text is None:
            text = titles[title] = _xml(title)
        shows = f'<text x="{x}" y="{int(y + r + 9.5)}"{_anchor(x, size)}>{_xml(_short(title))}</text>' \
            if label else ""
        if url and i:
            link = links.get(url)
            if link is None:
                link = links[url] = _xml(href(url))
            out.append(f'<a href="{link}"{attrs}><title>{text}{" (no note yet)" if concept else ""}</title>'
                       f'<circle cx="{x}" cy="{y}" r="{shown}"/>{shows}</a>')
        else:
            out.append(f'<g{attrs}><title>{text}{" (no note yet)" if concept else ""}</title>'
                       f'<circle cx="{x}" cy="{y}" r="{shown}"/>{shows}</g>')
    out.append("</g></svg>" if nodes else "</svg>")
    return Markup("".join(out))


_FIELDS = itemgetter("id", "ring", "title", "url", "x", "y", "r", "colour", "label")
_POINT = itemgetter("x", "y")


class _Points(dict[tuple[int, int], str]):
    """A point → as written in the edge path: points sit on two rings, a few thousand of them."""

    def __missing__(self, point: tuple[int, int]) -> str:
        text = self[point] = f"{point[0]} {point[1]}"
        return text


_POINTS = _Points()
_TITLES: dict[str, str] = {}
"""A node's title → as written in the SVG: the same hubs' titles on most pages."""
_TITLES_KEPT = 100_000
"""_TITLES is emptied when it holds more titles than this (a long `serve` of renamed notes)."""
_CLASSES: dict[tuple[int, bool, bool, bool], str] = {}
"""(colour, concept, current, labelled) → a node's class attribute: a handful, on every page."""
_RADII: dict[float, str] = {}
"""A node's size → as written in the SVG (a few dozen sizes)."""


def _class_attr(colour: int, concept: bool, current: bool, labelled: bool) -> str:
    cls = [f"c{colour}"] if colour else []
    cls += ["node-concept"] if concept else []
    cls += ["current"] if current else []
    cls += ["labelled"] if labelled else []
    return f' class="{" ".join(cls)}"' if cls else ""


def _anchor(x: float, size: float) -> str:
    """Labels near the left or right edge grow inwards, so the frame does not cut them
    (the script gives the labels it adds the same classes)."""
    return ' class="start"' if x < size * 0.2 else ' class="end"' if x > size * 0.8 else ""
