"""The local graph on each note page: the nodes near the note, placed on two rings (graphsvg.py draws it)."""
from __future__ import annotations

import math
from bisect import bisect_right
from itertools import chain, repeat
from typing import Any

from kbgen.adjacency import COLOURS, _PerGraph, _group, _ranked, adjacency, node_url, palette
from kbgen.graph import LinkGraph
from kbgen.graphsvg import _short
from kbgen.site import Site

SIZE = 300
"""The local graph's SVG viewBox is SIZE × SIZE."""
LABELS = 6
"""Inner-ring nodes labelled from the start (best linked first); the others on hover or zoom."""


def nearby(graph: LinkGraph, center: str, depth: int, limit: int) -> list[str]:
    """Shown nodes within `depth` links of `center`, nearest first and, among equals, best
    linked first; at most `limit`, so a hub's page stays small."""
    return [n for level in _levels(graph, center, depth, limit) for n in level]


class _Tops(dict[str, list[int]]):
    """Node → the ranks of its first `limit` neighbours (best linked first), made when first
    asked: all that a level of _levels can take from the node (see there)."""

    def __init__(self, rank: dict[str, int], order: dict[str, list[str]], limit: int) -> None:
        super().__init__()
        self.rank, self.order, self.limit = rank, order, limit

    def __missing__(self, node: str) -> list[int]:
        top = self[node] = list(map(self.rank.__getitem__, self.order[node][:self.limit]))
        return top


_tops = _PerGraph("_local_tops")


def _levels(graph: LinkGraph, center: str, depth: int, limit: int) -> list[list[str]]:
    """nearby()'s nodes by distance: [[center], its neighbours shown, theirs, ...] (no empty
    level). A level is the best ranked unseen neighbours of the level before, as many as fit:
    the smallest ranks of the union of their neighbour lists. A node taken sits within the
    first `limit` of a list (before it there are at most len(seen) seen ones and fewer than
    `want` unseen, better ranked), so only those are looked at, as ranks (integers sort
    fast): the cost per page is bounded by the limit, not by the hubs' size."""
    if center not in adjacency(graph):
        return []
    levels = [[center]]
    want = limit - 1
    if depth < 1 or want <= 0:
        return levels
    rank, order = _ranked(graph)
    memo = _tops.get(graph)
    if memo is None:
        names: list[str] = [""] * len(rank)
        for n, i in rank.items():
            names[i] = n
        memo = _tops[graph] = (names, {})
    names, by_limit = memo
    tops = by_limit.get(limit)
    if tops is None:
        tops = by_limit[limit] = _Tops(rank, order, limit)
    frontier = order[center][:want]  # the first level: one list, in order, the center not in it
    if not frontier:
        return levels
    levels.append(frontier)
    taken = 1 + len(frontier)
    seen = set(tops[center][:want])
    seen.add(rank[center])
    for _ in range(depth - 1):
        want = limit - taken
        if want <= 0:
            break
        lists = list(map(tops.__getitem__, frontier))
        first = [r for r in lists[0] if r not in seen]
        if len(first) >= want:  # no rank taken is above the first list's want-th unseen one
            bound = first[want - 1]
            found = set().union(*[top[:bisect_right(top, bound)] for top in lists])
        else:
            found = set().union(*lists)
        found -= seen
        if not found:
            break
        picked = sorted(found)[:want]
        seen.update(picked)
        frontier = list(map(names.__getitem__, picked))
        levels.append(frontier)
        taken += len(frontier)
    return levels


