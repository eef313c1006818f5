"""Delimiter runs (`*`, `_`, `~~`, `==`) kept whole until paired: one token per run, not one per marker.

markdown-it pushes a text token and a Delimiter per marker (per `~~` or `==`), pairs them one
marker at a time (`balance_pairs`), turns the pairs into tags (`emphasis`, `strikethrough`,
`kbgen_mark`) and leaves the rest as text tokens that `fragments_join` merges again. Here each
run is one token (its source text) and one `Run` tuple; `balance_runs()` pairs runs by
CommonMark's "process emphasis" algorithm, counting how many markers of each run are used as
closers (from its front) and as openers (from its back), and makes tokens only for the runs
that got tags. The tokens are markdown-it's, as `fragments_join` would leave them. Where a
run's position could make markdown-it's result depend on its one-token-per-marker form (two
runs of one marker with no token between, a single `=`/`~` text token right before a run),
the runs are unfolded into that form and markdown-it's own rules run (unfold.py). Content whose
only markup is runs is made final in one pass by onepass.py, with match_runs()' pairing.
"""
from __future__ import annotations

import re
from itertools import accumulate
from typing import Callable, Pattern, Sequence

from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline.balance_pairs import link_pairs
from markdown_it.token import Token

from kbgen.markdown.delims import CHAR_KINDS, CHAR_KINDS_MAX, RUN_PATTERNS, char_kind, fragments_join
from kbgen.markdown.tokens import add_tokens
from kbgen.markdown.tokens import text as text_token
from kbgen.markdown.tokens import token as new_token
from kbgen.markdown.unfold import foldable, unfold

Run = tuple[int, int, int, int, int, bool, bool]
"""A run as a delimiter-list entry: (marker code, length for the rule of 3 (the run's length
for `*`/`_`, 0 for `~~`/`==`), token index, markers (`*`, `_`) or marker pairs (`~~`, `==`),
1 if an odd `~`/`=` run starts with a single marker (text) else 0, can open, can close)."""

Tags = tuple[int, ...]
Matched = tuple[list[int], list[Tags], list[Tags]]
"""match_runs(): per run, the markers left unused, the tags of its front (closing) markers and
of its back (opening) markers."""

_EMPHASIS = {0x2A: ("*", "**"), 0x5F: ("_", "__")}
_PAIR_TAGS = {0x7E: ("s", "~~"), 0x3D: ("mark", "==")}
_TAGS: dict[int, dict[int, tuple[str, str, int, str]]] = {
    marker: {-2: ("strong_close", "strong", -1, two), -1: ("em_close", "em", -1, one),
             1: ("em_open", "em", 1, one), 2: ("strong_open", "strong", 1, two)}
    for marker, (one, two) in _EMPHASIS.items()}
_TAGS.update({marker: {-1: (tag + "_close", tag, -1, markup), 1: (tag + "_open", tag, 1, markup)}
              for marker, (tag, markup) in _PAIR_TAGS.items()})
"""Marker → tag kind (-1/-2 close <em>/<strong> or <s>/<mark>, 1/2 open them) → (type, tag,
nesting, markup)."""


_SHORT = 16
_TEXTS = {ch: [ch * n for n in range(_SHORT)] for ch in "*_~="}
"""The text of each short run, made once (a string per run spread the tokens in memory)."""


