"""Inline and block rules dispatched by the character they start at: each rule is tried only where it can start.

markdown-it tries its whole inline rule chain (about twenty rules here) at every markup character
until one matches; every rule but `text` starts at fixed characters, so most calls are wasted.
Markup-dense text (`[[a]…`, `*a**…`, `$a…`) paid that twenty times per character.
`dispatch_inline()` replaces the chain by one rule that looks the character up and runs, in the
chain's order, only the rules that can start there. A rule not in `TRIGGERS` runs everywhere.
Likewise the delimiter post-processing rules run only where their delimiters can be, and
`dispatch_block()` tries block rules only on lines that begin with their characters.
"""
from __future__ import annotations

import re
from typing import Any, Callable

from markdown_it import MarkdownIt
from markdown_it.common.utils import MD_TRIM_CHARS, mdTrim
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline

from kbgen.markdown.tokens import inline_block
from kbgen.markdown.tokens import text as text_token

Rule = Callable[[StateInline, bool], bool]
BlockRule = Callable[[StateBlock, int, int, bool], bool]

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

BLOCK_TRIGGERS: dict[str, str] = {
    "kbgen_comment": "%",
    "math_block": "$",
    "fence": "`~",
    "blockquote": ">",
    "hr": "*-_",
    "list": "*-+0123456789",
    "footnote_def": "[",
    "reference": "[",
    "html_block": "<",
    "heading": "#",
}
"""Block rule name → the characters its line can start with (after indentation). `table` (decided
by the line after), `code`, `lheading`, `paragraph` and `front_matter` (which looks at the
note's first character, not the line's) can start anywhere."""

END_FREE = frozenset({"front_matter", "kbgen_comment", "fence", "blockquote", "hr", "list", "footnote_def",
                      "html_block", "heading", "table"})
"""Rules that, asked silently whether they start at a line before the last, answer the same
whatever end they are given (`table` needs the line after it: before the last, it has it, and
a blank line after it is no delimiter row)."""

RULE_NAME = "kbgen_dispatch"


def markup_pattern(md: MarkdownIt) -> re.Pattern[str] | None:
    """The characters an enabled inline rule can start at (None if one can start anywhere):
    between two of them, markdown-it's inline loop only moves text to the pending text, and
    content without any of them parses to one text token. Call it before dispatch_inline()."""
    chars = markup_chars(md)
    return None if chars is None else re.compile(f"[{re.escape(chars)}]")


def markup_chars(md: MarkdownIt) -> str | None:
    """The characters markup_pattern() looks for (None if a rule can start anywhere)."""
    names = [r.name for r in md.inline.ruler.__rules__ if r.enabled]
    if any(name != "text" and name not in TRIGGERS for name in names):
        return None
    return "".join(sorted({ch for name in names if name in TRIGGERS for ch in TRIGGERS[name]}))


def starting_at(md: MarkdownIt, ch: str) -> list[str]:
    """The enabled inline rules that can start at `ch` (call it before dispatch_inline())."""
    return [r.name for r in md.inline.ruler.__rules__
            if r.enabled and r.name != "text" and (r.name not in TRIGGERS or ch in TRIGGERS[r.name])]


def dispatch_inline(md: MarkdownIt) -> None:
    """Fold the enabled inline rules into one dispatching rule. Call it last: rules added to
    `md.inline.ruler` afterwards run after all of these.

    Where every rule has its TRIGGERS, the inline loop itself is replaced too (see _tokenizer)."""
    ruler = md.inline.ruler
    markup = markup_chars(md)
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
    if markup is not None:
        md.inline.tokenize = _tokenizer(md, dispatch, markup)  # type: ignore[method-assign]
    for rule in md.inline.ruler2.__rules__:
        if rule.name in POST_TRIGGERS:
            rule.fn = _when_any(POST_TRIGGERS[rule.name], rule.fn)
    md.inline.ruler2.__cache__ = None  # recompile the chain with the gated functions


