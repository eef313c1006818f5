"""Local graph points stay apart: what lets local_graph skip the check below localgraph._APART outer nodes."""
from __future__ import annotations

import math
import random

from graphsites import synthetic
from kbgen import localgraph
from kbgen.graph import LinkGraph


def test_spread_angles_round_to_distinct_points_below_the_threshold() -> None:
    rng = random.Random(7)
    mid = localgraph.SIZE // 2
    for _ in range(300):
        m = rng.choice([rng.randrange(1, 60), rng.randrange(1, localgraph._APART + 1)])
        # clustered wants (many outer nodes on one inner node) and scattered ones
        wanted = sorted(rng.choice([rng.uniform(-math.pi / 2, 1.5 * math.pi), rng.choice([0.1, 2.0, 3.0])])
                        for _ in range(m))
        points = [(round(mid + 132.0 * math.cos(a)), round(mid + 132.0 * math.sin(a)))
                  for a in localgraph._spread(wanted)]
        assert len(set(points)) == m
        assert all(math.dist(p, (mid, mid)) > 82 + 40 for p in points)  # far from the inner ring


def test_inner_ring_points_are_apart_from_each_other_and_the_middle() -> None:
    mid = localgraph.SIZE // 2
    for size in list(range(1, 80)) + [300, 600, 900]:
        points = [slot[2] for slot in localgraph._ring(size)]
        assert len(set(points) | {(mid, mid)}) == size + 1


def _star_of_stars(outer: int) -> LinkGraph:
    """c — h — outer leaves: a page whose outer ring is crowded past _APART."""
    site = synthetic(1)
    g = site.graph.g
    g.clear()
    for name in ["c", "h"] + [f"l{i}" for i in range(outer)]:
        g.add_node(f"note:{name}.md", kind="note", path=f"{name}.md", title=name.upper())
    g.add_edge("note:c.md", "note:h.md")
    for i in range(outer):
        g.add_edge(f"note:l{i}.md", "note:h.md")
    site.urls.update({f"{n[5:]}": n[5:-3] + ".html" for n in g})
    return site


def test_a_crowded_outer_ring_still_gets_distinct_points() -> None:
    for outer in (localgraph._APART - 1, localgraph._APART + 1, 1200):
        site = _star_of_stars(outer)
        g = localgraph.local_graph(site, "c.md", limit=outer + 2)
        assert len(g["nodes"]) == outer + 2 and [n["ring"] for n in g["nodes"][:3]] == [0, 1, 2]
        assert len({(n["x"], n["y"]) for n in g["nodes"]}) == len(g["nodes"])
