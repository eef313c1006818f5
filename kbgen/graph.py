"""The one link graph: a networkx DiGraph of notes, attachments and unresolved concepts.

Nodes are keyed `note:<path>`, `asset:<path>` and `concept:<casefolded name>`; each edge counts
the links (body links, embeds and front-matter links, self-links included, as Obsidian's
`resolvedLinks` does) and keeps the LinkRefs, so backlinks and concept pages come from here.

A concept gets a page (and a place in the graph pictures) only when some note links to it among
its first CONCEPT_LIMIT distinct concepts: one note of 75 000 links to names without a note
would otherwise make 75 000 pages. The graph keeps every link (for `kbgen graph`); each concept
node says whether it is `paged`.
"""
from __future__ import annotations

from collections import deque
from typing import Iterable, Iterator, NamedTuple

import networkx as nx

from kbgen.model import LinkRef, SourcePath, Target, is_file_name

CONCEPT_LIMIT = 2000
"""Distinct concepts (names without a note) per note that can give the concept a page."""


def note_node(path: str) -> str:
    return "note:" + path


def asset_node(path: str) -> str:
    return "asset:" + path


def concept_node(name: str) -> str:
    return "concept:" + name.strip().casefold()


def node_of(target: Target) -> str | None:
    if target.kind == "note" and target.path:
        return note_node(target.path)
    if target.kind == "asset" and target.path:
        return asset_node(target.path)
    if target.kind == "unresolved" and target.label.strip():
        return concept_node(target.label)
    return None


def is_concept(label: str) -> bool:
    """Unresolved targets that look like files (`x.png`) are missing attachments, not concepts
    (site.is_concept_label, which imports this module)."""
    return bool(label.strip()) and not is_file_name(label)


def capped_links(table: dict[LinkRef, Target]) -> list[LinkRef]:
    """One note's links (its resolved targets, in its link order) to concepts past its first
    CONCEPT_LIMIT distinct ones, the first mention of each: what LinkGraph marks `capped`."""
    if len(table) <= CONCEPT_LIMIT:
        return []
    seen: set[str] = set()  # concept nodes without their "concept:" (no string made per link)
    out = []
    for ref, target in table.items():  # node_of() and is_concept() written out (see _add_links)
        if target.kind != "unresolved" or ref.commented:
            continue
        label = target.label
        name = label.strip()
        if not name or "." in name and is_file_name(label):
            continue
        key = name.casefold()
        if key in seen:
            continue
        seen.add(key)
        if len(seen) > CONCEPT_LIMIT:
            out.append(ref)
    return out


class Backlink(NamedTuple):
    """A tuple: a frozen dataclass's __init__ was a third of backlinks()' cost (one per link)."""
    source: SourcePath
    refs: tuple[LinkRef, ...]


_BACKLINKS = "kbgen.backlinks"
"""The key of LinkGraph._backlink_index() in the DiGraph's `__networkx_cache__`, which networkx
empties at every change to the graph's nodes or edges (as does _add_links)."""