class _Nodes:
    """What local graphs show of each node, the same on every page that shows it, so made once
    per graph when first shown (a page shows 40 nodes, and the hubs are on most pages):
    `row` its (title, URL, colour, size); `key` its place in an inner ring (colour groups
    together, uncoloured last, then by title); `width` its label's (see _labels)."""

    def __init__(self) -> None:
        self.row: dict[str, tuple[str, str, int, float]] = {}
        self.key: dict[str, tuple[int, str, str]] = {}
        self.width: dict[str, float] = {}

    def fill(self, site: Site, nodes: list[str]) -> None:
        if all(map(self.row.__contains__, nodes)):
            return
        adj = adjacency(site.graph)
        for n in set(nodes).difference(self.row):
            title = site.graph.g.nodes[n]["title"]
            colour = palette(site).get(_group(site, n), 0)
            self.key[n] = (colour or COLOURS + 1, title.casefold(), n)
            self.width[n] = 5.0 * len(_short(title))
            self.row[n] = (title, node_url(site, n), colour, node_radius(len(adj[n])))  # last: tells it all made


_nodes = _PerGraph("_local_nodes")


def local_graph(site: Site, path: str, depth: int = 2, limit: int = 40) -> dict[str, Any]:
    """The note in the middle, its neighbours on a ring, theirs on an outer ring, each placed
    near the neighbours that brought it in, so links stay short and the picture is stable.

    nodes: the middle first, then the inner ring, then the outer; each with id, ring, title,
           url, x and y (integers, all points distinct), r (size), colour and label (shown
           from the start); edges: pairs of node indexes (a < b), sorted.
    """
    graph: LinkGraph = site.graph
    levels = _levels(graph, "note:" + path, depth, limit)
    if not levels:
        return {"nodes": [], "edges": [], "size": SIZE}
    adj = adjacency(graph)
    info = _nodes.get(graph)
    if info is None:
        info = _nodes[graph] = _Nodes()
    center = levels[0][0]
    near = levels[1] if len(levels) > 1 else []  # the center's neighbours, best ranked first
    outer = levels[2] if len(levels) == 3 else [n for level in levels[2:] for n in level]
    info.fill(site, [center, *near, *outer])
    last = _last.get(graph)
    if last is not None and last[0] == near and last[1] == outer:
        placed = last[2]
    else:  # placed again (what follows is the same for every center with these rings)
        placed = _place(adj, info, near, outer)
        _last[graph] = (near, outer, placed)
    ring1, ring2, points, edges, near_points = placed
    edges = list(edges)  # (each page its own list)
    # label the middle and, where they fit, the inner ring (best ranked first: `near`'s order);
    # the rest show on hover or zoom
    labelled = _labels([center, *near], [points[0], *near_points], info)
    order = [center, *ring1, *ring2]
    rows = map(info.row.__getitem__, order)
    rings = chain((0,), repeat(1, len(ring1)), repeat(2, len(ring2)))
    out = [{"id": n, "ring": level, "title": title, "url": url, "x": x, "y": y, "r": r,
            "colour": colour, "label": n in labelled}
           for n, level, (title, url, colour, r), (x, y) in zip(order, rings, rows, points)]
    return {"nodes": out, "edges": edges, "size": SIZE}


_APART = 400
"""Outer nodes from which rounding might put two on one point. Below, never: _spread keeps
neighbours at least min(2π/m, 0.45) apart, a chord of over 2 units at radius 132, and the
rings are 50 units apart (the inner ring's points are made apart once, see _ring)."""


_last = _PerGraph("_local_last")
"""The rings of the last page drawn: (inner, outer, what _place made of them). The notes that
link to one hub alone all get the same rings: only their middle differs."""


Placed = tuple[list[str], list[str], list[tuple[int, int]], list[tuple[int, int]], list[tuple[int, int]]]