def _tokenizer(md: MarkdownIt, dispatch: Rule, markup: str) -> Callable[[StateInline], None]:
    """markdown-it's inline loop (ParserInline.tokenize) that moves each stretch of text
    between two markup characters to the pending text at once.

    markdown-it calls the rules at every position: at a character no rule starts at, only the
    `text` rule can match, and it or the loop's fallback appends the text to `state.pending`
    up to the next character some rule starts at (one of `markup`). The loop does that itself and
    calls the dispatching rule only at markup characters. Should rules be added after
    dispatch_inline(), markdown-it's own loop runs."""
    parser = md.inline
    library_loop = type(parser).tokenize.__get__(parser)
    search = re.compile(f"[{re.escape(markup)}]").search
    starts = frozenset(markup)
    only_dispatch = [dispatch]

    def tokenize(state: StateInline) -> None:
        if parser.ruler.getRules("") != only_dispatch:
            library_loop(state)
            return
        src, end = state.src, state.posMax
        max_nesting = state.md.options["maxNesting"]
        while state.pos < end:
            pos = state.pos
            if state.level < max_nesting:
                if src[pos] not in starts:
                    found = search(src, pos, end)
                    stop = found.start() if found else end
                    state.append_pending(src[pos:stop])
                    state.pos = stop
                    continue
                if dispatch(state, False):
                    if state.pos <= pos:
                        raise RuntimeError("inline rule didn't increment state.pos")
                    if state.pos >= end:
                        break
                    continue
            state.append_pending(src[pos])
            state.pos = pos + 1
        pending = state.pending
        if pending:  # state.pushPending(), the token made directly
            state.tokens.append(text_token(state.pendingLevel, pending))
            state.pending = ""
    return tokenize


def _when_any(chars: str, fn: Callable[[StateInline], None]) -> Callable[[StateInline], None]:
    """`fn`, run only where it can pair something: the inline source contains one of `chars`
    and a rule has left delimiters (at the top level or inside a link's text)."""
    search = re.compile(f"[{re.escape(chars)}]").search

    def gated(state: StateInline) -> None:
        if search(state.src) and (state.delimiters or any(
                meta and meta.get("delimiters") for meta in state.tokens_meta)):
            fn(state)
    return gated


def dispatch_block(md: MarkdownIt) -> None:
    """Fold the enabled block rules into one dispatching rule per chain: the main one, and each
    `alt` chain a rule consults to know whether a line ends its block (`paragraph`, `list`, ...).
    Call it last, like dispatch_inline()."""
    ruler = md.block.ruler
    rules = [(r.name, r.fn, list(r.alt)) for r in ruler.__rules__ if r.enabled]
    chains = sorted({alt for _, _, alts in rules for alt in alts})
    pretests = {"hr": _hr_pretest, "reference": _label_end_pretest, "footnote_def": _label_end_pretest}
    # Within a narrower end (a quote's, a list item's), the paragraph is ours only where the
    # terminators answer the same for any end past the line they are asked about.
    narrow = all(name in END_FREE for name, _, alts in rules if "paragraph" in alts)
    rules = [(name, _setext_or_paragraph(fn, narrow) if name == "lheading" else
              pretests[name](fn) if name in pretests else fn, alts) for name, fn, alts in rules]
    main = _block_dispatcher([(n, fn) for n, fn, _ in rules])
    if any(name == "code" for name, _, _ in rules):
        # markdown-it knows indented code exists by a block rule named `code` being enabled
        # (StateBlock.is_code_block), so the dispatcher takes that rule's place.
        ruler.disable([name for name, _, _ in rules if name != "code"])
        ruler.at("code", main)
    else:
        ruler.disable([name for name, _, _ in rules])
        ruler.push(RULE_NAME, main)
    # The main dispatcher always matches (`paragraph` takes any line), so the chain
    # dispatchers after it only ever run in their own chain.
    for chain in chains:
        ruler.push(f"{RULE_NAME}_{chain}",
                   _block_dispatcher([(n, fn) for n, fn, alts in rules if chain in alts]),
                   {"alt": [chain]})


def _block_dispatcher(rules: list[tuple[str, BlockRule]]) -> BlockRule:
    """One rule trying `rules` in order, only those that can start at the line's first
    character; `code` only on lines indented as code (it fails on any other: is_code_block),
    `front_matter` only on line 0 (it fails on any other), `table` only on lines with a `|`:
    it is tried on every line that starts a block or might end one, and fails on a line
    without one (its header row), after looking at the next line."""
    def chains(first_line: bool, indented: bool, piped: bool) -> tuple[
            dict[str, tuple[BlockRule, ...]], tuple[BlockRule, ...], tuple[BlockRule, ...]]:
        kept = [(name, fn) for name, fn in rules
                if (indented or name != "code") and (first_line or name != "front_matter")
                and (piped or name != "table")]
        every = tuple(fn for _, fn in kept)
        anywhere = tuple(fn for name, fn in kept if name not in BLOCK_TRIGGERS)
        table = {ch: tuple(fn for name, fn in kept if name not in BLOCK_TRIGGERS or ch in BLOCK_TRIGGERS[name])
                 for ch in set("".join(BLOCK_TRIGGERS.values()))}
        return table, anywhere, every

    variants = [chains(first_line, indented, piped)
                for first_line in (False, True) for indented in (False, True) for piped in (False, True)]

    def dispatch(state: StateBlock, startLine: int, endLine: int, silent: bool) -> bool:
        src = state.src
        pos = state.bMarks[startLine] + state.tShift[startLine]
        piped = src.find("|", pos, state.eMarks[startLine]) >= 0
        table, anywhere, every = variants[(not startLine) * 4 + (state.sCount[startLine] - state.blkIndent >= 4) * 2
                                          + piped]
        chain = table.get(src[pos], anywhere) if pos < len(src) else every
        for rule in chain:
            if rule(state, startLine, endLine, silent):
                return True
        return False
    return dispatch


