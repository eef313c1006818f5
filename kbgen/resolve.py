"""Obsidian's link resolution, in one place: a LinkRef written in a note → the note or file it reaches.

Rules (research/ofm-spec.md §1.16), in order:
 1. an empty path (`[[#Heading]]`) is the linking note itself;
 2. `./x` and `../x` are relative to the linking note's folder (never outside the vault);
 3. an exact vault path, case-insensitive, trying `p` then `p + ".md"` (appended, never substituted);
    paths are tried from the vault root and from each content folder (`notes/`);
 4. otherwise every file whose path ends with `/p` or `/p.md` on a segment boundary (a bare name
    matches by file name anywhere); non-markdown files need their extension;
 5. several candidates: the linking note's own folder first, then the fewest path segments, then
    the alphabetically first path — with an `ambiguous-link` warning naming them (the first
    NAMED when there are more: 5 000 notes of one name, each linking to it, made 5 000 warnings
    of 5 000 names each);
 6. front-matter aliases only when `resolve_aliases` is set (Obsidian itself does not);
 7. anything else is unresolved (still rendered, and reported).
Headings match after Obsidian-style normalization (case, punctuation such as `:`); `#A#B` chains
must nest; a missing heading or block still links to the note, with a warning.
"""
from __future__ import annotations

import posixpath
import re
import unicodedata
from dataclasses import dataclass, field
from itertools import chain, islice
from typing import Iterable, Iterator, Sequence

from kbgen.diagnostics import Diagnostic, make
from kbgen.model import Heading, LinkRef, SourcePath, Target

NAMED = 10
"""Candidates an ambiguous-link warning names; it counts the rest."""


class _Ranked(tuple):  # type: ignore[type-arg]
    """An ambiguous link path's candidates in rule 5's order but for the folder, and (by_folder)
    those in each folder, which come first for a note there."""

    by_folder: dict[str, tuple[SourcePath, ...]]

_UNKNOWN = Target("unresolved", None, label="\0")
"""Not looked up yet (in Resolver._plain, where None means: resolved with a problem)."""
_HEADING_PUNCT = re.compile(r"[#|^:%\[\]\\/.&,?!*\"'<>`()]+")
_WS = re.compile(r"\s+")


def norm_heading(text: str) -> str:
    """Obsidian's stripHeading, approximately: punctuation to spaces, spaces collapsed, casefolded."""
    if text.isalnum() and text.isascii():  # one ASCII word: nothing to normalize, replace or collapse
        return text.lower()
    return _WS.sub(" ", _HEADING_PUNCT.sub(" ", unicodedata.normalize("NFC", text))).strip().casefold()


def _key(path: str) -> str:
    return unicodedata.normalize("NFC", path).strip().casefold()


@dataclass
class NoteInfo:
    """What resolution needs to know about a note: its headings, blocks and aliases."""

    headings: tuple[Heading, ...] = ()
    blocks: dict[str, int] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()


_NO_INFO = NoteInfo()
"""The info of a note the resolver does not know: none of anything (only read)."""


