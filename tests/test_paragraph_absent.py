"""A backlink paragraph's links whose text is not in it (a markdown link's text as _collect
rewrites it): skipped without a search of the paragraph per link, the pieces as before."""
from __future__ import annotations

import html
import random
from operator import itemgetter

from kbgen import paragraphs
from kbgen.markdown.wikilinks import default_display
from kbgen.model import Context, LinkRef


def _shown(ref: LinkRef) -> str:
    return html.escape(paragraphs.strip_wiki(ref.display) if ref.display else default_display(ref.target, ref.subpath))


def _old_pieces(text: str, refs: list[LinkRef]) -> tuple[list[str], list[LinkRef]]:
    """_paragraph's texts and links as they were made with a search of the text per link."""
    spans, last = [], 0
    for ref in refs:  # in order while each is found after the one before
        start = text.find(ref.original, last)
        if start < 0:
            if text.find(ref.original) >= 0:
                break
            continue
        spans.append((start, start + len(ref.original), ref))
        last = start + len(ref.original)
    else:
        return _cut_at(text, spans)
    spans, pos = [], 0  # out of order: each after the one before, else from the start (_cut)
    for ref in refs:
        i = text.find(ref.original, pos)
        if i < 0:
            i = text.find(ref.original)
        if i >= 0:
            pos = i + len(ref.original)
            spans.append((i, pos, ref))
    spans.sort(key=itemgetter(0))
    return _cut_at(text, spans)


def _cut_at(text: str, spans: list[tuple[int, int, LinkRef]]) -> tuple[list[str], list[LinkRef]]:
    texts, links, last = [], [], 0
    for start, end, ref in spans:
        if start < last:
            continue
        texts += [html.escape(paragraphs.strip_wiki(text[last:start])), _shown(ref)]
        links.append(ref)
        last = end
    texts.append(html.escape(paragraphs.strip_wiki(text[last:])))
    return texts, links


def _random_paragraph(rng: random.Random) -> tuple[Context, list[LinkRef]]:
    """Markdown links and wikilinks, some refs with a rewritten text that is nowhere in the
    paragraph (of a few lengths, repeated), some written out of order, some texts not starting
    at a bracket."""
    parts, refs = [], []
    for i in range(rng.randint(0, 40)):
        parts.append(rng.choice(["", " ", " a & b ", "\n", " [[x]] ", " ![ "]))
        kind = rng.random()
        if kind < 0.35:
            label = rng.choice(["x", "yy", f"x{i}"])
            written = f"[{label}](a&amp;b)"
            original = rng.choice([f"[{label}](a&b)", f"[{label}](a&b{i % 3})", "plain&b", ""])
            refs.append(LinkRef("a&b", "", label, False, "markdown", 1, original, 0))
        elif kind < 0.7:
            name = rng.choice(["A", "Note C", f"T{i % 4}", "d#Head"])
            written = original = f"[[{name}]]"
            target, _, sub = name.partition("#")
            refs.append(LinkRef(target, sub, None, False, "wiki", rng.choice([1, 2]), original, 0))
        else:
            written = original = rng.choice(["[x](y)", f"[z{i % 3}](Other.md)"])
            refs.append(LinkRef("y", "", "x", False, "markdown", 1, original, 0))
        parts.append(written)
    if refs and rng.random() < 0.3:  # out of order, as wikilinks before a block's markdown links
        k = rng.randrange(len(refs))
        refs = refs[k:] + refs[:k]
    return Context("".join(parts), 1), refs


def test_pieces_as_with_a_search_per_link() -> None:
    rng = random.Random(3)
    absent = 0
    for _ in range(4000):
        ctx, refs = _random_paragraph(rng)
        para = paragraphs._paragraph(ctx, refs)
        texts, links = _old_pieces(ctx.text, refs)
        assert para.texts == texts, (ctx.text, refs)
        assert [id(r) for r in para.links] == [id(r) for r in links]
        assert para.total == sum(map(len, texts))
        absent += any(r.original not in ctx.text for r in refs)
    assert absent > 1000


def test_a_link_text_missing_is_told_from_one_that_is_there() -> None:
    text = "see [x](a&amp;b) and ![y](z) [[A]] !x"
    finder = paragraphs._Absent(text)
    assert finder.missing("[x](a&b)")
    assert "[x](a&b)" in finder.known and len("[x](a&b)") in finder.lengths
    for there in ("[x](a&amp;b)", "![y](z)", "[y](z)", "[[A]]", "!x", "see"):
        assert not finder.missing(there)
    for gone in ("[[B]]", "![x](a&amp;b)", "sea", "!y"):
        assert finder.missing(gone)
