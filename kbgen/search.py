"""Full-text search: hand the built pages to Pagefind's indexer and write its index, byte-identical per site.

Pagefind (the binary of the `pagefind` package) runs as a service (`pagefind --service`: base64 JSON
messages, each followed by a comma, on stdin and stdout). Pages go to it from memory, cut down to
what Pagefind reads (pagecut.py), so it neither re-reads the site from disk nor parses layout
it would ignore, and it can index on the other core while the build goes on (`Indexer`). The index
is split into shards (shards.py), each a bundle of its own built by a service of its own: the
primary in `pagefind/` with Pagefind's scripts, the others in `pagefind/shard-N/`, listed in
`pagefind/kbgen-shards.json`, which the theme reads to merge them in the browser. The files come
back in memory (`GetFiles`); before they are written `_make_deterministic` re-encodes
the filter files in sorted order (Pagefind writes them from a hash map) and renames them and the
language's meta file after their new bytes, so the same site always gets the same index.
"""
from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import queue
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

from kbgen import cbor, shards
from kbgen.pagecut import BODY, indexable
from kbgen.diagnostics import make

OUTPUT_SUBDIR = "pagefind"
MAGIC = b"pagefind_dcd"
"""What every decompressed Pagefind data file starts with."""
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-component-ui.js", "pagefind-component-ui.css",
          "pagefind-modular-ui.js", "pagefind-modular-ui.css", "pagefind-highlight.js")
"""Pagefind's ready-made interfaces: the theme talks to `pagefind.js` directly, so they are not published."""
TIMEOUT = 600.0
"""Seconds Pagefind may take to answer the last request before the index counts as failed."""


class SearchError(Exception):
    """Pagefind could not index the pages; the message says why."""


class Indexer:
    """Indexes pages as they are added, shard by shard (shards.py); `finish()` returns the index files.

    Pages must be added in a deterministic order (Pagefind numbers them in that order, and the
    numbers are in the index): sorted by URL, as Feed and index() add them. Each shard has a Pagefind
    service of its own; when a shard's last page is in, its service builds its files while the next
    shard's pages go to a new service, and at most these two are alive. `add` only queues, so Pagefind
    indexes on another core while the caller goes on. `end()` says no page follows; `finish()` waits.

    With a `previous` index folder, a shard whose digest that index lists is not indexed again: its
    files are linked from there (`links`), so an edit re-indexes the shard it changed and no other."""

    def __init__(self, executable: Path | None = None, previous: Path | None = None) -> None:
        self._exe = executable or _executable()
        self._previous = previous
        self._old = _reusable(previous, self._exe) if previous is not None else {}
        self._split = shards.Split()
        self._digest = shards.Digest()
        self._held: list[tuple[str, bytes]] = []  # this shard's pages, until its digest is known
        self._bodyless: list[tuple[str, bytes]] = []
        self._bodies = 0
        self._shards: list[_Shard] = []
        self._error: str | None = None
        self._ended = False
        self.links: dict[str, Path] = {}
        """Index files (paths as in finish()'s) to link from the previous index, not written."""
        # without a previous index every shard is indexed: the first service starts at once, so a
        # binary that cannot start fails here, and each page goes to Pagefind as it comes
        self._service: Service | None = None if self._old else Service(self._exe)

    def add(self, rel: str, html: bytes, *, cut: bool = True) -> None:
        """Index the page at site path `rel` (`notes/a.html`), unless another page marks its body.

        Pagefind's rule: once any page has a `data-pagefind-body` element, pages without one are
        left out; pages without are held back until one with or `end` decides.
        `cut=False` hands Pagefind the whole page (to check that `indexable` changes nothing)."""
        if BODY not in html:
            if not self._bodies:
                self._bodyless.append((rel, html))
            return
        self._bodies += 1
        self._bodyless = []  # never indexed now
        part = indexable(html)
        self._page(rel, part if cut else html, part)

    def end(self) -> None:
        """No more pages: the last shard's service builds its files while the caller does other work."""
        if self._ended:
            return
        self._ended = True
        for rel, html in self._bodyless if not self._bodies else ():
            self._page(rel, html, html)
        self._bodyless = []
        self._close_shard()

    def finish(self) -> dict[str, bytes]:
        """Wait for every shard and return the index files (paths relative to the index folder)
        that are not in `links`: each shard's bundle in its folder and the list of shards.

        Raises SearchError when Pagefind fails, or when there was no page to index."""
        try:
            self.end()
            if not self._shards and self._error is None:
                raise SearchError("no pages to index")
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
                files.update((prefix + name, data) for name, data in got.items()
                             if k == 0 or shards.is_data(name))  # the others use the primary's scripts
            files[shards.LIST] = shards.listing([(s.pages, s.digest) for s in self._shards])
        except BaseException:
            self.close(kill=True)
            raise
        return files

    def close(self, kill: bool = False) -> None:
        """Stop the services: they end with their input, or at once with `kill` (after a failure)."""
        for service in [s.service for s in self._shards] + [self._service]:
            if service is not None:
                service.close(kill)

    def _page(self, rel: str, html: bytes, part: bytes) -> None:
        """Add a page Pagefind indexes (`part`: what it reads of it) to the current shard."""
        self._digest.add(rel, part)
        if self._old:
            self._held.append((rel, html))
        elif self._error is None:
            if self._service is None:
                self._service = self._start()
            if self._service is not None:
                self._service.add(rel, html)
        if self._split.ends(rel):
            self._close_shard()

    def _close_shard(self) -> None:
        if not self._digest.pages:
            return
        digest, service = self._digest.hexdigest(), self._service
        reused = self._old.get(digest)
        if reused is None and self._error is None:
            if service is None:
                service = self._start()
            for rel, html in self._held if service is not None else ():
                service.add(rel, html)
            if service is not None:
                service.end()
        self._shards.append(_Shard(self._digest.pages, digest, None if reused else service, reused))
        self._digest, self._held, self._service = shards.Digest(), [], None

    def _start(self) -> Service | None:
        """A service for the next shard, once every shard but the last has its files (so at most
        two services are alive); None after a failure, which finish() reports."""
        for shard in self._shards[:-1]:
            self._collect(shard)
        if self._error is not None:
            return None
        try:
            return Service(self._exe)
        except SearchError as exc:
            self._error = str(exc)
            return None

    def _collect(self, shard: "_Shard") -> dict[str, bytes]:
        """The shard's files once its service has built them; a failure is kept for finish()."""
        if shard.files is None and shard.service is not None and self._error is None:
            try:
                shard.files = shard.service.files()
            except SearchError as exc:
                self._error = str(exc)
        return shard.files or {}


