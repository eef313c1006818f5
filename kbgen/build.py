"""The pipeline, in its one place: discover → parse → filter → resolve → graph → pages → render → write.

`Builder.build()` writes a complete site into a staging folder and swaps it in; `rebuild()` (for
serve) reruns the same pipeline with everything cached in memory and rewrites only the files whose
bytes change. Each page has a fingerprint of all its inputs, so unchanged pages are not rendered.
"""
from __future__ import annotations

import gc
import hashlib
import operator
import os
import pickle
import posixpath
import time
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from kbgen import diagnostics as diag
from kbgen.buildid import build_id
from kbgen.cache import ParseCache
from kbgen.config import Config, load
from kbgen.diagnostics import Diagnostic, make
from kbgen.discover import Vault, discover
from kbgen.model import ParsedNote, SourcePath
from kbgen.progress import Progress
from kbgen.render import Theme
from kbgen.write import Staging, check_output, read_manifest

if TYPE_CHECKING:
    from kbgen.output import Outputs
    from kbgen.pictures import Pictures
    from kbgen.site import Site

# The markdown parser, networkx and the renderer are imported when first needed: a build that
# finds nothing changed should not pay for loading them.

RECENT_TOKENS = 64
"""Token lists (and body templates) a build that keeps no state holds on to (see Builder._tokens_of)."""

PARALLEL_MIN = 400
"""Below this many notes or pages, worker processes cost more than they save."""

GC_THRESHOLD = (100_000, 50, 100)
"""Garbage-collector thresholds during a pass. A build allocates millions of tokens and page
pieces, nearly all freed by reference counting; with Python's default (700, 10, 10) the cyclic
collector ran ~1 500 times on the 1 000-note vault and took a fifth of a cold build's CPU."""


@contextmanager
def _few_collections(restore: bool = True) -> Iterator[None]:
    """GC_THRESHOLD during a pass; `restore=False` leaves it (serve: putting Python's back made
    the first allocation after each edit collect the edit's young objects before the reload)."""
    old = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLD)
    try:
        yield
    finally:
        if restore:
            gc.set_threshold(*old)


@dataclass
class BuildResult:
    notes: int = 0
    pages: int = 0
    links: int = 0
    unresolved: int = 0
    missing_attachments: int = 0
    diagnostics: list[Diagnostic] = field(default_factory=list)
    seconds: float = 0.0
    rendered: int = 0
    changed: list[str] = field(default_factory=list)

    @property
    def warnings(self) -> int:
        return sum(d.level in ("warning", "error") for d in self.diagnostics)

    @property
    def errors(self) -> int:
        return sum(d.level == "error" for d in self.diagnostics)