class LinkGraph:
    """Built once per build from every published note's resolved links."""

    def __init__(self) -> None:
        self.g = nx.DiGraph()
        self.memo: dict[str, object] = {}
        """Caches of values computed from this graph (layouts, rankings); empty when renewed."""

    @classmethod
    def build(cls, notes: dict[SourcePath, str],
              links: Iterable[tuple[SourcePath, LinkRef, Target]]) -> "LinkGraph":
        """`notes` maps each published note to its title; `links` are every resolved link."""
        graph = cls()
        for path in sorted(notes):
            graph.g.add_node(note_node(path), kind="note", path=path, title=notes[path])
        graph._add_links(links)
        graph._index()  # here, before the render workers are forked, not once in each of them
        return graph

    def renewed(self) -> "LinkGraph":
        """The same graph under a new identity, so caches keyed on the old object miss."""
        fresh = LinkGraph()
        fresh.g = self.g
        return fresh

    def replace_links(self, source: SourcePath, links: Iterable[tuple[LinkRef, Target]]) -> set[str]:
        """Swap one note's outgoing links (an edit); returns every node whose edges changed.
        Concepts and attachments left without links disappear, as in a fresh build."""
        g = self.g
        src = note_node(source)
        old = set(g.successors(src))
        cache = getattr(g, "__networkx_cache__", None)  # (the edit's networkx calls empty it)
        index = cache.get(_BACKLINKS) if cache is not None else None
        g.remove_edges_from([(src, dst) for dst in old])
        self._add_links((source, ref, target) for ref, target in links)
        new = set(g.successors(src))
        for node in old - new:
            if g.nodes[node]["kind"] != "note" and g.degree(node) == 0:
                g.remove_node(node)
        for node in (old | new) & set(g.nodes):
            if g.nodes[node]["kind"] == "concept":
                # a fresh build names a concept after its first mention, in path order
                first = min(g.predecessors(node))
                g.nodes[node]["title"] = g.edges[first, node]["refs"][0].target.strip()
                g.nodes[node]["paged"] = any(not g.edges[p, node].get("capped") for p in g.predecessors(node))
        if index is not None:  # patched, not made again for every note at each edit in serve
            for node in old | new:  # only the edited note's targets have other backlinks now:
                index[node] = None  # made again when asked (a hub's take ms, its page may not be)
            g.__networkx_cache__[_BACKLINKS] = index
        return old | new

    def _add_links(self, links: Iterable[tuple[SourcePath, LinkRef, Target]]) -> None:
        """Add links (`counts` holds each source's distinct concepts so far, see CONCEPT_LIMIT).
        What node_of(), note_node() and is_concept() do is written out, and the nodes and edges
        go straight into the DiGraph's dicts (its documented layout: `_node` holds each node's
        attributes, `_succ` and `_pred` each node's neighbours → the edge's attributes, one dict
        per edge shared by both): a note may hold 75 000 links, and add_node(), add_edge() and
        has_edge() were half the graph's cost per link."""
        g = self.g
        attrs, succ, pred = g._node, g._succ, g._pred
        counts: dict[str, int] = {}
        source, src, out, seen = None, "", {}, 0
        for link_source, ref, target in links:
            if ref.commented:
                continue
            kind = target.kind
            if kind == "unresolved":
                name = target.label.strip()
                if not name:
                    continue
                dst = "concept:" + name.casefold()
            elif target.path and (kind == "note" or kind == "asset"):
                dst = kind + ":" + target.path
            else:
                continue
            if link_source is not source:
                if source is not None:
                    counts[src] = seen
                source, src = link_source, note_node(link_source)
                if src not in succ:  # as add_edge() would: a node without attributes
                    attrs[src], succ[src], pred[src] = {}, {}, {}
                out = succ[src]
                seen = counts.get(src, 0)  # (kept here, not in `counts`, while the source lasts)
            data = out.get(dst)
            if data is not None:
                data["count"] += 1
                data["refs"].append(ref)
                data["embed"] = data["embed"] or ref.embed
                continue
            capped = paged = False
            if kind == "unresolved" and not ("." in name and is_file_name(target.label)):  # is_concept()
                capped = seen >= CONCEPT_LIMIT
                paged = not capped
                seen += 1
            out[dst] = edge = {"count": 1, "refs": [ref], "embed": ref.embed, "capped": capped}
            node = attrs.get(dst)
            if node is not None:
                if paged:
                    node["paged"] = True
                pred[dst][src] = edge
            elif kind == "asset":
                attrs[dst] = {"kind": "asset", "path": target.path, "title": target.path}
                succ[dst], pred[dst] = {}, {src: edge}
            else:  # a concept (or a note the graph does not hold, which a test may give)
                attrs[dst] = {"kind": "concept", "path": "", "title": target.label.strip(), "paged": paged}
                succ[dst], pred[dst] = {}, {src: edge}
        cache = getattr(g, "__networkx_cache__", None)
        if cache:  # what networkx's own calls do after a change
            cache.clear()

    # -- queries ------------------------------------------------------------------------

    def backlinks(self, node: str) -> list[Backlink]:
        """Notes that link to `node` (self-links excluded), sorted by path."""
        index = self._index()
        if index is None:
            return self._backlinks_of(node)
        found = index.get(node, ())
        if found is None:  # an edit changed them (replace_links)
            found = index[node] = self._backlinks_of(node)
        return list(found)

    def _index(self) -> dict[str, list[Backlink] | None] | None:
        """The backlink index (None for a node whose backlinks an edit changed), made when
        missing; None without networkx's cache (before 3.3)."""
        cache = getattr(self.g, "__networkx_cache__", None)
        if cache is None:
            return None
        index = cache.get(_BACKLINKS)
        if index is None:
            index = cache[_BACKLINKS] = self._backlink_index()
        return index

    def _backlinks_of(self, node: str) -> list[Backlink]:
        """backlinks(node) from the node's predecessors."""
        near = self.g._pred.get(node)  # the DiGraph's dicts, as in _add_links
        if near is None:
            return []
        attrs, new = self.g._node, tuple.__new__
        return [new(Backlink, (attrs[src]["path"], tuple(near[src]["refs"]))) for src in sorted(near) if src != node]

    def _backlink_index(self) -> dict[str, list[Backlink] | None]:
        """Every node's backlinks, in one pass over the edges by source: at 10 000 notes, made
        per page (a sort, a lookup of the source and a copy of its links per backlink, between
        the pages' other work) they cost ~0.3 s of a build's CPU, and this pass ~0.1 s.
        (tuple.__new__ is Backlink() without the Python call of its generated __new__.)"""
        index: dict[str, list[Backlink] | None] = {}
        attrs, succ, new = self.g._node, self.g._succ, tuple.__new__
        for src in sorted(s for s, out in succ.items() if out):  # each target's list comes out sorted
            path = attrs[src].get("path")  # (a source the notes lack has none: made at build, not asked)
            for dst, edge in succ[src].items():
                if dst == src:
                    continue
                found = index.get(dst)
                if found is None:
                    index[dst] = [new(Backlink, (path, tuple(edge["refs"])))]
                else:
                    found.append(new(Backlink, (path, tuple(edge["refs"]))))
        return index

    def outlinks(self, node: str) -> list[str]:
        return sorted(self.g.successors(node)) if node in self.g else []

    def paged(self, node: str) -> bool:
        """Whether a concept gets a page: some note links to it within CONCEPT_LIMIT."""
        data = self.g._node.get(node)  # asked for every link to a concept on every page
        return bool(data and data.get("paged"))

    def concepts(self) -> Iterator[tuple[str, str]]:
        """(node, display name) of every unresolved concept, sorted."""
        attrs = self.g._node
        for node in sorted(attrs):
            if node.startswith("concept:"):
                yield node, attrs[node]["title"]

    def paged_concepts(self) -> list[tuple[str, str]]:
        """(node, display name) of every concept that gets a page, sorted: concepts() but the
        rest (a note of 75 000 links to concepts has 73 000 without a page, not sorted here)."""
        return sorted((node, data["title"]) for node, data in self.g._node.items()
                      if data.get("paged") and node.startswith("concept:"))

    def degree(self, node: str) -> int:
        return self.g.degree(node) if node in self.g else 0

    def neighbourhood(self, node: str, depth: int = 2, limit: int = 40) -> list[str]:
        """Nodes within `depth` links of `node` in either direction (no attachments), nearest
        first and, among equals, best-connected first; at most `limit`, so a hub's page stays small."""
        if node not in self.g:
            return []
        seen = {node: 0}
        queue = deque([node])
        while queue:
            cur = queue.popleft()
            if seen[cur] >= depth:
                continue
            for nb in sorted(set(self.g.successors(cur)) | set(self.g.predecessors(cur))):
                if nb not in seen and not nb.startswith("asset:"):
                    seen[nb] = seen[cur] + 1
                    if seen[nb] < depth:
                        queue.append(nb)
        ranked = sorted(seen, key=lambda n: (seen[n], -self.g.degree(n), n))
        return ranked[:limit]

    def orphans(self) -> list[str]:
        return sorted(n for n, d in self.g.nodes(data=True)
                      if d["kind"] == "note" and self.g.degree(n) == 0)

    # -- exports ------------------------------------------------------------------------

    def obsidian_json(self) -> dict[str, dict[str, dict[str, int]]]:
        """The shape of Obsidian's `resolvedLinks` / `unresolvedLinks`, keyed by vault path."""
        resolved: dict[str, dict[str, int]] = {}
        unresolved: dict[str, dict[str, int]] = {}
        for src, dst, data in sorted(self.g.edges(data=True), key=lambda e: (e[0], e[1])):
            spath = self.g.nodes[src]["path"]
            kind = self.g.nodes[dst]["kind"]
            if kind == "concept":
                for ref in data["refs"]:
                    bucket = unresolved.setdefault(spath, {})
                    bucket[ref.target] = bucket.get(ref.target, 0) + 1
            else:
                resolved.setdefault(spath, {})[self.g.nodes[dst]["path"]] = data["count"]
        return {"resolved": resolved, "unresolved": unresolved}

    def plain(self) -> nx.DiGraph:
        """A copy with only GraphML-friendly attributes."""
        out = nx.DiGraph()
        for n, d in sorted(self.g.nodes(data=True)):
            out.add_node(n, kind=d["kind"], path=d["path"] or "", title=d["title"])
        for s, t, d in sorted(self.g.edges(data=True), key=lambda e: (e[0], e[1])):
            out.add_edge(s, t, count=d["count"], embed=bool(d["embed"]))
        return out
