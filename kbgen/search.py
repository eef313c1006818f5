"""Full-text search: hand the built pages to Pagefind's indexer and write its index, byte-identical per site.

Pages go to Pagefind (bundle.Service, `pagefind --service`) from memory, cut down to what it reads
(pagecut.py), so it neither re-reads the site from disk nor parses layout it would ignore, and it
indexes on the other core while the build goes on (`Indexer`). The index is split into shards
(shards.py), a long shard into two lanes, each a bundle built by a service of its own and made
deterministic there: the primary in `pagefind/` with Pagefind's scripts, the others in
`pagefind/shard-N/` (N counts bundles), all listed in `pagefind/kbgen-shards.json`, which the
theme reads to merge them in the browser. `IndexFolder` writes the bundles as they come.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from kbgen import shards
from kbgen.bundle import MAGIC, UNUSED, SearchError, Service
from kbgen.pagecut import BODY, indexable
from kbgen.diagnostics import make

__all__ = ["MAGIC", "UNUSED", "BODY", "OUTPUT_SUBDIR", "Feed", "IndexFolder", "Indexer", "SearchError", "Service",
           "complete", "failed", "index", "indexable", "site_pages", "write_index"]

OUTPUT_SUBDIR = "pagefind"


class Indexer:
    """Indexes pages as they are added, shard by shard (shards.py); `finish()` returns the index files.

    Pages must be added in a deterministic order (Pagefind numbers them in that order, and the
    numbers are in the index): sorted by URL, as Feed and index() add them. Each bundle has a
    Pagefind service of its own: a shard's pages wait until it is known to be one bundle or two
    lanes (LANE_MIN pages), then go to their bundle's service as they come. When a shard's last page
    is in, its services build their files while the next shard's pages go to new services; at most
    two shards' services are alive. `add` only queues, so Pagefind indexes on another core while
    the caller goes on. `end()` says no page follows; `finish()` waits.

    With a `previous` index folder, a bundle whose digest that index lists is not indexed again: its
    files are linked from there (`links`), so an edit re-indexes the bundle it changed and no other."""

    def __init__(self, executable: Path | None = None, previous: Path | None = None,
                 folder: "IndexFolder | None" = None) -> None:
        self._exe = executable or _executable()
        self._previous = previous
        self.folder = folder
        """Where each bundle's files are written as soon as Pagefind has made them (complete()
        adds the rest): not held to the end, nor all written after the last bundle."""
        self._old = _reusable(previous, self._exe) if previous is not None else {}
        self._split = shards.Split()
        self._lane_min = shards.LANE_MIN  # read now, as Split's limits: tests make it small
        self._run: list[tuple[str, bytes, bytes]] = []  # this shard's pages until its lanes are known
        self._lanes: list[_Lane] | None = None
        self._shard = 0  # the number of the shard pages go to
        self._bodyless: list[tuple[str, bytes]] = []
        self._bodies = 0
        self._shards: list[_Shard] = []
        self._error: str | None = None
        self._ended = False
        self.links: dict[str, Path] = {}
        """Index files (paths as in finish()'s) to link from the previous index, not written."""
        # without a previous index every bundle is indexed: the first service starts at once, so a
        # binary that cannot start fails here; the first bundle takes it
        self._spare: Service | None = None if self._old else Service(self._exe)

    def add(self, rel: str, html: bytes, *, cut: bool = True, is_cut: bool = False) -> None:
        """Index the page at site path `rel` (`notes/a.html`), unless another page marks its body.

        Pagefind's rule: once any page has a `data-pagefind-body` element, pages without one are
        left out; pages without are held back until one with or `end` decides.
        `cut=False` hands Pagefind the whole page (to check that `indexable` changes nothing);
        `is_cut` says `html` is indexable()'s cut already (a render worker made it)."""
        if BODY not in html:
            if not self._bodies:
                self._bodyless.append((rel, html))
            return
        self._bodies += 1
        self._bodyless = []  # never indexed now
        part = html if is_cut else indexable(html)
        self._page(rel, part if cut else html, part)

    def end(self) -> None:
        """No more pages: the last shard's services build their files while the caller does other work."""
        if self._ended:
            return
        self._ended = True
        for rel, html in self._bodyless if not self._bodies else ():
            self._page(rel, html, html)
        self._bodyless = []
        self._close_shard()

    def finish(self) -> dict[str, bytes]:
        """Wait for every bundle and return the index files (paths relative to the index folder)
        that are not in `links`: each bundle in its folder and the list of bundles.

        Raises SearchError when Pagefind fails, or when there was no page to index."""
        try:
            self.end()
            if not self._shards and self._error is None:
                raise SearchError("no pages to index")
            self._collect_all()
            built = [self._collect(shard) for shard in self._shards]
            if self._error is not None:
                raise SearchError(self._error)
            files: dict[str, bytes] = {}
            for k, (shard, got) in enumerate(zip(self._shards, built)):
                prefix = shards.folder(k)
                if shard.reused is not None:
                    self.links.update((prefix + name, shard.reused / name) for name in shards.data_files(shard.reused))
                    if k == 0 and self._previous is not None:  # Pagefind's scripts, of the same version
                        self.links.update((name, self._previous / name) for name in _runtime(self._previous))
                files.update(got)
            files[shards.LIST] = shards.listing([(s.pages, s.digest) for s in self._shards])
        except BaseException:
            self.close(kill=True)
            raise
        return files

    def close(self, kill: bool = False) -> None:
        """Stop the services: they end with their input, or at once with `kill` (after a failure)."""
        lanes = [lane.service for lane in self._lanes or ()]
        for service in [s.service for s in self._shards] + lanes + [self._spare]:
            if service is not None:
                service.close(kill)

    def _page(self, rel: str, html: bytes, part: bytes) -> None:
        """Add a page Pagefind indexes (`part`: what it reads of it) to the current shard."""
        if self._lanes is None:
            self._run.append((rel, html, part))
            if len(self._run) >= self._lane_min:
                self._open(2)
        else:
            self._put(self._lanes[shards.lane(rel) if len(self._lanes) == 2 else 0], rel, html, part)
        if self._split.ends(rel):
            self._close_shard()

    def _open(self, count: int) -> None:
        """The shard is `count` bundles: its pages so far go to theirs."""
        self._lanes = [_Lane() for _ in range(count)]
        run, self._run = self._run, []
        for rel, html, part in run:
            self._put(self._lanes[shards.lane(rel) if count == 2 else 0], rel, html, part)

    def _put(self, lane: "_Lane", rel: str, html: bytes, part: bytes) -> None:
        lane.digest.add(rel, part)
        if self._old:
            lane.held.append((rel, html))  # sent, if at all, once the bundle's digest is known
        elif self._error is None:
            if lane.service is None:
                lane.service = self._start()
            if lane.service is not None:
                lane.service.add(rel, html)

    def _close_shard(self) -> None:
        if self._lanes is None:
            if not self._run:
                return
            self._open(1)
        assert self._lanes is not None
        for lane in self._lanes:
            if not lane.digest.pages:
                continue
            digest, service = lane.digest.hexdigest(), lane.service
            reused = self._old.get(digest)
            if reused is None and self._error is None:
                if service is None:
                    service = lane.service = self._start()
                for rel, html in lane.held if service is not None else ():
                    service.add(rel, html)
                if service is not None:
                    service.end()
            self._shards.append(_Shard(lane.digest.pages, digest, None if reused else service, reused,
                                       self._shard))
        self._lanes = None
        self._shard += 1

    def _start(self) -> Service | None:
        """A service for a bundle of the current shard, once the bundles of every shard but the
        last one have their files (so at most two shards' services are alive); None after a
        failure, which finish() reports."""
        for shard in self._shards:
            if shard.shard < self._shard - 1:
                self._collect(shard)
        if self._error is not None:
            return None
        if self._spare is not None:
            service, self._spare = self._spare, None
            return service
        try:
            return Service(self._exe)
        except SearchError as exc:
            self._error = str(exc)
            return None

    def _collect_all(self) -> None:
        """Collect the bundles not collected yet, two at a time: the last shard's lanes finish
        together, and writing their files into the folder from two threads takes the file
        system's time on both cores (a third less on this machine's slow disk)."""
        waiting = [shard for shard in self._shards if shard.files is None and shard.service is not None]
        if self.folder is None or len(waiting) < 2:
            return
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="kbgen-index") as pool:
            list(pool.map(self._collect, waiting))

    def _collect(self, shard: "_Shard") -> dict[str, bytes]:
        """The bundle's files once its service has built them (in finish()'s paths), unless they
        went to the folder; a failure is kept for finish()."""
        if shard.files is None and shard.service is not None and self._error is None:
            try:
                k = self._shards.index(shard)
                prefix = shards.folder(k)
                shard.files = {prefix + name: data for name, data in shard.service.files().items()
                               if k == 0 or shards.is_data(name)}  # the others use the primary's scripts
                if self.folder is not None:
                    self.folder.put(shard.files)
                    shard.files = {}
            except (SearchError, OSError) as exc:
                self._error = str(exc)
        return shard.files or {}


