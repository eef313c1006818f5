"""Watch a vault with watchdog and hand its changes over in debounced batches.

Editors save in many ways (write in place, write a temporary file and rename it over the note,
delete then create); every one of them is a burst of events within a few milliseconds. `Changes`
collects them until the vault has been quiet for a moment, so one save is one rebuild. Events that
arrive while a rebuild runs wait in `Changes` for the next batch: none is lost.
"""
from __future__ import annotations

import logging
import threading
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

log = logging.getLogger(__name__)

QUIET = 0.02
"""Seconds without events that end a burst (a save is one burst)."""
LONGEST = 0.3
"""A burst that never goes quiet (a sync client copying a folder) is cut after this many seconds."""
_KINDS = {"created", "modified", "deleted", "moved", "closed"}
"""Events that mean content changed; opening or reading a file (the build does) is not one."""

# When a folder is created in a watched tree, watchdog's inotify observer can add the watch for it
# twice and warns "Callback with id … already exists for watch … It will be Overwritten." on
# the user's terminal. Adding it again is harmless (its maintainers say so in the review of
# gorakhargosh/watchdog#1278), so the warning says nothing a serve user can act on.
warnings.filterwarnings("ignore", message="Callback with id .* already exists for watch",
                        category=RuntimeWarning, module=r"watchdog\.")


@dataclass
class Batch:
    """The changes of one burst."""

    paths: set[Path] = field(default_factory=set)
    """Every path touched, both ends of a rename included."""
    moves: list[tuple[Path, Path]] = field(default_factory=list)
    """Renames of files or folders (source, destination), in the order they happened."""


class Changes:
    """Thread-safe pending changes: the watcher adds, the rebuild loop takes whole bursts."""

    def __init__(self, quiet: float = QUIET, longest: float = LONGEST) -> None:
        self.quiet, self.longest = quiet, longest
        self._cond = threading.Condition()
        self._pending = Batch()
        self._first = self._last = 0.0
        self._closed = False

    def add(self, path: Path, dest: Path | None = None) -> None:
        with self._cond:
            now = time.monotonic()
            if not self._pending.paths:
                self._first = now
            self._last = now
            self._pending.paths.add(path)
            if dest is not None:
                self._pending.paths.add(dest)
                self._pending.moves.append((path, dest))
            self._cond.notify_all()

    def take(self) -> Batch | None:
        """Block until a burst has ended, then return it; None once closed."""
        with self._cond:
            while not self._closed:
                if not self._pending.paths:
                    self._cond.wait()
                    continue
                now = time.monotonic()
                due = min(self._last + self.quiet, self._first + self.longest)
                if now < due:
                    self._cond.wait(due - now)
                    continue
                batch, self._pending = self._pending, Batch()
                return batch
            return None

    def idle(self, seconds: float) -> bool:
        """True when no change arrives for `seconds` (and the queue stays open)."""
        with self._cond:
            self._cond.wait_for(lambda: self._pending.paths or self._closed, seconds)
            return not self._pending.paths and not self._closed

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()


class _Handler(FileSystemEventHandler):
    def __init__(self, changes: Changes, ignored: Callable[[Path], bool]) -> None:
        self.changes, self.ignored = changes, ignored

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in _KINDS:
            return
        if event.is_directory and event.event_type in ("modified", "closed"):
            return  # a folder's own timestamp: the file events inside it say what changed
        src = Path(_text(event.src_path))
        dest = Path(_text(event.dest_path)) if event.event_type == "moved" else None
        if dest is not None:
            if self.ignored(src) and self.ignored(dest):
                return
            if self.ignored(dest):  # moved out of sight: the same as deleted
                self.changes.add(src)
            elif self.ignored(src):  # moved into sight (an editor's temporary file): created
                self.changes.add(dest)
            else:
                self.changes.add(src, dest)
        elif not self.ignored(src):
            self.changes.add(src)


def _text(path: str | bytes) -> str:
    return path.decode("utf-8", "surrogateescape") if isinstance(path, bytes) else path


class Watcher:
    """A watchdog observer over folders (recursive) and single files' folders (not recursive)."""

    def __init__(self, changes: Changes, folders: list[Path], files: list[Path],
                 ignored: Callable[[Path], bool]) -> None:
        self.observer = Observer()
        wanted_files = {f.resolve() for f in files}
        roots = [f.resolve() for f in folders]

        def skip(path: Path) -> bool:
            if path in wanted_files:
                return False
            if not any(path.is_relative_to(r) for r in roots):
                return True  # a neighbour of a watched file, e.g. beside a config file
            return ignored(path)

        handler = _Handler(changes, skip)
        scheduled: set[Path] = set()
        # outer folders first: a folder inside one already watched (a theme in the vault) is
        # not watched a second time, which would bring each of its changes twice
        for root in sorted(set(roots), key=lambda r: (len(r.parts), r)):
            if root.is_dir() and not any(root.is_relative_to(r) for r in scheduled):
                self.observer.schedule(handler, str(root), recursive=True)
                scheduled.add(root)
        for f in wanted_files:
            parent = f.parent
            if parent.is_dir() and not any(parent.is_relative_to(r) for r in scheduled):
                self.observer.schedule(handler, str(parent), recursive=False)
                scheduled.add(parent)

    def start(self) -> None:
        self.observer.start()

    def stop(self) -> None:
        self.observer.stop()
        self.observer.join(timeout=5)
