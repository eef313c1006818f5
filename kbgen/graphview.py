"""Graph pictures computed at build time: the local graph of each note and the global graph's layout.

Both are stable from build to build (sorted iteration, seeded layouts) and cost the browser
nothing but drawing. The global layout is built for level of detail: nodes are listed most
linked first and edges in the order their endpoints appear, so a viewer that shows the first k
nodes draws exactly a prefix of both lists.
"""
from __future__ import annotations

import heapq
import math
from collections import Counter
from typing import Any

import networkx as nx
from markupsafe import Markup
import numpy as np

from kbgen.graph import LinkGraph
from kbgen.site import Site, is_concept_label
from kbgen.urls import concept_url

SIZE = 300
"""The local graph's SVG viewBox is SIZE × SIZE."""
LABELS = 6
"""Inner-ring nodes labelled from the start (best linked first); the others on hover or zoom."""
COLOURS = 8
"""Colour groups (folders or tags) get colours 1..COLOURS, the largest groups first; the rest 0."""
CORE = 1500
"""Community detection runs on at most this many best-linked nodes; the rest join a neighbour's."""
BACKBONE = 900
"""The force layout places at most this many nodes in all (split over the communities); every
other node is set around an already placed neighbour. Cost stays linear in the vault's size."""
MAX_FORCE = 400
"""Largest graph given to networkx's force layout (its dense solver; no scipy needed)."""
PREVIEW = 120
"""Nodes drawn in the graph page's static SVG (readable without JavaScript)."""
SPACING = 60.0
"""World units per node: the global layout covers about SPACING * sqrt(nodes) across."""
GOLDEN = math.pi * (3 - math.sqrt(5))


def node_url(site: Site, node: str) -> str:
    kind, _, key = node.partition(":")
    if kind == "note":
        return site.urls.get(key, "")  # type: ignore[arg-type]
    if kind == "concept" and site.config.concept_pages:
        title = site.graph.g.nodes[node]["title"]
        return concept_url(title) if is_concept_label(title) else ""
    return ""


def group_of(site: Site, node: str) -> str:
    """The colour group of a node: its top-level folder, or its first tag's root with
    `graph_color_by = "tag"`; concepts and attachments are their own kind."""
    data = site.graph.g.nodes[node]
    if data["kind"] != "note":
        return data["kind"]
    path = data["path"]
    if site.config.graph_color_by == "tag":
        note = site.notes.get(path)
        return note.tags[0].split("/")[0].casefold() if note and note.tags else ""
    rel = path[len(site.strip):] if site.strip and path.startswith(site.strip) else path
    return rel.split("/")[0] if "/" in rel else ""


