"""urls.relative(): a fragment is percent-encoded as quote() does it, whether or not it has anything to encode."""
from __future__ import annotations

import random
import string
from urllib.parse import quote

from kbgen.urls import relative

_CHARS = string.printable + "éß€😀\u00a0%#"


def _previous(from_url: str, to_url: str) -> str:
    """relative() as it was: every fragment through quote()."""
    target, _, frag = to_url.partition("#")
    out = relative(from_url, target) if target else relative(from_url, from_url)
    return out + "#" + quote(frag, safe="/-._~!$&'()*+,;=:@^") if frag else out


def test_fragments_encoded_as_quote_does() -> None:
    rng = random.Random(7)
    plain = 0
    for _ in range(20000):
        frag = "".join(rng.choice(_CHARS if rng.random() < 0.5 else string.ascii_lowercase + "-_.~^@")
                       for _ in range(rng.randint(0, 12)))
        for from_url, target in (("a/b.html", "a/c.html"), ("x.html", ""), ("a/b.html", "d é/e.html")):
            to_url = target + "#" + frag if frag or rng.random() < 0.5 else target
            assert relative(from_url, to_url) == _previous(from_url, to_url), (from_url, to_url)
        plain += quote(frag, safe="/-._~!$&'()*+,;=:@^") == frag
    assert 1000 < plain < 19000  # both kinds of fragment were met


def test_examples() -> None:
    assert relative("a/b.html", "a/c.html#intro-2") == "c.html#intro-2"
    assert relative("a/b.html", "c.html#a b%") == "../c.html#a%20b%25"
    assert relative("a/b.html", "#é") == "b.html#%C3%A9"
