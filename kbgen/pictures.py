"""Which note pages' local graphs an edit changes: Pictures remembers each page's picture and
names, from an index of the nodes they show, the pages whose picture can differ after an edit
(incremental.update() says what the edit touched)."""
from __future__ import annotations

import bisect
from typing import TYPE_CHECKING

from kbgen.graph import note_node
from kbgen.localgraph import node_radius
from kbgen.model import SourcePath
from kbgen.site import Site

if TYPE_CHECKING:
    from kbgen.incremental import Dirty

LIMIT = 40
"""Nodes in a local graph at most (local_graph's `limit`). A picture this full took the best
ranked of more candidates than it shows, so one that climbs the ranking may push a node out."""
CROSSINGS = 64
"""A node that changed rank and passed more nodes than this is checked page by page instead."""
CAP = next(d for d in range(1000) if node_radius(d) == node_radius(10 ** 9))
"""Links from which a node's size (radius and label offset) stops growing."""


def _looks_same(before: int, after: int) -> bool:
    """Whether a node with `before` then `after` neighbours is drawn the same size."""
    return before == after or min(before, after) >= CAP


class _Change:
    """What an edit did to the shown graph: adjacency, ranking and titles before and after."""

    def __init__(self, site: Site, dirty: Dirty) -> None:
        from kbgen.adjacency import adjacency, _ranked
        self.a0, self.a1 = dirty.before, adjacency(site.graph)
        self.rank0, self.rank1 = dirty.before_rank, _ranked(site.graph)[0]
        a0, a1 = self.a0, self.a1
        check = set(dirty.moved)
        for n in dirty.moved:
            if (n in a0) != (n in a1):  # a concept appeared, went or stopped being shown
                check |= a0.get(n, set()) | a1.get(n, set())
        self.changed = {n for n in check if a0.get(n) != a1.get(n)}
        """Nodes whose neighbours changed (those that appeared or went included)."""
        self.gone = {n for n in self.changed if n not in a1}
        self.moved = {n for n in self.changed if n in a0 and n in a1 and len(a0[n]) != len(a1[n])}
        """Nodes that were and are shown and whose rank key changed."""
        g = site.graph.g
        self.retitled = {n for n, t in dirty.titles.items()
                         if n in a0 and n in a1 and g.nodes[n]["title"] != t}
        self._order = _order(site, self.rank1)
        self.flips = {m: self._flips(m) for m in self.moved}
        """Moved node → the nodes whose rank order with it reversed; None when too many."""

    def key0(self, n: str) -> tuple[int, str]:
        return -len(self.a0[n]), n

    def key1(self, n: str) -> tuple[int, str]:
        return -len(self.a1[n]), n

    def worse(self, n: str) -> bool:
        return len(self.a1[n]) < len(self.a0[n])

    def between(self, m: str) -> list[str]:
        """Nodes ranked, now, strictly between the old and new rank key of `m`."""
        lo, hi = sorted((self.key0(m), self.key1(m)))
        order, key = self._order, self.key1
        return order[bisect.bisect_right(order, lo, key=key):bisect.bisect_left(order, hi, key=key)]

    def _flips(self, m: str) -> set[str] | None:
        crossed = self.between(m)
        if len(crossed) > CROSSINGS:
            return None
        # nodes whose key did not change sit between its old and new key exactly when passed
        out = {n for n in crossed if n not in self.moved and n in self.a0}
        k0, k1 = self.key0(m), self.key1(m)
        out |= {n for n in self.moved if n != m and (self.key0(n) < k0) != (self.key1(n) < k1)}
        return out


def _order(site: Site, rank: dict[str, int]) -> list[str]:
    """The shown nodes in rank order (once per graph)."""
    order = site.graph.memo.get("_incremental_order")
    if order is None:
        order = [""] * len(rank)
        for n, i in rank.items():
            order[i] = n
        site.graph.memo["_incremental_order"] = order
    return order  # type: ignore[return-value]


