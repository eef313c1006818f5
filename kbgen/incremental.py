"""After an edit: update the Site in place and name the pages whose output can change.

Handles the common case — notes whose content changed but whose identity for other notes did not
(same title, headings, blocks, aliases, publish state, URL): their links are resolved again, the
graph and tags are patched, and the dirty pages are the note, the notes that embed it, every page
its old and new links point to and the home page. Pages within two links, whose local graph may
show the change, are rebuilt only when their picture can differ (graph_unchanged). Tag, folder and
other generated pages are cheap: build.py assembles them again and renders those whose fingerprint
changed. Anything else returns None and build.py does a full pass (still without reparsing
unchanged notes). Tests check that the result equals a clean build.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from kbgen.assemble import published_assets, resolve_note, _tags
from kbgen.graph import note_node
from kbgen.model import ParsedNote, SourcePath
from kbgen.resolve import NoteInfo
from kbgen.site import Site
from kbgen.urls import asset_url


@dataclass
class Dirty:
    """What an edit touched."""

    notes: set[SourcePath] = field(default_factory=set)
    """Notes whose pages must be rebuilt."""
    nodes: set[str] = field(default_factory=set)
    """Graph nodes (concepts included) whose pages must be rebuilt."""
    graph: set[SourcePath] = field(default_factory=set)
    """Notes whose local graph may show the change: rebuilt only if their graph differs."""
    edited: set[str] = field(default_factory=set)
    """Graph nodes of the edited notes."""
    moved: dict[str, int] = field(default_factory=dict)
    """Nodes whose links changed → their number of graph neighbours before the edit."""


def _identity(note: ParsedNote) -> tuple:
    """What other pages show or resolve against; an edit that changes it needs a full pass."""
    meta = note.meta
    return (note.title, note.aliases, note.headings, tuple(sorted(note.blocks)), note.published,
            meta.get("permalink"), str(meta.get("cssclasses")))


def update(site: Site, changed: dict[SourcePath, ParsedNote], vault_assets: dict) -> Dirty | None:
    """Patch `site` for reparsed notes; None when the edit needs a full pass."""
    for path, new in changed.items():
        old = site.notes.get(path)
        if old is None or _identity(old) != _identity(new):
            return None
        if site.config.graph_color_by == "tag" and old.tags[:1] != new.tags[:1]:
            return None
    dirty = Dirty()
    g = site.graph.g
    from kbgen.graphview import adjacency
    before_adj = adjacency(site.graph)
    for path, new in changed.items():
        old = site.notes[path]
        site.notes[path] = new
        site.resolver.notes[path] = NoteInfo(new.headings, new.blocks, new.aliases)
        table, diags = resolve_note(site.resolver, site.hidden, path, new)
        site.targets[path] = table
        site.link_diags[path] = diags
        node = note_node(path)
        before = set(g.successors(node))
        for n in {node} | before:
            dirty.moved.setdefault(n, len(before_adj.get(n, ())))
        touched = site.graph.replace_links(path, table.items())
        for n in touched:
            dirty.moved.setdefault(n, len(before_adj.get(n, ())))
        dirty.edited.add(node)
        dirty.notes.add(path)
        dirty.nodes |= touched
        dirty.notes |= _embedders(site, path)
        if before != set(g.successors(node)):
            # degrees and neighbourhoods changed: any local graph within two links may differ
            dirty.graph |= _graph_neighbours(site, {node} | touched)
    site.graph = site.graph.renewed()  # drops layouts cached for the graph as it was
    site.tags = _tags(site.notes)
    for asset in [p for p, u in site.urls.items() if p not in site.notes]:
        del site.urls[asset]
    for asset in sorted(published_assets(site.config, vault_assets, site.notes, site.targets)):
        site.urls[asset] = asset_url(asset)
    if site.home:
        dirty.notes.add(site.home)
    for n in list(dirty.nodes):
        if n.startswith("note:"):
            dirty.notes.add(SourcePath(n[5:]))
    dirty.notes &= set(site.notes)
    dirty.graph = (dirty.graph & set(site.notes)) - dirty.notes
    return dirty


def _embedders(site: Site, path: SourcePath) -> set[SourcePath]:
    """Notes that show `path` through embeds, directly or through other embeds."""
    g = site.graph.g
    found: set[SourcePath] = set()
    stack = [note_node(path)]
    while stack:
        node = stack.pop()
        for pred in g.predecessors(node):
            if g.edges[pred, node]["embed"] and g.nodes[pred]["kind"] == "note":
                p = g.nodes[pred]["path"]
                if p not in found:
                    found.add(p)
                    stack.append(pred)
    return found


def _graph_neighbours(site: Site, nodes: set[str]) -> set[SourcePath]:
    """Notes within two links of `nodes`: their local graphs may show the change."""
    g = site.graph.g
    seen = {n for n in nodes if n in g}
    frontier = set(seen)
    for _ in range(2):
        nxt = set()
        for n in frontier:
            nxt.update(g.successors(n))
            nxt.update(g.predecessors(n))
        frontier = nxt - seen
        seen |= frontier
    return {SourcePath(g.nodes[n]["path"]) for n in seen if g.nodes[n]["kind"] == "note"}


def graph_unchanged(site: Site, path: SourcePath, old: dict, dirty: Dirty) -> bool:
    """True when the local graph of `path` cannot differ from `old` (its previous picture),
    judged without drawing it: the same nodes, no edited note among them, and every node
    whose links changed keeps its size and its place in the ranking."""
    from kbgen.graphview import adjacency, nearby, node_radius
    nodes = set(nearby(site.graph, note_node(path), 2, 40))
    if nodes != {n["id"] for n in old.get("nodes", [])}:
        return False
    shown = nodes & set(dirty.moved)
    if not shown:
        return True
    if shown & dirty.edited:
        return False
    adj = adjacency(site.graph)
    histogram = _degrees(site)
    for n in shown:
        was, now = dirty.moved[n], len(adj.get(n, ()))
        if node_radius(was) != node_radius(now):
            return False
        lo, hi = min(was, now), max(was, now)
        others = sum(histogram.get(d, 0) for d in range(lo, hi + 1)) - \
            sum(1 for m in dirty.moved if lo <= len(adj.get(m, ())) <= hi)
        if was != now and others > 0:
            return False  # it may have passed another node in the ranking
    ranked = sorted(shown, key=lambda n: (-dirty.moved[n], n))
    return ranked == sorted(shown, key=lambda n: (-len(adj.get(n, ())), n))


_histograms: dict[int, tuple[object, dict[int, int]]] = {}


def _degrees(site: Site) -> dict[int, int]:
    """How many shown nodes have each number of neighbours (once per graph)."""
    from kbgen.graphview import adjacency
    key = id(site.graph)
    hit = _histograms.get(key)
    if hit is None or hit[0] is not site.graph:
        counts: dict[int, int] = {}
        for near in adjacency(site.graph).values():
            counts[len(near)] = counts.get(len(near), 0) + 1
        _histograms.clear()
        hit = _histograms[key] = (site.graph, counts)
    return hit[1]
