"""The fallback of pairs.py: delimiter lists whose runs cannot be paired whole, put back in markdown-it's form."""
from __future__ import annotations

from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline.state_inline import Delimiter
from markdown_it.token import Token

from kbgen.markdown.tokens import text as text_token

Run = tuple[int, int, int, int, int, bool, bool]
"""pairs.Run: (marker code, length for the rule of 3, token index, markers or marker pairs,
lone `~`/`=`, can open, can close)."""


def foldable(tokens: list[Token], runs: list[Run | Delimiter]) -> bool:
    """Whether pairing these runs whole gives markdown-it's result: all are Runs, no two of one
    marker touch (markdown-it would take them for one run), and no `~`/`=` run follows a single
    `~`/`=` text token (markdown-it's post-processing would move it as if it were the run's own)."""
    last_marker = last_token = -1
    for run in runs:
        if type(run) is not tuple:
            return False
        marker, length, token, _, lone, _, _ = run
        if not lone:
            if marker == last_marker and token == last_token + 1:
                return False
            if not length and token:
                before = tokens[token - 1]
                if before.type == "text" and before.content == chr(marker):
                    return False
        last_marker, last_token = marker, token
    return True


def unfold(state: StateInline, lists: list[list[Run | Delimiter]]) -> None:
    """Every Run back in markdown-it's form: a text token and a Delimiter per marker (a lone
    `~`/`=` first), the other tokens' Delimiters pointing at their new indices."""
    tokens = state.tokens
    runs = {run[2]: run for runs in lists for run in runs if type(run) is tuple}
    moved: list[int] = []  # old token index → new
    out: list[Token] = []
    first: dict[int, int] = {}  # a run's token → its first marker's new index
    for index, token in enumerate(tokens):
        moved.append(len(out))
        run = runs.get(index)
        if run is None:
            out.append(token)
            continue
        marker, length, _, units, lone, _, _ = run
        char = chr(marker)
        if lone:
            out.append(text_token(token.level, char))
        first[index] = len(out)
        unit = char if length else char + char
        out += [text_token(token.level, unit) for _ in range(units)]
    tokens[:] = out
    for delimiters in lists:
        unfolded: list[Run | Delimiter] = []
        for item in delimiters:
            if type(item) is tuple:
                marker, length, token_index, units, _, can_open, can_close = item  # type: ignore[misc]
                start = first[token_index]
                unfolded += [Delimiter(marker, length, start + k, -1, can_open, can_close) for k in range(units)]
            else:
                item.token = moved[item.token]  # type: ignore[union-attr]
                unfolded.append(item)
        delimiters[:] = unfolded
