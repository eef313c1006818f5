"""mdlinks._collect gives the LinkRefs, contexts, diagnostics and token metas that its earlier
loop (kept here) gave, on random text of markdown links, images, wikilinks and line breaks."""
from __future__ import annotations

import random
import re
from collections import deque
from typing import Any
from urllib.parse import unquote

import pytest
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

from kbgen.markdown import make_parser, mdlinks
from kbgen.markdown.collect import ENV_KEY, Collector
from kbgen.model import Context, LinkRef

PIECES = ["[x](y)", "[x](y)", "![x](y)", "[y](y)", "[a b](<a b>)", "[c](a%20b)", "[c](<a%20b>)", "![i](p.png)",
          "![i](p.png \"t\")", "[n](Note.md#h)", "[n](Note.md# h )", "[![i](p.png)](Note.md)", "[[w]]", "](", "[",
          "]", "(", ")", " ", "text", "\n", "  \n", "[x](a&amp;b)", "[x](/abs)", "[x](//h)", "[x](http://a.b)",
          "[](y)", "[x]()", "[x](#)", "[x](%20)", "[x](<#>)", "[*a* b](y)", "[`c`](y)", "[x](#h)", "<http://a.b>",
          "[x](y \"t\")", "[x][r]", "\n\n", "- ", "| a | [x](y) |\n|---|---|\n", "[a [b](c)](d)", "![](y)"]


def _old_collect(state: StateCore) -> None:
    col = mdlinks.collector(state.env)
    if col is None or "[" not in state.src:
        return  # no markdown link or image anywhere in the note
    contexts: list[Context] = state.env.setdefault("_kb_contexts", [])
    references = "references" in state.env
    if not references and "](" not in state.src:
        return  # no block's content has one either (each is made of pieces of the note's lines)
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        if not references and "](" not in block.content:
            continue  # no markdown link or image in it (its tokens may be many wikilinks')
        line0 = block.map[0] if block.map else 0
        ctx_index = -1
        breaks = 0
        sources = _OldSources(block.content)
        children = block.children
        for i, tok in enumerate(children):
            if tok.type in ("softbreak", "hardbreak"):
                breaks += 1
                continue
            if tok.type not in ("link_open", "image") or tok.meta.get("ref"):
                continue
            href = str(tok.attrs.get("href" if tok.type == "link_open" else "src", ""))
            if href.startswith("/") and not href.startswith("//") and tok.info != "auto":
                # left as it is (nothing is read from there), but it cannot work as meant
                col.report(line0 + breaks, "outside-vault",
                           f"{href!r} is an absolute path: on the site it leads to the server's root, "
                           f"not into the vault; write the path relative to the note")
                continue
            if not href or mdlinks.is_external(href) or tok.info == "auto":
                continue
            path, _, sub = unquote(href).partition("#")
            if tok.type == "link_open":
                text = mdlinks._link_text(children, i)
                if not path and not sub:
                    continue  # `[]()` and `[x]()` are not links in Obsidian
                if ctx_index < 0:
                    contexts.append(Context(block.content, col.file_line(line0)))
                    ctx_index = len(contexts) - 1
            else:
                text = tok.content
            original = sources.take(href, tok.type == "image") or \
                (f"[{text}]({href})" if tok.type == "link_open" else f"![{text}]({href})")
            ref = LinkRef(
                target=path.strip(), subpath=sub.strip(), display=text, embed=tok.type == "image",
                kind="markdown", line=col.file_line(line0 + breaks), original=original,
                context=ctx_index if tok.type == "link_open" else -1,
            )
            tok.meta["ref"] = ref
            tok.meta["index"] = len(col.links)
            col.links.append(ref)
            if tok.type == "link_open":
                mdlinks._close_of(children, i).meta["ref"] = ref


_OLD_MD_LINK = re.compile(r"(!?)\[((?:[^\[\]]|\[[^\]]*\])*)\]\(\s*(<[^>]*>|[^\s)]*)(?:\s+[^)]*)?\)")


class _OldSources:
    """The markdown links as written in one inline block's source (Obsidian reports `original`
    verbatim), handed out in source order: a link token takes the first one with its destination
    that no token took before. The block is matched once, not once per link (a paragraph of
    150 000 links took hours)."""

    def __init__(self, content: str) -> None:
        self.content = content
        self._by_dest: dict[tuple[bool, str], deque[re.Match[str]]] | None = None
        self._taken: set[int] = set()

    def take(self, href: str, image: bool) -> str:
        if self._by_dest is None:
            self._by_dest = {}
            for m in _OLD_MD_LINK.finditer(self.content):
                dest = m.group(3)[1:-1] if m.group(3).startswith("<") else m.group(3)
                is_image = m.group(1) == "!"
                # a destination written with spaces also stands for its %20 form
                for key in dict.fromkeys((unquote(dest), unquote(dest.replace(" ", "%20")))):
                    self._by_dest.setdefault((is_image, key), deque()).append(m)
        waiting = self._by_dest.get((image, unquote(href)))
        while waiting:
            m = waiting.popleft()
            if m.start() not in self._taken:  # not taken under the other form of its destination
                self._taken.add(m.start())
                return m.group(0)
        return ""


def _parse(md: MarkdownIt, text: str) -> tuple[Any, ...]:
    col = Collector(path="n.md", line_offset=2)
    env: dict[str, Any] = {ENV_KEY: col}
    tokens = md.parse(text, env)
    metas = [(t.type, [(c.type, c.meta) for c in t.children or []]) for t in tokens]
    return metas, col.links, col.diagnostics, env.get("_kb_contexts")


@pytest.mark.parametrize("seed", range(4))
def test_links_as_the_earlier_loop_made_them(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(70 + seed)
    texts = ["".join(rng.choice(PIECES) for _ in range(rng.randint(1, 40))) for _ in range(300)]
    texts = [("[r]: Ref.md\n\n" + t) if rng.random() < 0.1 else t for t in texts]
    ours = make_parser()
    got = [_parse(ours, t) for t in texts]
    monkeypatch.setattr(mdlinks, "_collect", _old_collect)
    earlier = make_parser()
    assert [r.name for r in earlier.core.ruler.__rules__] == [r.name for r in ours.core.ruler.__rules__]
    want = [_parse(earlier, t) for t in texts]
    for text, g, w in zip(texts, got, want):
        assert g == w, text
    assert sum(len(g[1]) for g in got) > 1000
    assert sum(len(g[2]) for g in got) > 10  # absolute paths reported
