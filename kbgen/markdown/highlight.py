"""`==highlight==` → `<mark>`: a delimiter-pair rule, the twin of markdown-it's strikethrough.

Syntax (Obsidian, see research/ofm-spec.md §1.9)::

    ==Highlighted text==   **==bold and highlighted==**   `==not in code==`

The markers follow the same flanking rules as `~~`: `a == b` stays text, and the pairs nest with
emphasis because the common `balance_pairs` step matches them.
"""
from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline.state_inline import Delimiter

from kbgen.markdown.delims import mark_run, run_rule

_EQ = 0x3D  # "="


def highlight_plugin(md: MarkdownIt) -> None:
    """Register the `kbgen_mark` inline rule and its post-processing step (both before `emphasis`)."""
    md.inline.ruler.before("emphasis", "kbgen_mark", _tokenize)
    md.inline.ruler2.before("emphasis", "kbgen_mark", _post_process)


_tokenize = run_rule(mark_run)
"""Push each `==` of a run as a text token and a delimiter; a lone odd `=` stays text."""


def _pairs(state: StateInline, delimiters: list[Delimiter]) -> None:
    lone: list[int] = []
    for start in delimiters:
        if start.marker != _EQ or start.end == -1:
            continue
        end = delimiters[start.end]
        for index, kind, nesting in ((start.token, "mark_open", 1), (end.token, "mark_close", -1)):
            token = state.tokens[index]
            token.type, token.tag, token.nesting = kind, "mark", nesting
            token.markup, token.content = "==", ""
        before = state.tokens[end.token - 1]
        if before.type == "text" and before.content == "=":
            lone.append(end.token - 1)
    # An odd run `=====` splits as `=` `==` `==`: move each lone `=` after the closers it precedes.
    while lone:
        i = lone.pop()
        j = i + 1
        while j < len(state.tokens) and state.tokens[j].type == "mark_close":
            j += 1
        j -= 1
        if i != j:
            state.tokens[i], state.tokens[j] = state.tokens[j], state.tokens[i]


def _post_process(state: StateInline) -> None:
    _pairs(state, state.delimiters)
    for meta in state.tokens_meta:
        if meta and "delimiters" in meta:
            _pairs(state, meta["delimiters"])
