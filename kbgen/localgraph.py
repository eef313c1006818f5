"""The local graph on each note page: the nodes near the note, placed on two rings (graphsvg.py draws it)."""
from __future__ import annotations

import heapq
import math
from itertools import islice
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
    linked first; at most `limit`, so a hub's page stays small. Each neighbour list is
    already sorted, so a level is the merge of the frontier's lists taken until it is full:
    the cost per page is bounded by what is taken (and passed over), not by the hubs' size."""
    adj = adjacency(graph)
    if center not in adj:
        return []
    rank, order = _ranked(graph)
    result, seen, frontier = [center], {center}, [center]
    for _ in range(depth):
        want = limit - len(result)
        if want <= 0 or not frontier:
            break
        if len(frontier) == 1:  # (the first level) one list, already in order: no merge
            level = list(islice((nb for nb in order[frontier[0]] if nb not in seen), want))
            seen.update(level)
            result += level
            frontier = level
            continue
        lists = [order[cur] for cur in frontier]
        heap = [(rank[near[0]], k, 0) for k, near in enumerate(lists) if near]
        heapq.heapify(heap)
        level: list[str] = []
        while heap:
            _, k, i = heap[0]
            near = lists[k]
            nb = near[i]
            if nb not in seen:
                seen.add(nb)
                level.append(nb)
                if len(level) == want:
                    break
            i += 1
            if i < len(near):
                heapq.heapreplace(heap, (rank[near[i]], k, i))
            else:
                heapq.heappop(heap)
        result += level
        frontier = level
    return result


_records = _PerGraph("_local_records")


Record = tuple[str, str, int, float, tuple[int, str, str], float]
"""A node's title, URL, colour, size, place in an inner ring (colour groups together,
uncoloured last, then by title) and its label's width (see _labels)."""


def _records_of(site: Site, nodes: list[str]) -> dict[str, Record]:
    """Each node's record: the same on every page that shows it, so remembered per graph
    (a page shows 40 nodes, and the hubs are on most pages)."""
    cached = _records.get(site.graph)
    if cached is None:
        cached = _records[site.graph] = {}
    for n in nodes:
        if n not in cached:
            title = site.graph.g.nodes[n]["title"]
            colour = palette(site).get(_group(site, n), 0)
            cached[n] = (title, node_url(site, n), colour, node_radius(len(adjacency(site.graph)[n])),
                         (colour or COLOURS + 1, title.casefold(), n), 5.0 * len(_short(title)))
    return {n: cached[n] for n in nodes}


def local_graph(site: Site, path: str, depth: int = 2, limit: int = 40) -> dict[str, Any]:
    """The note in the middle, its neighbours on a ring, theirs on an outer ring, each placed
    near the neighbours that brought it in, so links stay short and the picture is stable.

    nodes: the middle first, then the inner ring, then the outer; each with id, ring, title,
           url, x and y (integers, all points distinct), r (size), colour and label (shown
           from the start); edges: pairs of node indexes (a < b), sorted.
    """
    graph: LinkGraph = site.graph
    adj = adjacency(graph)
    center = "note:" + path
    nodes = nearby(graph, center, depth, limit)
    if not nodes:
        return {"nodes": [], "edges": [], "size": SIZE}
    rec = _records_of(site, nodes)
    around = adj[center]
    near = [n for n in nodes[1:] if n in around]
    outer = [n for n in nodes[1:] if n not in around]
    ring1 = sorted(near, key=lambda n: rec[n][4])
    ring = _ring(len(ring1))
    slot = {n: ring[i] for i, n in enumerate(ring1)}
    inner = set(ring1)
    wanted: dict[str, float] = {}
    links: list[set[str]] = []  # each outer node's inner neighbours: its edges to the inner ring
    for n in outer:
        common = adj[n] & inner  # most often one inner node, whose angle is known
        links.append(common)
        if len(common) == 1:
            for m in common:
                wanted[n] = slot[m][3]
        else:
            wanted[n] = _wanted(sorted(common), slot)
    by_angle = sorted(zip(map(wanted.__getitem__, outer), outer))  # by (wanted angle, name)
    ring2 = [n for _, n in by_angle]
    angle = _spread([a for a, _ in by_angle], ring2)
    mid = SIZE // 2
    order = [center] + ring1 + ring2
    pos = {center: (mid, mid)}
    taken = {(mid, mid)}
    for n in ring1:
        p = slot[n][2]
        while p in taken:  # rounding made two points one: the browser tells nodes by their point
            p = (p[0] + 1, p[1])
        taken.add(p)
        pos[n] = p
    cos, sin = math.cos, math.sin
    for n in ring2:
        a = angle[n]
        p = (round(mid + 132.0 * cos(a)), round(mid + 132.0 * sin(a)))
        while p in taken:
            p = (p[0] + 1, p[1])
        taken.add(p)
        pos[n] = p
    # Edges as codes a * count + b (a < b), sorted as integers and split by divmod: the middle
    # meets exactly the inner ring, an outer node the inner nodes found above; only each ring's
    # own edges are looked for, each node meeting those after it in its ring.
    index = {n: i for i, n in enumerate(order)}
    get = index.__getitem__
    count = len(order)
    codes = list(range(1, len(ring1) + 1))
    codes += [get(m) * count + get(n) for n, common in zip(outer, links) for m in common]
    for group in (ring1, ring2):
        later = set(group)
        for a in group:
            later.discard(a)
            near = adj[a]
            if not near.isdisjoint(later):  # half of them are (no set made for those)
                k = index[a] * count
                codes += [k + j for j in map(get, near & later)]
    codes.sort()
    edges = list(map(divmod, codes, [count] * len(codes)))
    # label the middle and, where they fit, the inner ring; the rest show on hover or zoom
    rank = _ranked(graph)[0]
    labelled = _labels(center, sorted(ring1, key=rank.__getitem__), pos, rec)
    out = []
    for level, names in ((0, [center]), (1, ring1), (2, ring2)):
        for n in names:
            title, url, colour, r, _, _ = rec[n]
            x, y = pos[n]
            out.append({"id": n, "ring": level, "title": title, "url": url, "x": x, "y": y, "r": r,
                        "colour": colour, "label": n in labelled})
    return {"nodes": out, "edges": edges, "size": SIZE}


