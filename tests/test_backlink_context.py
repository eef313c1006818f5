"""A backlink's paragraph (paragraphs.context_html): the shortcut for paragraphs that fit whole
gives exactly what the general windowing does."""
from __future__ import annotations

import dataclasses
import html
import random

from markupsafe import Markup

from kbgen import paragraphs
from kbgen.model import Context, LinkRef, ParsedNote


def _windowed(ctx: Context, refs: list[LinkRef], highlight: set[LinkRef]) -> Markup:
    """context_html as it was before the shortcut (the general path, kept here for comparison)."""
    pieces, where, _ = paragraphs._pieces(ctx, refs)
    first = min((where[r] for r in highlight if r in where), default=0)
    start, before = first, 0
    while start > 0 and before < paragraphs.CONTEXT // 3:
        start -= 1
        before += len(pieces[start][0])
    out: list[str] = []
    size = 0
    for i in range(start, len(pieces)):
        part, ref = pieces[i]
        if ref is None:
            if i == start < first and before > paragraphs.CONTEXT // 3:
                cut = part[before - paragraphs.CONTEXT // 3:]
                part = "…" + (cut.split(" ", 1)[1] if " " in cut else cut)
            if size + len(part) > paragraphs.CONTEXT:
                part = part[:max(0, paragraphs.CONTEXT - size)].rsplit(" ", 1)[0] + "…"
                out.append(part)
                break
        elif size > paragraphs.CONTEXT:
            out.append("…")
            break
        out.append(f"<mark>{part}</mark>" if ref in highlight else part)
        size += len(part)
    if start > 0 and out and not out[0].startswith("…"):
        out.insert(0, "…")
    return Markup("".join(out).strip().replace("\n", "<br>"))


WORDS = ["alpha", "beta", "gamma<b>", "delta & co", "[[x]]", "[y](z)", "\n", "  ", "é", "word"]


def _paragraph(rng: random.Random) -> tuple[Context, list[LinkRef]]:
    parts, refs = [], []
    for _ in range(rng.randint(0, 12)):
        parts.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 60))))
        name = rng.choice(["A", "B", "Note C", "d#Head"])
        display = rng.choice([None, "shown <text>", ""])
        original = f"[[{name}{'|' + display if display else ''}]]"
        target, _, sub = name.partition("#")
        # on one of a few lines: the same text on two lines is two links (see Paragraph.places)
        refs.append(LinkRef(target, sub, display, False, "wiki", rng.randint(1, 3), original, 0))
        parts.append(original)
    parts.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 60))))
    return Context(" ".join(parts), 1), refs


def test_whole_paragraphs_and_windows_agree() -> None:
    rng = random.Random(7)
    fitted = 0
    for _ in range(3000):
        ctx, refs = _paragraph(rng)
        highlight = {r for r in refs if rng.random() < 0.4}
        got = paragraphs.context_html(ctx, refs, highlight)
        assert got == _windowed(ctx, refs, highlight), ctx.text
        fitted += len(got) < paragraphs.CONTEXT and "…" not in got
    assert fitted > 300  # both paths were taken many times


def test_a_short_paragraph_is_shown_whole_with_its_link_marked() -> None:
    ref = LinkRef("Role", "", None, False, "wiki", 3, "[[Role]]", 0)
    other = LinkRef("Policy", "", "the policy", False, "wiki", 3, "[[Policy|the policy]]", 0)
    ctx = Context("Assume a [[Role]] <via> [[Policy|the policy]].\nDone", 3)
    got = paragraphs.context_html(ctx, [ref, other], {ref})
    assert got == "Assume a <mark>Role</mark> " + html.escape("<via>") + " the policy.<br>Done"