def _place(adj: dict[str, set[str]], info: _Nodes, near: list[str], outer: list[str]) -> Placed:
    """Where the rings' nodes go and the edges: (the inner ring, the outer ring, the points of
    the middle and of both rings, the edges, the points of `near`). The middle does not matter:
    it sits in the middle and meets exactly the inner ring."""
    ring1 = sorted(near, key=info.key.__getitem__)
    ring = _ring(len(ring1))
    inner = set(ring1)
    # each outer node's inner neighbours (its edges to the inner ring): most often one, whose
    # angle is known; else the mean angle of several, or the far side (see _wanted)
    commons = list(map(inner.intersection, map(adj.__getitem__, outer)))
    alone = dict(zip(ring1, [s[3] for s in ring]))
    wanted = [alone[min(common)] if len(common) == 1 else -9.0 for common in commons]
    if -9.0 in wanted:  # (angles are at least -pi / 2)
        sin_of = dict(zip(ring1, [s[0] for s in ring]))
        cos_of = dict(zip(ring1, [s[1] for s in ring]))
        for i, common in enumerate(commons):
            if len(common) != 1:
                wanted[i] = _wanted(sorted(common), sin_of, cos_of)
    by_angle = sorted(zip(wanted, outer))  # by (wanted angle, name)
    ring2 = [n for _, n in by_angle]
    mid = SIZE // 2
    points = [(mid, mid)]
    points += [s[2] for s in ring]
    angles = [a for a, _ in by_angle]
    if angles and angles[0] == angles[-1]:  # all on one inner node, as on many pages
        far = _ALIKE[angles[0], len(angles)]
    else:
        spread = _pushed(angles)
        if spread is None:  # crowded: evenly round the circle
            far = _EVEN[angles[0], len(angles)]
        else:
            cos, sin = math.cos, math.sin
            far = [(round(mid + 132.0 * cos(a)), round(mid + 132.0 * sin(a))) for a in spread]
    if len(far) > _APART:
        far = _apart(points, far)
    points += far
    # Edges as codes a * count + b (a < b), sorted as integers and split by divmod: the middle
    # meets exactly the inner ring, an outer node the inner nodes found above; only each ring's
    # own edges are looked for, each node meeting those after it in its ring.
    order = ["", *ring1, *ring2]  # (the middle: any name but a node's)
    count = len(order)
    index = dict(zip(order, range(count)))
    get = index.__getitem__
    codes = list(range(1, len(ring1) + 1))
    codes += [get(m) * count + get(n) for n, common in zip(outer, commons) for m in common]
    hits = []
    hit = hits.append
    for group in (ring1, ring2):
        later = set(group)
        drop = later.discard
        for a in group:
            drop(a)
            hit(adj[a] & later)
    codes += [i * count + j for i, common in enumerate(hits, 1) for j in map(get, common)]
    codes.sort()
    edges = list(map(divmod, codes, repeat(count, len(codes))))
    return ring1, ring2, points, edges, list(map(points.__getitem__, map(get, near)))


