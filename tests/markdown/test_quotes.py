"""Our `blockquote` rule makes the tokens markdown-it's rule makes, with and without its fast path."""
from __future__ import annotations

import random
from typing import Any

import pytest
from markdown_it import MarkdownIt

import kbgen.markdown as markdown
from kbgen.markdown import make_parser, quotes
from kbgen.markdown.collect import ENV_KEY, Collector

LINES = [
    "", "", "", "> a", "> [!note] t", "> text ^b1", ">", "> ", ">a", ">\ta", "> \ta", ">  \ta", ">     code",
    ">    four", "  > a", "   > a", "    > code", "\t> tab", "> - x", "- > a", "  > b", "1. > c", "- [ ] > t",
    "> # h", "> <div>", "> [a]: b", "> [^1]: n", "> ---", "> ***", "> > a", "> > [!tip] x", "lazy", "text",
    "===", "---", "- item", "> %%c%%", "> $$", "> ```", "> |a|b|", "|-|-|", "> a  ", "> *a*", "> [[x]]",
    "> 1. a", "> 2) b", "> +", "> ^id", "^id", "  - > deep", "    > four in", "> &amp;", "> \\>",
    ">" * 99 + " a", ">" * 100 + " a", "> " * 40 + "b",
]


def note(rng: random.Random) -> str:
    return "\n".join(rng.choice(LINES) for _ in range(rng.randint(1, 10)))


def library_parser() -> MarkdownIt:
    """kbgen's parser with markdown-it's own blockquote rule."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(markdown, "quotes_plugin", lambda md: None)
        return make_parser()


@pytest.mark.parametrize("seed", range(4))
def test_tokens_and_html_are_markdown_its(seed: int) -> None:
    ours, library = make_parser(), library_parser()
    rng = random.Random(seed)
    for _ in range(1000):
        text = note(rng)
        env_ours: dict[str, Any] = {ENV_KEY: Collector("n.md")}
        env_library: dict[str, Any] = {ENV_KEY: Collector("n.md")}
        got, want = ours.parse(text, env_ours), library.parse(text, env_library)
        assert [t.as_dict() for t in got] == [t.as_dict() for t in want], text
        assert ours.renderer.render(got, ours.options, env_ours) == \
            library.renderer.render(want, library.options, env_library), text
        assert env_ours[ENV_KEY] == env_library[ENV_KEY], text


def test_fast_path_is_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    """Quotes whose lines all start with `>` and have no tab before their text skip
    markdown-it's rule; quotes with a lazy line or such a tab do not."""
    calls: list[int] = []
    library = quotes.library_blockquote

    def counted(*args: Any) -> bool:
        calls.append(args[1])
        return library(*args)

    monkeypatch.setattr(quotes, "library_blockquote", counted)
    md = make_parser()
    md.parse("x\n\n> [!note] t\n\n> a\n\n> b\n> c\n\n> # h\n\n> d\nlazy\n\n> e\n>\tt\n\n> >  \tf\n")
    assert calls == [11, 14, 17]  # a lazy line, a tab, the last one's inner quote (a tab)


QUOTE_LINES = [line for line in LINES if line.lstrip(" ").startswith(">")] + [
    "", "lazy", "- item", "\t> t", "> -\ta", ">-\tb", "> >\tc", ">> \td", "> - a\tb", ">-  \tc", "> 1.\te",
    " >  - \tf", "  >\t\tg"]


@pytest.mark.parametrize("seed", range(2))
def test_long_quotes_are_markdown_its(seed: int) -> None:
    """Notes made mostly of quote lines (quotes of many lines, nested, in list items)."""
    ours, library = make_parser(), library_parser()
    rng = random.Random(100 + seed)
    for _ in range(1000):
        text = "\n".join(rng.choice(QUOTE_LINES) for _ in range(rng.randint(2, 25)))
        got, want = ours.parse(text, {}), library.parse(text, {})
        assert [t.as_dict() for t in got] == [t.as_dict() for t in want], text
