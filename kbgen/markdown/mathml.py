"""`$inline$` and `$$display$$` math, converted from TeX to MathML at parse time (no JavaScript).

Syntax (Obsidian, see research/ofm-spec.md §1.13)::

    Euler: $e^{2i\\pi} = 1$, but $5 and $10 stay text.

    $$
    \\begin{align} a &= b \\tag{1} \\end{align}
    $$

Parsing is mdit-py-plugins' dollarmath with `allow_space=False, allow_digits=False` (a `$` next to
a space or digit does not open or close math, so prices stay text) and `double_inline=True`
(`$$…$$` inside a paragraph is display math, rendered in a `<span>`). A core rule converts each
formula with latex2mathml into `token.meta["mathml"]` and sets the note's `math` flag. A formula
that latex2mathml rejects, or that uses a command it does not know, keeps its TeX source visible
(`class="math math-error"`, the reason in `title`) and is reported as a `math` diagnostic.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Callable, Pattern, Sequence

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml, isWhiteSpace
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import OptionsDict
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.dollarmath.index import is_escaped

from kbgen.markdown.collect import collector
from kbgen.markdown.pairs import run_finder
from kbgen.markdown.tokens import text as text_token
from kbgen.markdown.tokens import token as new_token

_BLOCKS = ("math_block", "math_block_label")
_INLINES = ("math_inline", "math_inline_double")
# latex2mathml writes a command it does not know as an identifier, backslash and all.
_UNKNOWN = re.compile(r"<m[io][^>]*>(\\[A-Za-z]+)<")


def mathml_plugin(md: MarkdownIt) -> None:
    """Register dollarmath, the `kbgen_mathml` core rule and MathML render rules."""
    # double_inline: `$$…$$` inside a paragraph (e.g. right under a callout's title) is display
    # math too, as in Obsidian, where `$$` need not start a block.
    md.use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True)
    md.inline.ruler.at("math_inline", inline_math)
    md.core.ruler.push("kbgen_mathml", _convert_rule)
    md.add_render_rule("math_inline", _render_inline)
    md.add_render_rule("math_inline_double", _render_inline)
    md.add_render_rule("math_block", _render_block)
    md.add_render_rule("math_block_label", _render_block)


def inline_math(state: StateInline, silent: bool) -> bool:
    """dollarmath's inline rule with our options (no space inside the dollars, no digit
    outside them, `$$…$$` too), with less Python per formula: the token is appended directly."""
    pos = state.pos
    end = _formula_end(state, pos)
    if end < 0:
        return False
    if not silent:
        tokens = state.tokens
        pending = state.pending
        if pending:  # state.push(): the pending text first
            tokens.append(text_token(state.pendingLevel, pending))
            state.pending = ""
        level = state.pendingLevel = state.level
        tokens.append(_math_token(state.src, pos, end, level))
        state.tokens_meta.append(None)
    state.pos = end + 1
    return True


def chained_inline_math(markup: Pattern[str], known: frozenset[str]) -> Callable[[StateInline, bool], bool]:
    """inline_math(), going on from formula to formula while the next character an inline rule
    starts at (`markup`) is a `$`, which only this rule starts at: markdown-it's loop would
    move the text between to the pending text; it becomes the text token that would make.
    `known`: the enabled inline rules `markup` was made for; should another be enabled later,
    one formula is tokenized per call."""
    checked: list[object] = [None, False]  # the rule chain last seen, and whether it is known
    next_dollar = run_finder(markup, "$")  # (the next markup character, if it is a `$`)

    def rule(state: StateInline, silent: bool) -> bool:
        pos = state.pos
        end = _formula_end(state, pos)
        if end < 0:
            return False
        if silent:
            state.pos = end + 1
            return True
        ruler = state.md.inline.ruler
        rules = ruler.getRules("")
        if rules is not checked[0]:
            checked[:] = [rules, {r.name for r in ruler.__rules__ if r.enabled} <= known]
        src, stop = state.src, state.posMax
        tokens, metas = state.tokens, state.tokens_meta
        pending = state.pending
        if pending:
            tokens.append(text_token(state.pendingLevel, pending))
            state.pending = ""
        level = state.level
        text_from = pos  # where text not yet in a token starts
        while True:
            if end >= 0:
                if pos > text_from:
                    tokens.append(text_token(level, src[text_from:pos]))
                tokens.append(_math_token(src, pos, end, level))
                metas.append(None)
                text_from = after = end + 1
            else:
                after = pos + 1  # a `$` that starts no formula stays text
            if not checked[1]:
                break
            found = next_dollar.match(src, after, stop)
            if found is None:
                break
            pos = found.start(1)
            end = _formula_end(state, pos)
        if after > text_from:
            state.append_pending(src[text_from:after])
        state.pendingLevel = level
        state.pos = after
        return True
    return rule


def _formula_end(state: StateInline, pos: int) -> int:
    """Where the formula starting at `pos` ends (its last `$`), or -1, as dollarmath decides.

    As dollarmath does, it looks at `src[pos - 1]` and counts backslashes with is_escaped(),
    both of which wrap around to the end of the text at position 0, and it looks for the
    closing `$` to the end of the text (past posMax)."""
    src = state.src
    if src[pos] != "$" or pos + 1 >= len(src):
        return -1
    after = src[pos + 1]
    before = src[pos - 1]
    if after in _SPACES or before.isdigit():
        return -1
    if (before == "\\" or pos == 0) and is_escaped(state, pos):
        return -1
    if after == "$":  # double
        start = pos + 2
        while True:
            end = src.find("$", start)
            if end < 0:
                return -1
            if src[end - 1] == "\\" and is_escaped(state, end):
                start = end + 1
                continue
            if end + 1 >= len(src):
                return -1
            if src[end + 1] == "$":
                break
            start = end + 1
        end += 1
        if end - pos < 4:  # empty
            return -1
    else:
        end = src.find("$", pos + 1)
        while end >= 0 and src[end - 1] == "\\" and is_escaped(state, end):
            end = src.find("$", end + 1)
        if end < 0 or end - pos < 2:  # unclosed or empty
            return -1
    if src[end - 1] in _SPACES or (end + 1 < len(src) and src[end + 1].isdigit()):
        return -1
    return end


_SPACES = frozenset(chr(code) for code in range(0x3001) if isWhiteSpace(code))
"""The characters isWhiteSpace() takes (none above U+3000)."""


def _math_token(src: str, pos: int, end: int, level: int) -> Token:
    """The token dollarmath pushes for the formula from `pos` to `end`."""
    if src[pos + 1] == "$":
        return new_token("math_inline_double", "math", 0, level, src[pos + 2:end - 1], "$$")
    return new_token("math_inline", "math", 0, level, src[pos + 1:end], "$")


@lru_cache(maxsize=4096)
def to_mathml(tex: str, display: bool) -> tuple[str | None, str]:
    """(MathML, "") for a formula latex2mathml handles, else (None, the reason).

    Cached: notes repeat formulas (`$x$`, `$n$`), and each conversion costs about 50 µs."""
    # imported at the first formula: a build without math does not pay its ~27 ms import
    from latex2mathml.converter import convert

    try:
        out = convert(tex.strip(), display="block" if display else "inline")
    except Exception as exc:  # latex2mathml raises many kinds; a bad formula must not stop a build
        return None, _reason(exc)
    unknown = _UNKNOWN.search(out)
    if unknown is not None:
        return None, f"unknown command {unknown.group(1)}"
    return out, ""


def _reason(exc: Exception) -> str:
    """`NoAvailableTokensError('')` → "no available tokens"; the message, if any, follows."""
    name = re.sub(r"Error$", "", type(exc).__name__)
    words = re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower()
    detail = str(exc).strip()
    return f"{words}: {detail}" if detail else words


def _convert_rule(state: StateCore) -> None:
    if "$" not in state.src:
        return  # no formula anywhere in the note
    col = collector(state.env)
    found = False
    for tok in state.tokens:
        if tok.type in _BLOCKS:
            found = True
            _convert(tok, True, tok.map[0] if tok.map else 0, state)
        elif tok.type == "inline" and tok.children:
            failed = False
            for child in tok.children:
                if child.type in _INLINES:
                    found = True
                    mathml, _ = to_mathml(child.content, child.type == "math_inline_double")
                    if mathml is None:
                        failed = True
                    else:
                        child.meta["mathml"] = mathml
            if failed:  # (the line of a formula is needed only to report it)
                _report_inline(tok, state)
    if found and col is not None:
        col.flags.add("math")


def _report_inline(tok: Token, state: StateCore) -> None:
    """_convert() each formula of an inline block that latex2mathml rejects, with its line."""
    line0 = tok.map[0] if tok.map else 0
    at = 0  # where the previous formula ended
    counted = 0  # newlines before `at`
    for child in tok.children or ():
        if child.type in _INLINES:
            # The line of the formula inside its paragraph, searching on from the last
            # and counting newlines only in between (linear in the paragraph's length).
            pos = tok.content.find(child.content, at)
            line = 0
            if pos >= 0:
                line = counted
                line += tok.content.count("\n", at, pos)
                counted = line + child.content.count("\n")
                at = pos + len(child.content)
            if "mathml" not in child.meta:
                _convert(child, child.type == "math_inline_double", line0 + line, state)


def _convert(tok: Token, display: bool, line0: int, state: StateCore) -> None:
    mathml, error = to_mathml(tok.content, display)
    if mathml is not None:
        tok.meta["mathml"] = mathml
        return
    tok.meta["math_error"] = error
    col = collector(state.env)
    if col is not None:
        col.report(line0, "math", f"cannot convert ${tok.content.strip()}$ to MathML ({error})")


def _render_inline(self: RendererHTML, tokens: Sequence[Token], idx: int,
                   options: OptionsDict, env: dict[str, Any]) -> str:
    tok = tokens[idx]
    mathml = tok.meta.get("mathml") if tok.meta else None
    if mathml is None:
        title = escapeHtml(tok.meta.get("math_error", "") if tok.meta else "")
        return (f'<span class="math math-error" title="{title}">'
                f'{tok.markup}{escapeHtml(tok.content)}{tok.markup}</span>')
    # `$$…$$` inside a paragraph: display math, in a span because it sits inside a <p>.
    kind = "math-block" if tok.type == "math_inline_double" else "math-inline"
    return f'<span class="math {kind}">{mathml}</span>'


def _render_block(self: RendererHTML, tokens: Sequence[Token], idx: int,
                  options: OptionsDict, env: dict[str, Any]) -> str:
    tok = tokens[idx]
    anchor = tok.attrGet("id") or (tok.info if tok.type == "math_block_label" else None)
    ident = f' id="{escapeHtml(str(anchor))}"' if anchor else ""
    mathml = tok.meta.get("mathml") if tok.meta else None
    if mathml is None:
        title = escapeHtml(tok.meta.get("math_error", "") if tok.meta else "")
        return (f'<div class="math math-block math-error"{ident} title="{title}">'
                f'$${escapeHtml(tok.content)}$$</div>\n')
    return f'<div class="math math-block"{ident}>{mathml}</div>\n'
