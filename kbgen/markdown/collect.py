"""The side data markdown rules collect while parsing one note (links, tags, block ids, problems)."""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Sequence

from kbgen.diagnostics import Diagnostic, make

if TYPE_CHECKING:
    from markdown_it.rules_inline import StateInline

    from kbgen.model import LinkRef

ENV_KEY = "kbgen"
"""`env[ENV_KEY]` holds the Collector while parsing."""
RENDER_KEY = "kbgen_render"
"""`env[RENDER_KEY]` holds the page's renderer callbacks while rendering (see render.py)."""
LINE_KEY = "kbgen_line"
"""`env[LINE_KEY]`: 0-based body line of the block whose inline content is being parsed."""
_NEWLINE = re.compile("\n")


@dataclass
class Collector:
    path: str
    line_offset: int = 0
    """Lines of front matter before the body, so that reported lines are file lines."""
    links: list["LinkRef"] = field(default_factory=list)
    tags: list[tuple[str, int]] = field(default_factory=list)
    """(tag without '#', 1-based file line), in document order."""
    blocks: dict[str, int] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    """Features the page needs: 'math', 'mermaid'."""

    def file_line(self, body_line0: int) -> int:
        return body_line0 + 1 + self.line_offset

    def report(self, body_line0: int, code: str, message: str) -> None:
        self.diagnostics.append(make(self.path, self.file_line(body_line0), code, message))


def collector(env: dict[str, Any]) -> Collector | None:
    """The collector of the note being parsed, or None (plain rendering in unit tests)."""
    return env.get(ENV_KEY)


def inline_line(state: "StateInline", pos: int | None = None) -> int:
    """0-based body line of `pos` (default: the current position) in an inline rule.

    The newline offsets of the inline source are computed once and bisected, so a paragraph of
    n lines with a link on each costs O(n log n), not O(n^2)."""
    end = state.pos if pos is None else pos
    return state.env.get(LINE_KEY, 0) + bisect_left(newlines(state.env, state.src), end)


def newlines(env: dict[str, Any], src: str) -> Sequence[int]:
    """The offsets of the newlines in `src`, the inline source being parsed, found once per source."""
    memo = env.get("_kb_newlines")
    if memo is None or memo[0] is not src:
        memo = (src, [m.start() for m in _NEWLINE.finditer(src)] if "\n" in src else _NONE)
        env["_kb_newlines"] = memo
    return memo[1]


_NONE: tuple[int, ...] = ()
"""The newlines of a one-line source (most list items, table cells and paragraphs), shared."""
