"""`kbgen serve`: build the site, serve it over HTTP, rebuild on every save and reload the open pages.

The pieces: watch.py turns file events into debounced batches, `Builder.rebuild()` brings the site
up to date (only changed bytes are written), httpd.py serves the output folder under a lock the
rebuild holds while it writes, livereload.py tells the open pages what changed (or what failed),
and searchsync.py refreshes the search index in the background.
"""
from __future__ import annotations

import argparse
import gc
import ipaddress
import logging
import os
import signal
import sys
import threading
import time
import unicodedata
import uuid
from pathlib import Path
from typing import Any, TextIO

from kbgen.build import Builder, BuildResult
from kbgen.diagnostics import Diagnostic
from kbgen.httpd import SiteLock, SiteServer
from kbgen.livereload import Hub, describe
from kbgen.watch import QUIET, Batch, Changes, Watcher

log = logging.getLogger(__name__)
ALL_INTERFACES = ("", "0.0.0.0", "::")


def add_command(sub: Any) -> None:
    from kbgen.cli import _vault_args
    p = sub.add_parser("serve", help="build, serve the site and reload it on every save")
    _vault_args(p)
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000; 0: any free port)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default: 127.0.0.1, this machine only)")
    p.add_argument("--open", action="store_true", help="open the site in the web browser")
    p.add_argument("--out", type=Path, help="output folder (default: VAULT/site)")
    p.add_argument("--no-search", action="store_true", help="skip the Pagefind search index")
    p.add_argument("--jobs", "-j", type=int, help="worker processes for big rebuilds (default: one per core)")
    p.set_defaults(func=cmd_serve)


def cmd_serve(args: argparse.Namespace) -> int:
    from kbgen.config import ConfigError
    from kbgen.write import OutputError
    server = DevServer(args.vault, args.out, host=args.host, port=args.port, config_file=args.config,
                       search=False if args.no_search else None, jobs=args.jobs)
    stop = threading.Event()
    main = os.getpid()

    def on_term(signum: int, frame: object) -> None:
        if os.getpid() != main:  # a forked build worker, which its pool stops with SIGTERM: die
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGTERM)
        stop.set()

    signal.signal(signal.SIGTERM, on_term)
    code = 0
    try:
        server.start()
        print(f"kbgen: serving {server.root} at {server.url} (Ctrl-C to stop)", file=sys.stderr, flush=True)
        if args.open:
            import webbrowser
            threading.Thread(target=webbrowser.open, args=(server.url,), daemon=True).start()
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    except (ConfigError, OutputError, ServeError) as exc:
        print(f"kbgen: error: {exc}", file=sys.stderr)
        code = 2
    finally:
        # a second Ctrl-C while the current rebuild finishes quits at once, still without a traceback
        signal.signal(signal.SIGINT, lambda *_: os._exit(130))
        if code == 0:
            print("\nkbgen: stopping", file=sys.stderr)
        server.stop()
    return code


class ServeError(Exception):
    """The server cannot start (the port is taken, the address is not this machine's)."""


