"""pages.backlinks_html against the loop of partials/backlink_list.html it can replace."""
from __future__ import annotations

import random

import jinja2
import pytest
from markupsafe import Markup

from kbgen.pages import backlinks_html
from kbgen.urls import relative

LOOP = """<ul class="backlink-list">
{% for b in backlinks %}
  <li class="backlink"><a class="internal-link backlink-title" href="{{ href(b.url) }}">{{ b.title }}</a>
    {% for c in b.contexts %}<blockquote class="backlink-context">{{ c.html }}</blockquote>{% endfor %}
    {% if b.more %}<p class="backlink-more">and {{ b.more }} more mention{{ "s" if b.more > 1 }} in <a class="internal-link" href="{{ href(b.url) }}">{{ b.title }}</a></p>{% endif %}
  </li>
{% endfor %}
</ul>
"""
"""partials/backlink_list.html's loop (the default theme's, with render.py's environment options)."""
TITLES = ["Role", "A & B", "<b>", "it's", 'say "x"', "Ünï", "", "a/b"]
URLS = ["role.html", "iam/x y.html", "iam/role.html", "a&b.html", "a/b/c.html", "q#r.html"]
HTML = [Markup("see <mark>Role</mark>"), Markup("a &amp; b<br>c"), "plain <not markup>", Markup("")]
PAGES = ["index.html", "iam/role.html", "a/b/c.html", "iam/role.backlinks-2.html"]


def _backlinks(rng: random.Random) -> list[dict[str, object]]:
    return [{"title": rng.choice(TITLES), "url": rng.choice(URLS), "path": "x.md",
             "contexts": [{"html": rng.choice(HTML), "line": 1} for _ in range(rng.randint(0, 5))],
             "more": rng.choice([0, 0, 1, 2, 17]), "embed": False}
            for _ in range(rng.randint(0, 12))]


@pytest.mark.parametrize("seed", range(20))
def test_html_as_the_template_loop(seed: int) -> None:
    rng = random.Random(seed)
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True, keep_trailing_newline=True)
    loop = env.from_string(LOOP)
    items = env.from_string('<ul class="backlink-list">\n{{ backlinks_html }}</ul>\n')
    for _ in range(20):
        backlinks, page = _backlinks(rng), rng.choice(PAGES)
        want = loop.render(backlinks=backlinks, href=lambda url: relative(page, url))
        assert items.render(backlinks_html=backlinks_html(backlinks, page)) == want