def _line_of_links(rng: random.Random) -> tuple[Context, list[LinkRef]]:
    """A long paragraph of many links with little or much text between them (an index line)."""
    parts, refs = [], []
    for i in range(rng.randint(40, 400)):
        gap = rng.choice(["", " ", ", ", " and ", "\n", " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 80)))])
        name = rng.choice([f"Target {i}", "A", "Note C", "d#Head", f"x{i}|shown {i}"])
        original = f"[[{name}]]"
        path, _, display = name.partition("|")
        target, _, sub = path.partition("#")
        refs.append(LinkRef(target, sub, display or None, False, "wiki", rng.choice([1, 1, 2, 3]), original, 0))
        parts += [gap, original]
    parts.append(rng.choice(["", " end", " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 200)))]))
    return Context("".join(parts), 1), refs


def test_long_paragraphs_windowed_alike() -> None:
    rng = random.Random(11)
    for _ in range(400):
        ctx, refs = _line_of_links(rng)
        for _ in range(6):
            pick = rng.random()
            highlight = {rng.choice(refs)} if pick < 0.7 else set(rng.sample(refs, 3)) if pick < 0.9 else set()
            assert paragraphs.context_html(ctx, refs, highlight) == _windowed(ctx, refs, highlight), (ctx.text[:200], highlight)


def _note(rng: random.Random) -> ParsedNote:
    """A note of a few paragraphs, the same link texts in several, some on two lines."""
    contexts, links = [], []
    for ci in range(rng.randint(1, 9)):
        ctx, refs = _paragraph(rng)
        contexts.append(Context(ctx.text, ci + 1))
        links += [dataclasses.replace(r, context=ci) for r in refs]
    return ParsedNote(path="n.md", digest="d", meta={}, title="N", aliases=(), tags=(), headings=(), blocks={},
                      links=tuple(links), contexts=tuple(contexts), tokens=[])


def test_each_paragraph_marks_what_all_the_refs_would() -> None:
    """contexts() gives each paragraph only its own refs to mark: the same HTML as all of them."""
    rng = random.Random(5)
    for _ in range(300):
        note = _note(rng)
        refs = tuple(dict.fromkeys(r for r in note.links if rng.random() < 0.5))  # distinct, as a graph edge's
        got, more = paragraphs.contexts(note, "note:x", refs)
        places = sorted({r.context for r in refs})
        assert more == max(0, len(places) - paragraphs.CONTEXTS)
        by_ctx = [[r for r in note.links if r.context == ci] for ci in range(len(note.contexts))]
        assert got == [{"html": paragraphs.context_html(note.contexts[ci], by_ctx[ci], refs), "line": ci + 1}
                       for ci in places[:paragraphs.CONTEXTS]]


def _line_of_equal_links(rng: random.Random) -> tuple[Context, list[LinkRef]]:
    """A long line of links written alike (`[[a]]` soups): equal refs that are distinct objects,
    some that differ only in what the text does not show (commented, kind), on a line or two."""
    parts, refs = [], []
    for _ in range(rng.randint(100, 600)):
        original = rng.choice(["[[a]]", "[[a]]", "[[b]]", "[[a|x]]"])
        target, _, display = original[2:-2].partition("|")
        refs.append(LinkRef(target, "", display or None, False, rng.choice(["wiki", "wiki", "markdown"]),
                            rng.choice([1, 1, 2]), original, 0, rng.random() < 0.1))
        parts += [rng.choice(["", " ", " and ", "\n"]), original]
    return Context("".join(parts), 1), refs


def test_long_paragraphs_of_equal_links_marked_alike() -> None:
    rng = random.Random(13)
    for _ in range(150):
        ctx, refs = _line_of_equal_links(rng)
        for _ in range(4):
            pick = rng.choice(refs[len(refs) // 2:])  # an equal copy, or the ref itself
            highlight = {dataclasses.replace(pick) if rng.random() < 0.5 else pick}
            assert paragraphs.context_html(ctx, refs, highlight) == _windowed(ctx, refs, highlight)
            twice = [pick, dataclasses.replace(pick), rng.choice(refs)]  # equal refs given twice
            assert paragraphs.context_html(ctx, refs, twice) == _windowed(ctx, refs, set(twice))


def test_paragraphs_whose_every_link_is_ours_marked_alike() -> None:
    """The very refs of a paragraph given as its highlight (a line per link to one concept):
    every link marked, as the general path marks them; equal copies and a missing ref too."""
    rng = random.Random(17)
    for _ in range(150):
        ctx, refs = _line_of_equal_links(rng) if rng.random() < 0.5 else _line_of_links(rng)
        paragraphs._PARAGRAPHS.clear()
        assert paragraphs.context_html(ctx, refs, refs) == _windowed(ctx, refs, set(refs))
        copies = [dataclasses.replace(r) for r in refs]  # equal, not the same objects
        assert paragraphs.context_html(ctx, refs, copies) == _windowed(ctx, refs, set(copies))
        some = refs[:]
        some[rng.randrange(len(some))] = dataclasses.replace(some[0], line=99)  # one not in the paragraph
        assert paragraphs.context_html(ctx, refs, some) == _windowed(ctx, refs, set(some))
        missing = refs + [dataclasses.replace(refs[0], original="[[gone]]", line=1)]  # not in the text
        assert paragraphs.context_html(ctx, missing, missing) == _windowed(ctx, missing, set(missing))