class Builder:
    """Builds one vault into one output folder; keeps parsed notes in memory between rebuilds."""

    def __init__(self, vault: Path, out: Path | None = None, *, config_file: Path | None = None,
                 quiet: bool = False, force: bool = False, base_url: str | None = None,
                 jobs: int | None = None, search: bool | None = None, cache: bool = True,
                 keep_state: bool = False, rebuilds: bool = True) -> None:
        self.root = Path(vault).resolve()
        self.out = Path(out).resolve() if out else self.root / "site"
        self.config_file = config_file
        self.quiet = quiet
        self.force = force
        self.overrides = {"base_url": base_url, "search": search}
        self.jobs = jobs or os.cpu_count() or 1
        self.use_cache = cache
        # never skip a build that finds nothing changed: serve wants the state for fast edits
        self.keep_state = keep_state
        # `kbgen build` builds once: no rebuild() follows, so the pages' local-graph pictures the
        # fast path needs are not kept (~100 MB at 10 000 notes); a rebuild() anyway is a full pass
        self.rebuilds = rebuilds or keep_state
        self._memory: dict[str, ParsedNote] = {}
        self._tokens: dict[str, list[Any]] = {}
        self._recent: dict[str, list[Any]] = {}
        """Tokens loaded from the parse cache lately, when they are not kept in _tokens."""
        self._pid = os.getpid()
        self._pickled_bodies: dict[str, bytes] = {}
        """Digest → the note's body as a parse worker pickled it: its template (bodytemplate),
        or its tokens (see parallel.pickle_body)."""
        self._templates: dict[str, Any] = {}
        """Body templates loaded lately (None: the note has none), least recently used first."""
        self._config: Config | None = None
        self._state: _State | None = None
        self._progress = Progress(enabled=False)

    # -- public ---------------------------------------------------------------------------

    @property
    def site(self) -> "Site | None":
        """The Site of the last pass (None before the first), e.g. for serve's rename pages."""
        return self._state.site if self._state is not None else None

    def build(self) -> BuildResult:
        """A full build into a staging folder, swapped in only when complete.

        When nothing the site depends on changed since the last build (notes, attachments,
        theme, config, kbgen itself) and the output is intact, nothing is redone."""
        thawed = not gc.get_freeze_count()
        try:
            with _few_collections(restore=not self.keep_state):
                return self._build()
        finally:
            if thawed and not self.keep_state:
                gc.unfreeze()  # what _run froze: a library caller's next build may free it

    def _build(self) -> BuildResult:
        start = time.perf_counter()
        self._progress = Progress(enabled=not self.quiet)
        config = self._load_config(fresh=True)
        check_output(self.out, self.root, config.content_dirs, self.force)
        vault, sources = self._read(config)
        inputs = self._inputs(config, vault, sources)
        previous = read_manifest(self.out)
        if not self.keep_state and previous.get("inputs") == inputs and _intact(self.out, previous):
            result = _replay(previous)
            result.seconds = time.perf_counter() - start
            return result
        from kbgen import search  # output and the graph code: imported while the notes parse (_ready_for)
        staging = Staging(self.out)
        indexer, failure = None, ""
        if config.search:
            # A site built before: the shards of its index whose pages are the same are linked,
            # not indexed again (an edit and `kbgen build` re-index the shard it changed)
            previous = self.out / search.OUTPUT_SUBDIR
            try:
                indexer = search.Indexer(previous=previous if previous.is_dir() else None,
                                         folder=search.IndexFolder(staging.dir, previous))
            except search.SearchError as exc:
                failure = str(exc)
        try:
            result, outputs = self._run(config, vault, sources, sink=staging.dir, index=indexer)
            from kbgen import output
            outputs.manifest.update(inputs=inputs, summary=_summary(result))
            if indexer is not None:
                # the rest of the site is written while Pagefind makes the last bundles' files
                from concurrent.futures import ThreadPoolExecutor
                with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kbgen-stage") as side:
                    staged = side.submit(output.stage, staging, outputs, self.out)
                    index_files = search.complete(indexer, staging.dir, result, self.out / search.OUTPUT_SUBDIR)
                    staged.result()
                staging.files.update(index_files)
            else:
                output.stage(staging, outputs, self.out)
                if failure:
                    search.failed(result, failure)
            staging.commit(outputs.manifest)
        except BaseException:
            if indexer is not None:
                indexer.close(kill=True)
            staging.abort()
            raise
        result.seconds = time.perf_counter() - start
        return result

    def rebuild(self, changed: set[Path] | None = None, *, search: bool = True,
                defer: bool = False, split: bool = False) -> BuildResult:
        """Bring the built site up to date after edits (serve); only changed bytes are written.

        `search=False` leaves the Pagefind index as it is: serve refreshes it in the background,
        since running Pagefind takes seconds and a save must show in the browser at once.
        `defer=True` keeps the global graph's layout of the last pass when an edited note's
        links change it (its community detection and force layout cost more than the rest of
        an edit); `finish()` brings it up to date, which serve does once the reload is sent.
        `split=True` writes the edited notes' pages (and pages new to the site) first; the pages
        that merely show them — backlinks, local graphs, embeds, lists — keep their last bytes
        until `catch_up()`, which serve calls right after the reload is sent. No page is removed
        before then (an edit that removes one is not split), so every link keeps working. The
        search index is not brought up to date for the pages left behind (serve, which splits,
        refreshes the index itself)."""
        with _few_collections(restore=not self.keep_state):
            return self._rebuild(changed, search, defer, split)

    def _rebuild(self, changed: set[Path] | None, search: bool, defer: bool, split: bool = False) -> BuildResult:
        start = time.perf_counter()
        fresh = self._config is None or any(_is_config(self.root, Path(p)) for p in (changed or ()))
        config = self._load_config(fresh=fresh)
        if fresh or not (self.out / ".kbgen-site").exists():
            return self.build()
        theme = Theme(config)
        if theme.dirs != self._theme.dirs or theme.digest() != self._theme.digest():
            # a new jinja environment: the old one keeps serving a cached template when an
            # override of it appears, and does not know a theme folder created since
            self._theme = theme
        from kbgen import output
        fast = self._rebuild_notes(config, {Path(p) for p in changed or ()}, defer, split)
        if fast is not None:
            result, outputs = fast
            st = self._state
            assert st is not None
            sources = [(p, b"", k) for p, k in st.keys.items()]
            # with pages left behind the site is not yet what these inputs build: a `kbgen build`
            # after serve stopped right now must not take it as up to date
            inputs = "" if st.behind else self._inputs(config, st.vault, sources)
            outputs.manifest.update(inputs=inputs, summary=_summary(result))
        else:
            vault, sources = self._read(config)
            result, outputs = self._run(config, vault, sources)
            outputs.manifest.update(inputs=self._inputs(config, vault, sources), summary=_summary(result))
        result.changed = output.write_incremental(self.out, outputs)
        if search:
            output.search_index(self.out, config, outputs, result, incremental=True)
        result.seconds = time.perf_counter() - start
        return result

    @property
    def unfinished(self) -> bool:
        """True when a rebuild(defer=True) left the global graph behind the notes, or a
        rebuild(split=True) left pages behind."""
        return self._state is not None and (self._state.deferred or bool(self._state.behind))

    @property
    def behind(self) -> bool:
        """True when a rebuild(split=True) left pages for catch_up()."""
        return self._state is not None and bool(self._state.behind)

    def catch_up(self) -> BuildResult:
        """Write the pages rebuild(split=True) left behind; the global graph stays deferred."""
        with _few_collections(restore=not self.keep_state):
            return self._finish(layout=False)

    def finish(self) -> BuildResult:
        """Write what rebuild(split=True) left behind and lay out the global graph that
        rebuild(defer=True) kept as it was; write what changes."""
        with _few_collections(restore=not self.keep_state):
            return self._finish()

    def _finish(self, layout: bool = True) -> BuildResult:
        from kbgen import output
        from kbgen.pages import graph_page
        start = time.perf_counter()
        st = self._state
        config = self._load_config(fresh=False)
        if st is None or not (st.behind or layout and st.deferred):
            return BuildResult(seconds=time.perf_counter() - start)
        redo = set(st.behind)
        pages = list(st.pages.values())
        if layout and st.deferred:
            from kbgen.globalgraph import forget_layout
            forget_layout(st.site.graph)
            pages = [graph_page(st.site) if p.kind == "graph" else p for p in pages]
            redo |= {p.url for p in pages if p.kind == "graph"}
        result, outputs = self._render(config, pages, {p.url for p in pages if p.url not in redo},
                                       save_cache=False, stable=True)
        st.behind = set()
        sources = [(p, b"", k) for p, k in st.keys.items()]
        outputs.manifest.update(inputs=self._inputs(config, st.vault, sources), summary=_summary(result))
        result.changed = output.write_incremental(self.out, outputs)
        if layout:
            st.deferred = False
        result.seconds = time.perf_counter() - start
        return result

    def collect(self) -> tuple[Site, list[Diagnostic]]:
        """Discover, parse and resolve without rendering (for `graph` and `check`)."""
        config = self._load_config(fresh=True)
        vault, sources = self._read(config)
        from kbgen import assemble
        notes, parse_diags = self._parse(sources)
        site, resolve_diags = assemble.site(config, vault, notes)
        self._cache.save({n.digest for n in notes.values()})
        levels = {**diag.DEFAULT_LEVELS, **config.levels}
        all_diags = list(vault.diagnostics) + parse_diags + resolve_diags
        return site, diag.with_levels(all_diags, levels)  # type: ignore[arg-type]

    # -- the pipeline ---------------------------------------------------------------------

    def _load_config(self, fresh: bool) -> Config:
        if fresh or self._config is None:
            self._config = load(self.root, self.config_file, **self.overrides)
            self._theme = Theme(self._config)
            self._options = (self._config.strict_line_breaks, self._config.trust_html)
            self._parser = None
            self._cache = ParseCache(self.root / self._config.cache_dir if self.use_cache else None,
                                     salt=repr(self._options))
        return self._config

    @property
    def _md(self) -> Any:
        if self._parser is None:
            from kbgen.markdown import ParseOptions, make_parser
            self._parser = make_parser(ParseOptions(*self._options))
        return self._parser

    def _read(self, config: Config) -> tuple[Vault, list[tuple[SourcePath, bytes, str]]]:
        """Discover the vault and read every note: (path, bytes, cache key)."""
        vault = discover(config, exclude=(self.out, self.root / config.cache_dir))
        sources = []
        for path, file in vault.notes.items():
            try:
                data = file.read_bytes()
            except OSError as exc:
                vault.diagnostics.append(make(path, 0, "unreadable", f"cannot read: {exc.strerror}"))
                continue
            sources.append((path, data, note_key(path, data)))
        return vault, sources

    def _inputs(self, config: Config, vault: Vault, sources: list[tuple[SourcePath, bytes, str]]) -> str:
        """A digest of everything the site is made from."""
        h = hashlib.blake2b(digest_size=16)
        h.update(f"{build_id()}|{config.digest()}|{self._theme.digest()}".encode())
        for _, _, key in sources:
            h.update(key.encode())
        for path, file in vault.assets.items():
            st = file.stat()
            h.update(f"{path}|{st.st_size}|{st.st_mtime_ns}".encode())
        for d in vault.diagnostics:
            h.update(d.format().encode())
        return h.hexdigest()

    def _run(self, config: Config, vault: Vault, sources: list[tuple[SourcePath, bytes, str]],
             sink: Path | None = None, index: Any = None) -> tuple[BuildResult, "Outputs"]:
        if self.keep_state:
            gc.unfreeze()  # the last pass's state may be garbage now (see below)
        # The parsed notes live to the end of the pass: out of the collector's sight, one of
        # its full collections no longer walks every token (a fifth of a 1 MB table's build).
        # Nor does it look at them while they are made: nearly all of them live on, and the
        # collections during the parse walked each ~15 times per MB (parsing makes little cyclic
        # garbage; what it makes is frozen with the rest, for this pass only)
        collecting = gc.isenabled()
        gc.disable()
        try:
            notes, _ = self._parse(sources, render=True)
        finally:
            gc.freeze()
            if collecting:
                gc.enable()
        from kbgen import assemble, feeds, history
        history.forget(config.root)
        site, resolve_diags = assemble.site(config, vault, notes)
        # the link diagnostics are those very objects, told apart by identity: hashing one runs
        # the dataclass's __hash__ in Python (175 000 unresolved links: ~70 ms to ~15)
        linked = set(map(id, chain.from_iterable(site.link_diags.values())))
        dated = set(feeds.date_diagnostics(site.notes, vault.notes))
        fixed = [d for d in resolve_diags if id(d) not in linked and (not dated or d not in dated)]
        self._state = _State(vault, {p: k for p, _, k in sources}, site, notes, fixed,
                             theme_digest=self._theme.digest())
        done = self._render(config, assemble.pages(site, vault, lazy=True), set(), sink=sink, index=index)
        if self.keep_state:  # serve: rank the pictures now rather than at the first edit,
            self._state.pictures.settle(site)
            from kbgen.markdown.code import ready  # and compile the code highlighters it will use
            ready({lang for note in notes.values() for lang in note.languages})
            self._theme.compile_all()  # and the templates
            # and keep the state out of garbage collections: at 10 000 notes each one that
            # looked at it took tens of milliseconds of an edit's time
            gc.freeze()
        return done

    def _render(self, config: Config, pages: list[Any], unchanged: set[str],
                save_cache: bool = True, sink: Path | None = None,
                index: Any = None, stable: bool = False) -> tuple[BuildResult, "Outputs"]:
        """Render the pages (those in `unchanged` are carried over) and gather every diagnostic."""
        from kbgen import feeds, output
        st = self._state
        assert st is not None
        site = st.site
        previous = read_manifest(self.out).get("pages", {})
        keep = {n.digest for n in st.notes.values()} if save_cache else set()  # (not at an edit)
        # When every note's tokens are in memory the render workers never read the cache file,
        # so it is written while they render (216 MB at 10 000 notes) rather than after
        alongside = (lambda: self._cache.save(keep)) if save_cache and \
            all(d in self._tokens or d in self._pickled_bodies for d in keep) else None
        outputs = output.render(site, pages, self._theme, self._md, self._tokens_of,
                                previous, self._theme.digest(), self.out, self.jobs, unchanged,
                                progress=self._progress, sink=sink, index=index,
                                stable=st.stable if stable else None, alongside=alongside,
                                pictures=self.rebuilds, template_of=self._template_of)
        st.stable = outputs.stable
        self._progress.done()
        st.pages = {p.url: p for p in pages}
        for url, graph in outputs.graphs.items():
            st.pictures.set(st.pages[url].source, graph)
        # (at every edit while serving: the empty lists of 10 000 notes are skipped, not walked)
        all_diags = list(st.vault.diagnostics) + [d for n in st.notes.values() if n.diagnostics for d in n.diagnostics]
        for p, ds in site.link_diags.items():
            if ds and p in site.notes:
                all_diags += ds
        all_diags += st.fixed_diags + feeds.date_diagnostics(site.notes, st.vault.notes) + outputs.diagnostics
        all_diags += [make("", 0, "cache", p) for p in self._cache.problems]
        self._cache.problems.clear()
        levels = {**diag.DEFAULT_LEVELS, **config.levels}  # type: ignore[dict-item]
        result = BuildResult(notes=len(site.notes), pages=len(pages), rendered=outputs.rendered,
                             diagnostics=diag.with_levels(all_diags, levels))  # type: ignore[arg-type]
        result.links = sum(map(len, site.targets.values()))
        result.unresolved = sum(map(_unresolved, site.targets.values()))
        result.missing_attachments = sum(d.code == "missing-attachment" for d in result.diagnostics)
        if save_cache and alongside is None:  # an edit while serving leaves it to the next full pass
            self._cache.save(keep)
        if self.keep_state:
            from kbgen.globalgraph import remember
            remember(site)  # for the next full pass, which most often keeps the links
        return result, outputs

    def _rebuild_notes(self, config: Config, changed: set[Path], defer: bool = False,
                       split: bool = False) -> tuple[BuildResult, "Outputs"] | None:
        """The fast path of rebuild(): only notes edited in place; None when it does not apply."""
        from kbgen import assemble, history, incremental
        st = self._state
        if st is None or not changed or not self.rebuilds:
            return None
        todo: list[tuple[SourcePath, bytes, str]] = []
        for file in changed:
            try:
                rel = SourcePath(unicodedata.normalize("NFC", file.resolve().relative_to(self.root).as_posix()))
            except ValueError:
                return None
            if rel not in st.vault.notes or not file.is_file():
                return None  # added, deleted, moved, an attachment, the theme: a full pass
            data = file.read_bytes()
            history.forget(config.root, [rel])
            key = note_key(rel, data)
            if key != st.keys.get(rel):
                todo.append((rel, data, key))
        if self._theme.digest() != st.theme_digest:
            return None
        parsed, _ = self._parse(todo)
        graph_before = st.site.graph
        files_before = set(st.site.urls.values()) if split else set()  # notes' and attachments'
        dirty = incremental.update(st.site, parsed, st.vault.assets)
        if dirty is None:
            self._state = None
            return None
        edited = [(st.notes[rel], parsed[rel]) for rel, _, _ in todo]
        for rel, _, key in todo:
            st.keys[rel] = key
            st.notes[rel] = parsed[rel]
        site = st.site
        if site.graph is not graph_before:
            from kbgen.adjacency import adjacency
            from kbgen.globalgraph import keep_layout
            before, after = adjacency(graph_before), adjacency(site.graph)
            g = site.graph.g
            if all(before.get(n) == after.get(n) for n in dirty.moved) and \
                    all(n in g and g.nodes[n]["title"] == title for n, title in dirty.titles.items()):
                keep_layout(graph_before, site.graph)  # the same links and names: the same layout
            elif defer:
                st.deferred |= keep_layout(graph_before, site.graph)
        concepts = {n for n in dirty.nodes if n.startswith("concept:")}
        stale = {site.urls[p] for p in dirty.notes}
        stale |= {site.urls[p] for p in st.pictures.stale(site, dirty) if p in site.urls}  # local graphs
        stale |= {url for url, page in st.pages.items()
                  if page.kind == "concept" and _concept_node(page) in concepts}
        stale |= st.behind  # what an earlier split edit left
        reuse = {url: page for url, page in st.pages.items()
                 if url not in stale and page.parent not in stale
                 and page.kind in ("note", "concept", "backlinks")}
        # Tag and folder pages show titles, URLs and tags (and folders the notes' descriptions),
        # none of which a fast-path edit changes, short of these two:
        kept = {}
        if all(old.tags == new.tags for old, new in edited):
            kept["tag"] = [p for p in st.pages.values() if p.kind in ("tag", "tags")]
        if all(old.description == new.description for old, new in edited):
            kept["folder"] = [p for p in st.pages.values() if p.kind == "folder"]
        reuse.update((p.url, p) for group in kept.values() for p in group)
        # Split, the note and concept pages come lazy: the contexts (backlinks, local graph) of
        # those left behind are built at catch_up(), not twice. The graph page stays as it was:
        # filled lazily, it would lay out the global graph that `defer` keeps.
        pages = assemble.pages(site, st.vault, reuse, lazy=split, kept=kept)
        if split:
            from kbgen.pages import graph_page
            pages = [graph_page(site) if p.kind == "graph" else p for p in pages]
        unchanged = {p.url for p in pages if reuse.get(p.url) is p}
        st.behind = set()
        if split:
            urls = {p.url for p in pages}
            # nothing removed, so every link of the pages left behind still works
            if urls >= set(st.pages) and set(site.urls.values()) >= files_before:
                # now: the edited notes' pages, new pages, and the note pages new pages continue
                first = {site.urls[rel] for rel, _, _ in todo if rel in site.urls}
                first |= {p.parent for p in pages if p.url not in st.pages and p.parent}
                st.behind = {p.url for p in pages if p.url not in unchanged and p.url in st.pages
                             and p.url not in first and p.parent not in first}
                unchanged |= st.behind  # carried over as last written, with their fingerprints
        return self._render(config, pages, unchanged, save_cache=False,
                            stable=True)  # an edit in place changes no title, URL or alias

    def _parse(self, sources: list[tuple[SourcePath, bytes, str]],
               render: bool = False) -> tuple[dict[SourcePath, ParsedNote], list[Diagnostic]]:
        """Parse every note, reusing the memory and disk caches by content digest; `render`:
        the pages will be rendered (see _ready_for)."""
        notes: dict[SourcePath, ParsedNote] = {}
        todo: list[tuple[SourcePath, bytes, str]] = []
        for path, data, key in sources:
            hit = self._memory.get(key) or self._cache.get(key)
            if hit is not None:
                notes[path] = hit
            else:
                todo.append((path, data, key))
        for parsed, pickled in self._parse_many(todo, render):
            notes[parsed.path] = parsed
            if pickled is None:
                self._tokens[parsed.digest] = parsed.tokens
            else:
                self._pickled_bodies[parsed.digest] = pickled
            self._cache.put(parsed, pickled)
            self._memory[parsed.digest] = parsed
        live = {n.digest for n in notes.values()}
        for stale in set(self._memory) - live:
            self._memory.pop(stale, None)
            self._tokens.pop(stale, None)
            self._pickled_bodies.pop(stale, None)
            self._templates.pop(stale, None)
        diags = [d for n in notes.values() for d in n.diagnostics]
        return dict(sorted(notes.items())), diags

    def _parse_many(self, todo: list[tuple[SourcePath, bytes, str]],
                    render: bool = False) -> list[tuple[ParsedNote, bytes | None]]:
        """Parsed notes; from worker processes they come without tokens but with their bodies
        pickled (with `render`, as templates: the workers render them)."""
        advance = self._progress.stage("parsing", len(todo))
        if len(todo) < PARALLEL_MIN or self.jobs < 2:
            out: list[tuple[ParsedNote, bytes | None]] = []
            for p, d, k in todo:
                out.append((_parse_one(self._md, p, d, k), None))
                advance(1)
            return out
        from kbgen.parallel import parse_all
        tokens: set[str] = set()
        if render:
            # the parse workers highlight the code: highlighters compiled here are each compiled
            # once, not once per worker
            from kbgen.bodytemplate import cut_names, fence_languages
            from kbgen.markdown.code import ready
            ready(fence_languages(data for _, data, _ in todo))
            # and they send the tokens of the notes whose sections and blocks are embedded
            names = cut_names(data for _, data, _ in todo)
            tokens = {p for p, _, _ in todo if names and posixpath.basename(p)[:-3].casefold() in names}
        return parse_all(self._md, todo, self.jobs, advance, seen=self._ready_for if render else None,
                         bodies=render, tokens=tokens)

    def _ready_for(self, notes: list[ParsedNote]) -> None:
        """Import the rest of the pipeline and compile the templates and the code highlighters
        these notes' pages use, while the workers parse the rest: the parse workers start sooner
        and the render workers are forked with all of it ready. Each render process compiled the
        highlighters itself, the same ~0.3 s of CPU twice on the 1 000-note vault."""
        from kbgen.markdown.code import ready
        if not self._theme.compiled:
            from importlib import import_module
            for module in ("kbgen.assemble", "kbgen.output"):  # and the graph code: ~0.1 s of imports
                import_module(module)
            self._theme.compile_all()
        ready({lang for note in notes for lang in note.languages})

    def _template_of(self, path: SourcePath, note: ParsedNote) -> Any:
        """The note's body template (bodytemplate.Template); None: render its tokens (a note
        parsed here, or whose template could not be made)."""
        digest = note.digest
        if digest in self._tokens or digest in self._recent:  # (already loaded: no second load)
            return None
        template = self._templates.pop(digest, False)
        if template is False:
            pickled = self._pickled_bodies.get(digest)
            body = pickle.loads(pickled) if pickled is not None else self._cache.body(digest)
            template = body if isinstance(body, tuple) else None
            if isinstance(body, list):  # its tokens: for _tokens_of, next
                self._keep(digest, body, pickled)
            if len(self._templates) >= RECENT_TOKENS:
                del self._templates[next(iter(self._templates))]
        self._templates[digest] = template  # (popped and put back: least recently used first)
        return template

    def _tokens_of(self, path: SourcePath, note: ParsedNote) -> list[Any]:
        digest = note.digest
        tokens = self._tokens.get(digest)
        if tokens is not None:
            return tokens
        tokens = self._recent.pop(digest, None)
        if tokens is not None:
            self._recent[digest] = tokens  # (popped and put back: the least recently used goes first)
            return tokens
        pickled = self._pickled_bodies.get(digest)
        # (a body kept here is never looked up in the cache, which may be being written meanwhile)
        body = pickle.loads(pickled) if pickled is not None else self._cache.body(digest)
        if isinstance(body, list):
            tokens = body
        else:  # not cached, or a template (a section or block embed cuts tokens): parsed again
            data = (self.root / path).read_bytes() if (self.root / path).exists() else b""
            tokens = _parse_one(self._md, path, data, digest).tokens
        return self._keep(digest, tokens, pickled)

    def _keep(self, digest: str, tokens: list[Any], pickled: bytes | None) -> list[Any]:
        """Keep tokens just loaded: for the edits to come when rebuild() may follow, here, and
        they were not kept pickled; else among the last few used (a note embedded on many pages).
        Keeping all of them grew the heap the garbage collector walks: a build from the parse
        cache spent ~0.4 s of CPU more at 1 000 notes. Unpickled afresh at each use, a note of
        10 000 headings that 1 000 pages embed from cost 187 s."""
        if pickled is None and self.rebuilds and os.getpid() == self._pid:
            self._tokens[digest] = tokens
            return tokens
        if len(self._recent) >= RECENT_TOKENS:
            del self._recent[next(iter(self._recent))]
        self._recent[digest] = tokens
        return tokens