class _Lane:
    """A bundle being filled: its digest so far, and its service or (with a previous index) its pages."""

    def __init__(self) -> None:
        self.digest = shards.Digest()
        self.held: list[tuple[str, bytes]] = []
        self.service: Service | None = None


class _Shard:
    """One bundle of the index: its pages and digest, the number of the shard it is (part of), and
    the service indexing it or the folder of the previous index holding it."""

    def __init__(self, pages: int, digest: str, service: Service | None, reused: Path | None,
                 shard: int) -> None:
        self.pages, self.digest, self.service, self.reused, self.shard = pages, digest, service, reused, shard
        self.files: dict[str, bytes] | None = None


class Feed:
    """Hands an Indexer the site's pages in sorted URL order (as `site_pages` lists them, so a
    build's index equals a later re-index of the same site) while they arrive in any order:
    bytes of a page rendered now (`is_cut`: already cut by indexable()), or the path of a file
    that holds it."""

    def __init__(self, indexer: Indexer, urls: set[str]) -> None:
        self.indexer = indexer
        self.order = sorted(u for u in urls if _is_page(u))
        self.ready: dict[str, tuple[bytes | Path, bool]] = {}
        self.next = 0

    def put(self, url: str, page: bytes | Path, is_cut: bool = False) -> None:
        if not _is_page(url):
            return
        self.ready[url] = (page, is_cut)
        while self.next < len(self.order) and self.order[self.next] in self.ready:
            url = self.order[self.next]
            page, is_cut = self.ready.pop(url)
            self.indexer.add(url, page.read_bytes() if isinstance(page, Path) else page, is_cut=is_cut)
            self.next += 1

    def end(self) -> None:
        if self.next < len(self.order):
            raise SearchError(f"{self.order[self.next]} was never handed to the search index")
        self.indexer.end()


