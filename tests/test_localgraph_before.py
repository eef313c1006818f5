"""localgraph.local_graph against the way it was written before (kept here), value for value:
the same nodes, rings, points, sizes, labels and edges."""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from conftest import write_vault
from graphsites import collect, small_vault, synthetic
from kbgen import localgraph
from kbgen.adjacency import COLOURS, _group, _ranked, adjacency, node_url, palette
from kbgen.graph import LinkGraph
from kbgen.graphsvg import _short
from kbgen.localgraph import SIZE, LABELS, nearby
from kbgen.site import Site

Record = tuple[str, str, int, float, tuple[int, str, str], float]
"""A node's title, URL, colour, size, place in an inner ring (colour groups together,
uncoloured last, then by title) and its label's width (see _old_labels)."""


def _old_records_of(site: Site, nodes: list[str]) -> dict[str, Record]:
    """Each node's record: the same on every page that shows it, so remembered per graph
    (a page shows 40 nodes, and the hubs are on most pages)."""
    cached = site.graph.memo.get("_old_records")
    if cached is None:
        cached = site.graph.memo["_old_records"] = {}
    for n in nodes:
        if n not in cached:
            title = site.graph.g.nodes[n]["title"]
            colour = palette(site).get(_group(site, n), 0)
            cached[n] = (title, node_url(site, n), colour, localgraph.node_radius(len(adjacency(site.graph)[n])),
                         (colour or COLOURS + 1, title.casefold(), n), 5.0 * len(_short(title)))
    return {n: cached[n] for n in nodes}


def _old_local_graph(site: Site, path: str, depth: int = 2, limit: int = 40) -> dict[str, Any]:
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
    rec = _old_records_of(site, nodes)
    around = adj[center]
    near = [n for n in nodes[1:] if n in around]
    outer = [n for n in nodes[1:] if n not in around]
    ring1 = sorted(near, key=lambda n: rec[n][4])
    ring = _old_ring(len(ring1))
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
            wanted[n] = _old_wanted(sorted(common), slot)
    by_angle = sorted(zip(map(wanted.__getitem__, outer), outer))  # by (wanted angle, name)
    ring2 = [n for _, n in by_angle]
    angle = _old_spread([a for a, _ in by_angle], ring2)
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
    labelled = _old_labels(center, sorted(ring1, key=rank.__getitem__), pos, rec)
    out = []
    for level, names in ((0, [center]), (1, ring1), (2, ring2)):
        for n in names:
            title, url, colour, r, _, _ = rec[n]
            x, y = pos[n]
            out.append({"id": n, "ring": level, "title": title, "url": url, "x": x, "y": y, "r": r,
                        "colour": colour, "label": n in labelled})
    return {"nodes": out, "edges": edges, "size": SIZE}


def _old_labels(center: str, candidates: list[str], pos: dict[str, tuple[int, int]],
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


def _old_spread(wanted: list[float], names: list[str], widest: float = 0.45) -> dict[str, float]:
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
(see _old_wanted) of an outer node linked to this place alone."""

_old_RINGS: dict[int, list[Slot]] = {}
"""Inner ring size → its places: the same on every page with as many inner nodes (at most
_old_local_graph's `limit` sizes), so computed once."""


def _old_ring(size: int) -> list[Slot]:
    ring = _old_RINGS.get(size)
    if ring is None:
        step, mid = 2 * math.pi / max(size, 1), SIZE // 2
        ring = _old_RINGS[size] = []
        for i in range(size):
            a = step * i - math.pi / 2
            sin, cos = math.sin(a), math.cos(a)
            alone = _old_angle(sum([sin]), sum([cos]))  # what _old_wanted makes of [this place]: the same sums
            ring.append((sin, cos, (round(mid + 82.0 * cos), round(mid + 82.0 * sin)), alone))
    return ring


def _old_wanted(inner: list[str], slot: dict[str, Slot]) -> float:
    """Where an outer node would sit: the mean angle of its inner neighbours (`inner`, by name:
    the sums' order is fixed), from the sines and cosines _old_ring computed once."""
    if not inner:
        return math.pi  # unlinked to the inner ring: the far side
    return _old_angle(sum([slot[m][0] for m in inner]), sum([slot[m][1] for m in inner]))


def _old_angle(sin: float, cos: float) -> float:
    a = math.atan2(sin, cos)
    return a if a >= -math.pi / 2 else a + 2 * math.pi


def _star(leaves: int) -> Site:
    """Notes that all link to one hub, as in benchmarks/bad_input.py's "notes link to one"."""
    site = synthetic(1)
    g = site.graph.g
    g.clear()
    for name in ["hub"] + [f"n{i:03}" for i in range(leaves)]:
        g.add_node(f"note:{name}.md", kind="note", path=f"{name}.md", title=name.title())
    for i in range(leaves):
        g.add_edge(f"note:n{i:03}.md", "note:hub.md")
    site.urls.update({n[5:]: n[5:-3] + ".html" for n in g})
    return site


@pytest.mark.parametrize("depth, limit", [(2, 40), (2, 7), (3, 60), (1, 40), (2, 300)])
def test_local_graph_as_before(depth: int, limit: int, tmp_path: Path) -> None:
    sites = [synthetic(400), _star(60), _star(600), small_vault(tmp_path)]
    for site in sites:
        for node in sorted(site.graph.g):
            path = node.partition(":")[2]
            assert localgraph.local_graph(site, path, depth, limit) == _old_local_graph(site, path, depth, limit), path
    # both shortcuts for the outer ring were taken: all outer nodes on one inner node, crowded
    assert localgraph._ALIKE and localgraph._EVEN


def test_local_graph_as_before_with_concepts_and_folders(tmp_path: Path) -> None:
    notes = {f"f{i % 3}/N{i}.md": f"# N{i}\n[[N{(i * 7) % 50}]] [[N{(i + 1) % 50}]] [[Idea {i % 6}]] [[N{i // 10}]]\n"
             for i in range(50)}
    site = collect(write_vault(tmp_path / "v", notes))
    for path in site.notes:
        assert localgraph.local_graph(site, path) == _old_local_graph(site, path)


def test_pages_alike_but_their_middle_share_nothing_a_caller_may_change() -> None:
    site = _star(60)
    a = localgraph.local_graph(site, "n045.md")  # (not one of the 38 best ranked leaves)
    b = localgraph.local_graph(site, "n046.md")  # the same rings: placed once
    assert a["edges"] == b["edges"] and a["edges"] is not b["edges"]
    assert all(x is not y for x, y in zip(a["nodes"], b["nodes"]))
    a["edges"].clear()
    a["nodes"][5]["x"] = -1
    c = localgraph.local_graph(site, "n047.md")
    assert c == _old_local_graph(site, "n047.md")
