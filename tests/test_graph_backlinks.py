"""LinkGraph.backlinks from its index (made once per graph, patched by replace_links) against the
node's predecessors read directly, on random links and edits."""
from __future__ import annotations

import random

import pytest

from kbgen import graph as linkgraph
from kbgen.graph import Backlink, LinkGraph
from kbgen.model import LinkRef, SourcePath, Target
from tests.test_graph_build import NOTES, _links


def _direct(graph: LinkGraph, node: str) -> list[Backlink]:
    """backlinks() as it was written before the index: sorted predecessors, self-links left out."""
    g = graph.g
    if node not in g:
        return []
    return [Backlink(g.nodes[src]["path"], tuple(g.edges[src, node]["refs"]))
            for src in sorted(g.predecessors(node)) if src != node]


def _all(graph: LinkGraph) -> dict[str, list[Backlink]]:
    return {node: graph.backlinks(node) for node in sorted(graph.g)}


def _edit(rng: random.Random) -> tuple[SourcePath, list[tuple[LinkRef, Target]]]:
    source = rng.choice(NOTES)
    return source, [(ref, t) for s, ref, t in _links(rng) if s == source]


@pytest.mark.parametrize("seed", range(30))
def test_backlinks_after_edits(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(linkgraph, "CONCEPT_LIMIT", seed % 4)
    rng = random.Random(seed)
    titles = {p: p.upper() for p in NOTES}
    links = _links(rng)
    graph = LinkGraph.build(titles, links)
    assert _all(graph) == {node: _direct(graph, node) for node in sorted(graph.g)}
    for _ in range(4):  # serve: one note's links replaced at a time, the graph renewed
        source, changed = _edit(rng)
        graph.replace_links(source, changed)
        graph = graph.renewed()
        links = [link for link in links if link[0] != source] + [(source, r, t) for r, t in changed]
        got = _all(graph)
        assert got == {node: _direct(graph, node) for node in sorted(graph.g)}
        assert got == _all(LinkGraph.build(titles, sorted(links, key=lambda link: link[0])))


def test_index_dropped_by_networkx_changes() -> None:
    ref = LinkRef("a", "", None, False, "wiki", 1, "[[a]]")
    graph = LinkGraph.build({SourcePath("a.md"): "A", SourcePath("b.md"): "B", SourcePath("c.md"): "C"},
                            [(SourcePath("b.md"), ref, Target("note", SourcePath("a.md")))])
    assert [b.source for b in graph.backlinks("note:a.md")] == ["b.md"]
    graph.g.add_edge("note:c.md", "note:a.md", count=1, refs=[ref], embed=False, capped=False)
    assert graph.backlinks("note:a.md") == [Backlink("b.md", (ref,)), Backlink("c.md", (ref,))]
    graph.g.remove_node("note:b.md")
    assert graph.backlinks("note:a.md") == [Backlink("c.md", (ref,))]


def test_backlinks_are_a_copy() -> None:
    ref = LinkRef("a", "", None, False, "wiki", 1, "[[a]]")
    graph = LinkGraph.build({SourcePath("a.md"): "A", SourcePath("b.md"): "B"},
                            [(SourcePath("b.md"), ref, Target("note", SourcePath("a.md")))])
    graph.backlinks("note:a.md").clear()
    assert graph.backlinks("note:a.md") == [Backlink("b.md", (ref,))]