def _is_page(rel: str) -> bool:
    """A site file that site_pages() lists."""
    parts = rel.split("/")
    return rel.endswith(".html") and not any(p.startswith(".") for p in parts) and \
        parts[0] not in (OUTPUT_SUBDIR, OUTPUT_SUBDIR + ".new")


def index(site_dir: Path, outputs: Any, result: Any, incremental: bool = False,
          previous: Path | None = None, into: Path | None = None) -> list[str]:
    """Index every page of `site_dir` into `site_dir/pagefind/`; a failure is an error diagnostic.

    Pages rendered by this build are taken from `outputs.files`, the others read from disk. Shards
    the `previous` index folder (by default the one being replaced) already has are linked from it,
    not indexed again, and so are its index files with the same bytes as new ones. Returns the
    files written, relative to `site_dir`. With `into`, the index goes to `into/pagefind/` and
    `site_dir` is a live site, read while it may change: a page gone meanwhile is left out (serve
    indexes again when the site moved on)."""
    if incremental and not any(u.endswith(".html") for u in outputs.files):
        return []  # no page changed: the index is still right
    old = previous or site_dir / OUTPUT_SUBDIR
    try:
        indexer = Indexer(previous=old)
    except SearchError as exc:
        return failed(result, str(exc))
    fresh = outputs.files if outputs is not None else {}
    try:
        for rel in site_pages(site_dir):
            data = fresh.get(rel)
            if not isinstance(data, bytes):
                try:
                    data = (site_dir / rel).read_bytes()
                except FileNotFoundError:
                    if into is None:
                        raise
                    continue
            indexer.add(rel, data)
        files = indexer.finish()
        return write_index(into or site_dir, files, old, indexer.links)
    except (SearchError, OSError) as exc:
        indexer.close(kill=True)
        return failed(result, str(exc))


def complete(indexer: Indexer, site_dir: Path, result: Any, previous: Path | None = None) -> list[str]:
    """Wait for `indexer` and write its index into `site_dir/pagefind/` (a failure is an error
    diagnostic); for a build that fed the pages to an `Indexer` itself while doing other work.
    An indexer made with a `folder` (in `site_dir`) has written its bundles there as they came."""
    folder = indexer.folder
    try:
        files = indexer.finish()
        if folder is None:
            return write_index(site_dir, files, previous, indexer.links)
        folder.link(indexer.links)
        folder.put(files)
        return folder.swap()
    except (SearchError, OSError) as exc:
        if folder is not None:
            folder.discard()
        return failed(result, str(exc))


def site_pages(site_dir: Path) -> list[str]:
    """Every HTML page of the site, sorted (the order Pagefind numbers them in); not the index's own."""
    pages = []
    for dirpath, dirnames, filenames in os.walk(site_dir):
        top = Path(dirpath) == site_dir
        dirnames[:] = [d for d in dirnames if not d.startswith(".") and
                       not (top and d in (OUTPUT_SUBDIR, OUTPUT_SUBDIR + ".new"))]
        rel = Path(dirpath).relative_to(site_dir).as_posix()
        prefix = "" if rel == "." else rel + "/"
        pages.extend(prefix + n for n in filenames if n.endswith(".html") and not n.startswith("."))
    return sorted(pages)


