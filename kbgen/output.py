"""Every file of the site in memory or on disk: rendered pages, shared data, theme static files, attachments.

A page is rendered only when its fingerprint (all of its inputs) differs from the last build's;
otherwise the file already in the output is carried over, with the diagnostics it had.
"""
from __future__ import annotations

import hashlib
import io
import pickle
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from markdown_it import MarkdownIt
from markupsafe import Markup

from kbgen import __version__
from kbgen.body import BodyRenderer
from kbgen.buildid import build_id
from kbgen.diagnostics import Diagnostic
from kbgen.globalgraph import adopt, global_layout
from kbgen.model import LinkRef, ParsedNote, SourcePath, Target
from kbgen.pagecut import indexable
from kbgen.pages import Outlinks, Page, fill
from kbgen.render import STATIC_PREFIX, Theme, base_context
from kbgen.site import Site
from kbgen.toc import Toc
from kbgen.write import Staging, stage_file, write_in_place


PARALLEL_PAGES = 400
"""Below this many pages to render, worker processes cost more than they save."""

Rendered = tuple[str, "bytes | bool | None", list[Diagnostic], str, "dict[str, Any] | None", "bytes | None"]
"""(URL, the bytes — True when written to the sink, None to carry the page over —, diagnostics,
fingerprint, local graph or None, the part of the page the search index reads or None)."""


@dataclass
class Outputs:
    files: dict[str, bytes] = field(default_factory=dict)
    """Freshly rendered or generated files."""
    staged: set[str] = field(default_factory=set)
    """Freshly rendered pages already written into the staging folder (render(sink=...))."""
    reused: set[str] = field(default_factory=set)
    """Pages whose fingerprint matched: the file already in the output is kept."""
    copies: dict[str, Path] = field(default_factory=dict)
    """Files copied as they are (attachments, theme static files)."""
    manifest: dict[str, Any] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    rendered: int = 0
    pages: list[Page] = field(default_factory=list)
    stable: dict[str, bytes] = field(default_factory=dict)
    """sitedata.stable_files of this pass (in `files`, or in `reused` when carried over), for the next pass."""
    graphs: dict[str, Any] = field(default_factory=dict)
    """Note page URL → its local graph's nodes and rings, for the note pages rendered or whose
    context the renderer built (see pictures.Pictures)."""

    def all_files(self) -> set[str]:
        return set(self.files) | self.staged | self.reused | set(self.copies)


