"""The wikilink scan written out inline (wikilinks._scan) against the scan built from its helpers, on random text."""
from __future__ import annotations

import random
from typing import Any

import pytest
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from kbgen.markdown import make_parser, wikilinks
from kbgen.markdown.collect import ENV_KEY, LINE_KEY, Collector, collector, inline_line
from kbgen.model import Context, LinkRef


def _old_find_close(state: StateInline, start: int) -> int:
    src = state.src
    memo = state.env.get("_kb_close")
    if memo is not None and memo[0] is src and memo[1] >= start:
        close = memo[1]
    else:
        close = src.find("]]", start)
        if close < 0:
            close = len(src) + 1
        state.env["_kb_close"] = (src, close)
    if close > len(src):
        return -1
    nl = src.find("\n", start, close)
    return -1 if nl >= 0 else close


def _old_context_index(state: StateInline) -> int:
    col = collector(state.env)
    assert col is not None
    current = state.env.get("_kb_ctx")
    if current is None or current[0] is not state.src:
        line = col.file_line(state.env.get(LINE_KEY, 0))
        contexts: list[Context] = state.env.setdefault("_kb_contexts", [])
        contexts.append(Context(state.src, line))
        current = (state.src, len(contexts) - 1)
        state.env["_kb_ctx"] = current
    return current[1]


def _old_scan(state: StateInline, start: int, silent: bool, embed: bool) -> bool:
    """wikilinks._scan as it was: made of the helpers, tokens made by state.push()."""
    src = state.src
    if not src.startswith("[[", start):
        return False
    close = _old_find_close(state, start + 2)
    if close < 0:
        return False
    inner = src[start + 2:close]
    if not inner.strip() or "[[" in inner:
        return False
    if silent:
        state.pos = close + 2
        return True
    path, subpath, display = wikilinks.split_linktext(inner)
    col = state.env.get(ENV_KEY)
    if col is not None:
        ref = LinkRef(path, subpath, display, embed, "wiki", col.file_line(inline_line(state)),
                      src[state.pos:close + 2], -1 if embed else _old_context_index(state))
        index = len(col.links)
        col.links.append(ref)
    else:
        ref = LinkRef(path, subpath, display, embed, "wiki", 1, src[state.pos:close + 2])
        index = -1
    meta = {"ref": ref, "index": index}
    if embed:
        state.push("embed", "", 0).meta = meta
        state.pos = close + 2
        return True
    if display is None or not display.strip():
        text = (path if not subpath else wikilinks.default_display(path, subpath)) if path or subpath else inner
        state.push("wikilink_open", "a", 1).meta = meta
        state.push("text", "", 0).content = text
        state.push("wikilink_close", "a", -1).meta = meta
        state.pos = close + 2
        return True
    state.push("wikilink_open", "a", 1).meta = meta
    bar = wikilinks.display_start(src, start + 2, close)
    old_max = state.posMax
    state.pos, state.posMax = bar, close
    state.linkLevel += 1
    state.md.inline.tokenize(state)
    state.linkLevel -= 1
    state.posMax = old_max
    state.push("wikilink_close", "a", -1).meta = meta
    state.pos = close + 2
    return True


PIECES = ["[[", "[[", "]]", "]]", "[", "]", "|", "\\|", "#", "^", "\\", "\\\\", "\n", "\n\n", "`", "``",
          "!", "![[", "a", "Note", "b c", " ", "  ", "*", "_", "**", "==", "%%", "$", "#tag", "^id",
          "x.png", "é", "- ", "> ", "<b>", "http://x.y", "[x](y)", "\t",
          "[[a]]", "[[ Name ]]", "[[a#h|b]]", "![[n]]", "[[a|*b*]]", "[[#h#i]]", "[[a#^id]]", "[[a\\|b]]"]


def _snippet(rng: random.Random) -> str:
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 40)))


def _shape(tokens: list[Token] | None) -> list[Any]:
    return [(t.type, t.tag, t.nesting, t.attrs, t.map, t.level, t.content, t.markup, t.info,
             repr(t.meta), t.block, t.hidden, _shape(t.children)) for t in tokens or []]


