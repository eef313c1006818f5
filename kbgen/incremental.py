"""After an edit: update the Site in place and name the pages whose output can change.

Handles the common case — notes whose content changed but whose identity for other notes did not
(same title, headings, blocks, aliases, publish state, URL) and that neither reach past nor
link to concepts past graph.CONCEPT_LIMIT: their links are resolved again, the
graph and tags are patched, and the dirty pages are the note, the notes that embed it, every page
its old and new links point to and the home page. Pages whose local graph may show the change
are rebuilt only when their picture can differ: pictures.Pictures.stale() names them from an index of the
pictures drawn. Tag, folder and other generated pages are cheap: build.py assembles them again and renders those
whose fingerprint changed. Anything else returns None and build.py does a full pass (still without reparsing
unchanged notes). Tests check that the result equals a clean build.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from kbgen.assemble import published_assets, resolve_note, _tags
from kbgen.graph import capped_links, is_concept, node_of, note_node
from kbgen.adjacency import carry_over
from kbgen.model import LinkRef, ParsedNote, SourcePath, Target
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
    edited: set[str] = field(default_factory=set)
    """Graph nodes of the edited notes."""
    moved: dict[str, int] = field(default_factory=dict)
    """Nodes whose links changed → their number of graph neighbours before the edit."""
    before: dict[str, set[str]] = field(default_factory=dict)
    """The shown adjacency before the edit (adjacency.adjacency of the old graph)."""
    before_rank: dict[str, int] = field(default_factory=dict)
    """Each shown node's rank before the edit (adjacency._ranked of the old graph)."""
    titles: dict[str, str] = field(default_factory=dict)
    """Concepts the edited notes linked to before or after → their title before the edit."""


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
    resolved = {}
    for path, new in changed.items():
        site.resolver.notes[path] = NoteInfo(new.headings, new.blocks, new.aliases)  # the same identity
        resolved[path] = resolve_note(site.resolver, site.hidden, path, new)
    if not _within_cap(site, {p: table for p, (table, _) in resolved.items()}):
        return None
    dirty = Dirty()
    g = site.graph.g
    from kbgen.adjacency import adjacency, _ranked
    before_adj = adjacency(site.graph)
    dirty.before, dirty.before_rank = before_adj, _ranked(site.graph)[0]
    old_notes = {p: site.notes[p] for p in changed}
    old_tables = {p: site.targets.get(p, {}) for p in changed}
    for path, new in changed.items():
        site.notes[path] = new
        table, diags = resolved[path]
        site.targets[path] = table
        site.link_diags[path] = diags
        node = note_node(path)
        before = set(g.successors(node))
        for n in {node} | before:
            dirty.moved.setdefault(n, len(before_adj.get(n, ())))
        for n in before | {node_of(t) for t in table.values()}:
            if n in g and g.nodes[n]["kind"] == "concept":  # the first mention names a concept
                dirty.titles.setdefault(n, g.nodes[n]["title"])
        touched = site.graph.replace_links(path, table.items())
        for n in touched:
            dirty.moved.setdefault(n, len(before_adj.get(n, ())))
        dirty.edited.add(node)
        dirty.notes.add(path)
        dirty.nodes |= touched
        dirty.notes |= _embedders(site, path)
    graph_before, site.graph = site.graph, site.graph.renewed()  # drops layouts cached for the old graph
    carry_over(graph_before, site.graph, set(dirty.moved) | set(dirty.titles))
    if any(old_notes[p].tags != new.tags for p, new in changed.items()):
        site.tags = _tags(site.notes)
    if any(_assets(old_tables[p]) != _assets(site.targets[p]) for p in changed):
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
    return dirty


def _within_cap(site: Site, tables: dict[SourcePath, dict[LinkRef, Target]]) -> bool:
    """False when the edit may give a concept a page, or take one away, other than by creating
    or removing the concept (graph.CONCEPT_LIMIT): an edited note over the cap before or after,
    a link added to a concept without a page, or one removed from a concept that some note
    links to past its cap. Other notes' pages would then change their links (and the pictures
    their nodes): a full pass does it."""
    g = site.graph.g
    for path, table in tables.items():
        src = note_node(path)
        if capped_links(table) or any(data.get("capped") for _, _, data in g.out_edges(src, data=True)):
            return False
        before = set(g.successors(src))
        after = {node_of(t) for ref, t in table.items() if not ref.commented}
        for node in after - before:
            if node in g and g.nodes[node]["kind"] == "concept" and not g.nodes[node]["paged"] \
                    and is_concept(g.nodes[node]["title"]):
                return False
        for node in before - after:
            if g.nodes[node]["kind"] == "concept" and any(g.edges[p, node].get("capped") for p in g.predecessors(node)):
                return False
    return True


def _assets(table: dict) -> set[tuple[str, bool]]:
    """The attachments a note's links reach (what published_assets reads of them)."""
    return {(t.path, ref.commented) for ref, t in table.items() if t.kind == "asset" and t.path}


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