class _PerGraph:
    """A cache per graph, kept on the graph object itself: a renewed graph starts empty, and a
    lookup costs a dict access (a WeakKeyDictionary's cost showed in profiles: it is hit per node)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def get(self, graph: LinkGraph) -> Any:
        return graph.memo.get(self.name)

    def __setitem__(self, graph: LinkGraph, value: Any) -> None:
        graph.memo[self.name] = value


_palettes = _PerGraph("_palettes")


def palette(site: Site) -> dict[str, int]:
    """Group → colour number, the same on every page: the largest groups get 1..COLOURS."""
    cached = _palettes.get(site.graph)
    if cached is None:
        counts = Counter(group_of(site, n) for n, d in site.graph.g.nodes(data=True) if d["kind"] == "note")
        counts.pop("", None)
        ranked = sorted(counts, key=lambda g: (-counts[g], g.casefold(), g))[:COLOURS]
        cached = {g: i + 1 for i, g in enumerate(ranked)}
        _palettes[site.graph] = cached
    return cached


def legend(site: Site) -> list[dict[str, Any]]:
    return [{"name": g, "colour": c} for g, c in sorted(palette(site).items(), key=lambda i: i[1])]


def _shown(graph: LinkGraph, node: str) -> bool:
    """Notes and concept-like unresolved targets; never attachments or missing files."""
    data = graph.g.nodes[node]
    return data["kind"] == "note" or (data["kind"] == "concept" and is_concept_label(data["title"]))


_adjacency = _PerGraph("_adjacency")


def adjacency(graph: LinkGraph) -> dict[str, set[str]]:
    """Shown node → its shown neighbours, links in either direction (computed once per graph)."""
    cached = _adjacency.get(graph)
    if cached is None:
        cached = {n: set() for n in graph.g.nodes if _shown(graph, n)}
        for a, b in graph.g.edges():
            if a != b and a in cached and b in cached:
                cached[a].add(b)
                cached[b].add(a)
        _adjacency[graph] = cached
    return cached


_ranks = _PerGraph("_ranks")


def _ranked(graph: LinkGraph) -> tuple[dict[str, int], dict[str, list[str]]]:
    """Each shown node's rank (best linked first, ties by name) and its neighbours in rank
    order; computed once per graph."""
    cached = _ranks.get(graph)
    if cached is None:
        adj = adjacency(graph)
        rank = {n: i for i, n in enumerate(sorted(adj, key=lambda m: (-len(adj[m]), m)))}
        cached = rank, {n: sorted(near, key=rank.__getitem__) for n, near in adj.items()}
        _ranks[graph] = cached
    return cached


def carry_over(before: LinkGraph, after: LinkGraph, changed: set[str]) -> None:
    """Give `after` — the same networkx graph as `before`, renewed after an edit — the adjacency
    and ranking of `before` patched where the edit reached, instead of computing both again
    from every link (a tenth of a second at 10 000 notes, at every save). `changed`: every node
    whose links, kind or title may differ (nodes added or removed included). The result equals
    what adjacency() and _ranked() compute from scratch, dict order included (tested)."""
    old = _adjacency.get(before)
    old_ranks = _ranks.get(before)
    if old is None or old_ranks is None:
        return
    g = after.g
    todo = {n for n in changed if n in g}
    for n in changed:  # a node that appears or disappears from the pictures changes its neighbours' lists
        if (n in old) != (n in g and _shown(after, n)) and n in g:
            todo.update(g.predecessors(n))
            todo.update(g.successors(n))
    adj: dict[str, set[str]] = {}
    for n in g.nodes:
        if n in todo:
            if _shown(after, n):
                near = set(g.predecessors(n)) | set(g.successors(n))
                near.discard(n)
                adj[n] = {m for m in near if m in old and m not in todo or m in todo and _shown(after, m)}
        elif n in old:
            adj[n] = old[n]
    moved = {n for n in set(adj) | set(old) if len(adj.get(n, ())) != len(old.get(n, ())) or
             (n in adj) != (n in old)}
    rank = {n: i for i, n in enumerate(sorted(adj, key=lambda m: (-len(adj[m]), m)))}
    resort = todo | moved | {m for n in moved for m in adj.get(n, ())} | \
        {m for n in moved for m in old.get(n, ()) if m in adj}
    order = old_ranks[1]
    for memo in (_palettes, _groups):  # folders and tags: an edit that gets here changes neither
        if memo.get(before) is not None:
            memo[after] = memo.get(before)
    _adjacency[after] = adj
    _ranks[after] = rank, {n: sorted(near, key=rank.__getitem__) if n in resort else order[n]
                           for n, near in adj.items()}


def nearby(graph: LinkGraph, center: str, depth: int, limit: int) -> list[str]:
    """Shown nodes within `depth` links of `center`, nearest first and, among equals, best
    linked first; at most `limit`, so a hub's page stays small. Each neighbour list is
    already sorted, so only its first few unseen entries can make the cut: the cost per page
    is bounded by `limit` times the number of nodes taken, not by the size of the hubs."""
    adj = adjacency(graph)
    if center not in adj:
        return []
    rank, order = _ranked(graph)
    result, seen, frontier = [center], {center}, [center]
    for _ in range(depth):
        want = limit - len(result)
        if want <= 0 or not frontier:
            break
        found: set[str] = set()
        for cur in frontier:
            taken = 0
            for nb in order[cur]:
                if nb not in seen and nb not in found:
                    found.add(nb)
                    taken += 1
                    if taken >= want:
                        break
        level = heapq.nsmallest(want, found, key=rank.__getitem__)
        result += level
        seen.update(level)
        frontier = level
    return result


_groups = _PerGraph("_groups")


def _group(site: Site, node: str) -> str:
    """group_of, remembered per graph (pages ask for the same nodes again and again)."""
    cached = _groups.get(site.graph)
    if cached is None:
        cached = _groups[site.graph] = {}
    group = cached.get(node)
    if group is None:
        group = cached[node] = group_of(site, node)
    return group


# -- the local graph on each note page -------------------------------------------------------

_records = _PerGraph("_local_records")


Record = tuple[str, str, int, float, tuple[int, str, str]]
"""A node's title, URL, colour, size and place in an inner ring (colour groups together,
uncoloured last, then by title)."""


def _records_of(site: Site, nodes: list[str]) -> dict[str, Record]:
    """Each node's record: the same on every page that shows it, so remembered per graph
    (a page shows 40 nodes, and the hubs are on most pages)."""
    cached = _records.get(site.graph)
    if cached is None:
        cached = _records[site.graph] = {}
    out = {}
    for n in nodes:
        rec = cached.get(n)
        if rec is None:
            title = site.graph.g.nodes[n]["title"]
            colour = palette(site).get(_group(site, n), 0)
            rec = cached[n] = (title, node_url(site, n), colour, node_radius(len(adjacency(site.graph)[n])),
                               (colour or COLOURS + 1, title.casefold(), n))
        out[n] = rec
    return out


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
    step = 2 * math.pi / max(len(ring1), 1)
    angle = {n: step * i - math.pi / 2 for i, n in enumerate(ring1)}
    inner = set(ring1)
    wanted = {n: _mean_angle([angle[m] for m in sorted(adj[n] & inner)]) for n in outer}
    ring2 = sorted(outer, key=lambda n: (wanted[n], n))
    angle.update(_spread([wanted[n] for n in ring2], ring2))
    mid = SIZE // 2
    order = [center] + ring1 + ring2
    pos = {center: (mid, mid)}
    taken = {(mid, mid)}
    for members, radius in ((ring1, 82.0), (ring2, 132.0)):
        for n in members:
            p = (round(mid + radius * math.cos(angle[n])), round(mid + radius * math.sin(angle[n])))
            while p in taken:  # rounding made two points one: the browser tells nodes by their point
                p = (p[0] + 1, p[1])
            taken.add(p)
            pos[n] = p
    index = {n: i for i, n in enumerate(order)}
    later = set(index)  # each node meets only those after it: every edge found once, half the lookups
    edges = []
    for i, a in enumerate(order):
        later.discard(a)
        edges += [(i, j) for j in map(index.__getitem__, adj[a] & later)]
    edges.sort()
    # label the middle and, where they fit, the inner ring; the rest show on hover or zoom
    rank = _ranked(graph)[0]
    labelled = _labels(center, sorted(ring1, key=rank.__getitem__), pos, rec)
    ring = dict.fromkeys(ring1, 1)
    ring[center] = 0
    out = []
    for n in order:
        title, url, colour, r, _ = rec[n]
        x, y = pos[n]
        out.append({"id": n, "ring": ring.get(n, 2), "title": title, "url": url, "x": x, "y": y, "r": r,
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
        title, _, _, r, _ = rec[n]
        w = 5.0 * len(_short(title))
        left = x if x < SIZE * 0.2 else x - w if x > SIZE * 0.8 else x - w / 2
        top = y + r + 1
        box = (left, top, left + w, top + 10)
        if any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in boxes):
            continue
        boxes.append(box)
        chosen.add(n)
        if len(chosen) > LABELS:
            break
    return chosen


def node_radius(links: int) -> float:
    """A local-graph node's size: grows with its links, capped so hubs do not swamp the picture."""
    return round(min(9.0, 2.5 + 1.1 * math.sqrt(links)), 1)