class _Shard:
    """One shard of the index: its pages and digest, and the service indexing it or the folder of
    the previous index holding its bundle."""

    def __init__(self, pages: int, digest: str, service: Service | None, reused: Path | None) -> None:
        self.pages, self.digest, self.service, self.reused = pages, digest, service, reused
        self.files: dict[str, bytes] | None = None


class Service:
    """One Pagefind service building one bundle: pages go in with `add`, `end()` asks for the
    files, `files()` waits for them. Once it has answered, its input closes and it exits."""

    def __init__(self, executable: Path) -> None:
        try:
            self._proc = subprocess.Popen([str(executable), "--service"], stdin=subprocess.PIPE,
                                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        except OSError as exc:
            raise SearchError(f"cannot start {executable}: {exc}") from exc
        self._sent = 0
        self._pages = 0
        self._request: int | None = None
        self._outbox: queue.Queue[bytes | None] = queue.Queue()
        self._answers: dict[int, Any] = {}
        self._error: str | None = None
        self._done = threading.Condition()
        self._threads = [threading.Thread(target=self._feed, name="kbgen-search-feed", daemon=True),
                         threading.Thread(target=self._read, name="kbgen-search-read", daemon=True)]
        for t in self._threads:
            t.start()
        # keep_index_url only matters for pages Pagefind finds itself; ours come with their URL
        self._send({"type": "NewIndex", "config": {"keep_index_url": True}})

    def add(self, rel: str, html: bytes) -> None:
        self._pages += 1
        self._send({"type": "AddFile", "index_id": 0, "url": "/" + rel,
                    "file_contents": html.decode("utf-8", "replace")})

    def end(self) -> None:
        if self._request is None:
            self._request = self._send({"type": "GetFiles", "index_id": 0})

    def files(self) -> dict[str, bytes]:
        """Wait for the bundle's files (deterministic, without the interfaces kbgen does not use)."""
        try:
            self.end()
            assert self._request is not None
            answer = self._wait(self._request)
            files = {f["path"]: base64.b64decode(f["content"]) for f in answer["files"]}
        except BaseException:
            self.close(kill=True)
            raise
        self.close()
        for name in UNUSED:
            files.pop(name, None)
        try:
            _make_deterministic(files)
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise SearchError(f"unexpected index layout: {exc}") from exc
        return files

    def close(self, kill: bool = False) -> None:
        """Stop the service: it ends with its input, or at once with `kill` (after a failure)."""
        self._outbox.put(None)
        if kill:
            self._proc.kill()
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()

    def _send(self, payload: dict[str, Any]) -> int:
        self._sent += 1
        message = {"message_id": self._sent, "payload": payload}
        self._outbox.put(base64.b64encode(json.dumps(message, ensure_ascii=False).encode()) + b",")
        return self._sent

    def _wait(self, message_id: int) -> Any:
        with self._done:
            if not self._done.wait_for(lambda: message_id in self._answers or self._error is not None,
                                       TIMEOUT):
                raise SearchError(f"no answer within {TIMEOUT:.0f} s")
            if self._error is not None:
                raise SearchError(self._error)
            return self._answers.pop(message_id)

    def _feed(self) -> None:
        stdin = self._proc.stdin
        assert stdin is not None
        try:
            while (data := self._outbox.get()) is not None:
                stdin.write(data)
                if self._outbox.empty():
                    stdin.flush()
        except OSError:
            pass  # the service died: the reader reports it
        finally:
            try:
                stdin.close()
            except OSError:
                pass

    def _read(self) -> None:
        stdout = self._proc.stdout
        assert stdout is not None
        parts: list[bytes] = []  # the message being received, in pieces (the last one is long)
        error: str | None = None
        try:
            while error is None:
                chunk = stdout.read1(1 << 20)
                if not chunk:
                    error = "Pagefind stopped unexpectedly"
                    break
                *ends, rest = chunk.split(b",")
                messages = []
                for end in ends:
                    messages.append(b"".join(parts) + end)
                    parts = []
                parts.append(rest)
                for raw in messages:
                    answer = json.loads(base64.b64decode(raw))
                    payload = answer.get("payload") or {}
                    kind = payload.get("type")
                    if kind == "Error":
                        error = str(payload.get("message") or "no message")
                    elif kind == "NewIndex" and payload.get("index_id") != 0:
                        error = f"unexpected index id {payload.get('index_id')}"  # requests say 0
                    elif kind == "GetFiles":
                        self._outbox.put(None)  # nothing more to ask: the service exits, its memory freed
                        with self._done:
                            self._answers[answer.get("message_id")] = payload
                            self._done.notify_all()
                        return
        except (OSError, ValueError) as exc:
            error = f"unreadable answer: {exc}"
        with self._done:
            if self._error is None and error:
                self._error = error
            self._done.notify_all()


class Feed:
    """Hands an Indexer the site's pages in sorted URL order (as `site_pages` lists them, so a
    build's index equals a later re-index of the same site) while they arrive in any order:
    bytes of a page rendered now, or the path of a file that holds it."""

    def __init__(self, indexer: Indexer, urls: set[str]) -> None:
        self.indexer = indexer
        self.order = sorted(u for u in urls if _is_page(u))
        self.ready: dict[str, bytes | Path] = {}
        self.next = 0

    def put(self, url: str, page: bytes | Path) -> None:
        if not _is_page(url):
            return
        self.ready[url] = page
        while self.next < len(self.order) and self.order[self.next] in self.ready:
            url = self.order[self.next]
            page = self.ready.pop(url)
            self.indexer.add(url, page.read_bytes() if isinstance(page, Path) else page)
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
          previous: Path | None = None) -> list[str]:
    """Index every page of `site_dir` into `site_dir/pagefind/`; a failure is an error diagnostic.

    Pages rendered by this build are taken from `outputs.files`, the others read from disk. Shards
    the `previous` index folder (by default the one being replaced) already has are linked from it,
    not indexed again, and so are its index files with the same bytes as new ones. Returns the
    files written, relative to `site_dir`."""
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
            indexer.add(rel, data if isinstance(data, bytes) else (site_dir / rel).read_bytes())
        files = indexer.finish()
        return write_index(site_dir, files, old, indexer.links)
    except (SearchError, OSError) as exc:
        indexer.close(kill=True)
        return failed(result, str(exc))


