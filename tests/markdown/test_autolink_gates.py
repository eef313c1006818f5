"""Notes without `://`, `www.`, `WWW.` or `@` skip the linkify walks; the tokens are those of the walks."""
from __future__ import annotations

import random
from typing import Any

from markdown_it.rules_core import StateCore
from markdown_it.rules_core.linkify import linkify as library_linkify

from kbgen.markdown import make_parser, wikilinks
from kbgen.markdown.collect import ENV_KEY, Collector
from tests.markdown.test_fastpaths import PIECES, _shape


def _walk_unlinkify(state: StateCore) -> None:
    """wikilinks._no_links_in_wikilinks before it looked at the note first (the walk alone)."""
    for block in state.tokens:
        if block.type != "inline" or not block.children or not wikilinks.may_autolink(block.content):
            continue
        depth, kept = 0, []
        for tok in block.children:
            depth += (tok.type == "wikilink_open") - (tok.type == "wikilink_close")
            if depth and tok.type in ("link_open", "link_close") and tok.markup == "linkify":
                continue
            kept.append(tok)
        block.children = kept


def _walking_parser() -> Any:
    md = make_parser()
    md.core.ruler.at("linkify", library_linkify)
    md.core.ruler.at("wikilink_unlinkify", _walk_unlinkify)
    return md


def test_gated_rules_are_in_place() -> None:
    fns = {rule.name: rule.fn for rule in make_parser().core.ruler.__rules__}
    assert fns["linkify"] is not library_linkify and fns["wikilink_unlinkify"] is wikilinks._no_links_in_wikilinks


def test_gates_change_no_tokens() -> None:
    gated, walking = make_parser(), _walking_parser()
    rng = random.Random(21)
    pieces = PIECES + ["[[x|http://a.b]]", "[[www.a.b]]", "@", "://", "ww", "w.", "WWW.c.d", "&#64;b.co"]
    for _ in range(2000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 30)))
        got = gated.parse(text, {ENV_KEY: Collector(path="n.md")})
        want = walking.parse(text, {ENV_KEY: Collector(path="n.md")})
        assert _shape(got) == _shape(want), text
