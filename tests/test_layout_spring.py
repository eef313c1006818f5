"""layout.spring against networkx's spring_layout: the same force layout, up to rounding."""
from __future__ import annotations

import math
import random

import networkx as nx
import numpy as np
import pytest

from kbgen import layout


@pytest.mark.parametrize("case", range(12))
def test_spring_is_networkx_spring_layout(case: int) -> None:
    rng = random.Random(case)
    n = rng.choice([3, 8, 20, 35])
    weighted = case % 2 == 1
    links = sorted({(i, j) for i in range(n) for j in range(i + 1, n) if rng.random() < 0.15} | {(0, n - 1)})
    weights = {p: float(rng.randint(1, 5)) if weighted else 1.0 for p in links}
    k = 1.6 / math.sqrt(n) if case % 3 else math.sqrt(1.0 / n)
    iterations = rng.choice([20, 50, 80])
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_weighted_edges_from((i, j, w) for (i, j), w in weights.items())
    theirs = nx.spring_layout(g, seed=7, iterations=iterations, k=k, weight="weight")
    ours = layout.spring(n, [(i, j, w) for (i, j), w in weights.items()], k, iterations)
    assert ours.shape == (n, 2)
    assert np.abs(ours - np.array([theirs[i] for i in range(n)])).max() < 1e-6


def test_spring_separates_two_linked_groups() -> None:
    # two cliques joined by one link end up apart: the force layout works, whatever networkx does
    links = [(i, j, 1.0) for group in (range(0, 6), range(6, 12)) for i in group for j in group if i < j]
    xy = layout.spring(12, links + [(0, 6, 1.0)], 1.6 / math.sqrt(12), 50)
    a, b = xy[:6].mean(0), xy[6:].mean(0)
    spread = max(np.abs(xy[:6] - a).max(), np.abs(xy[6:] - b).max())
    assert np.hypot(*(a - b)) > 2 * spread
    assert np.abs(xy).max() == pytest.approx(1.0)