class DevServer:
    """The whole of `kbgen serve`, startable and stoppable in-process (the tests do)."""

    def __init__(self, vault: Path, out: Path | None = None, *, host: str = "127.0.0.1", port: int = 8000,
                 config_file: Path | None = None, search: bool | None = None, quiet: float = QUIET,
                 stream: TextIO | None = None, jobs: int | None = None) -> None:
        self.builder = Builder(vault, out, config_file=config_file, quiet=True, search=search, jobs=jobs,
                               keep_state=True)  # so even the first edit takes the fast path
        self.search_override, self.config_arg = search, config_file
        self.root, self.out = self.builder.root, self.builder.out
        self.config_file = (config_file or self.root / "kbgen.toml").resolve()
        self.host, self.port = host, port
        self.stream = stream if stream is not None else sys.stderr
        self.lock = SiteLock()
        self.hub = Hub(uuid.uuid4().hex[:12])
        self.changes = Changes(quiet=quiet)
        self.httpd: SiteServer | None = None
        self.watcher: Watcher | None = None
        self.search: Any = None
        self._threads: list[threading.Thread] = []
        self._urls: dict[str, str] = {}
        self._site: Any = None
        self._moved: dict[str, str] = {}
        self._moves: list[tuple[str, str]] = []
        self._diags: set[Diagnostic] = set()
        self._full_next = False
        self._config_due = False
        self.rebuilds = 0

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> None:
        """Listen, build, then watch; raises ServeError, ConfigError or OutputError."""
        try:
            self.httpd = SiteServer((self.host, self.port), self.out, self.lock, self.hub, self.moved_to,
                                    local_only=_loopback(self.host))
        except OSError as exc:
            raise ServeError(f"cannot listen on {self.host}:{self.port}: {exc.strerror or exc}") from None
        self.port = self.httpd.server_address[1]
        if not _loopback(self.host):
            where = "all interfaces" if self.host in ALL_INTERFACES else self.host
            self._say(f"warning: listening on {where}: anyone who can reach this machine can read the site")
        try:
            self._initial_build()
            self._start_watching()
        except BaseException:
            self.httpd.server_close()
            raise
        self._spawn(self.httpd.serve_forever, "kbgen-http")
        self._spawn(self._loop, "kbgen-rebuild")

    @property
    def url(self) -> str:
        host = self.host if self.host not in ALL_INTERFACES else "127.0.0.1"
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}/"

    def stop(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
        self.changes.close()
        for t in self._threads:
            if t.name == "kbgen-rebuild":
                t.join()  # let a running rebuild finish: the site is never left half-written
        if self.search is not None:
            self.search.stop()
        self.hub.close()
        if self.httpd is not None:
            if any(t.name == "kbgen-http" for t in self._threads):
                self.httpd.shutdown()  # waits for serve_forever(), so only once it has started
            self.httpd.server_close()

    def _spawn(self, target: Any, name: str) -> None:
        t = threading.Thread(target=target, name=name, daemon=True)
        t.start()
        self._threads.append(t)

    def _initial_build(self) -> None:
        from kbgen.config import ConfigError
        from kbgen.write import OutputError
        start = time.perf_counter()
        try:
            with self.lock.writing():
                result = self.builder.build()
        except (ConfigError, OutputError):
            raise
        except Exception as exc:  # served anyway: the overlay says what to fix
            self._failed(exc)
            return
        self._succeeded(result, None, start)
        self._say(f"built {result.pages} pages in {time.perf_counter() - start:.2f} s")

    def _start_watching(self) -> None:
        from kbgen.config import load
        from kbgen.render import Theme
        config = load(self.root, self.config_arg, search=self.search_override)
        ignored_roots = [self.out, self.root / config.cache_dir]
        folders = [self.root] + [d for d in Theme(config).dirs if not d.is_relative_to(self.root)]

        def ignored(path: Path) -> bool:
            if any(path == r or path.is_relative_to(r) for r in ignored_roots):
                return True
            for base in folders:
                if path.is_relative_to(base):
                    return any(part.startswith(".") for part in path.relative_to(base).parts)
            return False

        self.watcher = Watcher(self.changes, folders, [self.config_file], ignored)
        self.watcher.start()
        if config.search:
            from kbgen.searchsync import SearchSync
            self.search = SearchSync(self.out, self.lock, lambda: self.hub.epoch, self._report)
            self.search.start()

    # -- rebuilding -------------------------------------------------------------------------

    def _loop(self) -> None:
        while True:
            batch = self.changes.take()
            if batch is None:
                return
            self.rebuild(batch)
            # the pages that show the edited notes, now that the edit itself is shown (unless
            # another save is waiting: its rebuild takes them along)
            if self.builder.behind and self.changes.idle(0):
                self.finish(layout=False)
            gc.collect(0)  # the edit's young objects, now the reload is out (the builder keeps GC rare)
            if self.builder.unfinished and self.changes.idle(FINISH_AFTER):
                self.finish()

    def finish(self, layout: bool = True) -> None:
        """The pages a split rebuild left behind (Builder.catch_up) and, with `layout`, the
        global graph's new layout (Builder.finish), after the edit's page is shown."""
        start, cpu = time.perf_counter(), time.thread_time()
        try:
            with self.lock.writing():
                result = self.builder.finish() if layout else self.builder.catch_up()
        except Exception as exc:
            self._failed(exc)
            return
        if self.search is not None and any(f.endswith(".html") for f in result.changed):
            self.search.request()
        if result.changed:  # the pages that show the edit, the graph page and data: they reload
            self._succeeded(result, result.changed, start, cpu, "then updated")

    def rebuild(self, batch: Batch) -> None:
        """One rebuild for one burst of changes; a failure keeps the last good site served."""
        start, cpu = time.perf_counter(), time.thread_time()
        self._moves += self._source_moves(batch.moves)
        config = self._config_due or self.config_file in batch.paths
        paths = set() if self._full_next else set(batch.paths)  # no paths: a full pass
        try:
            with self.lock.writing():
                if config:  # new settings can change anything: a full build, as `kbgen build` does
                    result = self.builder.build()
                else:
                    result = self.builder.rebuild(paths, search=False, defer=True, split=True)
        except Exception as exc:
            self._config_due = config
            self._failed(exc)
            return
        self._full_next = self._config_due = False
        if self.search is not None and (config or any(f.endswith(".html") for f in result.changed)):
            self.search.request()  # before the pages hear of the rebuild: the index is due from now
        self._succeeded(result, None if config else result.changed, start, cpu)

    def _succeeded(self, result: BuildResult, changed: list[str] | None, start: float,
                   cpu: float | None = None, verb: str = "rebuilt") -> None:
        self.rebuilds += 1
        site = _last_site(self.builder)
        old_urls = self._urls
        if site is not None:
            self._urls = dict(site.urls)
            self._site = site
        self._track_moves(old_urls)
        self.hub.rebuilt(changed)
        new = [d for d in result.diagnostics if d not in self._diags]
        self._diags = set(result.diagnostics)
        self._report(new)
        if changed:
            shown = ", ".join(changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
            used = f", {(time.thread_time() - cpu) * 1000:.0f} ms CPU" if cpu is not None else ""
            self._say(f"{verb} in {(time.perf_counter() - start) * 1000:.0f} ms{used}: {shown}")

    def _failed(self, exc: BaseException) -> None:
        # the builder's memory may now be ahead of the site: the next rebuild is a full pass
        self._full_next = True
        error = describe(exc, self.root)
        self.hub.failed(error)
        where = f"{error['file']}:{error['line']}" if error["file"] else "kbgen"
        self._say(f"{where}: {error['code']}: {error['message']}\n"
                  f"      the last good site is still served; fix the error and save again")
        if error["code"] == "crash":
            self._say(error["detail"])

    # -- renamed notes ----------------------------------------------------------------------

    def _source_moves(self, moves: list[tuple[Path, Path]]) -> list[tuple[str, str]]:
        """Vault paths of renamed notes; a renamed folder renames every note under it."""
        out = []
        for src, dest in moves:
            a, b = _vault_path(src, self.root), _vault_path(dest, self.root)
            if a is None or b is None:
                continue
            if a in self._urls:
                out.append((a, b))
            for path in self._urls:
                if path.startswith(a + "/"):
                    out.append((path, b + path[len(a):]))
        return out

    def _track_moves(self, old_urls: dict[str, str]) -> None:
        live = set(self._urls.values())
        for src, dest in self._moves:
            old, new = old_urls.get(src), self._urls.get(dest)
            if old and new and old != new:
                for k, v in list(self._moved.items()):
                    if v == old:
                        self._moved[k] = new  # renamed twice: the first name leads to the last
                self._moved[old] = new
        self._moves = []
        for url in [u for u in self._moved if u in live]:
            del self._moved[url]  # the old address is in use again

    def moved_to(self, url: str) -> tuple[str, str] | None:
        """The new (URL, title) of a page that was renamed while serving, or None."""
        new = self._moved.get(url)
        if not new:
            return None
        path = next((p for p, u in self._urls.items() if u == new), None)  # only for a 404: no table kept
        site = self._site
        return new, (site.title(path) if site is not None and path in site.urls else new)

    # -- output -----------------------------------------------------------------------------

    def _report(self, diags: list[Diagnostic]) -> None:
        for d in diags:
            print(d.format(), file=self.stream)

    def _say(self, text: str) -> None:
        print(f"kbgen: {text}", file=self.stream, flush=True)


FINISH_AFTER = 1.0
"""Seconds without a save before the global graph is laid out again (Builder.finish): while
the user is still saving, each save is shown first (at 10 000 notes the layout takes ~1 s)."""


def _last_site(builder: Builder) -> Any:
    """The Site of the builder's last pass (None after a build that found nothing to do);
    serve only reads URLs and titles from it, to tell a renamed note's new address."""
    return builder.site


def _vault_path(path: Path, root: Path) -> str | None:
    try:
        return unicodedata.normalize("NFC", path.relative_to(root).as_posix())
    except ValueError:
        return None


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
