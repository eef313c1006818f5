"""Where the global graph's nodes go: seeded Louvain communities and force layouts, in time linear
in the vault's size."""
from __future__ import annotations

import math
from collections import Counter
from typing import Any

import networkx as nx

CORE = 1500
"""Community detection runs on at most this many best-linked nodes; the rest join a neighbour's."""
BACKBONE = 900
"""The force layout places at most this many nodes in all (split over the communities); every
other node is set around an already placed neighbour. Cost stays linear in the vault's size."""
MAX_FORCE = 400
"""Largest graph given to networkx's force layout (its dense solver; no scipy needed)."""
SPACING = 60.0
"""World units per node: the global layout covers about SPACING * sqrt(nodes) across."""
GOLDEN = math.pi * (3 - math.sqrt(5))


def _links(adj: dict[str, set[str]], nodes: list[str]) -> list[tuple[str, str]]:
    """The links among `nodes`, each once, in a fixed order (a set's changes with the hash seed)."""
    keep = set(nodes)
    return [(a, b) for a in nodes for b in sorted(adj[a] & keep) if a < b]


def _pairs(adj: dict[str, set[str]], nodes: list[str]) -> list[tuple[int, int, float]]:
    """The links among `nodes` as (index, index, weight 1), each once, sorted: the forces are
    summed in this order, and a set's order changes with the hash seed."""
    index = {n: i for i, n in enumerate(nodes)}
    return sorted((i, index[b], 1.0) for i, a in enumerate(nodes) for b in adj[a] if b in index and a < b)


def _communities(adj: dict[str, set[str]], ranked: list[str]) -> dict[str, int]:
    """Louvain communities (seeded) of the best-linked nodes; every other node joins the
    community most of its already placed neighbours are in. Unlinked nodes get -1."""
    core = ranked[:CORE]
    links = _links(adj, core)
    if links:
        graph = nx.Graph()
        graph.add_nodes_from(core)
        graph.add_edges_from(links)
        groups = nx.community.louvain_communities(graph, seed=7)
    else:
        groups = []
    member: dict[str, int] = {}
    for i, c in enumerate(sorted((sorted(c) for c in groups), key=lambda c: (-len(c), c[0]))):
        if len(c) > 1 or adj[c[0]]:
            for n in c:
                member[n] = i
    pending = [n for n in ranked if n not in member]
    while pending:  # most linked first, so later nodes find their neighbours placed
        rest = []
        for n in pending:
            votes = Counter(map(member.get, adj[n]))  # counted in C; None for the unplaced
            votes.pop(None, None)
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


def _positions(adj: dict[str, set[str]], ranked: list[str], rank: dict[str, int], community: dict[str, int],
               order: dict[str, list[str]] | None = None) -> tuple[dict[str, tuple[float, float]], list[dict[str, Any]]]:
    """World positions: communities as discs placed by a force layout of the community graph,
    a force layout of each community's best-linked members inside its disc, the others set
    around a placed neighbour (a sunflower pattern), unlinked notes on rings outside.
    `order`: each node's neighbours best ranked first (adjacency._ranked), when known."""
    if order is None:
        order = {n: sorted(near, key=rank.__getitem__) for n, near in adj.items()}
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
        for n, (x, y) in _force(_pairs(adj, backbone), backbone).items():
            pos[n] = (cx + x * inner, cy + y * inner)
        free = 0
        for n in group[len(backbone):]:
            # the best ranked placed neighbour, one inside the cluster if there is one
            anchor = outside = None
            for m in order[n]:
                if m in pos:
                    if community[m] == c:
                        anchor = m
                        break
                    if outside is None:
                        outside = m
            anchor = anchor or outside
            if anchor is not None:
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
    pos = {n: (x * scale, y * scale) for n, (x, y) in _force(_pairs(adj, ranked), ranked).items()}
    clusters = []
    for c in ids:
        group = members[c]
        cx = sum(pos[n][0] for n in group) / len(group)
        cy = sum(pos[n][1] for n in group) / len(group)
        r = max(math.hypot(pos[n][0] - cx, pos[n][1] - cy) for n in group) + SPACING / 2
        clusters.append({"x": cx, "y": cy, "r": r, "size": len(group), "top": group[0]})
    return pos, clusters