class Pictures:
    """The local graph of each note page as last drawn (node → ring), indexed by node, to name
    the pages whose picture an edit changes without drawing every picture again.

    nearby() takes a note's best-ranked neighbours, then the best-ranked neighbours of those.
    With the old picture's rings known, a picture can differ only if it shows a node whose
    neighbours, size, title or rank order (with another node it shows) changed, or if it is
    full and some node it does not show now outranks its last-ranked member; stale() finds
    those from the index and settles the doubtful ones with nearby()."""

    def __init__(self) -> None:
        self._rings: dict[SourcePath, dict[str, int]] = {}
        self._level: dict[SourcePath, int] = {}
        """Page → the ring a newcomer can enter (1 or 2; 0 when the picture is not full)."""
        self._pages: dict[str, dict[SourcePath, int]] = {}
        """Node → the pages showing it → its ring there."""
        self._last: dict[SourcePath, str] = {}
        """Full page → the last-ranked node of its outer ring, the one a newcomer must beat."""
        self._last_of: dict[str, set[SourcePath]] = {}
        self._pending: set[SourcePath] = set()
        """Full pages whose last-ranked node is found at the next stale() (by the ranks then)."""

    def __len__(self) -> int:
        return len(self._rings)

    def set(self, path: SourcePath, picture: dict) -> None:
        """Remember the picture local_graph() drew for the note at `path`."""
        self.drop(path)
        rings = {n["id"]: n["ring"] for n in picture.get("nodes", ())}
        self._rings[path] = rings
        for node, ring in rings.items():
            self._pages.setdefault(node, {})[path] = ring
        inner = sum(1 for r in rings.values() if r == 1)
        self._level[path] = 0 if len(rings) < LIMIT else 1 if inner == LIMIT - 1 else 2
        if self._level[path]:
            self._pending.add(path)

    def drop(self, path: SourcePath) -> None:
        """Forget the picture of `path` (its page is gone)."""
        rings = self._rings.pop(path, None)
        if rings is None:
            return
        for node in rings:
            pages = self._pages[node]
            del pages[path]
            if not pages:
                del self._pages[node]
        del self._level[path]
        self._unlast(path)
        self._pending.discard(path)

    def settle(self, site: Site) -> None:
        """Rank what set() left pending now rather than in the next stale() (after a full build)."""
        from kbgen.adjacency import _ranked
        self._rank_pending(_ranked(site.graph)[0])

    def _unlast(self, path: SourcePath) -> None:
        last = self._last.pop(path, None)
        if last is not None:
            pages = self._last_of[last]
            pages.discard(path)
            if not pages:
                del self._last_of[last]

    def _rank_pending(self, rank: dict[str, int]) -> set[SourcePath]:
        """Find the last-ranked member of pending pages; returns pages showing unranked nodes."""
        unknown = set()
        for path in self._pending:
            self._unlast(path)
            level = self._level[path]
            members = [n for n, r in self._rings[path].items() if r == level]
            try:
                last = max(members, key=rank.__getitem__)
            except KeyError:  # drawn from another graph than the one before this edit
                unknown.add(path)
                continue
            self._last[path] = last
            self._last_of.setdefault(last, set()).add(path)
        self._pending = unknown  # named by every stale() until set() again
        return set(unknown)

    def stale(self, site: Site, dirty: Dirty) -> set[SourcePath]:
        """The pages whose local graph after the edit `dirty` can differ from the one remembered
        (call after update(); then set() the pictures of the pages drawn again)."""
        ch = _Change(site, dirty)
        out = self._rank_pending(ch.rank0)
        check: set[SourcePath] = set()  # full pages whose choice of nodes must be checked
        order: set[SourcePath] = set()  # pages whose inner ring's rank order must be compared
        again: set[SourcePath] = set()  # pages whose last-ranked member may change
        for n in ch.changed | ch.retitled:
            pages = self._pages.get(n)
            if not pages:
                continue
            if n in ch.gone or n in ch.retitled or n not in ch.a0 \
                    or not _looks_same(len(ch.a0[n]), len(ch.a1[n])):
                out.update(pages)
                continue
            for e in ch.a0[n] ^ ch.a1[n]:  # a link appeared or went between two shown nodes
                out.update(_common(pages, self._pages.get(e, {})))
            gained = bool(ch.a1[n] - ch.a0[n])
            flips = ch.flips.get(n, set())
            last_here = self._last_of.get(n, set())
            for p, ring in pages.items():
                if ring == 0:
                    out.add(p)  # its own neighbours changed
                    continue
                level = self._level[p]
                if ring == 1:
                    if gained:  # a new candidate for the outer ring
                        if level == 0:
                            out.add(p)
                        elif level == 2:
                            check.add(p)
                    if flips is None:
                        order.add(p)
                    elif flips and any(self._rings[p].get(v) == 1 for v in flips):
                        out.add(p)
                if n in ch.moved and ring == level:
                    if flips is None or p in last_here or (flips and ch.worse(n)):
                        check.add(p)
                    if flips is None or p in last_here or any(v in self._rings[p] for v in flips):
                        again.add(p)
        for u in ch.moved:  # a climber that passed a full page's last-ranked member
            if not ch.worse(u):
                for c in ch.between(u):
                    check.update(self._last_of.get(c, ()))
        out |= {p for p in order - out if _reordered(ch, self._rings[p])}
        for p in sorted(check - out):
            changed = self._chosen_differently(ch, p)
            if changed is None:  # too many nodes changed places to reason about: draw it
                changed = self._rings[p] != _rings(site, ch, p)
            if changed:
                out.add(p)
        for p in again - out:
            self._unlast(p)
            self._pending.add(p)
        return out

    def _chosen_differently(self, ch: _Change, path: SourcePath) -> bool | None:
        """Whether nearby() now takes another node into the page's full outer ring (a full
        picture whose shown nodes kept their neighbours); None when it cannot tell cheaply."""
        rings = self._rings[path]
        level = self._level[path]
        last = self._last.get(path)
        falling = [w for w in ch.moved if rings.get(w) == level and ch.worse(w)]
        if last is None or last in ch.moved or falling:
            bar = max(ch.key1(n) for n, r in rings.items() if r == level)
        else:
            bar = ch.key1(last)  # the others kept their order below it, or climbed
        centre = note_node(path)
        inner = {n for n, r in rings.items() if r == 1}

        def candidate(u: str) -> bool:
            if u in rings or u not in ch.a1:
                return False
            return centre in ch.a1[u] if level == 1 else not inner.isdisjoint(ch.a1[u])

        for u in ch.changed:
            if candidate(u) and ch.key1(u) < bar:
                return True
        for w in falling:
            flips = ch.flips[w]
            if flips is None:
                return None
            if any(candidate(v) for v in flips):
                return True
        return False


def _common(a: dict, b: dict) -> set:
    return set(a).intersection(b) if len(a) < len(b) else set(b).intersection(a)


def _reordered(ch: _Change, rings: dict[str, int]) -> bool:
    """Whether the inner ring's rank order (which picks the labelled nodes) changed."""
    inner = [n for n, r in rings.items() if r == 1]
    return sorted(inner, key=ch.key0) != sorted(inner, key=ch.key1)


def _rings(site: Site, ch: _Change, path: SourcePath) -> dict[str, int]:
    """Node → ring of the page's local graph now (what nearby() takes)."""
    from kbgen.localgraph import nearby
    centre = note_node(path)
    nodes = nearby(site.graph, centre, 2, LIMIT)
    return {n: 0 if n == centre else 1 if n in ch.a1[centre] else 2 for n in nodes}