def write_index(site_dir: Path, files: dict[str, bytes], previous: Path | None = None,
                links: dict[str, Path] | None = None) -> list[str]:
    """Put the index's files in `site_dir/pagefind/` at once (built aside, then swapped in); see
    IndexFolder. Returns the index's files, relative to `site_dir`."""
    folder = IndexFolder(site_dir, previous)
    folder.link(links or {})
    folder.put(files)
    return folder.swap()


class IndexFolder:
    """The index being written into `site_dir/pagefind.new/`, swapped in as `pagefind/` when whole.

    `link`: more index files, hard-linked from where they are (shards of the previous index that
    were not indexed again). A file with the same bytes in `previous` (default: the index being
    replaced) is hard-linked too: most of an index survives an edit, and creating thousands of
    files is the slow part. Files can come in several batches (a build writes each bundle's as
    soon as Pagefind has made them); `discard` removes what was written when the index failed."""

    def __init__(self, site_dir: Path, previous: Path | None = None) -> None:
        self.target = site_dir / OUTPUT_SUBDIR
        self.old = previous or self.target
        self.tmp = site_dir / (OUTPUT_SUBDIR + ".new")
        shutil.rmtree(self.tmp, ignore_errors=True)
        self.names: set[str] = set()
        self._made: set[Path] = set()

    def _place(self, name: str) -> Path:
        path = self.tmp / name
        if path.parent not in self._made:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._made.add(path.parent)
        self.names.add(name)
        return path

    def link(self, links: dict[str, Path]) -> None:
        for name, source in sorted(links.items()):
            try:
                os.link(source, self._place(name))
            except OSError:
                try:
                    shutil.copyfile(source, self._place(name))
                except OSError as exc:
                    self.discard()
                    raise SearchError(f"the previous index lost {name}: {exc}") from exc

    def put(self, files: dict[str, bytes]) -> None:
        for name, data in sorted(files.items()):
            path = self._place(name)
            try:
                if (self.old / name).stat().st_size == len(data) and (self.old / name).read_bytes() == data:
                    os.link(self.old / name, path)
                    continue
            except OSError:
                pass
            path.write_bytes(data)

    def swap(self) -> list[str]:
        shutil.rmtree(self.target, ignore_errors=True)
        self.tmp.rename(self.target)
        return sorted(f"{OUTPUT_SUBDIR}/{name}" for name in self.names)

    def discard(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)


def failed(result: Any, detail: str) -> list[str]:
    result.diagnostics.append(make("", 0, "search", "Pagefind failed: " + (detail or "no message")))
    return []


def _reusable(previous: Path, exe: Path) -> dict[str, Path]:
    """The bundles of the index in `previous` by shard digest, when this Pagefind made them."""
    listed = shards.read(previous)
    version = _version(exe) if listed else None
    found: dict[str, Path] = {}
    for shard in listed:
        bundle = previous / shard["path"]
        try:
            made_by = json.loads((bundle / "pagefind-entry.json").read_bytes()).get("version")
        except (OSError, ValueError, AttributeError):
            continue
        if version is not None and made_by == version:
            found.setdefault(shard["digest"], bundle)
    return found


def _version(exe: Path) -> str | None:
    """The version `exe --version` prints (`pagefind 1.5.2`), as the index's entry file has it."""
    try:
        out = subprocess.run([str(exe), "--version"], capture_output=True, text=True, timeout=30).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return None
    return out[-1] if len(out) == 2 and out[0] == "pagefind" else None


def _runtime(bundle: Path) -> list[str]:
    """Pagefind's scripts and WebAssembly in the primary bundle `bundle`."""
    return sorted(p.name for p in bundle.iterdir()
                  if p.is_file() and not shards.is_data(p.name) and p.name != shards.LIST)


def _executable() -> Path:
    from pagefind.service import get_executable  # the packaged binary, or PAGEFIND_BINARY_PATH
    exe = get_executable()
    if exe is None:
        raise SearchError("the pagefind binary is not installed")
    return exe


def main(argv: list[str] | None = None) -> int:
    """`python -m kbgen.search SITE [PREVIOUS [INTO]]`: index SITE's pages into SITE/pagefind (or
    INTO/pagefind, reading SITE as a live site), linking index files equal to PREVIOUS's; prints
    the files and diagnostics as JSON. serve's background refresh runs this in a process of its
    own, so indexing never holds the lock on Python's interpreter that the next rebuild needs."""
    import sys
    from types import SimpleNamespace
    args = sys.argv[1:] if argv is None else argv
    result = SimpleNamespace(diagnostics=[])
    files = index(Path(args[0]), None, result, previous=Path(args[1]) if len(args) > 1 else None,
                  into=Path(args[2]) if len(args) > 2 else None)
    print(json.dumps({"files": files, "diagnostics": [[d.path, d.line, d.code, d.message, d.level]
                                                      for d in result.diagnostics]}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