class Resolver:
    """Built once per build from the published notes and the vault's attachments."""

    def __init__(self, notes: dict[SourcePath, NoteInfo], assets: Iterable[SourcePath],
                 *, content_dirs: tuple[str, ...] = (), resolve_aliases: bool = False) -> None:
        self.notes = notes
        self.assets = set(assets)
        self._by_path: dict[str, SourcePath] = {}
        self._by_name: dict[str, list[SourcePath]] = {}
        prefixes = [d.rstrip("/") + "/" for d in content_dirs if d not in (".", "")]
        for path in sorted([*notes, *self.assets]):
            key = _key(path)
            self._by_path.setdefault(key, path)
            for prefix in prefixes:
                if key.startswith(prefix.casefold()):
                    self._by_path.setdefault(key[len(prefix):], path)
            self._by_name.setdefault(key.rsplit("/", 1)[-1], []).append(path)
        self._found: dict[tuple[str, str], tuple[SourcePath | None, tuple[SourcePath, ...], str]] = {}
        """(folder, link path) → (file, candidates, problem); an ambiguous path's candidates
        are its ranked ones (see _rank) with those of the folder first, taken when asked."""
        self._by_cands: dict[str, _Ranked] = {}
        """Casefolded link path → its ranked candidates, when it has several."""
        self._blocks: dict[SourcePath, tuple[NoteInfo, dict[str, str]]] = {}
        """Note → (its info, casefolded block id → the first block id so written)."""
        self._folders: dict[str, str] = {}
        """Note → its folder (posixpath.dirname)."""
        self._plain: dict[str, dict[str, Target | None]] = {}
        """Folder → (path as written → target, None when the link has a problem) of links
        without a subpath, the commonest links (see resolve())."""
        self._plain_of: dict[str, dict[str, Target | None]] = {}
        """Note → its folder's table in `_plain`."""
        self._with_sub: dict[str, dict[tuple[str, str], tuple[NoteInfo | None, Target]]] = {}
        """Note → ((path, subpath) as written → (the target note's info when looked up, target))
        of its links with a subpath and no problem (see _sub())."""
        self._by_alias: dict[str, list[SourcePath]] = {}
        if resolve_aliases:
            for path, info in sorted(notes.items()):
                for alias in info.aliases:
                    self._by_alias.setdefault(_key(alias), []).append(path)

    # -- the path part --------------------------------------------------------------------

    def find(self, source: SourcePath, target: str) -> tuple[SourcePath | None, list[SourcePath], str]:
        """(file, all candidates, problem) for a link path written in `source`.

        Memoised by (folder, target): the answer depends on nothing else, and a note may hold
        thousands of links to the same few targets."""
        if not target:
            return source, [source], ""
        path, cands, problem = self._found_for(source, target)
        if problem == "ambiguous":
            return path, [*self._near(source, cands), *self._far(source, cands)], problem
        return path, list(cands), problem

    def _found_for(self, source: SourcePath, target: str) -> tuple[SourcePath | None, tuple[SourcePath, ...], str]:
        """find()'s memo; an ambiguous path's candidates as ranked for any folder (see _rank)."""
        key = (self._folder(source), target)
        hit = self._found.get(key)
        if hit is None:
            hit = self._found[key] = self._find(source, target)
        return hit

    def _near(self, source: SourcePath, ranked: tuple[SourcePath, ...]) -> tuple[SourcePath, ...]:
        """The ranked candidates in the linking note's folder (rule 5 puts them first)."""
        assert isinstance(ranked, _Ranked)  # an ambiguous path's candidates always are
        return ranked.by_folder.get(self._folder(source), ())

    def _far(self, source: SourcePath, ranked: tuple[SourcePath, ...]) -> Iterator[SourcePath]:
        folder = self._folder(source)
        return (c for c in ranked if posixpath.dirname(c) != folder)

    @staticmethod
    def _rank(cands: list[SourcePath]) -> "_Ranked":
        """Rule 5's order of candidates but for the linking note's folder (fewest segments, then
        path), with those of each folder, once per candidate list and not a sort per linking
        folder: 5 000 notes of one name in as many folders, each linking to it, were quadratic."""
        ranked = _Ranked(sorted(cands, key=lambda c: (c.count("/"), c)))
        by_folder: dict[str, list[SourcePath]] = {}
        for c in ranked:
            by_folder.setdefault(posixpath.dirname(c), []).append(c)
        ranked.by_folder = {f: tuple(cs) for f, cs in by_folder.items()}
        return ranked

    def _folder(self, source: str) -> str:
        folder = self._folders.get(source)
        if folder is None:
            folder = self._folders[source] = posixpath.dirname(source)
        return folder

    def _find(self, source: SourcePath, target: str) -> tuple[SourcePath | None, tuple[SourcePath, ...], str]:
        p = unicodedata.normalize("NFC", target).strip().replace("\\", "/")
        if p.startswith(("./", "../")) or "/../" in p or p == "..":
            joined = posixpath.normpath(posixpath.join(posixpath.dirname(source), p))
            if joined.startswith("..") or joined.startswith("/"):
                return None, (), "outside-vault"
            key = _key(joined)
        elif p.startswith("/"):
            key = _key(p.lstrip("/"))
        else:  # (most links) p is normalized and trimmed: _key need only casefold it
            key = p.casefold() if p.isascii() else _key(p)
        by_path = self._by_path
        hit = by_path.get(key) or by_path.get(key + ".md")
        if hit is not None:
            return hit, (hit,), ""
        name = key.rsplit("/", 1)[-1] if "/" in key else key
        plain, md = self._by_name.get(name), self._by_name.get(name + ".md")
        cands = [] if plain is None and md is None else (plain or []) + (md or [])
        if cands and "/" in key:
            cands = [c for c in cands if _key(c).endswith("/" + key) or _key(c).endswith("/" + key + ".md")]
        if not cands:
            cands = self._by_alias.get(key, [])
        if not cands:
            return None, (), ""
        if len(cands) == 1:
            return cands[0], tuple(cands), ""
        ranked = self._by_cands.get(key)
        if ranked is None:  # the candidates depend on the key only: ranked once for all folders
            ranked = self._by_cands[key] = self._rank(cands)
        near = self._near(source, ranked)
        return (near or ranked)[0], ranked, "ambiguous"

    # -- the whole link -------------------------------------------------------------------

    def resolve(self, source: SourcePath, ref: LinkRef) -> tuple[Target, list[Diagnostic]]:
        """The target of a link and the problems with it (reported at the link's line).

        A link without a subpath (most links) is looked up in a table per folder, which
        remembers its target (shared by all such links) when it has no problem: a note may
        hold 100 000 links, to as many targets or to a few."""
        target = ref.target
        if ref.subpath:
            return self._sub(source, ref)
        if not target:
            return self._resolve(source, ref)
        memo = self._plain_of.get(source)
        if memo is None:
            memo = self._plain_of[source] = self._plain.setdefault(self._folder(source), {})
        hit = memo.get(target, _UNKNOWN)
        if hit is _UNKNOWN:
            path, _cands, problem = self._find(source, target)
            hit = memo[target] = None if problem else Target("unresolved", None, label=target) if path is None \
                else Target("asset" if path in self.assets else "note", path)
        if hit is not None:
            return hit, []
        return self._resolve(source, ref)  # a link with a problem, said at each link

    def _sub(self, source: SourcePath, ref: LinkRef) -> tuple[Target, list[Diagnostic]]:
        """resolve() of a link with a subpath: its target remembered per linking note and link
        as written while the target note's info stays the same (a note may embed or link to its
        own section on each of 100 000 lines: each normalized its heading and made its Target)."""
        memo = self._with_sub.get(source)
        if memo is None:
            memo = self._with_sub[source] = {}
        key = (ref.target, ref.subpath)
        hit = memo.get(key)
        if hit is not None and self.notes.get(hit[1].path) is hit[0]:  # type: ignore[arg-type]
            return hit[1], []
        target, diags = self._resolve(source, ref)
        if not diags:  # a problem is said at each link, with its line
            memo[key] = (self.notes.get(target.path), target)  # type: ignore[arg-type]
        return target, diags

    def _resolve(self, source: SourcePath, ref: LinkRef) -> tuple[Target, list[Diagnostic]]:
        diags: list[Diagnostic] = []
        path, cands, problem = self._found_for(source, ref.target) if ref.target else (source, (source,), "")
        if problem == "outside-vault":
            diags.append(make(source, ref.line, "outside-vault",
                              f"link {ref.original!r} points outside the vault; not followed"))
            return Target("unresolved", None, label=ref.target), diags
        if path is None:
            return Target("unresolved", None, label=ref.target), diags
        if problem == "ambiguous":
            named = list(islice(chain(self._near(source, cands), self._far(source, cands)), NAMED))
            others = ", ".join(repr(c) for c in named) + (f" and {len(cands) - NAMED} more" if len(cands) > NAMED else "")
            diags.append(make(source, ref.line, "ambiguous-link",
                              f"{ref.original!r} matches {len(cands)} files ({others}); using {path!r}"))
        if path in self.assets:
            return Target("asset", path, anchor=ref.subpath), diags
        anchor, problem_msg, code = self.anchor(path, ref.subpath)
        if problem_msg:
            diags.append(make(source, ref.line, code, f"{ref.original!r}: {problem_msg}"))
        return Target("note", path, anchor=anchor), diags

    def anchor(self, path: SourcePath, subpath: str) -> tuple[str, str, str]:
        """(anchor, problem, code) for `#Heading#Sub` or `#^block` in note `path`."""
        if not subpath:
            return "", "", ""
        info = self.notes.get(path) or _NO_INFO  # (not a NoteInfo made per link to a section)
        if subpath.startswith("^"):
            block = subpath[1:].strip()
            bid = self._block_ids(path, info).get(block.casefold())
            if bid is not None:
                return "^" + bid, "", ""
            return "", f"no block ^{block} in {path}", "missing-block"
        heading = find_heading(info.headings, subpath)
        if heading is None:
            return "", f"no heading {subpath!r} in {path}", "missing-heading"
        return heading.anchor, "", ""


    def _block_ids(self, path: SourcePath, info: NoteInfo) -> dict[str, str]:
        """A note's block ids by casefolded id, once per note: a note of 50 000 blocks may hold
        as many links to them (a scan of its blocks per link was quadratic)."""
        hit = self._blocks.get(path)
        if hit is None or hit[0] is not info:
            ids: dict[str, str] = {}
            for bid in info.blocks:
                ids.setdefault(bid.casefold(), bid)
            hit = self._blocks[path] = (info, ids)
        return hit[1]


