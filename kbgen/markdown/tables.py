"""Table rows split into cells by one regex instead of markdown-it's loop over every character."""
from __future__ import annotations

import importlib
import re

from markdown_it import MarkdownIt

table_rule = importlib.import_module("markdown_it.rules_block.table")
"""The module of markdown-it's `table` rule (the package exports the function by that name)."""

LIBRARY_SPLIT = table_rule.escapedSplit
"""markdown-it's own function (kept for the tests that compare the two)."""
_PIPE = re.compile(r"(?<!\\)\|")
"""A cell separator: a `|` not right after a backslash (markdown-it does not count backslashes)."""


def escaped_split(row: str) -> list[str]:
    """markdown-it's `escapedSplit`: cells at each unescaped `|`, and `\\|` in a cell made `|`."""
    if "\\" not in row:
        return row.split("|")
    return [cell.replace("\\|", "|") for cell in _PIPE.split(row)]


def tables_plugin(md: MarkdownIt) -> None:
    """Make markdown-it's `table` rule split rows with escaped_split().

    The rule looks `escapedSplit` up in its module when it runs, and the function is the only
    thing replaced; it returns the same cells for every row (tests/markdown/test_fastpaths.py),
    so other parsers in the process, which see it too, parse as before."""
    table_rule.escapedSplit = escaped_split
