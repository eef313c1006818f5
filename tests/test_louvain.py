"""kbgen.louvain against networkx's louvain_communities: the same communities on random graphs."""
from __future__ import annotations

import random

import networkx as nx
import pytest

from kbgen import louvain


def _graph(seed: int, n: int, clusters: int, inside: float, across: float) -> tuple[list[str], list[tuple[str, str]]]:
    """A random clustered graph, its nodes in a shuffled order and its links as written once each."""
    rng = random.Random(seed)
    nodes = [f"n{i:03d}" for i in range(n)]
    rng.shuffle(nodes)
    links = []
    for i in range(n):
        for j in range(i + 1, n):
            p = inside if i % clusters == j % clusters else across
            if rng.random() < p:
                links.append((nodes[i], nodes[j]) if rng.random() < 0.5 else (nodes[j], nodes[i]))
    rng.shuffle(links)
    return nodes, links


def _networkx(nodes: list[str], links: list[tuple[str, str]], seed: int) -> list[set[str]]:
    g = nx.Graph()
    g.add_nodes_from(nodes)
    g.add_edges_from(links)
    return nx.community.louvain_communities(g, seed=seed)


@pytest.mark.parametrize("case", range(40))
def test_the_same_communities_as_networkx(case: int) -> None:
    rng = random.Random(case)
    n = rng.choice([5, 12, 40, 90, 200])
    nodes, links = _graph(case, n, rng.randint(1, 8), rng.choice([0.1, 0.3, 0.7]), rng.choice([0.0, 0.01, 0.05]))
    for seed in (7, case):
        assert louvain.communities(nodes, links, seed=seed) == _networkx(nodes, links, seed)


def test_stars_paths_and_isolated_nodes() -> None:
    star = ["hub"] + [f"leaf{i}" for i in range(300)]
    path = [f"p{i}" for i in range(50)]
    cases = [
        (star, [("hub", leaf) for leaf in star[1:]]),
        (path, list(zip(path, path[1:]))),
        (path + ["alone", "other"], list(zip(path, path[1:]))),
        (["a", "b"], [("a", "b")]),
        (["a", "b", "c"], []),
    ]
    for nodes, links in cases:
        assert louvain.communities(nodes, links) == _networkx(nodes, links, 7)