def _labels(center: str, candidates: list[str], pos: dict[str, tuple[int, int]],
            rec: dict[str, Record]) -> set[str]:
    """The middle's label and up to LABELS inner-ring labels (best linked first) that do not
    overlap one already chosen; 9-unit text is taken as 5 units a character."""
    boxes: list[tuple[float, float, float, float]] = []
    chosen: set[str] = set()
    for n in [center] + candidates:
        x, y = pos[n]
        r, w = rec[n][3], rec[n][5]
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


def _spread(wanted: list[float], names: list[str], widest: float = 0.45) -> dict[str, float]:
    """Angles as close to the wanted ones (sorted) as a minimum gap between neighbours allows."""
    m = len(wanted)
    if not m:
        return {}
    gap = min(2 * math.pi / m, widest)
    got = list(wanted)
    last = got[0]
    for i in range(1, m):
        last += gap
        if last > got[i]:  # max(got[i], got[i - 1] + gap)
            got[i] = last
        else:
            last = got[i]
    if got[-1] - got[0] > 2 * math.pi - gap:  # crowded: evenly round the whole circle
        got = [wanted[0] + 2 * math.pi * i / m for i in range(m)]
    else:  # pushing forward drifted them: shift back by the mean drift
        shift = sum([w - g for w, g in zip(wanted, got)]) / m
        got = [g + shift for g in got]
    return dict(zip(names, got))


Slot = tuple[float, float, tuple[int, int], float]
"""A place on the inner ring: its angle's sine and cosine, its point, and the wanted angle
(see _wanted) of an outer node linked to this place alone."""

_RINGS: dict[int, list[Slot]] = {}
"""Inner ring size → its places: the same on every page with as many inner nodes (at most
local_graph's `limit` sizes), so computed once."""


def _ring(size: int) -> list[Slot]:
    ring = _RINGS.get(size)
    if ring is None:
        step, mid = 2 * math.pi / max(size, 1), SIZE // 2
        ring = _RINGS[size] = []
        for i in range(size):
            a = step * i - math.pi / 2
            sin, cos = math.sin(a), math.cos(a)
            alone = _angle(sum([sin]), sum([cos]))  # what _wanted makes of [this place]: the same sums
            ring.append((sin, cos, (round(mid + 82.0 * cos), round(mid + 82.0 * sin)), alone))
    return ring


def _wanted(inner: list[str], slot: dict[str, Slot]) -> float:
    """Where an outer node would sit: the mean angle of its inner neighbours (`inner`, by name:
    the sums' order is fixed), from the sines and cosines _ring computed once."""
    if not inner:
        return math.pi  # unlinked to the inner ring: the far side
    return _angle(sum([slot[m][0] for m in inner]), sum([slot[m][1] for m in inner]))


def _angle(sin: float, cos: float) -> float:
    a = math.atan2(sin, cos)
    return a if a >= -math.pi / 2 else a + 2 * math.pi
