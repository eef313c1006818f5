"""Diagnostics as data: `path:line: code: message`, with a level per code and a summary count."""
from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Iterable, Literal, TextIO

Level = Literal["error", "warning", "info", "off"]

# Default level of each code; `kbgen.toml` `[levels]` overrides them per code.
DEFAULT_LEVELS: dict[str, Level] = {
    "unresolved-link": "warning",
    "ambiguous-link": "warning",
    "missing-heading": "warning",
    "missing-block": "warning",
    "missing-attachment": "warning",
    "missing-embed": "warning",
    "embed-cycle": "warning",
    "embed-depth": "warning",
    "embed-limit": "warning",
    "concept-limit": "warning",
    "tag-limit": "warning",
    "invalid-front-matter": "warning",
    "encoding": "warning",
    "binary-file": "warning",
    "url-collision": "warning",
    "duplicate-name": "info",
    "outside-vault": "warning",
    "symlink": "warning",
    "special-file": "warning",
    "invalid-name": "warning",
    "math": "warning",
    "mojibake": "warning",
    "orphan-note": "info",
    "empty-note": "info",
    "duplicate-title": "info",
    "config": "error",
    "template": "error",
    "search": "error",
    "large-file": "info",
    "cache": "warning",
    "duplicate-block": "warning",
    "unreadable": "error",
    "too-deep": "warning",
    "invalid-date": "info",
    "redirect-conflict": "info",
}


@dataclass(frozen=True, order=True, slots=True, init=False)
class Diagnostic:
    path: str
    """Vault-relative path (or a file of the theme/config); '' for site-wide problems."""
    line: int
    """1-based line; 0 when the problem is the whole file."""
    code: str
    message: str
    level: Level = "warning"

    def __init__(self, path: str, line: int, code: str, message: str, level: Level = "warning") -> None:
        # what the frozen dataclass's own __init__ does through object.__setattr__, a generic
        # lookup per field (0.6 us a diagnostic; a note may hold 175 000 unresolved links)
        _set_path(self, path)
        _set_line(self, line)
        _set_code(self, code)
        _set_message(self, message)
        _set_level(self, level)

    def format(self) -> str:
        where = f"{self.path}:{self.line}" if self.path else "kbgen"
        return f"{where}: {self.code}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {"path": self.path, "line": self.line, "code": self.code,
                "level": self.level, "message": self.message}


# the slots' own setters (Diagnostic is frozen: its __setattr__ refuses)
_set_path, _set_line, _set_code, _set_message, _set_level = (
    vars(Diagnostic)[name].__set__ for name in ("path", "line", "code", "message", "level"))


def make(path: str, line: int, code: str, message: str) -> Diagnostic:
    """A diagnostic at its code's default level (the build applies the configured levels)."""
    return Diagnostic(path, line, code, message, DEFAULT_LEVELS.get(code, "warning"))


def with_levels(diags: Iterable[Diagnostic], levels: dict[str, Level]) -> list[Diagnostic]:
    """Apply configured levels, drop the ones turned off, and sort for stable output."""
    out: dict[Diagnostic, None] = {}  # a dict, not a set: it keeps the order they came in, mostly
    for d in diags:                     # sorted already, which sorted() then merely checks
        level = levels.get(d.code, d.level)
        if level == "off":
            continue
        out[d if level == d.level else Diagnostic(d.path, d.line, d.code, d.message, level)] = None
    # sorted by a tuple key: the dataclass's own __lt__ runs in Python, a tuple's does not (serve
    # sorts tens of thousands of diagnostics at every edit of a large vault)
    return sorted(out, key=lambda d: (d.path, d.line, d.code, d.message, d.level))


def report(diags: Iterable[Diagnostic], stream: TextIO = sys.stderr) -> None:
    for d in diags:
        print(d.format(), file=stream)