def render(site: Site, pages: list[Page], theme: Theme, md: MarkdownIt,
           tokens_of: Callable[[SourcePath, ParsedNote], list[Any]], previous: dict[str, Any],
           theme_digest: str, out: Path, jobs: int, unchanged: set[str] | None = None,
           progress: Any = None, sink: Path | None = None, index: Any = None,
           stable: dict[str, bytes] | None = None, alongside: Callable[[], None] | None = None,
           pictures: bool = True,
           template_of: Callable[[SourcePath, ParsedNote], Any] | None = None) -> Outputs:
    """Render what changed. Pages in `unchanged` (URLs the caller knows are as last time)
    are carried over without computing their fingerprints. With a `sink` (a staging folder),
    pages are written there by whichever process renders them, not kept in memory. An `index`
    (search.Indexer) is handed every page of the site as soon as it is known, in URL order.
    `stable`: the last pass's sitedata.stable_files, when they cannot have changed.
    `alongside`: work for the parent (I/O) while the workers render, or after rendering.
    `pictures`: note pages return their local graph's picture (Outputs.graphs) for rebuilds.
    `template_of`: a note's body template (bodytemplate), or None to render its tokens."""
    outputs = Outputs(pages=pages)
    unchanged = unchanged or set()
    statics = theme.static_files()
    versions = {name: _file_digest(path) for name, path in statics.items()}
    for name, path in statics.items():
        outputs.copies[STATIC_PREFIX + name] = path
    for path, url in site.urls.items():
        if path not in site.notes:
            outputs.copies[url] = site.config.root / path
    from kbgen import sitedata
    if stable is not None and any(p.url in stable for p in pages):
        stable = None  # a new page took the URL of a redirect: redirects are made again
    if stable is not None:
        outputs.stable = stable
        outputs.reused.update(stable)  # as last written: kept, not compared byte by byte at every edit
    else:
        outputs.stable = sitedata.stable_files(site, pages)
        outputs.files.update(outputs.stable)
    config_digest = site.config.digest()
    groups: list[list[tuple[Page, str | None]]] = []
    """What to render: a page with its fingerprint, or a lazy note page and its continuation
    pages, whose contexts and fingerprints the renderer computes (in the worker processes)."""
    page_meta: dict[str, Any] = {}
    for page in pages:
        old = previous.get(page.url)
        if page.url in unchanged and old:  # the caller vouches for it (no stat: 25 000 at 10 000 notes)
            _carry(outputs, page_meta, page.url, old)
        elif page.context is None:
            if page.parent and groups and groups[-1][0][0].url == page.parent:
                groups[-1].append((page, None))
            else:
                groups.append([(page, None)])
        else:
            fp = _page_fingerprint(site, page, theme_digest, config_digest)
            if old and old.get("fp") == fp and (out / page.url).is_file():
                _carry(outputs, page_meta, page.url, old)
            else:
                groups.append([(page, fp)])
    renderer = PageRenderer(site, theme, md, tokens_of, versions,
                            (previous, out, theme_digest, config_digest), sink, cut=index is not None,
                            pictures=pictures, template_of=template_of)
    feed = _feed(index, pages, outputs, out) if index is not None else None
    # Rendered in URL order, the order the search index takes them in: Pagefind indexes each
    # page as it comes, on the other core, while the rest are rendered.
    groups.sort(key=lambda g: g[0][0].url)
    # A lazy graph page lays out the global graph (a second or so at 10 000 notes): started
    # first, alone, one worker does that while the others render notes.
    graph_url = next((p.url for p in pages if p.kind == "graph"), None)
    alone = [g for g in groups if g[0][0].url == graph_url and g[0][1] is None]
    groups = alone + [g for g in groups if g not in alone]

    def take(results: list[Rendered]) -> None:
        for url, data, diags, fp, graph, text in results:
            if url == graph_url and graph is not None:
                adopt(site, graph)  # the global layout, from the worker that filled the graph page
            elif graph is not None:
                outputs.graphs[url] = graph
            if data is None:
                _carry(outputs, page_meta, url, previous[url])
                if feed is not None:
                    feed.put(url, out / url)
                continue
            if data is True:
                outputs.staged.add(url)
            else:
                outputs.files[url] = data
            if feed is not None:
                assert text is not None  # the renderer cuts every page when there is an index
                feed.put(url, text, is_cut=True)  # cut in the worker: not again here
            outputs.diagnostics.extend(diags)
            page_meta[url] = {"fp": fp, "diags": [[d.path, d.line, d.code, d.message, d.level] for d in diags]}
            outputs.rendered += 1

    advance = progress.stage("rendering", len(groups)) if progress else (lambda n=1: None)
    if len(groups) >= PARALLEL_PAGES and jobs > 1:
        from kbgen.parallel import render_all
        render_all(renderer, groups, jobs, advance, take, alone=len(alone), alongside=alongside)
    else:
        for group in groups:
            take(renderer.render_group(group))
            advance(1)
        if alongside is not None:
            alongside()
    if feed is not None:
        feed.end()
    outputs.files.update(sitedata.changing_files(site, pages))  # graph.json: after the layout
    outputs.manifest = {"kbgen": __version__, "pages": dict(sorted(page_meta.items()))}
    return outputs


def _feed(index: Any, pages: list[Page], outputs: Outputs, out: Path) -> Any:
    """A search.Feed for every page of the site, handed at once those not rendered now."""
    from kbgen.search import Feed
    feed = Feed(index, {p.url for p in pages} | set(outputs.files) | set(outputs.copies))
    for url in outputs.reused:
        feed.put(url, out / url)
    for url, data in outputs.files.items():
        feed.put(url, data)
    for url, src in outputs.copies.items():
        feed.put(url, src)
    return feed


