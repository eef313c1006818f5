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
