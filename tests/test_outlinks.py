"""A note's outlinks: pages.outlinks_html against the template loop it replaced, and Outlinks as the list of dicts it stands for."""
from __future__ import annotations

import pickle
import random

import jinja2
import pytest

from kbgen.pages import Outlinks, outlinks_html
from kbgen.urls import relative

LOOP = ('{% for o in outlinks %}<li>{% if o.url %}<a class="internal-link{% if not o.resolved %} is-unresolved'
        '{% endif %}" href="{{ href(o.url) }}">{{ o.title }}</a>{% else %}<span class="is-unresolved">'
        '{{ o.title }}</span>{% endif %}</li>{% endfor %}')
"""partials/outlinks.html's loop before outlinks_html."""
TITLES = ["Role", "A & B", "<b>", "it's", 'say "x"', "Ünï", "", "a/b", "x > y"]
URLS = ["", "", "", "role.html", "concepts/a-b.html", "iam/x y.html", "iam/role.html#step-1", "a&b.html"]
PAGES = ["index.html", "iam/role.html", "a/b/c.html"]


def _outlinks(rng: random.Random) -> Outlinks:
    n = rng.randint(0, 40)
    urls = [rng.choice(URLS) for _ in range(n)]
    return Outlinks([rng.choice(TITLES) for _ in range(n)], urls, [bool(u) and rng.random() < 0.5 for u in urls])


@pytest.mark.parametrize("seed", range(30))
def test_html_as_the_template_loop(seed: int) -> None:
    rng = random.Random(seed)
    env = jinja2.Environment(autoescape=True)
    loop = env.from_string(LOOP)
    for _ in range(20):
        items, page = _outlinks(rng), rng.choice(PAGES)
        want = loop.render(outlinks=items, href=lambda url: relative(page, url))
        assert outlinks_html(items, page) == want


def test_outlinks_read_as_dicts() -> None:
    items = Outlinks(["A", "B & C", "D"], ["a.html", "", "concepts/d.html"], [True, False, False])
    dicts = [{"title": "A", "url": "a.html", "resolved": True},
             {"title": "B & C", "url": "", "resolved": False},
             {"title": "D", "url": "concepts/d.html", "resolved": False}]
    assert list(items) == dicts and len(items) == 3 and items[1] == dicts[1] and items[-1] == dicts[-1]
    assert items[1:] == dicts[1:] and items == dicts and items != dicts[:2]
    assert pickle.loads(pickle.dumps(items)) == items
    assert not Outlinks([], [], []) and bool(items)
