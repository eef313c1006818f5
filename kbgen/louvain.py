"""Louvain communities exactly as networkx's louvain_communities(seed=…) finds them, on plain lists.

networkx walks its graph views for every node it considers and copies the graph into a new
networkx Graph at each level; the same steps on lists of dicts indexed by int take half of
the time. Nothing is approximated: every iteration order networkx follows (node order, neighbour
order as edges were added, the shuffle of the seeded `random.Random`) and every float
expression is repeated as it is written there, so the communities are the same
(tests/test_louvain.py compares the two on random graphs). Only what kbgen uses is kept:
undirected, unweighted input, resolution 1, the default threshold, every level.
"""
from __future__ import annotations

import random
from typing import Iterator

Adjacency = list[dict[int, int]]
"""Node i → {neighbour: weight}, in the order networkx's Graph would hold them."""

THRESHOLD = 0.0000001
"""networkx's default: a level must raise the modularity by more than this."""


def communities(nodes: list[str], links: list[tuple[str, str]], seed: int = 7) -> list[set[str]]:
    """What `louvain_communities(G, seed=seed)` returns for the Graph G made by
    `G.add_nodes_from(nodes); G.add_edges_from(links)` (no self-links, none repeated)."""
    index = {n: i for i, n in enumerate(nodes)}
    given: Adjacency = [{} for _ in nodes]
    for a, b in links:
        _add(given, index[a], index[b], 1)
    found = _partitions(given, random.Random(seed))
    return [{nodes[i] for i in part} for part in found]


def _add(g: Adjacency, u: int, v: int, w: int) -> None:
    """Graph.add_edge: a new neighbour goes last in both lists, a known one keeps its place."""
    g[u][v] = w
    g[v][u] = w


def _edges(g: Adjacency) -> Iterator[tuple[int, int, int]]:
    """Graph.edges(data="weight"): each edge once, from the endpoint that comes first."""
    seen: set[int] = set()
    for u, near in enumerate(g):
        for v, w in near.items():
            if v not in seen:
                yield u, v, w
        seen.add(u)


def _degrees(g: Adjacency) -> list[int]:
    """Graph.degree(weight=…): a self-link counts twice."""
    return [sum(near.values()) + near.get(u, 0) for u, near in enumerate(g)]


def _modularity(g: Adjacency, parts: list[set[int]]) -> float:
    degree = _degrees(g)
    deg_sum = sum(degree)
    m = deg_sum / 2
    norm = 1 / deg_sum**2

    def contribution(part: set[int]) -> float:
        inside = 0
        seen: set[int] = set()
        for u in part:  # each edge inside once (as Graph.edges(nbunch) yields them)
            for v, w in g[u].items():
                if v not in seen and v in part:
                    inside += w
            seen.add(u)
        total = sum(degree[u] for u in part)
        return inside / m - 1 * total * total * norm
    return sum(map(contribution, parts))


def _partitions(given: Adjacency, rng: random.Random) -> list[set[int]]:
    """louvain_partitions, to its last level."""
    partition = [{u} for u in range(len(given))]
    if not any(given):
        return partition
    mod = _modularity(given, partition)
    graph: Adjacency = [{} for _ in given]
    for u, v, w in _edges(given):  # networkx lays the input out again, in edge order
        _add(graph, u, v, w)
    m = sum(_degrees(graph)) / 2
    members = [{u} for u in range(len(graph))]
    partition, inner, improvement = _one_level(graph, members, m, partition, rng)
    improvement = True
    result = partition
    while improvement:
        result = [s.copy() for s in partition]
        new_mod = _modularity(graph, inner)
        if new_mod - mod <= THRESHOLD:
            break
        mod = new_mod
        graph, members = _merged(graph, members, inner)
        partition, inner, improvement = _one_level(graph, members, m, partition, rng)
    return result


def _one_level(g: Adjacency, members: list[set[int]], m: float, partition: list[set[int]],
               rng: random.Random) -> tuple[list[set[int]], list[set[int]], bool]:
    """One pass of moving nodes to the neighbouring community that gains most (_one_level)."""
    node2com = list(range(len(g)))
    inner = [{u} for u in range(len(g))]
    degrees = _degrees(g)
    stot = list(degrees)
    nbrs = [[(v, w) for v, w in near.items() if v != u] for u, near in enumerate(g)]
    order = list(range(len(g)))
    rng.shuffle(order)
    scale = 2 * m**2
    moves = 1
    improvement = False
    while moves > 0:
        moves = 0
        for u in order:
            best_mod: float = 0
            best_com = node2com[u]
            weights2com: dict[int, int] = {}  # sums of ints: exact, as networkx's float sums are
            for nbr, wt in nbrs[u]:
                c = node2com[nbr]
                if c in weights2com:
                    weights2com[c] += wt
                else:
                    weights2com[c] = wt
            degree = degrees[u]
            stot[best_com] -= degree
            if best_com not in weights2com:  # networkx's defaultdict adds it when read
                weights2com[best_com] = 0
            # networkx's expressions, `resolution *` (1) left out: the same floats
            remove_cost = -weights2com[best_com] / m + (stot[best_com] * degree) / scale
            for nbr_com, wt in weights2com.items():
                gain = remove_cost + wt / m - (stot[nbr_com] * degree) / scale
                if gain > best_mod:
                    best_mod = gain
                    best_com = nbr_com
            stot[best_com] += degree
            if best_com != node2com[u]:
                com = members[u]
                partition[node2com[u]].difference_update(com)
                inner[node2com[u]].remove(u)
                partition[best_com].update(com)
                inner[best_com].add(u)
                improvement = True
                moves += 1
                node2com[u] = best_com
    return list(filter(len, partition)), list(filter(len, inner)), improvement


def _merged(g: Adjacency, members: list[set[int]], parts: list[set[int]]) -> tuple[Adjacency, list[set[int]]]:
    """The graph of the communities, links summed (_gen_graph)."""
    node2com: dict[int, int] = {}
    merged: list[set[int]] = []
    for i, part in enumerate(parts):
        nodes: set[int] = set()
        for node in part:
            node2com[node] = i
            nodes.update(members[node])
        merged.append(nodes)
    h: Adjacency = [{} for _ in parts]
    for u, v, w in _edges(g):
        a, b = node2com[u], node2com[v]
        _add(h, a, b, w + h[a].get(b, 0))
    return h, merged