def complete(indexer: Indexer, site_dir: Path, result: Any, previous: Path | None = None) -> list[str]:
    """Wait for `indexer` and write its index into `site_dir/pagefind/` (a failure is an error
    diagnostic); for a build that fed the pages to an `Indexer` itself while doing other work."""
    try:
        files = indexer.finish()
        return write_index(site_dir, files, previous, indexer.links)
    except (SearchError, OSError) as exc:
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
    """Put the index's files in `site_dir/pagefind/` at once (built aside, then swapped in).

    `links`: more index files, hard-linked from where they are (shards of the previous index that
    were not indexed again). A file with the same bytes in `previous` (default: the index being
    replaced) is hard-linked too: most of an index survives an edit, and creating thousands of
    files is the slow part."""
    target = site_dir / OUTPUT_SUBDIR
    old = previous or target
    tmp = site_dir / (OUTPUT_SUBDIR + ".new")
    shutil.rmtree(tmp, ignore_errors=True)
    made: set[Path] = set()

    def place(name: str) -> Path:
        path = tmp / name
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        return path

    for name, source in sorted((links or {}).items()):
        try:
            os.link(source, place(name))
        except OSError:
            try:
                shutil.copyfile(source, place(name))
            except OSError as exc:
                shutil.rmtree(tmp, ignore_errors=True)
                raise SearchError(f"the previous index lost {name}: {exc}") from exc
    for name, data in sorted(files.items()):
        path = place(name)
        try:
            if (old / name).stat().st_size == len(data) and (old / name).read_bytes() == data:
                os.link(old / name, path)
                continue
        except OSError:
            pass
        path.write_bytes(data)
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)
    return sorted(f"{OUTPUT_SUBDIR}/{name}" for name in set(files) | set(links or {}))


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


