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
    near: list[list[int]] = [[] for _ in point]
    for a, b in edges:
        near[a].append(b)
        near[b].append(a)
    out: list[str] = []
    add = out.append
    # (a node without edges left cannot get one back: those with none are passed over)
    for start in [v for v, n in enumerate(near) if len(n) & 1] + [v for v, n in enumerate(near) if n]:
        here = near[start]
        while here:
            w = here.pop()
            ahead = near[w]
            ahead.remove(start)
            if not ahead:  # a polyline of one edge: most of them when the outer ring is large
                add(f"M{point[start]}L{point[w]}")
                continue
            v, trail = w, [point[w]]
            step = trail.append
            while ahead:
                x = ahead.pop()
                ahead = near[x]
                ahead.remove(v)
                step(point[x])
                v = x
            add(f"M{point[start]}L{' '.join(trail)}")
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

    A node's markup but its href and point is the same on every page that shows it alike
    (_PIECES); pages whose pictures differ only in their own node (notes linking to one hub
    alone) take the edge path and the other nodes' markup of the page before. `links`: URL →
    href(URL) escaped, kept by the caller for pages whose href() answers alike (those of one
    folder), so the hubs on most pages are not made relative again each time."""
    nodes = graph["nodes"]
    size = graph["size"]
    xy = list(map(_POINT, nodes))
    point = list(map(_POINTS.__getitem__, xy))
    edges = graph["edges"]
    last = _LAST_PATH
    alike = edges == last[0] and point == last[1]  # (notes linking to one hub alone: all alike)
    if alike:
        path = last[2]
    else:
        path = _edge_path(point, edges)
        last[:] = list(edges), point, path
    start = (f'<svg class="graph" viewBox="0 0 {size} {size}" role="group" aria-labelledby="graph-title" '
             f'data-size="{size}"><path class="edges" d="{path}"/>')
    if not nodes:
        return Markup(start + "</svg>")
    if links is None:
        links = {}
    keys = list(map(_KEY, nodes))
    pieces = [_pieces(*keys[0], current=True)]  # the page's own node: marked, no link (not kept)
    pieces += map(_PIECES.get, keys[1:])
    if None in pieces:
        if len(_PIECES) > _PIECES_KEPT:
            _PIECES.clear()
        for i, key in enumerate(keys):
            if pieces[i] is None:
                pieces[i] = _PIECES[key] = _pieces(*key)
    hrefs = list(map(links.get, map(_URL, nodes)))
    hrefs[0] = ""
    if None in hrefs:
        for i, node in enumerate(nodes):
            if hrefs[i] is None:
                url = node["url"]
                hrefs[i] = links[url] = _xml(href(url)) if url else ""
    if alike:  # the nodes but the page's own may be too
        drawn = _drawn(pieces[:1], hrefs[:1], xy[:1], size)
        others = pieces[1:], hrefs[1:], xy[1:], size
        last = _LAST_NODES
        if last[0] != others:
            last[:] = others, _drawn(*others)
        drawn += last[1]
    else:
        drawn = _drawn(pieces, hrefs, xy, size)
    out = [start]
    levels = list(map(_RING, nodes))
    end = len(drawn)
    while end:  # outer ring first (nodes come ring by ring): inner labels end up on top
        level = levels[end - 1]
        begin = end - 1
        while begin and levels[begin - 1] == level:
            begin -= 1
        out.append(f'<g class="nodes ring{level}">')
        out += drawn[end - 1:begin - 1 if begin else None:-1]
        out.append("</g>")
        end = begin
    out.append("</svg>")
    return Markup("".join(out))


def _pieces(node: str, title: str, url: str, r: float, colour: int, label: bool,
            current: bool = False) -> tuple[str, str, str, tuple[float, str, str] | None]:
    """A node's markup around its href and point: (before the href, after it up to cx, after
    cy, and for a labelled node its size, label text and closing tag, the label being placed
    by its point)."""
    concept = node.startswith("concept:")
    inner = f'{_class_attr(colour, concept, current, label)}><title>{_xml(title)}' \
            f'{" (no note yet)" if concept else ""}</title><circle cx="'
    a, b, close = ('<a href="', '"' + inner, "</a>") if url and not current else ("", "<g" + inner, "</g>")
    c = f'" r="{r:g}"/>'
    return (a, b, c, (r, _xml(_short(title)), close)) if label else (a, b, c + close, None)


def _drawn(pieces: list[tuple[str, str, str, tuple[float, str, str] | None]], hrefs: list[str],
           xy: list[tuple[int, int]], size: int) -> list[str]:
    """The nodes' elements, from their pieces, hrefs and points."""
    return [f'{a}{link}{b}{x}" cy="{y}{c}' if label is None else
            f'{a}{link}{b}{x}" cy="{y}{c}{_label(x, y, size, *label)}'
            for (a, b, c, label), link, (x, y) in zip(pieces, hrefs, xy)]


def _label(x: int, y: int, size: int, r: float, text: str, close: str) -> str:
    return f'<text x="{x}" y="{int(y + r + 9.5)}"{_anchor(x, size)}>{text}</text>{close}'


_KEY = itemgetter("id", "title", "url", "r", "colour", "label")
_POINT = itemgetter("x", "y")
_URL = itemgetter("url")
_RING = itemgetter("ring")


class _Points(dict[tuple[int, int], str]):
    """A point → as written in the edge path: points sit on two rings, a few thousand of them."""

    def __missing__(self, point: tuple[int, int]) -> str:
        text = self[point] = f"{point[0]} {point[1]}"
        return text


_POINTS = _Points()
_LAST_PATH: list[Any] = [None, None, ""]
"""The last graph's edges, points as written and edge path: pages whose pictures differ only
in their middle node have the same."""
_LAST_NODES: list[Any] = [None, []]
"""The nodes but the first (their pieces, hrefs, points and the size) and their elements, of
the last graph whose edge path was the one before."""
_PIECES: dict[tuple[Any, ...], tuple[str, str, str, tuple[float, str, str] | None]] = {}
"""_KEY of a node → _pieces(): the hubs are on most pages (the page's own node is not kept)."""
_PIECES_KEPT = 100_000
"""_PIECES is emptied when it holds more than this (a long `serve` of renamed notes)."""
_CLASSES: dict[tuple[int, bool, bool, bool], str] = {}
"""(colour, concept, current, labelled) → a node's class attribute: a handful, on every page."""


def _class_attr(colour: int, concept: bool, current: bool, labelled: bool) -> str:
    attr = _CLASSES.get((colour, concept, current, labelled))
    if attr is None:
        attr = _CLASSES[colour, concept, current, labelled] = _make_class_attr(colour, concept, current, labelled)
    return attr


def _make_class_attr(colour: int, concept: bool, current: bool, labelled: bool) -> str:
    cls = [f"c{colour}"] if colour else []
    cls += ["node-concept"] if concept else []
    cls += ["current"] if current else []
    cls += ["labelled"] if labelled else []
    return f' class="{" ".join(cls)}"' if cls else ""


def _anchor(x: float, size: float) -> str:
    """Labels near the left or right edge grow inwards, so the frame does not cut them
    (the script gives the labels it adds the same classes)."""
    return ' class="start"' if x < size * 0.2 else ' class="end"' if x > size * 0.8 else ""
