"""The core rules of block containers (task boxes, callout titles, block ids) make the tokens, HTML and diagnostics they made.

Each rule is compared with the rule as it was before it walked only the tokens it needs (kept
here), on thousands of random notes built from the lines that exercise them.
"""
from __future__ import annotations

import random
import re
from typing import Any

import pytest
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from kbgen.markdown import blockids, callouts, make_parser, tasks
from kbgen.markdown.collect import ENV_KEY, Collector, collector

# -- the rules as they were -------------------------------------------------------------------

_TASK = re.compile(r"\[([^\n])\](?:[ \t]+\n?|\n|$)")
_BOX = re.compile(r"\[[^\n]\]")
_LISTS = ("bullet_list_open", "ordered_list_open")


def old_task_rule(state: StateCore) -> None:
    if _BOX.search(state.src) is None:
        return
    tokens = state.tokens
    lists: list[Token] = []
    for i, tok in enumerate(tokens):
        if tok.type in _LISTS:
            lists.append(tok)
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            if lists:
                lists.pop()
        elif (tok.type == "list_item_open" and i + 2 < len(tokens)
                and tokens[i + 1].type == "paragraph_open" and tokens[i + 2].type == "inline"):
            inline = tokens[i + 2]
            m = _TASK.match(inline.content)
            if m is None:
                continue
            status = m.group(1)
            checked = status != " "
            inline.content = inline.content[m.end():]
            box = Token("task_checkbox", "input", 0, meta={"task": status, "checked": checked})
            inline.children = [box]
            tok.attrJoin("class", "task-list-item" + (" is-checked" if checked else ""))
            tok.attrSet("data-task", "" if status == " " else status)
            tok.meta["task"] = status
            if lists and "contains-task-list" not in str(lists[-1].attrGet("class") or ""):
                lists[-1].attrJoin("class", "contains-task-list")


def old_callout_rule(state: StateCore) -> None:
    if "[!" not in state.src:
        return
    tokens = state.tokens
    out: list[Token] = []
    stack: list[Token] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "blockquote_close":
            opener = stack.pop() if stack else None
            if opener is not None and "callout" in opener.meta:
                tok.meta["callout"] = opener.meta["callout"]
                tok.meta["callout_info"] = opener.meta["callout_info"]
            out.append(tok)
            i += 1
            continue
        out.append(tok)
        i += 1
        if tok.type != "blockquote_open":
            continue
        stack.append(tok)
        if (i + 2 < len(tokens) and tokens[i].type == "paragraph_open"
                and tokens[i + 1].type == "inline" and tokens[i + 2].type == "paragraph_close"):
            made = old_make_callout(tok, tokens[i], tokens[i + 1], tokens[i + 2])
            if made is not None:
                out.extend(made)
                i += 3
    tokens[:] = out
    for j, tok in enumerate(tokens):
        if tok.type == "callout_title_close":
            tok.meta["callout_info"]["has_content"] = tokens[j + 1].type != "blockquote_close"


def old_make_callout(quote: Token, p_open: Token, inline: Token, p_close: Token) -> list[Token] | None:
    first, nl, rest = inline.content.partition("\n")
    m = callouts._MARKER.match(first.strip())
    if m is None:
        return None
    written, metadata, fold, title = m.group(1), m.group(2), m.group(3), (m.group(4) or "").strip()
    kind = written.lower()
    info: dict[str, Any] = {
        "type": kind, "fold": fold, "metadata": metadata.strip() if metadata is not None else None,
        "has_content": True,
    }
    quote.meta["callout"] = kind
    quote.meta["callout_info"] = info
    line = inline.map[0] if inline.map else 0
    t_open = Token("callout_title_open", "div", 1, map=[line, line + 1], level=p_open.level,
                   block=True, meta={"callout_info": info})
    t_inline = Token("inline", "", 0, map=[line, line + 1], level=inline.level, block=True,
                     content=title, children=[])
    if not title:
        t_inline.children = [Token("text", "", 0, content=written[:1].upper() + written[1:].lower())]
    t_close = Token("callout_title_close", "div", -1, level=p_close.level, block=True,
                    meta={"callout_info": info})
    made = [t_open, t_inline, t_close]
    if nl and rest.strip():
        if p_open.map:
            p_open.map = [p_open.map[0] + 1, p_open.map[1]]
        inline.map = p_open.map
        inline.content = rest
        made += [p_open, inline, p_close]
    return made