def push_runs(state: StateInline, start: int, next_run: Pattern[str] | None = None) -> int:
    """Tokenize the run at `start` (markdown-it's `emphasis`, `strikethrough` or `kbgen_mark`
    rule, as one token and one Run): the end of the run, or -1 for a single `~` or `=`.

    With `next_run` (run_finder()), go on while the next character any inline rule starts at
    is one that only these rules start at. markdown-it's loop would try its rules at each run
    and the `text` rule at each word between: the words become the text token that rule and
    the pending text would make, and the next run is tokenized here."""
    src, stop = state.src, state.posMax
    ch = src[start]
    end = RUN_PATTERNS[ch].match(src, start, stop).end()  # type: ignore[union-attr]
    if end - start < 2 and (ch == "~" or ch == "="):
        return -1
    tokens, delimiters, metas = state.tokens, state.delimiters, state.tokens_meta
    pending = state.pending
    if pending:  # state.pushPending()
        tokens.append(text_token(state.pendingLevel, pending))
        state.pending = ""
    level = state.level
    text_from = start  # where text not yet in a token starts
    while True:
        length = end - start
        if length < 2 and (ch == "~" or ch == "="):
            pass  # a single `~` or `=` stays text
        else:
            if start > text_from:
                tokens.append(text_token(level, src[text_from:start]))
            # state.scanDelims(start, ch is not "_"): can the run open, can it close?
            around = (src[start - 1] if start else " ") + (src[end] if end < stop else " ")
            flanks = _FLANKS.get(around) or _flanks(around)
            tokens.append(text_token(level, _TEXTS[ch][length] if length < _SHORT else src[start:end]))
            metas.append(None)
            if ch == "*":
                delimiters.append((42, length, len(tokens) - 1, length, 0, flanks[0], flanks[1]))
            elif ch == "_":
                delimiters.append((95, length, len(tokens) - 1, length, 0, flanks[2], flanks[3]))
            else:
                delimiters.append((ord(ch), 0, len(tokens) - 1, length // 2, length % 2, flanks[0], flanks[1]))
            text_from = end
        if next_run is None:
            break
        found = next_run.match(src, end, stop)
        if found is None:
            break
        start, end = found.span(1)
        ch = src[start]
    if end > text_from:  # single markers after the last run: pending text, as markdown-it has it
        state.append_pending(src[text_from:end])
    state.pendingLevel = level
    return end


_FLANKS: dict[str, tuple[bool, bool, bool, bool]] = {}
"""The characters before and after a run → whether it can open and close: a `*`, `~` or `=`
run (both flanking tests of scanDelims), and a `_` run (which must not split a word)."""


def _flanks(around: str) -> tuple[bool, bool, bool, bool]:
    last_punct, last_space = CHAR_KINDS.get(around[0]) or char_kind(around[0])
    next_punct, next_space = CHAR_KINDS.get(around[1]) or char_kind(around[1])
    left = not (next_space or (next_punct and not (last_space or last_punct)))
    right = not (last_space or (last_punct and not (next_space or next_punct)))
    flanks = (left, right, left and (not right or last_punct), right and (not left or next_punct))
    if len(_FLANKS) < CHAR_KINDS_MAX:
        _FLANKS[around] = flanks
    return flanks


def whole_run_rule(state: StateInline, silent: bool) -> bool:
    """The inline rule for `*`, `_`, `~` and `=` runs, one run at a time."""
    if silent or state.src[state.pos] not in RUN_PATTERNS:
        return False
    end = push_runs(state, state.pos)
    if end < 0:
        return False
    state.pos = end
    return True


def run_finder(markup: Pattern[str], chain: str) -> Pattern[str]:
    """A pattern that matches, from where it is tried, text without any character of `markup`
    (the characters an inline rule starts at) and then a run of one of `chain` (run characters
    no other rule starts at), the run its group 1: no match where the next markup character
    is another one or where there is none."""
    plain = markup.pattern
    if plain.startswith("[") and not plain.startswith("[^") and plain.endswith("]"):
        plain = "[^" + plain[1:] + "*+"  # dispatch.markup_pattern's form: a character class
    else:
        plain = f"(?:(?!{plain})[\\s\\S])*+"
    return re.compile(plain + "(" + "|".join(re.escape(ch) + "+" for ch in chain) + ")")


def chained_rule(markup: Pattern[str], chain: str, known: frozenset[str],
                 breaks: bool = False) -> Callable[[StateInline, bool], bool]:
    """whole_run_rule(), going on from run to run (push_runs with run_finder(markup, chain)),
    and where nothing is tokenized yet and no other markup follows, the whole rest of the
    content at once (onepass.push_content; with `breaks`, markdown-it's `newline` rule being
    the only one at a newline, content with line breaks too).

    `known`: the enabled inline rules `markup` was made for; should another be enabled later
    (it may start anywhere), one run is tokenized per call."""
    from kbgen.markdown import onepass  # (it uses this module's pairing)

    checked: list[object] = [None, False, None, False]
    """The rule chain last seen and whether it is known; the post-processing chain last seen
    and whether it is balance_pairs and our fragments_join only (for onepass.push_content)."""
    next_run = run_finder(markup, chain)
    other = onepass.other_markup(markup, chain + "\n" if breaks else chain)
    runs = onepass.run_pattern(chain)

    def rule(state: StateInline, silent: bool) -> bool:
        if silent or state.src[state.pos] not in RUN_PATTERNS:
            return False
        md = state.md
        rules = md.inline.ruler.getRules("")
        if rules is not checked[0]:
            checked[:2] = [rules, {r.name for r in md.inline.ruler.__rules__ if r.enabled} <= known]
        if not state.tokens and checked[1] and other is not None and not state.delimiters \
                and not state.level and other.search(state.src, state.pos, state.posMax) is None:
            post = md.inline.ruler2.getRules("")
            if post is not checked[2]:
                names = [r.name for r in md.inline.ruler2.__rules__ if r.enabled]
                checked[2:] = [post, names == ["balance_pairs", "fragments_join"] and post[-1] is fragments_join]
            if checked[3] and onepass.push_content(state, state.pos, runs):
                return True
        end = push_runs(state, state.pos, next_run if checked[1] else None)
        if end < 0:
            return False
        state.pos = end
        return True
    return rule


def balance_runs(state: StateInline) -> bool:
    """`balance_pairs` and the `emphasis`, `strikethrough` and `kbgen_mark` post-processing
    over runs: True, or False when the runs were unfolded and paired by markdown-it's
    `balance_pairs` (its post-processing rules are then to run)."""
    tokens = state.tokens
    lists = [state.delimiters]
    lists += [meta["delimiters"] for meta in state.tokens_meta if meta and "delimiters" in meta]
    if not all(foldable(tokens, runs) for runs in lists):
        unfold(state, lists)
        link_pairs(state)
        return False
    expanded: list[tuple[int, list[Token]]] = []
    in_order = len(lists) == 1  # (the runs inside links come after the others)
    for runs in lists:
        if not runs:
            continue
        if len(runs) > _NESTED_MAX or not _pair_nested(runs, tokens, expanded):
            _pair(runs, tokens, expanded, merge=len(lists) == 1)
        else:
            in_order = False  # an outer pair's tokens come after its inner pairs'
    if expanded:
        if not in_order:
            expanded.sort(key=_first)
        out: list[Token] = []
        at = 0
        for index, made in expanded:  # up to a run's token, then the tokens made after it
            out += tokens[at:index + 1]
            out += made
            at = index + 1
        out += tokens[at:]
        tokens[:] = out
    return True


def _first(item: tuple[int, list[Token]]) -> int:
    return item[0]


_NESTED_MAX = 64
"""Delimiter lists longer than this go to _pair() at once (long ones are rarely all nested pairs)."""


def _pair_nested(runs: list[Run], tokens: list[Token], expanded: list[tuple[int, list[Token]]]) -> bool:
    """The common case of a note's emphasis (`*a*`, `**b**`, `==c==`, `**d *e***` ...), without
    _pair()'s set-up: where every run only opens or only closes, and each closer has as many
    markers as the last opener not yet closed and the same marker (or no opener is left, and it
    stays text), process-emphasis pairs exactly these: a closer's search meets its opener
    first, the runs between being used up or unable to open, and no rule of 3 applies (it
    needs a run that can do both). Then the tags are made as _pair() makes them and True is
    returned; else nothing is changed and False is returned."""
    open_runs: list[Run] = []
    matched: list[tuple[Run, Run]] = []
    for run in runs:
        marker, length, _, units, lone, can_open, can_close = run
        if lone or units > (2 if length else 1):
            return False  # runs that leave text or make more than one tag: left to _pair()
        if can_open:
            if can_close:
                return False
            open_runs.append(run)
        elif can_close and open_runs:
            opener = open_runs.pop()
            if opener[0] != marker or opener[3] != units:
                return False
            matched.append((opener, run))
    for opener, closer in matched:
        closed, opened = _KINDS.get((opener[0], opener[3])) or _kinds(opener[0], opener[3])
        _retag(tokens, opener, (), opened, expanded)
        _retag(tokens, closer, closed, (), expanded)
    return True


def _retag(tokens: list[Token], run: Run, closed: tuple[int, ...], opened: tuple[int, ...],
           expanded: list[tuple[int, list[Token]]]) -> None:
    """Make a run all of whose markers got tags (`closed` from its front, `opened` from its
    back, no marker left) its tokens, as _pair() does."""
    marker, length, index, _, _, _, _ = run
    token = tokens[index]
    if len(closed) + len(opened) == 1:
        token.type, token.tag, token.nesting, token.markup = _TAGS[marker][(closed or opened)[0]]
        token.content = ""
        return
    key = (marker, closed, length > 0, 0, 0, opened)
    spec = _SPECS.get(key)
    if spec is None:
        spec = _SPECS[key] = _spec(*key)  # (few shapes: two markers at most)
    first, more = spec
    token.type, token.tag, token.nesting, token.content, token.markup = first
    level = token.level
    expanded.append((index, [new_token(type_, tag, nesting, level, content, markup)
                             for type_, tag, nesting, content, markup in more]))


def balance_rule(post_processing: list[Callable[[StateInline], None]]) -> Callable[[StateInline], None]:
    """The `balance_pairs` rule: balance_runs(), and where it unfolded the runs, the per-marker
    post-processing rules it replaces (`post_processing`, in their order)."""
    def rule(state: StateInline) -> None:
        if not balance_runs(state):
            for fn in post_processing:
                fn(state)
    return rule


def _pair(runs: list[Run], tokens: list[Token], expanded: list[tuple[int, list[Token]]],
          merge: bool = False) -> None:
    """CommonMark's "process emphasis" over one delimiter list (match_runs()); the runs whose
    markers all became one tag become that tag, and (the index of its token, the tokens that go
    after it) of every other run with a tag goes to `expanded`, in order; with `merge` (the
    note's only delimiter list), those tokens go into `tokens` after it at once."""
    markers, lengths, token_at, units, lones, opens, closes = zip(*runs)
    left, closing, opening = match_runs(markers, lengths, units, opens, closes)
    specs = _SPECS
    out: list[Token] | None = [] if merge else None
    at = 0  # with `merge`: the tokens before this index are in `out`
    for i in range(len(runs)):
        middle = left[i]
        if middle == units[i]:
            continue
        index = token_at[i]
        token = tokens[index]
        closed, opened = closing[i], opening[i]
        if not middle and not lones[i] and len(closed) + len(opened) == 1:
            # The whole run is one tag (`*a*`, `==a==`): its token becomes that tag.
            token.type, token.tag, token.nesting, token.markup = _TAGS[markers[i]][(closed or opened)[0]]
            token.content = ""
            continue
        key = (markers[i], closed, lengths[i] > 0, lones[i], middle, opened)
        spec = specs.get(key)
        if spec is None:
            spec = _spec(*key)
            if len(specs) < 4096:
                specs[key] = spec
        first, more = spec
        token.type, token.tag, token.nesting, token.content, token.markup = first
        if more:
            if out is None:
                made: list[Token] = []
                expanded.append((index, made))
                add_tokens(made, more, token.level)
            else:
                out += tokens[at:index + 1]
                add_tokens(out, more, token.level)
                at = index + 1
    if out is not None and at:
        out += tokens[at:]
        tokens[:] = out


def match_nested(markers: Sequence[int], lengths: Sequence[int], units: Sequence[int],
                 lones: Sequence[int], opens: Sequence[bool], closes: Sequence[bool]) -> Matched | None:
    """match_runs() for the delimiter lists _pair_nested() takes (the common case of a note's
    emphasis: whole pairs that nest), without its set-up; None for any other list."""
    count = len(markers)
    left = list(units)
    empty: tuple[int, ...] = ()
    closing = [empty] * count
    opening = [empty] * count
    open_runs: list[int] = []
    for i in range(count):
        size = units[i]
        if lones[i] or size > (2 if lengths[i] else 1):
            return None
        if opens[i]:
            if closes[i]:
                return None
            open_runs.append(i)
        elif closes[i] and open_runs:
            q = open_runs.pop()
            marker = markers[i]
            if markers[q] != marker or units[q] != size:
                return None
            closing[i], opening[q] = _KINDS.get((marker, size)) or _kinds(marker, size)
            left[i] = left[q] = 0
    return left, closing, opening


def match_runs(markers: Sequence[int], lengths: Sequence[int], units: Sequence[int],
               opens: Sequence[bool], closes: Sequence[bool]) -> Matched:
    """CommonMark's "process emphasis" over one delimiter list given field by field (as in
    Run): how many markers of each run are left unused (the others are used as closers from
    its front and as openers from its back), and the tags they got (the closing ones in order,
    the opening ones the last first).

    Each closing marker, first to last, takes the nearest opening marker of its kind that the
    rule of 3 allows; the runs between a pair are used up; where a search fails, later closers
    of the same kind stop before where it started (positions counted in markers, as
    markdown-it's Delimiter indices are). The markers of a closer that one opener takes one
    after the other are paired at once."""
    count = len(markers)
    base = list(accumulate(units, initial=0))  # each run's first marker
    prev = list(range(-1, count - 1))  # where a search goes on after each run
    left = list(units)  # markers not used yet
    after = base[1:]  # where the run's unused markers end (its back ones are used first)
    openers = [marker if can else 0 for marker, can in zip(markers, opens)]
    empty: tuple[int, ...] = ()
    closing = [empty] * count  # the tags of each run's front markers, in order
    opening = [empty] * count  # ... of its back markers, the last one first
    bottoms: dict[int, int] = {}
    for i in range(count):
        if not closes[i]:
            continue
        marker, length, can_open = markers[i], lengths[i], opens[i]
        kind = marker * 8 + can_open * 4 + length % 3
        bottom = bottoms.get(kind, -1)  # changes only when this closer's search fails
        size = units[i]
        used = 0
        closed: tuple[int, ...] = ()
        q = prev[i]
        while used < size:
            while q >= 0:
                if base[q + 1] <= bottom + 1:  # run q lies below the bottom
                    q = -1
                    break
                if openers[q] == marker and left[q]:
                    last = after[q] - 1  # its last unused marker
                    if last <= bottom:
                        q = -1
                        break
                    other = lengths[q]
                    if not ((closes[q] or can_open) and (other + length) % 3 == 0
                            and (other % 3 or length % 3)):
                        break
                q = prev[q]
            if q < 0:
                bottoms[kind] = base[i] + used - 1
                break
            taken = size - used  # as many markers as both runs have unused, above the bottom
            if left[q] < taken:
                taken = left[q]
            if last - bottom < taken:
                taken = last - bottom
            pair = _ONE if taken == 1 else (_KINDS.get((marker, taken)) or _kinds(marker, taken))
            closed += pair[0]
            opening[q] += pair[1]
            left[q] -= taken
            after[q] -= taken
            used += taken
            prev[i] = q
        if used:
            left[i] -= used
            closing[i] = closed
    return left, closing, opening


_ONE = ((-1,), (1,))
"""The tags of one closing and one opening marker paired (<em>, <s>, <mark>)."""
_KINDS: dict[tuple[int, int], tuple[tuple[int, ...], tuple[int, ...]]] = {}


def _kinds(marker: int, taken: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The tags of `taken` closing markers (in order) paired with as many opening markers (the
    last first), one after the other: markdown-it's `emphasis` post-processing makes each two
    one <strong> (the outer markers stay as empty text) and an odd last one <em>; `~~` and `==`
    pairs are <s> and <mark>."""
    key = (marker, taken)
    kinds = _KINDS.get(key)
    if kinds is None:
        if marker in _EMPHASIS:
            two, one = divmod(taken, 2)
            kinds = ((-2, 0) * two + (-1,) * one, (2, 0) * two + (1,) * one)
        else:
            kinds = ((-1,) * taken, (1,) * taken)
        if taken < 64:
            _KINDS[key] = kinds
    return kinds


Fields = tuple[str, str, int, str, str]
Spec = tuple[Fields, tuple[Fields, ...]]
_SPECS: dict[tuple[int, tuple[int, ...], bool, int, int, tuple[int, ...]], Spec] = {}
"""Memo of _spec(): runs repeat the same shapes."""


def _spec(marker: int, closing: tuple[int, ...], single: bool, lone: int, middle: int,
          opening: tuple[int, ...]) -> Spec:
    """(type, tag, nesting, content, markup) of the first token a run leaves after markdown-it's
    post-processing and `fragments_join`, and of the others after it: the tags of its front markers, its unused markers (a
    lone `~`/`=` moved after the closing tags, as strikethrough and kbgen_mark move it), the
    tags of its back markers; the text between two tags merged, an empty text token where
    only the outer marker of a <strong> was. `single`: one character a marker (`*`, `_`)."""
    tags = _TAGS[marker]
    char = chr(marker)
    text = char * lone + (char if single else char + char) * middle
    out: list[tuple[str, str, int, str, str]] = []
    pending: str | None = None  # the text since the last tag
    for kind in (*closing, None, *reversed(opening)):
        if kind is None:  # the unused markers
            if text:
                pending = (pending or "") + text
        elif kind:
            if pending is not None:
                out.append(("text", "", 0, pending, ""))
                pending = None
            type_, tag, nesting, markup = tags[kind]
            out.append((type_, tag, nesting, "", markup))
        elif pending is None:
            pending = ""
    if pending is not None:
        out.append(("text", "", 0, pending, ""))
    return out[0], tuple(out[1:])
