"""The progress bar: shown on a terminal after a second, never on a pipe or when disabled."""
from __future__ import annotations

import io

from kbgen import progress


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_bar_on_a_terminal_after_the_delay(monkeypatch):
    stream = Tty()
    bar = progress.Progress(enabled=True, stream=stream)
    bar.start -= progress.DELAY + 1
    advance = bar.stage("parsing", 10)
    for _ in range(10):
        advance(1)
    assert "parsing" in stream.getvalue() and "10/10" in stream.getvalue()
    bar.done()
    assert stream.getvalue().endswith("\r\x1b[K")


def test_silent_when_piped_quiet_or_quick():
    piped = io.StringIO()
    bar = progress.Progress(enabled=True, stream=piped)
    bar.start -= 5
    bar.stage("parsing", 3)(3)
    assert piped.getvalue() == ""
    tty = Tty()
    quiet = progress.Progress(enabled=False, stream=tty)
    quiet.start -= 5
    quiet.stage("parsing", 3)(3)
    quick = progress.Progress(enabled=True, stream=tty)
    quick.stage("parsing", 3)(3)
    assert tty.getvalue() == ""