def _short(title: str, limit: int = 22) -> str:
    return title if len(title) <= limit else title[:limit - 1].rstrip() + "…"


def _spread(wanted: list[float], names: list[str], widest: float = 0.45) -> dict[str, float]:
    """Angles as close to the wanted ones (sorted) as a minimum gap between neighbours allows."""
    m = len(wanted)
    if not m:
        return {}
    gap = min(2 * math.pi / m, widest)
    got = list(wanted)
    for i in range(1, m):
        got[i] = max(got[i], got[i - 1] + gap)
    if got[-1] - got[0] > 2 * math.pi - gap:  # crowded: evenly round the whole circle
        got = [wanted[0] + 2 * math.pi * i / m for i in range(m)]
    else:  # pushing forward drifted them: shift back by the mean drift
        shift = sum(w - g for w, g in zip(wanted, got)) / m
        got = [g + shift for g in got]
    return dict(zip(names, got))


def _mean_angle(angles: list[float]) -> float:
    if not angles:
        return math.pi  # unlinked to the inner ring: the far side
    a = math.atan2(sum(map(math.sin, angles)), sum(map(math.cos, angles)))
    return a if a >= -math.pi / 2 else a + 2 * math.pi


def radius_of(degree: int) -> float:
    """Node size grows with the number of links, gently (square root)."""
    return round(3 + 1.6 * math.sqrt(degree), 1)


