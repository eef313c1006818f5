"""Task list items with any status character: `- [x]`, `- [ ]`, `- [/]`, `- [-]`, `- [?]`, ….

Syntax (Obsidian, see research/ofm-spec.md §1.14)::

    - [ ] to do        - [x] done        - [/] in progress        - [-] cancelled

Any single character between the brackets makes a task; every character but a space counts as
checked. The item renders as `<li class="task-list-item" data-task="x">` holding a read-only
`<input type="checkbox" class="task-list-item-checkbox" disabled checked>`; its list gets
`contains-task-list`. (markdown-it-py's own task lists only know ` `, `x` and `X`.)

The core rule runs before `inline`: it cuts `[c] ` off the item's text, so the rest is parsed as
usual, and puts a `task_checkbox` token in front of the children the inline parser will add.
"""
from __future__ import annotations

import re
from typing import Any, Sequence

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import OptionsDict

from kbgen.markdown.tokens import token

_TASK = re.compile(r"\[([^\n])\](?:[ \t]+\n?|\n|$)")
_BOX = re.compile(r"\[[^\n]\](?!\S)")
"""What every task starts with; item contents are cut from the source, so it is in the source,
followed there by what follows it in the item (a blank or a line end) or by what the item's text
had trimmed off its end (white space): not by `]` (`[[a]]`, a link to a one-letter note, is no
task box)."""
_LISTS = ("bullet_list_open", "ordered_list_open")
_LIST_TOKENS = frozenset(_LISTS + ("bullet_list_close", "ordered_list_close", "list_item_open"))


def tasks_plugin(md: MarkdownIt) -> None:
    """Register the `kbgen_tasks` core rule (after `block`) and the checkbox render rule."""
    md.core.ruler.after("block", "kbgen_tasks", _task_rule)
    md.add_render_rule("task_checkbox", _render_checkbox)


def _task_rule(state: StateCore) -> None:
    if _BOX.search(state.src) is None:
        return  # no `[c]` anywhere, so no task
    tokens = state.tokens
    last = len(tokens) - 2
    lists: list[Token] = []
    # Only list tokens matter: one comprehension finds them (no Python step per other token).
    for i in [i for i, tok in enumerate(tokens) if tok.type in _LIST_TOKENS]:
        tok = tokens[i]
        kind = tok.type
        if kind == "list_item_open":
            if i >= last or tokens[i + 1].type != "paragraph_open":
                continue
            inline = tokens[i + 2]
            if inline.type != "inline" or not inline.content.startswith("["):
                continue
            m = _TASK.match(inline.content)
            if m is None:
                continue
            status = m.group(1)
            checked = status != " "
            inline.content = inline.content[m.end():]
            inline.children = [token("task_checkbox", "input", 0, 0,
                                     meta={"task": status, "checked": checked})]
            attrs = tok.attrs  # attrJoin("class", ...) and attrSet("data-task", ...)
            css = "task-list-item is-checked" if checked else "task-list-item"
            attrs["class"] = attrs["class"] + " " + css if "class" in attrs else css
            attrs["data-task"] = "" if status == " " else status
            tok.meta["task"] = status
            if lists and "contains-task-list" not in str(lists[-1].attrs.get("class") or ""):
                lists[-1].attrJoin("class", "contains-task-list")
        elif kind in _LISTS:
            lists.append(tok)
        elif lists:
            lists.pop()


def _render_checkbox(self: RendererHTML, tokens: Sequence[Token], idx: int,
                     options: OptionsDict, env: dict[str, Any]) -> str:
    tok = tokens[idx]
    checked = " checked" if tok.meta.get("checked") else ""
    return f'<input type="checkbox" class="task-list-item-checkbox" disabled{checked}>'
