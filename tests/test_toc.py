"""The table of contents: toc_html() writes what the partial's loop over `toc` wrote, and Toc reads
as the list of dicts pages.toc() made before."""
from __future__ import annotations

import pickle
import random

import jinja2
import pytest

from kbgen.model import Heading
from kbgen.paragraphs import strip_wiki
from kbgen.toc import Toc, toc_html

OLD_PARTIAL = ('<ol>{% for h in toc %}<li class="toc-h{{ h.level }}"><a href="#{{ h.anchor }}">{{ h.text }}</a>'
               '</li>{% endfor %}</ol>')
"""partials/toc.html's list before toc_html, rendered with the theme's autoescape."""
PIECES = ["h", "Step 1", "a & b", "<i>", '"q"', "it's", "[[Note#A|shown]]", "[[B]]", "[x](y.md)", "é", " ", "#", ">"]


def _headings(rng: random.Random) -> tuple[Heading, ...]:
    out = []
    for i in range(rng.randint(0, 40)):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 4)))
        anchor = rng.choice(["h", "h-1", "step-1", "a-b", "x&y", "q\"", f"s{i}"])
        out.append(Heading(rng.randint(1, 6), text, anchor, i + 1))
    return tuple(out)


@pytest.mark.parametrize("seed", range(40))
def test_toc_html_as_the_template_loop(seed: int) -> None:
    heads = _headings(random.Random(seed))
    old = [{"level": h.level, "text": strip_wiki(h.text), "anchor": h.anchor} for h in heads]
    env = jinja2.Environment(autoescape=True)
    toc = Toc.of(heads)
    assert env.from_string(OLD_PARTIAL).render(toc=old) == env.from_string("<ol>{{ toc_html }}</ol>").render(
        toc_html=toc_html(toc))
    assert env.from_string(OLD_PARTIAL).render(toc=toc) == env.from_string(OLD_PARTIAL).render(toc=old)
    assert list(toc) == old and len(toc) == len(old) and bool(toc) == bool(old)
    assert [toc[i] for i in range(len(old))] == old and toc[1:5] == old[1:5] and toc[-1:] == old[-1:]
    assert toc == old and pickle.loads(pickle.dumps(toc)) == toc