def _force(links: list[tuple[int, int, float]], order: list[str]) -> dict[str, tuple[float, float]]:
    """A seeded spring layout of `order` (linked by `links`, indexes into it) scaled into the unit disc."""
    if len(order) <= 2:
        return {n: (0.5 * i, 0.0) for i, n in enumerate(order)}
    xy = spring(len(order), links, 1.6 / math.sqrt(len(order)), 50).tolist()
    # scale by the 90th percentile distance, so a few far-flung nodes do not squeeze the rest
    # into the middle; those few are pulled in to the rim
    dists = sorted(math.hypot(x, y) for x, y in xy)
    extent = dists[int(len(dists) * 0.9)] or dists[-1] or 1.0
    out = {}
    for n, (x, y) in zip(order, xy):
        x, y = x / extent, y / extent
        d = math.hypot(x, y)
        out[n] = (x / d * 1.1, y / d * 1.1) if d > 1.1 else (x, y)
    return out


def _cluster_centres(adj: dict[str, set[str]], community: dict[str, int], ids: list[int],
                     radius: dict[int, float]) -> dict[int, tuple[float, float]]:
    """Centres of the community discs: a force layout of the community graph (the biggest
    MAX_FORCE communities; smaller ones on a spiral around them), then pushed apart until no
    two discs overlap."""
    import numpy as np  # here, not at import: a build that lays out nothing, or lays out in a worker, skips ~30 ms
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
    index = {c: i for i, c in enumerate(big)}
    spread = math.sqrt(sum(radius[c] ** 2 for c in big)) * 1.4
    if len(big) > 2:
        pairs = [(index[a], index[b], float(w)) for (a, b), w in sorted(links.items()) if a in index and b in index]
        xy = spring(len(big), pairs, math.sqrt(1.0 / len(big)), 80) * spread
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


def spring(count: int, links: list[tuple[int, int, float]], k: float, iterations: int) -> Any:
    """Fruchterman and Reingold's force layout as networkx's spring_layout runs it (the same
    seeded start, forces, linear cooling and early stop), centred, the largest coordinate 1:
    an array of `count` points. `links` are (i, j, weight), each pair once, i != j.

    Our own because networkx's dense solver builds an n x n x 2 array of differences and pushes
    the attraction through an n x n adjacency matrix each step: here the repulsion uses two
    n x n arrays reused across steps and the attraction only the links, 5-7 times faster. The
    result equals networkx's up to rounding, which a few hundred nodes' steps amplify to a
    few hundredths of the unit disc."""
    import numpy as np
    start = np.random.RandomState(7).rand(count, 2)  # what spring_layout(seed=7) starts from
    x, y = start[:, 0].copy(), start[:, 1].copy()
    a = np.array([i for i, _, _ in links], dtype=np.intp)
    b = np.array([j for _, j, _ in links], dtype=np.intp)
    w = np.array([wt for _, _, wt in links], dtype=float) / k
    t = max(x.max() - x.min(), y.max() - y.min()) * 0.1  # the largest step, cooled linearly
    dt = t / (iterations + 1)
    kk = k * k
    dx, dy, f = np.empty((count, count)), np.empty((count, count)), np.empty((count, count))
    for _ in range(iterations):
        np.subtract.outer(x, x, out=dx)
        np.subtract.outer(y, y, out=dy)
        np.multiply(dx, dx, out=f)
        f += dy * dy
        np.maximum(f, 1e-4, out=f)  # distances of at least 0.01
        np.divide(kk, f, out=f)  # repulsion k²/d along the unit vector: k²/d² times the difference
        dx *= f
        dy *= f
        fx, fy = dx.sum(1), dy.sum(1)
        ex, ey = x[a] - x[b], y[a] - y[b]
        d = np.sqrt(ex * ex + ey * ey)
        np.maximum(d, 0.01, out=d)
        d *= w  # attraction d²/k along each link, times its weight
        ex *= d
        ey *= d
        fx -= np.bincount(a, ex, count) - np.bincount(b, ex, count)
        fy -= np.bincount(a, ey, count) - np.bincount(b, ey, count)
        length = np.sqrt(fx * fx + fy * fy)
        np.maximum(length, 0.01, out=length)
        step = t / length
        fx *= step
        fy *= step
        x += fx
        y += fy
        t -= dt
        if math.sqrt(float((fx * fx).sum() + (fy * fy).sum())) / count < 1e-4:
            break
    x -= x.mean()
    y -= y.mean()
    lim = max(float(np.abs(x).max()), float(np.abs(y).max())) or 1.0
    return np.stack([x / lim, y / lim], 1)
