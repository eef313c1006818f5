"""Our `footnote_def` rule makes the tokens the plugin's rule makes, with and without its fast path."""
from __future__ import annotations

import random
from typing import Any

import pytest
from markdown_it import MarkdownIt

import kbgen.markdown as markdown
from kbgen.markdown import footnotes, make_parser
from kbgen.markdown.collect import ENV_KEY, Collector

LINES = [
    "", "", "", "", "[^1]: n", "[^1]: n", "[^a]: text [[x]] *e*", "[^1]:n", "[^1]:  two", "[^1]:   three",
    "[^1]:    code", "[^1]:\tt", "[^1]: \tt", "[^1]:", "[^1]: ", "[^]: e", "[^a b]: s", "[^1] : x", "[^1]",
    "[a]: b", "[^1]: # h", "[^1]: - l", "[^1]: > q", "[^1]: [^2]: n", "[^1]: ---", "[^1]: ```", "[^1]: $$",
    "[^1]: |a|b|", "[^1]: <div>", "[^1]: %%c%%", "[^1]: a ^id", "[^1]: a  ", "[^1]: &amp;", "  [^1]: n",
    "   [^1]: n", "    [^1]: code", "\t[^1]: t", "    indented", "     more", "\tindented", "  two in",
    "text", "lazy", "===", "---", "- item", "- [^1]: n", "  [^2]: in", "1. [^3]: n", "> [^1]: q",
    "> > [^2]: q", "- > [^1]: n", "[^x]: a [^x] b", "a[^1] b[^x]", "^[inline]", "[^1]: ^[in]",
    "- " * 40 + "[^1]: deep", "> " * 40 + "[^1]: deep",
]


def note(rng: random.Random) -> str:
    return "\n".join(rng.choice(LINES) for _ in range(rng.randint(1, 10)))


def library_parser() -> MarkdownIt:
    """kbgen's parser with the plugin's own footnote_def rule."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(markdown, "footnotes_plugin", lambda md: None)
        return make_parser()


def untailed(md: MarkdownIt) -> MarkdownIt:
    """`md` leaving the definitions where they are (footnote_tail drops their maps)."""
    md.core.ruler.disable("footnote_tail")
    return md


@pytest.mark.parametrize("seed", range(4))
def test_tokens_and_html_are_the_plugins(seed: int) -> None:
    ours, library = make_parser(), library_parser()
    ours_untailed, library_untailed = untailed(make_parser()), untailed(library_parser())
    rng = random.Random(seed)
    for _ in range(1000):
        text = note(rng)
        assert [t.as_dict() for t in ours_untailed.parse(text, {ENV_KEY: Collector("n.md")})] == \
            [t.as_dict() for t in library_untailed.parse(text, {ENV_KEY: Collector("n.md")})], text
        env_ours: dict[str, Any] = {ENV_KEY: Collector("n.md")}
        env_library: dict[str, Any] = {ENV_KEY: Collector("n.md")}
        got, want = ours.parse(text, env_ours), library.parse(text, env_library)
        assert [t.as_dict() for t in got] == [t.as_dict() for t in want], text
        assert ours.renderer.render(got, ours.options, env_ours) == \
            library.renderer.render(want, library.options, env_library), text
        assert env_ours == env_library, text


def test_fast_path_is_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    """One-line definitions of text skip the plugin's rule; others do not."""
    calls: list[int] = []
    library = footnotes.library_footnote_def

    def counted(*args: Any) -> bool:
        if not args[3]:  # (paragraphs ask it in silent mode whether a line ends them)
            calls.append(args[1])
        return library(*args)

    monkeypatch.setattr(footnotes, "library_footnote_def", counted)
    md = make_parser()
    md.parse("x[^1][^2]\n\n[^1]: one\n\n[^2]: two\n\n[^3]: a\nb\n\n[^4]: # h\n\n[^5]: c\n\n    more\n")
    assert calls == [6, 9, 11]  # the two-line one, the heading, the one continued by an indented line