def _picture(graph: dict[str, Any] | None) -> dict[str, Any] | None:
    """What pictures.Pictures keeps of a local graph: its nodes and their rings."""
    return None if graph is None else {"nodes": [{"id": n["id"], "ring": n["ring"]} for n in graph["nodes"]]}


def _carry(outputs: Outputs, page_meta: dict[str, Any], url: str, old: dict[str, Any]) -> None:
    """Keep the page already in the output, with the diagnostics it had."""
    outputs.reused.add(url)
    if old.get("diags"):  # most pages have none: no generator made for them (serve carries 15 000 at 10k)
        outputs.diagnostics.extend(Diagnostic(*d) for d in old["diags"])
    page_meta[url] = old


class PageRenderer:
    """Renders one page to bytes: the note body (if any) and the theme template around it."""

    def __init__(self, site: Site, theme: Theme, md: MarkdownIt,
                 tokens_of: Callable[[SourcePath, ParsedNote], list[Any]], versions: dict[str, str],
                 last: tuple[dict[str, Any], Path, str, str], sink: Path | None = None,
                 cut: bool = False, pictures: bool = True,
                 template_of: Callable[[SourcePath, ParsedNote], Any] | None = None) -> None:
        self.site, self.theme, self.md, self.tokens_of, self.versions = site, theme, md, tokens_of, versions
        self.template_of = template_of
        self.previous, self.out, self.theme_digest, self.config_digest = last
        self.sink, self.cut, self.pictures = sink, cut, pictures

    def render_group(self, group: list[tuple[Page, str | None]]) -> list[Rendered]:
        """Render a page, or a lazy note page and its continuations once their contexts are
        built; a lazy page whose fingerprint matches the last build's comes back without bytes
        (to be carried over). A note page also returns its local graph, for incremental rebuilds."""
        lazy = group[0][1] is None
        if lazy:
            fill(self.site, [page for page, _ in group])
        try:
            return self._render_group(group)
        finally:
            if lazy:  # built here, dropped here: a worker would otherwise keep every page's
                for page, _ in group:  # backlinks and local graph to its end (~150 MB at 10 000 notes)
                    page.context = None

    def _render_group(self, group: list[tuple[Page, str | None]]) -> list[Rendered]:
        out: list[Rendered] = []
        for page, fp in group:
            graph = _picture(page.context.get("graph")) \
                if self.pictures and page.kind == "note" and page.context else None
            if page.kind == "graph" and fp is None:  # the layout the lazy page was filled with
                graph = global_layout(self.site)
            if fp is None:
                fp = _page_fingerprint(self.site, page, self.theme_digest, self.config_digest)
                old = self.previous.get(page.url)
                if old and old.get("fp") == fp and (self.out / page.url).is_file():
                    out.append((page.url, None, [], fp, graph, None))
                    continue
            url, data, diags, fp = self.render(page, fp)
            # cut here, in the worker, so that only this much goes back to the parent
            text = indexable(data) if self.cut else None
            if self.sink is not None:
                stage_file(self.out, self.sink, url, data)
                out.append((url, True, diags, fp, graph, text))
            else:
                out.append((url, data, diags, fp, graph, text))
        return out

    def render(self, page: Page, fp: str) -> tuple[str, bytes, list[Diagnostic], str]:
        ctx = base_context(self.site.config, page.url, self.versions)
        assert page.context is not None, page.url
        ctx.update(page.context)
        note = self.site.notes.get(page.source) if page.source else None
        ctx["page"] = {
            "kind": page.kind, "title": page.title, "url": page.url, "description": page.description,
            "canonical": self.site.config.base_url.rstrip("/") + "/" + page.url if self.site.config.base_url else "",
            "has_math": bool(note and note.has_math), "has_mermaid": bool(note and note.has_mermaid),
            "image": "", "css_classes": " ".join(note.meta.get("cssclasses", [])) if note else "",
        }
        diags: list[Diagnostic] = []
        if note and page.source:  # (most pages of a vault of tags are not notes: no BodyRenderer)
            notes, template_of = self.site.notes, self.template_of
            body = BodyRenderer(self.site, self.md, page.url, lambda p: self.tokens_of(p, notes[p]),
                                (lambda p: template_of(p, notes[p])) if template_of is not None else None)
            ctx["body"] = Markup(body.render_note(page.source))
            # dict.fromkeys keeps the mostly sorted order a set shuffles: sorting 131 000 diagnostics
            # of a note embedding its own sections took 0.26 s from a set, 0.03 s so
            diags = sorted(dict.fromkeys(body.diagnostics))
        else:
            ctx["body"] = _NO_BODY
        if note and note.first_image:
            target = next((t for r, t in self.site.targets.get(page.source, {}).items()
                           if r.embed and t.kind == "asset" and t.path), None)
            if target and target.path in self.site.urls:
                ctx["page"]["image"] = self.site.urls[target.path]
        html = self.theme.render(page.template, ctx)
        return page.url, html.encode("utf-8"), diags, fp


