"""The nodes a local graph shows (localgraph.nearby): level by level, the best-linked unseen
neighbours of the level before, as many as fit, whatever order the merge takes them in."""
from __future__ import annotations

import pytest

from graphsites import synthetic
from kbgen.adjacency import _ranked, adjacency
from kbgen.localgraph import nearby


def _by_definition(graph, center: str, depth: int, limit: int) -> list[str]:  # type: ignore[no-untyped-def]
    """Each level: all unseen neighbours of the last level, best ranked first, cut at the limit."""
    adj, rank = adjacency(graph), _ranked(graph)[0]
    if center not in adj:
        return []
    result, seen, frontier = [center], {center}, [center]
    for _ in range(depth):
        want = limit - len(result)
        if want <= 0:
            break
        level = sorted({n for f in frontier for n in adj[f]} - seen, key=rank.__getitem__)[:want]
        result += level
        seen.update(level)
        frontier = level
    return result


@pytest.mark.parametrize("size", [60, 400, 1500])
def test_nearby_takes_the_best_linked_nodes_level_by_level(size: int) -> None:
    site = synthetic(size)
    graph = site.graph
    for i in range(0, size, max(1, size // 80)):
        center = f"note:n{i}.md"
        for depth, limit in ((1, 40), (2, 40), (2, 7), (3, 40), (2, 500)):
            assert nearby(graph, center, depth, limit) == _by_definition(graph, center, depth, limit)


def test_a_node_outside_the_graph_has_no_neighbourhood() -> None:
    assert nearby(synthetic(60).graph, "note:missing.md", 2, 40) == []