# -- the global graph ------------------------------------------------------------------------

_layouts = _PerGraph("_layouts")
_last: dict[str, Any] = {}
"""The last layout computed and the key of its inputs: `kbgen serve` renews the graph at every
edit, and most edits change no link, title or URL, so the layout is taken from here (one slot:
one site is served at a time)."""


def global_layout(site: Site) -> dict[str, Any]:
    """The global layout, once per graph (the graph page and graph.json both ask), and not
    again for a new graph whose layout inputs are the same as last time."""
    cached = _layouts.get(site.graph)
    if cached is None:
        key = _layout_key(site)
        if _last.get("key") != key:
            _last.clear()
            _last.update(key=key, data=_global_layout(site))
        cached = _layouts[site.graph] = _last["data"]
    return cached


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
    ranked = sorted(adj, key=lambda n: (-len(adj[n]), n))
    rank = {n: i for i, n in enumerate(ranked)}
    community = _communities(adj, ranked)
    pos, clusters = _positions(adj, ranked, rank, community)
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
    pairs = [(a, b) for b, n in enumerate(ranked) for a in sorted(rank[m] for m in adj[n]) if a < b]
    result = {
        "version": 1, "total": len(ranked), "size": round(size, 1),
        "nodes": cols, "edges": [i for pair in pairs for i in pair],
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


def _subgraph(adj: dict[str, set[str]], nodes: list[str]) -> nx.Graph:
    keep = set(nodes)
    sub = nx.Graph()
    sub.add_nodes_from(nodes)
    sub.add_edges_from((a, b) for a in nodes for b in sorted(adj[a] & keep) if a < b)
    return sub


def _communities(adj: dict[str, set[str]], ranked: list[str]) -> dict[str, int]:
    """Louvain communities (seeded) of the best-linked nodes; every other node joins the
    community most of its already placed neighbours are in. Unlinked nodes get -1."""
    core = _subgraph(adj, ranked[:CORE])
    groups = nx.community.louvain_communities(core, seed=7) if core.number_of_edges() else []
    member: dict[str, int] = {}
    for i, c in enumerate(sorted((sorted(c) for c in groups), key=lambda c: (-len(c), c[0]))):
        if len(c) > 1 or adj[c[0]]:
            for n in c:
                member[n] = i
    pending = [n for n in ranked if n not in member]
    while pending:  # most linked first, so later nodes find their neighbours placed
        rest = []
        for n in pending:
            votes = Counter(member[m] for m in adj[n] if m in member)
            if votes:
                member[n] = min(votes, key=lambda c: (-votes[c], c))
            else:
                rest.append(n)
        if len(rest) == len(pending):
            break
        pending = rest
    sizes = Counter(member.values())
    order = {c: i for i, c in enumerate(sorted(sizes, key=lambda c: (-sizes[c], c)))}
    return {n: order[member[n]] if n in member else -1 for n in ranked}


def _positions(adj: dict[str, set[str]], ranked: list[str], rank: dict[str, int],
               community: dict[str, int]) -> tuple[dict[str, tuple[float, float]], list[dict[str, Any]]]:
    """World positions: communities as discs placed by a force layout of the community graph,
    a force layout of each community's best-linked members inside its disc, the others set
    around a placed neighbour (a sunflower pattern), unlinked notes on rings outside."""
    members: dict[int, list[str]] = {}
    for n in ranked:
        members.setdefault(community[n], []).append(n)
    ids = sorted(c for c in members if c >= 0)
    if len(ranked) <= MAX_FORCE:
        return _small(adj, ranked, members, ids)
    total = max(len(ranked), 1)
    radius = {c: SPACING * (0.62 * math.sqrt(len(members[c])) + 1) for c in ids}
    centre = _cluster_centres(adj, community, ids, radius)
    pos: dict[str, tuple[float, float]] = {}
    clusters = []
    around: Counter[str] = Counter()  # satellites set around each anchor so far
    for c in ids:
        group = members[c]
        cx, cy = centre[c]
        backbone = group[:min(MAX_FORCE, max(12, round(BACKBONE * len(group) / total)))]
        inner = radius[c] * (0.72 if len(group) > len(backbone) else 0.9)
        for n, (x, y) in _force(_subgraph(adj, backbone), backbone).items():
            pos[n] = (cx + x * inner, cy + y * inner)
        free = 0
        for n in group[len(backbone):]:
            placed = [m for m in adj[n] if m in pos]
            own = [m for m in placed if community[m] == c]
            placed = own or placed  # stay inside the cluster when a neighbour there is placed
            if placed:
                anchor = min(placed, key=rank.__getitem__)
                j = around[anchor]
                around[anchor] += 1
                ax, ay = pos[anchor]
                d = SPACING * 0.5 * math.sqrt(j + 1)
                a = (j + rank[anchor]) * GOLDEN
                pos[n] = (ax + d * math.cos(a), ay + d * math.sin(a))
            else:
                d = radius[c] * math.sqrt((free + 0.5) / len(group))
                a = free * GOLDEN
                free += 1
                pos[n] = (cx + d * math.cos(a), cy + d * math.sin(a))
        clusters.append({"x": cx, "y": cy, "r": radius[c], "size": len(group), "top": group[0]})
    lonely = members.get(-1, [])
    if lonely:
        reach = max((math.hypot(x, y) for x, y in pos.values()), default=0.0) + SPACING * 2
        per_ring = max(12, int(2 * math.pi * reach / SPACING))
        for i, n in enumerate(lonely):
            ring, slot = divmod(i, per_ring)
            count = min(per_ring, len(lonely) - ring * per_ring)
            r, a = reach + ring * SPACING, 2 * math.pi * slot / count
            pos[n] = (r * math.cos(a), r * math.sin(a))
    return pos, clusters


def _small(adj: dict[str, set[str]], ranked: list[str], members: dict[int, list[str]],
           ids: list[int]) -> tuple[dict[str, tuple[float, float]], list[dict[str, Any]]]:
    """A small vault: one force layout of every node; communities only name the clusters."""
    scale = SPACING * math.sqrt(len(ranked)) * 0.8
    pos = {n: (x * scale, y * scale) for n, (x, y) in _force(_subgraph(adj, ranked), ranked).items()}
    clusters = []
    for c in ids:
        group = members[c]
        cx = sum(pos[n][0] for n in group) / len(group)
        cy = sum(pos[n][1] for n in group) / len(group)
        r = max(math.hypot(pos[n][0] - cx, pos[n][1] - cy) for n in group) + SPACING / 2
        clusters.append({"x": cx, "y": cy, "r": r, "size": len(group), "top": group[0]})
    return pos, clusters


def _force(sub: nx.Graph, order: list[str]) -> dict[str, tuple[float, float]]:
    """A seeded spring layout scaled into the unit disc (networkx's dense solver: < 500 nodes)."""
    if len(order) <= 2:
        return {n: (0.5 * i, 0.0) for i, n in enumerate(order)}
    raw = nx.spring_layout(sub, seed=7, iterations=50, k=1.6 / math.sqrt(len(order)))
    # scale by the 90th percentile distance, so a few far-flung nodes do not squeeze the rest
    # into the middle; those few are pulled in to the rim
    dists = sorted(math.hypot(float(x), float(y)) for x, y in raw.values())
    extent = dists[int(len(dists) * 0.9)] or dists[-1] or 1.0
    out = {}
    for n in order:
        x, y = float(raw[n][0]) / extent, float(raw[n][1]) / extent
        d = math.hypot(x, y)
        out[n] = (x / d * 1.1, y / d * 1.1) if d > 1.1 else (x, y)
    return out


def _cluster_centres(adj: dict[str, set[str]], community: dict[str, int], ids: list[int],
                     radius: dict[int, float]) -> dict[int, tuple[float, float]]:
    """Centres of the community discs: a force layout of the community graph (the biggest
    MAX_FORCE communities; smaller ones on a spiral around them), then pushed apart until no
    two discs overlap."""
    if not ids:
        return {}
    big, small = ids[:MAX_FORCE], ids[MAX_FORCE:]
    links: Counter[tuple[int, int]] = Counter()
    for a, near in adj.items():
        ca = community[a]
        for b in near:
            cb = community[b]
            if ca < cb:
                links[ca, cb] += 1
    q = nx.Graph()
    q.add_nodes_from(big)
    q.add_weighted_edges_from((a, b, w) for (a, b), w in sorted(links.items()) if a in q and b in q)
    spread = math.sqrt(sum(radius[c] ** 2 for c in big)) * 1.4
    if len(big) > 2:
        raw = nx.spring_layout(q, seed=7, iterations=80, weight="weight")
        xy = np.array([raw[c] for c in big], dtype=float) * spread
    else:
        xy = np.array([[0.0, 0.0], [radius[big[0]] + radius[big[-1]], 0.0]][:len(big)])
    r = np.array([radius[c] for c in big])
    for _ in range(120):  # separate overlapping discs, the pair sharing the push
        d = xy[:, None, :] - xy[None, :, :]
        dist = np.sqrt((d ** 2).sum(-1)) + np.eye(len(big))
        overlap = np.clip(r[:, None] + r[None, :] + SPACING * 0.5 - dist, 0, None)
        np.fill_diagonal(overlap, 0)
        if not overlap.any():
            break
        xy += ((d / dist[..., None]) * (overlap[..., None] / 2)).sum(1)
    out = {c: (float(xy[i, 0]), float(xy[i, 1])) for i, c in enumerate(big)}
    reach = float(np.max(np.sqrt((xy ** 2).sum(1)) + r)) if len(big) else 0.0
    for i, c in enumerate(small):
        d = reach + radius[c] + SPACING * math.sqrt(i + 1) * 1.5
        a = i * GOLDEN
        out[c] = (d * math.cos(a), d * math.sin(a))
    return out


def _trails(edges: list[tuple[int, int]], count: int) -> list[list[int]]:
    """The edges as polylines, each edge in exactly one: a polyline pays one point per edge
    where separate lines pay two. Greedy walks, from odd-degree nodes first (a trail must end
    at each), along the highest unused neighbour: deterministic and near the fewest trails."""
    near: list[list[int]] = [[] for _ in range(count)]
    for a, b in edges:
        near[a].append(b)
        near[b].append(a)
    trails = []
    for start in [v for v in range(count) if len(near[v]) % 2] + list(range(count)):
        while near[start]:
            v, trail = start, [start]
            while near[v]:
                w = near[v].pop()
                near[w].remove(v)
                trail.append(w)
                v = w
            trails.append(trail)
    return trails


def _edge_path(nodes: list[dict[str, Any]], edges: list[tuple[int, int]]) -> str:
    """Every edge in one path's `d`: `M` starts a polyline, `L` then points (SVG repeats the
    L for each further pair). The script reads the edges back from it by the nodes' points."""
    point = [f'{n["x"]} {n["y"]}' for n in nodes]
    return "".join(f"M{point[t[0]]}L{' '.join([point[i] for i in t[1:]])}" for t in _trails(edges, len(nodes)))


def _xml(text: str) -> str:
    """Text made safe for SVG content and double-quoted attributes; markupsafe's escape costs
    ten times as much, and a page escapes some 90 titles and URLs."""
    if "&" in text or "<" in text or ">" in text or '"' in text:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;")
    return text


def local_graph_svg(graph: dict[str, Any], href: Any) -> Markup:
    """The local graph as inline SVG (what partials/graph.html shows), built as one string (a
    template loop costs more than the rest of the page). Kept small, for every page carries
    it: all edges in one path; a node is its link (or group), title and circle, in a group
    per ring; only the labels shown from the start are written, the script adds the others
    (and the highlighted edges) from the title and the path. Label anchors and colours are
    classes the stylesheet fills in."""
    nodes = graph["nodes"]
    size = graph["size"]
    out = [f'<svg class="graph" viewBox="0 0 {size} {size}" role="group" aria-labelledby="graph-title" '
           f'data-size="{size}"><path class="edges" d="{_edge_path(nodes, graph["edges"])}"/>']
    ring = None
    for i in range(len(nodes) - 1, -1, -1):  # outer ring first: inner labels end up on top
        n = nodes[i]
        if n["ring"] != ring:
            out.append(f'{"</g>" if ring is not None else ""}<g class="nodes ring{n["ring"]}">')
            ring = n["ring"]
        concept = n["id"].startswith("concept:")
        cls = [f'c{n["colour"]}'] if n["colour"] else []
        cls += ["node-concept"] if concept else []
        cls += ["current"] if i == 0 else []
        cls += ["labelled"] if n["label"] else []
        attrs = f' class="{" ".join(cls)}"' if cls else ""
        x, y, r = n["x"], n["y"], n["r"]
        tag = "a" if n["url"] and i else "g"
        if tag == "a":
            attrs = f' href="{_xml(href(n["url"]))}"{attrs}'
        out.append(f'<{tag}{attrs}><title>{_xml(n["title"])}{" (no note yet)" if concept else ""}</title>'
                   f'<circle cx="{x}" cy="{y}" r="{r:g}"/>')
        if n["label"]:
            out.append(f'<text x="{x}" y="{int(y + r + 9.5)}"{_anchor(x, size)}>{_xml(_short(n["title"]))}</text>')
        out.append(f"</{tag}>")
    out.append("</g></svg>" if nodes else "</svg>")
    return Markup("".join(out))


def _anchor(x: float, size: float) -> str:
    """Labels near the left or right edge grow inwards, so the frame does not cut them
    (the script gives the labels it adds the same classes)."""
    return ' class="start"' if x < size * 0.2 else ' class="end"' if x > size * 0.8 else ""