@dataclass
class _State:
    """What the last pass knew, kept for rebuild()'s fast path."""

    vault: Vault
    keys: dict[SourcePath, str]
    site: "Site"
    notes: dict[SourcePath, ParsedNote]
    """Every note, published or not."""
    fixed_diags: list[Diagnostic]
    """Site-wide problems an in-place edit cannot change (URL collisions, redirects)."""
    pages: dict[str, Any] = field(default_factory=dict)
    pictures: "Pictures" = field(default_factory=lambda: _new_pictures())
    """Each note page's local graph as last rendered."""
    stable: dict[str, bytes] | None = None
    """sitedata.stable_files of the last pass."""
    deferred: bool = False
    """The global graph shows the links of an earlier pass (rebuild(defer=True))."""
    behind: set[str] = field(default_factory=set)
    """Pages rebuild(split=True) left as last written (their manifest entries are theirs)."""
    theme_digest: str = ""


def _new_pictures() -> "Pictures":
    from kbgen.pictures import Pictures  # imports the graph code: not for a build that finds nothing to do
    return Pictures()


_UNRESOLVED: dict[int, tuple[dict[Any, Any], int]] = {}
"""id of a note's link table → (the table, how many of its links are unresolved): counted once
per table (an edit makes a new one for each note it touches; 90 000 links took 9 ms at each)."""