def _make_deterministic(files: dict[str, bytes]) -> None:
    """Sort each filter file's values, then rename filter and meta files after their content."""
    entry = json.loads(files["pagefind-entry.json"])
    for lang, info in sorted(entry["languages"].items()):
        meta_name = f"pagefind.{info['hash']}.pf_meta"
        meta = _decode(files.pop(meta_name))
        # meta: [version, pages, index chunks, filters [[name, hash], ...], sorts, meta fields]
        for pair in meta[3]:
            data = _decode(files.pop(f"filter/{pair[1]}.pf_filter"))
            # filter file: [name, [[value, [page numbers]], ...]] in hash-map order
            data[1] = sorted(data[1], key=lambda item: item[0])
            pair[1] = _name(lang, data, 7)
            files[f"filter/{pair[1]}.pf_filter"] = _encode(data)
        info["hash"] = _name(lang, meta, 10)
        files[f"pagefind.{info['hash']}.pf_meta"] = _encode(meta)
    files["pagefind-entry.json"] = json.dumps(entry, ensure_ascii=False,
                                              separators=(",", ":")).encode("utf-8")


def _decode(raw: bytes) -> Any:
    data = gzip.decompress(raw)
    if not data.startswith(MAGIC):
        raise ValueError("not a Pagefind data file")
    return cbor.loads(data[len(MAGIC):])


def _encode(value: Any) -> bytes:
    return gzip.compress(MAGIC + cbor.dumps(value), compresslevel=9, mtime=0)


def _name(lang: str, value: Any, length: int) -> str:
    """A content-derived file name in Pagefind's own style (`en_` + hex digits)."""
    return f"{lang}_" + hashlib.sha256(cbor.dumps(value)).hexdigest()[:length]


def main(argv: list[str] | None = None) -> int:
    """`python -m kbgen.search SITE [PREVIOUS]`: index SITE's pages into SITE/pagefind, linking
    index files equal to PREVIOUS's; prints the files and diagnostics as JSON. serve's background
    refresh runs this in a process of its own, so indexing never holds the lock on Python's
    interpreter that the next rebuild needs."""
    import sys
    from types import SimpleNamespace
    args = sys.argv[1:] if argv is None else argv
    result = SimpleNamespace(diagnostics=[])
    files = index(Path(args[0]), None, result, previous=Path(args[1]) if len(args) > 1 else None)
    print(json.dumps({"files": files, "diagnostics": [[d.path, d.line, d.code, d.message, d.level]
                                                      for d in result.diagnostics]}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
