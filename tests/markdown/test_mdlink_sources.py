"""Markdown links' `original` (the link as written) is found in one pass over a block, as the per-link search found it."""
from __future__ import annotations

import random
import re
from typing import Any
from urllib.parse import unquote

import pytest

from kbgen.markdown import make_parser, mdlinks
from kbgen.markdown.collect import ENV_KEY, Collector

PIECES = ["[x](y)", "[x](y)", "![x](y)", "[y](y)", "[a b](<a b>)", "[c](a%20b)", "[c](<a%20b>)", "![i](p.png)",
          "![i](p.png \"t\")", "[n](Note.md#h)", "[n](Note.md#h)", "[![i](p.png)](Note.md)", "[[w]]", "](", "[",
          "]", "(", ")", " ", "text", "\n"]


def _old_source_of(content: str, href: str, image: bool, used: set[int]) -> str:
    """The search as it was: every link of the block matched again for each link token."""
    want = unquote(href)
    for m in mdlinks._MD_LINK.finditer(content):
        if m.start() in used or (m.group(1) == "!") != image:
            continue
        dest = m.group(3)[1:-1] if m.group(3).startswith("<") else m.group(3)
        if unquote(dest) == want or unquote(dest.replace(" ", "%20")) == want:
            used.add(m.start())
            return m.group(0)
    return ""


class _OldSources:
    def __init__(self, content: str) -> None:
        self.content, self.used = content, set()  # type: ignore[var-annotated]

    def take(self, href: str, image: bool) -> str:
        return _old_source_of(self.content, href, image, self.used)


def _originals(text: str) -> list[Any]:
    col = Collector(path="n.md")
    make_parser().parse(text, {ENV_KEY: col})
    return [(ref.original, ref.target, ref.embed, ref.line) for ref in col.links]


@pytest.mark.parametrize("seed", range(4))
def test_originals_as_the_per_link_search_found_them(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(seed)
    texts = ["".join(rng.choice(PIECES) for _ in range(rng.randint(1, 30))) for _ in range(400)]
    got = [_originals(t) for t in texts]
    monkeypatch.setattr(mdlinks, "_Sources", _OldSources)
    want = [_originals(t) for t in texts]
    assert got == want
    assert sum(len(g) for g in got) > 1000  # the texts did hold links
    assert any(o == "[a b](<a b>)" for g in got for o, *_ in g)  # a destination with a space was found


def test_a_block_is_matched_once_however_many_links_it_holds(monkeypatch: pytest.MonkeyPatch) -> None:
    """A paragraph of 3 000 links: one pass over its content, not one per link (quadratic: a
    paragraph of 150 000 links took hours)."""
    calls = []
    real = mdlinks._MD_LINK

    class Counting:
        def finditer(self, content: str) -> Any:
            calls.append(len(content))
            return real.finditer(content)

    monkeypatch.setattr(mdlinks, "_MD_LINK", Counting())
    links = _originals("[x](y) " * 3000)
    assert [o for o, *_ in links] == ["[x](y)"] * 3000
    assert len(calls) == 1
