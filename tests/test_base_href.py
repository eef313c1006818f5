"""base_context's href(): the same hrefs as urls.relative() (it skips relative()'s splits for page URLs)."""
from __future__ import annotations

import random

from kbgen.config import Config
from kbgen.render import base_context
from kbgen.urls import relative


def test_href_equals_relative_for_every_kind_of_target() -> None:
    rnd = random.Random(7)
    parts = ["a", "b c", "é", "x.html", "ß", "%", "..", "", "index.html", "a#b", "#", "?q"]
    pages = ["index.html", "a.html", "f/a.html", "f/g/h i.html", "tags/x.html", "é/ü.html"]
    targets = ["", "#top", "a.html#x", "f/a.html", "f/g/", "f/", "./", "f/a.html#", "tags/index.html"]
    targets += ["/".join(rnd.choice(parts) for _ in range(rnd.randint(1, 4))) for _ in range(300)]
    for url in pages:
        href = base_context(Config(), url, {})["href"]
        for target in targets:
            assert href(target) == relative(url, target), (url, target)
