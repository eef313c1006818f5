"""autolinks.linkify_rule and the URL caches give markdown-it's and linkify-it's tokens and HTML on random text."""
from __future__ import annotations

import random
from typing import Any

from markdown_it.rules_inline.linkify import SCHEME_RE
from markdown_it.rules_inline.linkify import linkify as library_linkify

import kbgen.markdown as kbmd
from kbgen.markdown import autolinks, make_parser
from kbgen.markdown.collect import ENV_KEY, Collector

PIECES = ["http", "https", "HTTP", "Https", "ftp", "mailto", "x", "a1", "9", "://", "://", ":", "/", "//",
          "a.b", "a.com", "example.org", "www.", " ", "\n", "\n\n", "*", "**", "(", ")", "[", "]", "<", ">",
          "'", '"', ",", ".", "-", "+", "ſ", "\u212a", "é", "日本", "@", "?", "#", "%", "&", "_", "`", ":80",
          "a" * 70, "9" * 70, "h" * 130, "xn--p1ai", "[x](", "http://a.b", "mailto:a@b.co", "\t", "|"]


def _library_parser() -> Any:
    """make_parser() with markdown-it's own inline linkify rule and uncached URL normalizers."""
    ours, kbmd.linkify_rule = kbmd.linkify_rule, library_linkify  # type: ignore[attr-defined]
    try:
        md = make_parser()
    finally:
        kbmd.linkify_rule = ours  # type: ignore[attr-defined]
    del md.linkify.test  # LinkifyIt's own method again
    md.normalizeLink = md.normalizeLink.__wrapped__
    md.normalizeLinkText = md.normalizeLinkText.__wrapped__
    return md


def _text(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(1, n)))


def test_our_rule_is_in_place() -> None:
    fns = {rule.name: rule.fn for rule in make_parser().inline.ruler.__rules__}
    assert fns["linkify"] is autolinks.linkify_rule
    assert _library_parser().normalizeLink("http://a.b") == "http://a.b"


def test_scheme_is_scheme_re_search() -> None:
    rng = random.Random(8)
    for _ in range(3000):
        pending = _text(rng, 12).replace("://", "")
        want = SCHEME_RE.search(pending)
        got = autolinks.scheme(pending)
        assert (got and (got.group(1), got.start(1))) == (want and (want.group(1), want.start(1))), pending


def test_match_at_is_match_at_start() -> None:
    linkify = make_parser().linkify
    linker = autolinks._Linker(linkify)
    rng = random.Random(9)
    for _ in range(3000):
        before, src = _text(rng, 4), _text(rng, 12)
        got = linker.match_at(before + src, len(before))
        want = linkify.match_at_start(src)
        assert (got and got.url) == (want and want.url), src


def test_linkify_test_is_linkify_its() -> None:
    linkify = make_parser().linkify
    quick = autolinks.linkify_test(linkify)
    rng = random.Random(11)
    pieces = PIECES + ["localhost", "LOCALHOST", "locaLhoſt", "loca\u212ahost", "a.co", "x.рф", "1.2.3.4", ".",
                       "@b", "a@b.c", "word", "  ", "ww", "w", "co", "m"]
    tested = 0
    for _ in range(4000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 6)))
        want = type(linkify).test(linkify, text)
        assert quick(text) == want, text
        tested += want
    assert tested > 300
    linkify.add("zz", {"validate": r"^x"})  # a schema without `:`: no shortcut
    assert quick("zzx") is type(linkify).test(linkify, "zzx") is True


def test_parse_and_html_as_markdown_it() -> None:
    ours, library = make_parser(), _library_parser()
    rng = random.Random(10)
    found = 0
    for _ in range(2000):
        text = _text(rng, 30)
        got = ours.parse(text, {ENV_KEY: Collector(path="n.md")})
        want = library.parse(text, {ENV_KEY: Collector(path="n.md")})
        assert [t.as_dict() for t in got] == [t.as_dict() for t in want], text
        assert ours.renderer.render(got, ours.options, {}) == library.renderer.render(want, library.options, {})
        found += any(c.markup == "linkify" for t in got for c in t.children or ())
    assert found > 200  # the random text makes links, not only text


def test_a_changed_linkify_gets_a_new_linker() -> None:
    md = make_parser()
    assert "href" in md.render("see http://a.b/c")
    md.linkify.add("git:", "http:")
    assert 'href="git://a.b/c"' in md.render("see git://a.b/c")
