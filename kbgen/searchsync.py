"""Keep `kbgen serve`'s Pagefind index in step with the site, in the background.

Pagefind takes seconds, so serve rebuilds without it and refreshes the index here once the vault
has been quiet for a moment: the live site's pages are indexed into a folder aside (only the
shards of the index whose pages changed go to Pagefind; the others' bundles, and index files equal
to the live index's, are hard-linked from it: see search.Indexer), and the new index is swapped
into the site under the site lock. The pages are read without the lock, so a rebuild meanwhile may
leave the new index a mix of two passes; it still goes in (better than the older one) and another
run follows, so the index always ends up matching the site.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Callable

from kbgen.diagnostics import Diagnostic
from kbgen.httpd import SiteLock

log = logging.getLogger(__name__)
SETTLE = 0.5
"""Seconds without a rebuild before indexing starts."""


class SearchSync:
    """Runs Pagefind over snapshots of the site whenever `request()` says the pages changed."""

    def __init__(self, out: Path, lock: SiteLock, epoch: Callable[[], int],
                 report: Callable[[list[Diagnostic]], None], settle: float = SETTLE) -> None:
        self.out = out
        self.work = out.parent / f".{out.name}.kbgen-search"
        self.lock, self.epoch, self.report, self.settle = lock, epoch, report, settle
        self._cond = threading.Condition()
        self._wanted = False
        self._running = False
        self._stopped = False
        self.runs = 0
        self._thread = threading.Thread(target=self._loop, name="kbgen-search", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def request(self) -> None:
        with self._cond:
            self._wanted = True
            self._cond.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no run is due or running; False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._wanted and not self._running, timeout)

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        self._thread.join(timeout=30)
        shutil.rmtree(self.work, ignore_errors=True)

    def _loop(self) -> None:
        try:  # Linux: niceness is per thread and Pagefind inherits it, so rebuilds come first
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
        except (AttributeError, OSError):
            pass
        while True:
            with self._cond:
                while not self._wanted and not self._stopped:
                    self._cond.wait()
                self._running = True  # busy from here: settling counts
                # settle: a run starts only after `settle` seconds without a new request
                while self._wanted and not self._stopped:
                    self._wanted = False
                    self._cond.wait(self.settle)
                if self._stopped:
                    self._running = False
                    self._cond.notify_all()
                    return
            try:
                self._run()
            except Exception:  # never let a failed index stop the server; the next save retries
                log.exception("refreshing the search index failed")
            finally:
                with self._cond:
                    self._running = False
                    self._cond.notify_all()

    def _run(self) -> None:
        new = self.work / "site"
        shutil.rmtree(self.work, ignore_errors=True)
        new.mkdir(parents=True)
        epoch = self.epoch()
        from kbgen import search
        # The live site's pages are read as they are, without the lock: a rebuild meanwhile
        # (atomic per page) may mix two passes into this index, but it moves the epoch on, and
        # so another run follows. Holding the lock while linking 15 000 pages into a snapshot
        # made a save wait up to a second. Shards the live index already has (all but one or two,
        # after an edit) are linked, not indexed; in a process of its own (niced like this
        # thread), which leaves the interpreter to rebuilds.
        files, diagnostics = _index(self.out, self.out / search.OUTPUT_SUBDIR, new)
        if diagnostics or not files:
            self.report(diagnostics)
            return
        old = self.work / "old-index"
        with self.lock.writing():
            live = self.out / search.OUTPUT_SUBDIR
            if not self.out.is_dir():
                return
            if live.exists():
                os.replace(live, old)
            os.replace(new / search.OUTPUT_SUBDIR, live)
            _record(self.out, files)
        shutil.rmtree(self.work, ignore_errors=True)
        self.runs += 1
        if self.epoch() != epoch:
            self.request()  # the site moved on while Pagefind ran


def _index(site: Path, previous: Path, into: Path) -> tuple[list[str], list[Diagnostic]]:
    """search.index() of the live `site` into `into`, run by `python -m kbgen.search`."""
    import kbgen
    from kbgen.diagnostics import make
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(kbgen.__file__).parent.parent),
                                                      env.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, "-m", "kbgen.search", str(site), str(previous), str(into)],
                          capture_output=True, text=True, env=env)
    try:
        answer = json.loads(proc.stdout.strip().splitlines()[-1])
        return answer["files"], [Diagnostic(*d) for d in answer["diagnostics"]]
    except (IndexError, ValueError, KeyError, TypeError):
        detail = (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]
        return [], [make("", 0, "search", f"Pagefind failed: {detail}")]


def _record(out: Path, files: list[str]) -> None:
    """Put the index's files in the site's manifest in place of the old index's."""
    from kbgen.search import OUTPUT_SUBDIR
    from kbgen.write import read_manifest, write_manifest
    manifest = read_manifest(out)
    kept = [f for f in manifest.get("files", []) if not f.startswith(OUTPUT_SUBDIR + "/")]
    manifest["files"] = sorted(set(kept) | set(files))
    write_manifest(out, manifest)