def old_blockid_rule(state: StateCore) -> None:
    """blockids._blockid_rule as it was (its helpers are the module's)."""
    if "^" not in state.src:
        return
    tokens = state.tokens
    drop: set[int] = set()
    stack: list[int] = []
    opener_of: dict[int, int] = {}
    seen: dict[str, int] = {}
    lines: list[str] | None = None
    col = collector(state.env)
    for i, tok in enumerate(tokens):
        if tok.nesting == 1:
            stack.append(i)
            continue
        if tok.nesting == -1:
            if stack:
                opener_of[i] = stack.pop()
            if tok.type == "table_close":
                blockids._table_row(state, tokens, i, opener_of, drop, seen)
            continue
        if tok.type != "inline" or not tok.children or i == 0:
            continue
        parent = tokens[i - 1]
        if parent.type == "callout_title_open":
            blockids._callout_title(state, tokens, i, stack, seen)
            continue
        if parent.type != "paragraph_open":
            continue
        line0 = parent.map[0] if parent.map else 0
        alone = blockids._ALONE.fullmatch(tok.content)
        if alone is not None:
            target = blockids._before(tokens, i - 1, stack, opener_of)
            if target is not None:
                blockids._name(col, tokens[target], alone.group(1), seen, line0)
                drop.update((i - 1, i, i + 1))
            else:
                tok.children, tok.content = [], ""
                blockids._name(col, parent, alone.group(1), seen, line0)
            continue
        m = blockids._trailing(tok.content)
        if m is None or not blockids._strip_marker(tok, m.group(1)):
            continue
        own_line = m.start() > 0 and tok.content[m.start() - 1] == "\n"
        line0 += tok.content.count("\n", 0, m.start())
        tok.content = tok.content[:m.start()].rstrip()
        target = i - 1
        quotes = [j for j in stack if tokens[j].type == "blockquote_open"]
        if own_line and quotes:
            if lines is None:
                lines = state.src.split("\n")
            last = (parent.map[1] - 1) if parent.map else -1
            if 0 <= last < len(lines) and not lines[last].lstrip().startswith(">"):
                target = quotes[0]
        container = stack[-2] if target == i - 1 and len(stack) >= 2 else -1
        if container == i - 2 and tokens[container].type == "list_item_open":
            target = container
        elif container >= 0 and tokens[container].type == "blockquote_open" \
                and i + 2 < len(tokens) and tokens[i + 2].type == "blockquote_close":
            target = container
        blockids._name(col, tokens[target], m.group(1), seen, line0)
    if drop:
        tokens[:] = [t for j, t in enumerate(tokens) if j not in drop]


# -- random notes -----------------------------------------------------------------------------

LINES = [
    "", "", "text", "a ^b1", "^b2", "- item", "- [ ] task", "- [x] done", "- [/]", "- [[a]] link",
    "1. [?] ordered", "2) [ ]\ttab", "  - [ ] nested", "    - [-] deeper", "* [x]no space",
    "> quote", "> [!note] Title", "> [!faq]- Folded *x*", "> [!tip|meta]+", "> [!bug]", ">",
    "> > [!info] inner", "> - [ ] quoted task", "> body ^q1", "[!note] not a quote", "> [!x",
    "| a | b |", "|---|---|", "| ^t1 | |", "```", "# heading ^h", "- a ^li", "  > [!warning] in list",
    "lazy", "> text\n^after", "- [ ] a\n\n- [x] b", "two\nlines ^b3", "> [!note] T ^c1", "x^b1", "a ^b-1_x",
    "^b1", "a ^", "a^[n] ^f", "`^code`", "| x |\n|---|\n| y |\n| ^t2 |", "> a\n> ^b1", "- a\n  ^b4",
]


def note(rng: random.Random) -> str:
    return "\n".join(rng.choice(LINES) for _ in range(rng.randint(1, 14)))


def parser(**rules: Any) -> MarkdownIt:
    md = make_parser()
    for name, fn in rules.items():
        md.core.ruler.at(name, fn)
    return md


def dump(tokens: list[Token]) -> list[dict[str, Any]]:
    return [t.as_dict() for t in tokens]


@pytest.mark.parametrize("seed", range(4))
def test_rules_match_the_old_ones(seed: int) -> None:
    new = make_parser()
    old = parser(kbgen_tasks=old_task_rule, kbgen_callouts=old_callout_rule, kbgen_blockids=old_blockid_rule)
    rng = random.Random(seed)
    for _ in range(800):
        text = note(rng)
        env_new: dict[str, Any] = {ENV_KEY: Collector("n.md")}
        env_old: dict[str, Any] = {ENV_KEY: Collector("n.md")}
        tokens_new, tokens_old = new.parse(text, env_new), old.parse(text, env_old)
        assert dump(tokens_new) == dump(tokens_old), text
        assert new.renderer.render(tokens_new, new.options, env_new) == \
            old.renderer.render(tokens_old, old.options, env_old), text
        assert env_new[ENV_KEY] == env_old[ENV_KEY], text


def test_the_notes_hold_what_the_rules_take() -> None:
    """The random notes hold tasks, callouts with a body and without, block ids and their
    duplicates."""
    md, rng = make_parser(), random.Random(0)
    html = "".join(md.render(note(rng)) for _ in range(300))
    for made in ('class="task-list-item', 'class="contains-task-list"', 'class="callout"',
                 'class="callout-content"', '</div></div>\n</div>', 'id="^'):
        assert made in html
    col = Collector("n.md")
    for _ in range(50):
        md.parse(note(rng), {ENV_KEY: col})
    assert any(d.code == "duplicate-block" for d in col.diagnostics)


def test_rules_are_the_modules() -> None:
    names = {r.name: r.fn for r in make_parser().core.ruler.__rules__}
    assert names["kbgen_tasks"] is tasks._task_rule and names["kbgen_callouts"] is callouts._callout_rule
    assert names["kbgen_blockids"] is blockids._blockid_rule