_HEADINGS: dict[int, tuple[Sequence[Heading], int, list[tuple[int, str, str]], dict[str, int]]] = {}
"""id(headings) → (headings, their number, (level, normalized text, normalized visible text) of
each, normalized text → first heading so written): see _heading_index."""


def _heading_index(headings: Sequence[Heading]) -> tuple[list[tuple[int, str, str]], dict[str, int]]:
    """The normalized headings of a note, once per note and not per link to one of them (a note
    of 10 000 headings linking to each normalized them all per link: quadratic)."""
    hit = _HEADINGS.get(id(headings))
    if hit is not None and hit[0] is headings and hit[1] == len(headings):
        return hit[2], hit[3]
    norms = [(h.level, text, norm_heading(_visible(h.text)) if "[[" in h.text else text)
             for h in headings for text in (norm_heading(h.text),)]  # (_visible() changes only [[links]])
    first: dict[str, int] = {}
    for i, (_, text, visible) in enumerate(norms):
        first.setdefault(text, i)
        first.setdefault(visible, i)
    if len(_HEADINGS) >= 4096:
        _HEADINGS.clear()
    _HEADINGS[id(headings)] = (headings, len(headings), norms, first)  # headings kept: ids stay unique
    return norms, first


def find_heading(headings: Sequence[Heading], subpath: str) -> Heading | None:
    """The heading `A#B#C` names: each part nested under the one before; first match wins."""
    parts = [norm_heading(p) for p in subpath.split("#") if p.strip()]
    if not parts:
        return None
    norms, first = _heading_index(headings)
    found = first.get(parts[0])  # the first part may be anywhere: the first heading so written
    if found is None:
        return None
    for part in parts[1:]:
        parent_level, start, found = norms[found][0], found + 1, None
        for i in range(start, len(headings)):
            level, text, visible = norms[i]
            if level <= parent_level:
                break  # left the section of the previous part
            if text == part or visible == part:
                found = i
                break
        if found is None:
            return None
    return headings[found]


_WIKI = re.compile(r"\[\[([^\]|#]*)(?:#[^\]|]*)?(?:\|([^\]]*))?\]\]")


def _visible(text: str) -> str:
    """Heading source with wikilinks replaced by their visible text."""
    return _WIKI.sub(lambda m: m.group(2) or m.group(1), text)