def _unresolved(table: dict[Any, Any]) -> int:
    hit = _UNRESOLVED.get(id(table))
    if hit is None or hit[0] is not table:
        hit = _UNRESOLVED[id(table)] = (table, sum(1 for x in table.values() if x.kind == "unresolved"))
        if len(_UNRESOLVED) > 100_000:
            _UNRESOLVED.clear()
            _UNRESOLVED[id(table)] = hit
    return hit[1]


def _concept_node(page: Any) -> str:
    from kbgen.graph import concept_node
    return concept_node(page.title)


def _summary(result: BuildResult) -> dict[str, Any]:
    return {"notes": result.notes, "pages": result.pages, "links": result.links,
            "unresolved": result.unresolved, "missing_attachments": result.missing_attachments,
            "diagnostics": list(map(_FIELDS, result.diagnostics))}  # (as JSON lists, as _replay reads them)


_FIELDS = operator.attrgetter("path", "line", "code", "message", "level")


def _replay(manifest: dict[str, Any]) -> BuildResult:
    """The result of the last build, for a build that found nothing to do."""
    s = manifest.get("summary", {})
    return BuildResult(notes=s.get("notes", 0), pages=s.get("pages", 0), links=s.get("links", 0),
                       unresolved=s.get("unresolved", 0), missing_attachments=s.get("missing_attachments", 0),
                       diagnostics=[Diagnostic(*d) for d in s.get("diagnostics", [])])


def _is_config(root: Path, file: Path) -> bool:
    """kbgen.toml anywhere it may be read from, or the vault's pyproject.toml ([tool.kbgen])."""
    return file.name == "kbgen.toml" or file.resolve() == root / "pyproject.toml"


def _intact(out: Path, manifest: dict[str, Any]) -> bool:
    return all((out / f).is_file() for f in manifest.get("files", []))


def note_key(path: str, data: bytes) -> str:
    """The cache key of a note: its path (titles and diagnostics depend on it) and its bytes."""
    h = hashlib.blake2b(path.encode(), digest_size=16)
    h.update(b"\0")
    h.update(data)
    return h.hexdigest()


def _parse_one(md: Any, path: SourcePath, data: bytes, key: str) -> ParsedNote:
    from kbgen.parse import parse_note
    parsed = parse_note(path, data, md)
    parsed.digest = key
    return parsed

