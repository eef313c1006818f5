"""Inline rules dispatched by the character at the position: each rule is tried only where it can start.

markdown-it tries its whole inline rule chain (about twenty rules here) at every markup character
until one matches; every rule but `text` starts at fixed characters, so most calls are wasted.
Markup-dense text (`[[a]…`, `*a**…`, `$a…`) paid that twenty times per character.
`dispatch_inline()` replaces the chain by one rule that looks the character up and runs, in the
chain's order, only the rules that can start there. A rule not in `TRIGGERS` runs everywhere.
Likewise the delimiter post-processing rules run only where their delimiters can be.
"""
from __future__ import annotations

import re
from typing import Callable

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

Rule = Callable[[StateInline, bool], bool]

TRIGGERS: dict[str, str] = {
    "linkify": ":",
    "newline": "\n",
    "kbgen_comment": "%",
    "math_inline": "$",
    "escape": "\\",
    "backticks": "`",
    "strikethrough": "~",
    "kbgen_mark": "=",
    "kbgen_tag": "#",
    "emphasis": "_*",
    "unclosed_bracket": "[!",
    "wikilink": "[",
    "link": "[",
    "embed": "!",
    "image": "!",
    "footnote_inline": "^",
    "footnote_ref": "[",
    "autolink": "<",
    "html_inline": "<",
    "entity": "&",
}
"""Inline rule name → the characters it can start at (each rule's own first check)."""

POST_TRIGGERS: dict[str, str] = {
    "balance_pairs": "*_~=",
    "strikethrough": "~",
    "kbgen_mark": "=",
    "emphasis": "*_",
}
"""Post-processing (ruler2) rule name → the characters of the delimiters it pairs: with none of
them in the inline source, there is nothing for it to do."""

RULE_NAME = "kbgen_dispatch"


def dispatch_inline(md: MarkdownIt) -> None:
    """Fold the enabled inline rules into one dispatching rule. Call it last: rules added to
    `md.inline.ruler` afterwards run after all of these."""
    ruler = md.inline.ruler
    rules = [(r.name, r.fn) for r in ruler.__rules__ if r.enabled]
    terminator = md.inline.terminator_re

    def chain(ch: str | None) -> tuple[Rule, ...]:
        out = []
        for name, fn in rules:
            if name == "text":
                # `text` consumes up to the next terminator, so it fails on one.
                if ch is None or not terminator.match(ch):
                    out.append(fn)
            elif name not in TRIGGERS or (ch is not None and ch in TRIGGERS[name]):
                out.append(fn)
        return tuple(out)

    default = chain(None)
    table = {ch: chain(ch) for ch in set("".join(TRIGGERS.values()))}

    def dispatch(state: StateInline, silent: bool) -> bool:
        for rule in table.get(state.src[state.pos], default):
            if rule(state, silent):
                return True
        return False

    ruler.disable([name for name, _ in rules])
    ruler.push(RULE_NAME, dispatch)
    for rule in md.inline.ruler2.__rules__:
        if rule.name in POST_TRIGGERS:
            rule.fn = _when_any(POST_TRIGGERS[rule.name], rule.fn)
    md.inline.ruler2.__cache__ = None  # recompile the chain with the gated functions


def _when_any(chars: str, fn: Callable[[StateInline], None]) -> Callable[[StateInline], None]:
    """`fn`, run only on inline sources that contain one of `chars`."""
    search = re.compile(f"[{re.escape(chars)}]").search

    def gated(state: StateInline) -> None:
        if search(state.src):
            fn(state)
    return gated
