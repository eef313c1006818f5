"""A one-line progress bar on the terminal for builds longer than a second (never when piped or --quiet)."""
from __future__ import annotations

import sys
import time
from typing import Callable, TextIO

DELAY = 1.0
"""Seconds into a build before a bar appears: short builds stay silent."""


class Progress:
    def __init__(self, enabled: bool, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = enabled and self.stream.isatty()
        self.start = time.monotonic()
        self._shown = False
        self._last = 0.0

    def stage(self, label: str, total: int) -> Callable[[int], None]:
        """A callback that advances this stage by n items."""
        done = 0

        def advance(n: int = 1) -> None:
            nonlocal done
            done += n
            now = time.monotonic()
            if not self.enabled or now - self.start < DELAY or (now - self._last < 0.1 and done < total):
                return
            self._last = now
            width = 30
            filled = int(width * done / max(total, 1))
            self.stream.write(f"\r{label:<10} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}\x1b[K")
            self.stream.flush()
            self._shown = True

        return advance

    def done(self) -> None:
        if self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._shown = False