def _parse(md: Any, text: str) -> tuple[Any, ...]:
    col = Collector(path="n.md", line_offset=3)
    env: dict[str, Any] = {ENV_KEY: col}
    tokens = md.parse(text, env)
    return (_shape(tokens), md.renderer.render(tokens, md.options, {}), col.links,
            env.get("_kb_contexts"), col.tags, col.diagnostics)


@pytest.mark.parametrize("seed", range(6))
def test_scan_alike_on_random_text(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    md = make_parser()
    rng = random.Random(seed)
    texts = [_snippet(rng) for _ in range(600)]
    got = [_parse(md, t) for t in texts]
    monkeypatch.setattr(wikilinks, "_scan", _old_scan)
    want = [_parse(md, t) for t in texts]
    for text, g, w in zip(texts, got, want):
        assert g == w, text
    assert sum(len(g[2]) for g in got) > 1000  # the texts did hold links


def test_scan_alike_without_a_collector(monkeypatch: pytest.MonkeyPatch) -> None:
    md = make_parser()
    rng = random.Random(7)
    texts = [_snippet(rng) for _ in range(300)]
    got = [_shape(md.parse(t, {})) for t in texts]
    monkeypatch.setattr(wikilinks, "_scan", _old_scan)
    assert got == [_shape(md.parse(t, {})) for t in texts]


@pytest.mark.parametrize("text", ["[[" * 5_000 + "a]]", "![[" * 3_000 + "]]", "[[a]" * 3_000 + "]"])
def test_runs_of_openers_alike(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    md = make_parser()
    got = _parse(md, text)
    monkeypatch.setattr(wikilinks, "_scan", _old_scan)
    assert got == _parse(md, text)


MD_PIECES = ["[x](y)", "[x](Note.md#h)", "![i](p.png)", "[a](/abs)", "[x][r]", "[r]", "\n\n[r]: Other.md\n\n",
             "<http://a.b>", "http://c.d", "[[w]]", "](", "[", "]", "(", ")", " ", "\n", "text", "`[c](d)`"]


def test_markdown_links_collected_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    """mdlinks._collect skips blocks without `](` (and no reference definitions in the note):
    the same links and problems as when it looks at every block's tokens."""
    from kbgen.markdown import mdlinks
    md = make_parser()
    rng = random.Random(11)
    texts = ["".join(rng.choice(MD_PIECES) for _ in range(rng.randint(1, 25))) for _ in range(800)]
    got = [_parse(md, t) for t in texts]
    gated = mdlinks._collect

    def every_block(state: Any) -> None:
        had = "references" in state.env
        state.env.setdefault("references", {})  # the gate then lets every block through
        try:
            gated(state)
        finally:
            if not had:
                del state.env["references"]

    rule = next(r for r in md.core.ruler.__rules__ if r.name == "kbgen_mdlinks")
    monkeypatch.setattr(rule, "fn", every_block)
    md.core.ruler.__cache__ = None
    want = [_parse(md, t) for t in texts]
    for text, g, w in zip(texts, got, want):
        assert g == w, text
    assert sum(len(g[2]) for g in got) > 500


def _old_only_note_embeds(children: list[Token]) -> bool:
    """_unwrap_embed_paragraphs' test as it was."""
    embeds = [c for c in children if c.type == "embed"]
    return bool(embeds) and not any(wikilinks.is_file_name(c.meta["ref"].target) for c in embeds) and all(
        c.type in ("embed", "softbreak", "hardbreak") or (c.type == "text" and not c.content.strip())
        for c in children)


def test_embed_paragraphs_recognised_alike() -> None:
    md = make_parser()
    rng = random.Random(5)
    pieces = ["![[n]]", "![[p.png]]", "![[d.PDF|x]]", " ", "\n", "  \n", "\\\n", "a", "[[l]]", "*e*", "![[n#h]]"]
    seen = set()
    for _ in range(1500):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 8)))
        for tok in md.parse(text, {}):
            if tok.type == "inline":
                got = wikilinks._only_note_embeds(tok.children or [])
                assert got == _old_only_note_embeds(tok.children or []), text
                seen.add(got)
    assert seen == {True, False}
