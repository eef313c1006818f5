"""LinkGraph's link loop (graph._add_links) against the per-link networkx calls it replaced, on random links."""
from __future__ import annotations

import copy
import random
from typing import Any

import pytest

from kbgen import graph as linkgraph
from kbgen.graph import LinkGraph, is_concept, node_of, note_node
from kbgen.model import LinkRef, SourcePath, Target


def _old_add(self: LinkGraph, source: SourcePath, ref: LinkRef, target: Target, counts: dict[str, int]) -> None:
    """LinkGraph._add as it was: one link, through node_of(), is_concept() and networkx calls."""
    g = self.g
    dst = node_of(target)
    if dst is None or ref.commented:
        return
    if dst not in g:
        if target.kind == "asset":
            g.add_node(dst, kind="asset", path=target.path, title=target.path)
        else:
            g.add_node(dst, kind="concept", path="", title=target.label.strip(), paged=False)
    src = note_node(source)
    if g.has_edge(src, dst):
        data = g.edges[src, dst]
        data["count"] += 1
        data["refs"].append(ref)
        data["embed"] = data["embed"] or ref.embed
    else:
        capped = False
        if target.kind == "unresolved" and is_concept(target.label):
            capped = counts.get(src, 0) >= linkgraph.CONCEPT_LIMIT
            counts[src] = counts.get(src, 0) + 1
            if not capped:
                g.nodes[dst]["paged"] = True
        g.add_edge(src, dst, count=1, refs=[ref], embed=ref.embed, capped=capped)


def _old_add_links(self: LinkGraph, links: Any) -> None:
    counts: dict[str, int] = {}
    for source, ref, target in links:
        _old_add(self, source, ref, target, counts)


NOTES = [SourcePath(f"n{i}.md") for i in range(6)]
LABELS = ["A", "a", " A ", "B", "x.png", "x.png ", "y.PDF", "Note.v2", "", "  ", "C", "D", "E", "F"]


def _links(rng: random.Random) -> list[tuple[SourcePath, LinkRef, Target]]:
    out = []
    for i in range(rng.randint(0, 60)):
        source = rng.choice(NOTES)
        roll = rng.random()
        if roll < 0.3:
            target = Target("note", rng.choice(NOTES))
        elif roll < 0.4:
            target = Target("asset", SourcePath(rng.choice(["p.png", "d.pdf"])))
        elif roll < 0.45:
            target = Target("note", None)
        elif roll < 0.5:  # a note the graph does not hold
            target = Target("note", SourcePath("gone.md"), label=" Gone ")
        else:
            target = Target("unresolved", None, label=rng.choice(LABELS))
        ref = LinkRef(target.label or "t", "", None, rng.random() < 0.2, "wiki", i, f"[[{i}]]",
                      commented=rng.random() < 0.1)
        out.append((source, ref, target))
    return out


def _state(graph: LinkGraph) -> tuple[Any, ...]:
    """Everything a graph holds, in its order (node and edge order reach the layouts)."""
    g = graph.g
    return copy.deepcopy((list(g.nodes(data=True)), list(g.edges(data=True)),
                          [list(g.pred[n]) for n in g], [list(g.succ[n]) for n in g]))


@pytest.mark.parametrize("seed", range(40))
def test_build_and_replace_alike(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(linkgraph, "CONCEPT_LIMIT", seed % 4)  # the cap reached in most vaults
    rng = random.Random(seed)
    links, edit = _links(rng), _links(rng)
    titles = {p: p.upper() for p in NOTES}
    source = NOTES[seed % len(NOTES)]
    changed = [(ref, t) for s, ref, t in edit if s == source]
    got = LinkGraph.build(titles, links)
    got_before = _state(got)
    got_touched = got.replace_links(source, changed)
    monkeypatch.setattr(LinkGraph, "_add_links", _old_add_links)
    want = LinkGraph.build(titles, links)
    assert got_before == _state(want)
    want_touched = want.replace_links(source, changed)
    assert (_state(got), got_touched) == (_state(want), want_touched)


def _old_capped_links(table: dict[LinkRef, Target]) -> list[LinkRef]:
    """graph.capped_links as it was, through node_of() and is_concept()."""
    if len(table) <= linkgraph.CONCEPT_LIMIT:
        return []
    seen: set[str] = set()
    out = []
    for ref, target in table.items():
        node = node_of(target)
        if node is None or ref.commented or target.kind != "unresolved" or not is_concept(target.label) \
                or node in seen:
            continue
        seen.add(node)
        if len(seen) > linkgraph.CONCEPT_LIMIT:
            out.append(ref)
    return out


@pytest.mark.parametrize("seed", range(40))
def test_capped_links_alike(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(linkgraph, "CONCEPT_LIMIT", seed % 4)
    table = {ref: target for _, ref, target in _links(random.Random(seed))}
    assert linkgraph.capped_links(table) == _old_capped_links(table)
