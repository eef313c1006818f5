"""delims.fragments_join and text_join leave the tokens markdown-it's own rules leave, short and long lists alike."""
from __future__ import annotations

import random

from markdown_it.rules_core.text_join import text_join as library_text_join
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline.fragments_join import fragments_join as library_fragments_join
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from kbgen.markdown import delims, make_parser

_KINDS = [("text", "", 0), ("text", "", 0), ("text", "", 0), ("em_open", "em", 1), ("em_close", "em", -1),
          ("strong_open", "strong", 1), ("strong_close", "strong", -1), ("text_special", "", 0),
          ("softbreak", "br", 0), ("code_inline", "code", 0)]


def _tokens(rng: random.Random, count: int) -> list[Token]:
    out = []
    for k in range(count):
        kind, tag, nesting = rng.choice(_KINDS)
        token = Token(kind, tag, nesting, level=rng.randint(0, 3))
        token.content = str(k) if kind != "softbreak" else ""
        out.append(token)
    return out


def _copy(tokens: list[Token]) -> list[Token]:
    return [t.copy() for t in tokens]


def test_fragments_join_is_markdown_its() -> None:
    md = make_parser()
    rng = random.Random(31)
    for _ in range(600):
        tokens = _tokens(rng, rng.choice([1, 2, 5, 20, 33, 40, 120]))
        if rng.random() < 0.5:  # long lists without adjacent text tokens take the levels-only path
            tokens = [t for i, t in enumerate(tokens) if not (t.type == "text" and i and tokens[i - 1].type == "text")]
        ours, theirs = StateInline("", md, {}, _copy(tokens)), StateInline("", md, {}, _copy(tokens))
        delims.fragments_join(ours)
        library_fragments_join(theirs)
        assert ours.tokens == theirs.tokens


def test_text_join_is_markdown_its() -> None:
    md = make_parser()
    rng = random.Random(32)
    for _ in range(300):
        blocks = []
        for _ in range(rng.randint(1, 4)):
            inline = Token("inline", "", 0)
            inline.children = _tokens(rng, rng.choice([0, 1, 3, 40]))
            blocks += [Token("paragraph_open", "p", 1), inline, Token("paragraph_close", "p", -1)]
        ours, theirs = StateCore("", md, {}), StateCore("", md, {})
        ours.tokens = [t.copy(children=_copy(t.children) if t.children else t.children) for t in blocks]
        theirs.tokens = [t.copy(children=_copy(t.children) if t.children else t.children) for t in blocks]
        delims.text_join(ours)
        library_text_join(theirs)
        assert ours.tokens == theirs.tokens