_NO_BODY = Markup("")


def _page_fingerprint(site: Site, page: Page, theme_digest: str, config_digest: str) -> str:
    """Everything a page's bytes depend on; equal fingerprints mean equal pages. (The theme
    digest covers the static files whose versions the page's links carry.)"""
    h = hashlib.blake2b(digest_size=16)
    # one update, not two a part (a tag page's whole fingerprint is a few microseconds);
    # the same bytes as a "\0" after each part, so last builds' fingerprints still hold
    h.update("\0".join([build_id(), theme_digest, config_digest, page.url, page.template,
                        str(page.title), str(page.description), ""]).encode())
    _hash_context(h, page.context)
    if page.source:
        # what the body's links turned into: one string hashed per page, not one per link
        # (a note of 75 000 links spent 0.16 s here)
        parts: list[str] = []
        for path in sorted(_body_inputs(site, page.source)):
            note = site.notes[path]
            parts.append(note.digest)
            _link_parts(site, note, site.targets.get(path, {}), parts)
        h.update("\0".join(parts).encode())
    return h.hexdigest()


def _link_parts(site: Site, note: ParsedNote, table: dict[LinkRef, Target], parts: list[str]) -> None:
    """What each of the note's links turned into, in link order, appended to `parts`.

    The table's keys are the note's distinct links in the order they first appear (see
    assemble.resolve_note), so they are matched by identity as the links are walked; only a
    repeated link is looked up (a LinkRef's hash is a Python call over its fields: a note may
    hold 75 000 links). What graph.concept_node() and LinkGraph.paged() do is written out."""
    keys, values = list(table), list(table.values())
    urls, nodes = site.urls, site.graph.g._node
    i, n = 0, len(keys)
    last: Target | None = None  # the target of the link before, and what it turned into
    said = ""
    for ref in note.links:
        if i < n and keys[i] is ref:
            t: Target | None = values[i]
            i += 1
        else:
            t = table.get(ref)
            if t is None:
                continue
        if t is not last:  # (links in a row to one target share it: the resolver's memo)
            if t.kind == "unresolved":  # a link only while its concept has a page
                data = nodes.get("concept:" + t.label.strip().casefold())
                said = "unresolved|1" if data and data.get("paged") else "unresolved|0"
            else:
                said = f"{t.kind}|{t.path}|{t.anchor}|{urls.get(t.path or '', '')}"
            last = t
        parts.append(said)


class _Into:
    """A file for pickle.Pickler that hands what is written to the hash of the moment (no buffer
    kept, copied and read back)."""

    __slots__ = ("hash",)

    def __init__(self) -> None:
        self.hash: Any = None

    def write(self, data: bytes) -> None:
        self.hash.update(data)


_CLASSES = {i: (i, cls) for i, cls in enumerate((Markup, Toc, Outlinks))}
"""A memo for the context pickler that holds only these classes, so that each of their objects
names its class with two bytes: without the memo (`fast`) every Markup looked its class up by
module and name (~0.35 µs; a note page holds ten or so). Nothing else is ever memoized."""


def _markup(m: Markup) -> tuple[Any, tuple[str]]:
    """How a Markup pickles here: its class and its text (object.__reduce_ex__ took ~0.3 µs more)."""
    return Markup, (str(m),)


_REDUCERS = {Markup: _markup}