def _apart(taken: list[tuple[int, int]], points: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """`points` with each one that falls on a point before it (or in `taken`) moved right
    until free: the browser tells nodes by their point."""
    seen = set(taken)
    out = []
    for p in points:
        while p in seen:
            p = (p[0] + 1, p[1])
        seen.add(p)
        out.append(p)
    return out


def _labels(names: list[str], points: list[tuple[int, int]], info: _Nodes) -> set[str]:
    """The middle's label (`names[0]`) and up to LABELS inner-ring labels (the other names,
    best linked first) that do not overlap one already chosen; 9-unit text is taken as 5
    units a character. `points`: each name's."""
    boxes: list[tuple[float, float, float, float]] = []
    chosen: set[str] = set()
    row, width = info.row, info.width
    for n, (x, y) in zip(names, points):
        r, w = row[n][3], width[n]
        left = x if x < SIZE * 0.2 else x - w if x > SIZE * 0.8 else x - w / 2
        top = y + r + 1
        right, bottom = left + w, top + 10
        for b in boxes:
            if left < b[2] and b[0] < right and top < b[3] and b[1] < bottom:
                break
        else:
            boxes.append((left, top, right, bottom))
            chosen.add(n)
            if len(chosen) > LABELS:
                break
    return chosen


def node_radius(links: int) -> float:
    """A local-graph node's size: grows with its links, capped so hubs do not swamp the picture."""
    return round(min(9.0, 2.5 + 1.1 * math.sqrt(links)), 1)


def _spread(wanted: list[float], widest: float = 0.45) -> list[float]:
    """Angles as close to the wanted ones (sorted) as a minimum gap between neighbours allows."""
    got = _pushed(wanted, widest)
    if got is None:  # crowded: evenly round the whole circle
        m = len(wanted)
        return [wanted[0] + 2 * math.pi * i / m for i in range(m)]
    return got


def _pushed(wanted: list[float], widest: float = 0.45) -> list[float] | None:
    """_spread's angles, or None when they are crowded (then evenly round the circle from the
    first wanted one)."""
    m = len(wanted)
    if not m:
        return []
    gap = min(2 * math.pi / m, widest)
    got = list(wanted)
    last = got[0]
    for i in range(1, m):
        last += gap
        if last > got[i]:  # max(got[i], got[i - 1] + gap)
            got[i] = last
        else:
            last = got[i]
    if got[-1] - got[0] > 2 * math.pi - gap:
        return None
    shift = sum([w - g for w, g in zip(wanted, got)]) / m  # pushing forward drifted them: shift back
    return [g + shift for g in got]


class _Outer(dict[tuple[float, int], list[tuple[int, int]]]):
    """(first wanted angle, count) → the outer ring's points, for pages where that is all
    they depend on: when all outer nodes want one angle (`alike`: notes linking to one hub
    alone), or when they are crowded (see _spread)."""

    def __init__(self, alike: bool) -> None:
        super().__init__()
        self.alike = alike

    def __missing__(self, key: tuple[float, int]) -> list[tuple[int, int]]:
        if len(self) > 10_000:
            self.clear()
        first, m = key
        mid = SIZE // 2
        spread = _spread([first] * m) if self.alike else [first + 2 * math.pi * i / m for i in range(m)]
        points = self[key] = [(round(mid + 132.0 * math.cos(a)), round(mid + 132.0 * math.sin(a)))
                              for a in spread]
        return points


_ALIKE = _Outer(alike=True)
_EVEN = _Outer(alike=False)


Slot = tuple[float, float, tuple[int, int], float]
"""A place on the inner ring: its angle's sine and cosine, its point (moved right while it
falls on the middle's or one before it, see _apart) and the wanted angle (see _wanted) of an
outer node linked to this place alone."""

_RINGS: dict[int, list[Slot]] = {}
"""Inner ring size → its places: the same on every page with as many inner nodes (at most
local_graph's `limit` sizes), so computed once."""


def _ring(size: int) -> list[Slot]:
    ring = _RINGS.get(size)
    if ring is None:
        step, mid = 2 * math.pi / max(size, 1), SIZE // 2
        places = []
        for i in range(size):
            a = step * i - math.pi / 2
            sin, cos = math.sin(a), math.cos(a)
            alone = _angle(sum([sin]), sum([cos]))  # what _wanted makes of [this place]: the same sums
            places.append((sin, cos, (round(mid + 82.0 * cos), round(mid + 82.0 * sin)), alone))
        points = _apart([(mid, mid)], [p[2] for p in places])
        ring = _RINGS[size] = [(sin, cos, p, alone) for (sin, cos, _, alone), p in zip(places, points)]
    return ring


def _wanted(inner: list[str], sin_of: dict[str, float], cos_of: dict[str, float]) -> float:
    """Where an outer node would sit: the mean angle of its inner neighbours (`inner`, by name:
    the sums' order is fixed), from the sines and cosines _ring computed once."""
    if not inner:
        return math.pi  # unlinked to the inner ring: the far side
    return _angle(sum(map(sin_of.__getitem__, inner)), sum(map(cos_of.__getitem__, inner)))


def _angle(sin: float, cos: float) -> float:
    a = math.atan2(sin, cos)
    return a if a >= -math.pi / 2 else a + 2 * math.pi
