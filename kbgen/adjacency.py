"""What both graph pictures draw, computed once per graph: the shown nodes, their neighbours and
rank, colour groups and URLs."""
from __future__ import annotations

from collections import Counter
from typing import Any

from kbgen.graph import LinkGraph
from kbgen.site import Site, is_concept_label
from kbgen.urls import concept_url

COLOURS = 8
"""Colour groups (folders or tags) get colours 1..COLOURS, the largest groups first; the rest 0."""


def node_url(site: Site, node: str) -> str:
    kind, _, key = node.partition(":")
    if kind == "note":
        return site.urls.get(key, "")  # type: ignore[arg-type]
    if kind == "concept" and site.config.concept_pages:
        data = site.graph.g._node[node]
        return concept_url(data["title"]) if is_concept_label(data["title"]) and data["paged"] else ""
    return ""


def group_of(site: Site, node: str) -> str:
    """The colour group of a node: its top-level folder, or its first tag's root with
    `graph_color_by = "tag"`; concepts and attachments are their own kind."""
    data = site.graph.g._node[node]
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
    """Notes and concept-like unresolved targets that may have a page (graph.CONCEPT_LIMIT);
    never attachments or missing files."""
    data = graph.g._node[node]
    return data["kind"] == "note" or (data["kind"] == "concept" and data["paged"] and is_concept_label(data["title"]))


_adjacency = _PerGraph("_adjacency")


def adjacency(graph: LinkGraph) -> dict[str, set[str]]:
    """Shown node → its shown neighbours, links in either direction (computed once per graph)."""
    cached = _adjacency.get(graph)
    if cached is None:
        cached = {n: set() for n, data in graph.g._node.items()  # _shown() written out: a node of 75 000 links
                  if data["kind"] == "note" or data["kind"] == "concept" and data["paged"] and is_concept_label(data["title"])}
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