def _pickler(file: Any) -> pickle.Pickler:
    """A context pickler: no memo but _CLASSES (`fast`), so shared and equal objects pickle alike."""
    pickler = pickle.Pickler(file, protocol=5)
    pickler.fast = True
    pickler.memo = _CLASSES  # (copied into the pickler's own table)
    pickler.dispatch_table = _REDUCERS
    return pickler


def _hash_context(h: Any, context: dict[str, Any] | None) -> None:
    """Hash a page context as bytes that are equal exactly when the contexts are: pickled without
    the memo (see _pickler), and contexts are built in a fixed order of plain values (dicts, lists,
    tuples, strings, numbers, Markup, and toc.Toc and pages.Outlinks, which pickle as their lists),
    none of them sets.
    A third of json.dumps's time (1 000 notes: 57 ms against 159). (The docs call `fast`
    deprecated; with the memo back, an object shared in one context and not in another would
    only make a page render again, never keep one that changed.)"""
    try:
        into, pickler = _mine.pickler
    except AttributeError:  # one per thread, made once: making it with its memo took ~0.9 µs
        into = _Into()
        pickler = _pickler(into)
        _mine.pickler = into, pickler
    into.hash = h
    try:
        pickler.dump(context)  # (`fast`: the memo stays as _CLASSES, whatever was pickled)
    except BaseException:
        del _mine.pickler  # (CPython's pickler recovers from a failed dump: a new one all the same)
        raise
    finally:
        into.hash = None


_mine = threading.local()
"""This thread's (_Into, pickler) for _hash_context."""


def _context_bytes(context: dict[str, Any] | None) -> bytes:
    """The bytes _hash_context hashes."""
    buf = io.BytesIO()
    _pickler(buf).dump(context)
    return buf.getvalue()


def _body_inputs(site: Site, path: SourcePath) -> set[SourcePath]:
    """The note and every note it embeds, transitively."""
    seen = {path}
    stack = [path]
    while stack:
        cur = stack.pop()
        for ref, t in site.targets.get(cur, {}).items():
            if ref.embed and t.kind == "note" and t.path and t.path not in seen:
                seen.add(t.path)
                stack.append(t.path)
    return seen


def _file_digest(path: Path) -> str:
    return hashlib.blake2b(path.read_bytes(), digest_size=4).hexdigest()


def stage(staging: Staging, outputs: Outputs, out: Path) -> None:
    staging.files.update(outputs.staged)
    for rel, data in sorted(outputs.files.items()):
        staging.write(rel, data)
    for rel in sorted(outputs.reused):
        if not staging.reuse(rel):
            raise RuntimeError(f"{rel} vanished from the output during the build")
    for rel, src in sorted(outputs.copies.items()):
        staging.copy(rel, src)


def write_incremental(out: Path, outputs: Outputs) -> list[str]:
    from kbgen.write import read_manifest
    previous = set(read_manifest(out).get("files", []))
    current = outputs.all_files()
    extra = set(outputs.manifest.get("extra_files", []))
    index = _search_files(out, previous)
    manifest = dict(outputs.manifest, files=sorted(current | extra | index))
    return write_in_place(out, outputs.files, outputs.copies, previous - current - index, manifest)


def _search_files(out: Path, previous: set[str]) -> set[str]:
    return {f for f in previous if f.startswith("pagefind/")}


def search_index(site_dir: Path, config: Any, outputs: Outputs, result: Any,
                 incremental: bool = False, previous_out: Path | None = None) -> list[str]:
    """Build the Pagefind index into `site_dir/pagefind/` (see search.py); returns its files.

    `previous_out`: the site being replaced (a staged build), whose unchanged index files are
    hard-linked instead of written."""
    if not config.search:
        return []
    from kbgen import search
    previous = previous_out / search.OUTPUT_SUBDIR if previous_out else None
    files = search.index(site_dir, outputs, result, incremental=incremental, previous=previous)
    if incremental and files:
        from kbgen.write import read_manifest, write_manifest
        manifest = read_manifest(site_dir)
        kept = [f for f in manifest.get("files", []) if not f.startswith("pagefind/")]
        manifest["files"] = sorted(set(kept) | set(files))
        write_manifest(site_dir, manifest)
    return files