def _hr_pretest(hr: BlockRule) -> BlockRule:
    """The `hr` rule, tried only on lines with at least three of their first character: every
    list item line starts with `-` or `*`, and `hr` is tried on it up to three times."""

    def pretested(state: StateBlock, startLine: int, endLine: int, silent: bool) -> bool:
        pos = state.bMarks[startLine] + state.tShift[startLine]
        src = state.src
        if pos < len(src) and src.count(src[pos], pos, state.eMarks[startLine]) < 3:
            return False
        return hr(state, startLine, endLine, silent)
    return pretested


def _label_end_pretest(rule: BlockRule) -> BlockRule:
    """A `reference` or `footnote_def` rule, tried only where a `]:` follows the line's start
    somewhere in the note (a definition's label ends with one, on one line): every line that
    starts with `[` (`[[link]] …`, a callout's `[!note]` in a quote) tried the rule's label scan.
    The next `]:` is looked for once per stretch of the note, not once per line."""
    memo: list[Any] = ["", 0, -1]  # the source, a position, the first `]:` at or after it

    def pretested(state: StateBlock, startLine: int, endLine: int, silent: bool) -> bool:
        src = state.src
        pos = state.bMarks[startLine] + state.tShift[startLine]
        if memo[0] is not src or pos < memo[1] or 0 <= memo[2] < pos:
            memo[:] = src, pos, src.find("]:", pos)
        if memo[2] < 0:
            return False
        return rule(state, startLine, endLine, silent)
    return pretested


def _setext_or_paragraph(lheading: BlockRule, narrow: bool) -> BlockRule:
    """The `lheading` rule, and the `paragraph` rule after it when it fails, with one scan.

    Both rules walk the lines after the first until a blank line or one that a terminator
    rule claims, trying every terminator on each line; `lheading` also stops at a setext
    underline. markdown-it runs `lheading` and, when it finds none, `paragraph` over the same
    lines again: every multi-line paragraph and every list item paid the terminators twice.
    This walks once: at an underline it leaves the heading to markdown-it's rule; else it
    makes the paragraph as `paragraph` would, when that rule would walk the same lines (its
    end is the last line of the state, `lheading`'s the end it is given: in a quote or a list
    item, the block's). With `narrow` (the terminators are END_FREE) a walk that stops before
    its end, or at an end that is a blank line (a quote's), stops there with any later end, so
    the paragraph is made here too; else `paragraph` may go on past the end. It leaves the
    parent type as the two rules leave it (`lheading` does not restore it when it fails)."""

    def rule(state: StateBlock, startLine: int, endLine: int, silent: bool) -> bool:
        if state.is_code_block(startLine):
            return False  # as `lheading` does; `paragraph` runs next
        src, bMarks, tShift, eMarks, sCount = state.src, state.bMarks, state.tShift, state.eMarks, state.sCount
        indent = state.blkIndent
        terminators = state.md.block.ruler.getRules("paragraph")
        state.parentType = "paragraph"  # the terminators are asked as from a paragraph
        line = startLine + 1
        while line < endLine and bMarks[line] + tShift[line] < eMarks[line]:
            count = sCount[line]
            if count - indent > 3:  # a lazy continuation line, whatever it holds
                line += 1
                continue
            if count >= indent:
                pos, end = bMarks[line] + tShift[line], eMarks[line]
                marker = src[pos]
                if marker == "-" or marker == "=":
                    pos = state.skipSpaces(state.skipCharsStr(pos, marker))
                    if pos >= end:  # an underline
                        return lheading(state, startLine, endLine, silent)
            if count < 0:
                line += 1
                continue
            for terminate in terminators:
                if terminate(state, line, endLine, True):
                    break
            else:
                line += 1
                continue
            break
        if endLine != state.lineMax and not (narrow and endLine < state.lineMax and (
                line < endLine or bMarks[line] + tShift[line] >= eMarks[line])):
            return False  # `paragraph` walks to another end, perhaps further: let it
        state.line = line
        if line == startLine + 1:  # what getLines() and mdTrim() leave of one line, directly
            content = src[bMarks[startLine] + tShift[startLine]:eMarks[startLine]].strip(MD_TRIM_CHARS)
        else:
            content = mdTrim(state.getLines(startLine, line, indent, False))
        # what three state.push() calls leave, tokens made directly
        state.tokens += inline_block("paragraph_open", "paragraph_close", "p", "", state.level,
                                     [startLine, line], content)
        return True
    return rule
