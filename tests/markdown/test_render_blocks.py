"""kbgen's Renderer writes the HTML of markdown-it's RendererHTML for block tokens: list items with and without task boxes, tight lists' hidden paragraphs, plain cells.

The same tokens (kbgen's parser, markdown-it's `tasklists` option on and off) are rendered by
both renderers, on random lists, tables, quotes and callouts, with `xhtmlOut` on and off.
"""
from __future__ import annotations

import random

import pytest
from markdown_it.renderer import RendererHTML

from kbgen.markdown import make_parser
from kbgen.markdown.renderer import Renderer

LINES = ["- ", "* ", "1. ", "2) ", "  - ", "    - ", "> ", "> - ", "- [ ] ", "- [x] ", "1. [X] ", "| a | b |",
         "|---|---|", "| c & d | <e> |", "| \"q\" | [[x]] |", "# h", "```", "    code", "", "", "---", "text"]
TEXTS = ["a", "b & c", "<i>", "\"q\"", "[[x]]", "*e*", "", "a\nlazy", "x  ", "![[y]]", "`c`"]


def _document(rng: random.Random) -> str:
    return "\n".join(rng.choice(LINES) + rng.choice(TEXTS) for _ in range(rng.randint(1, 12)))


@pytest.mark.parametrize("tasklists", [False, True])
@pytest.mark.parametrize("xhtml", [False, True])
def test_random_blocks_render_alike(tasklists: bool, xhtml: bool) -> None:
    md = make_parser()
    md.options["tasklists"] = tasklists
    md.options["xhtmlOut"] = xhtml
    assert isinstance(md.renderer, Renderer)
    reference = RendererHTML()
    reference.rules.update({k: v for k, v in md.renderer.rules.items()
                            if getattr(v, "__func__", None) is not getattr(RendererHTML, k, None)})
    rng = random.Random(11 + tasklists + 2 * xhtml)
    checked = hidden = 0
    for _ in range(600):
        text = _document(rng)
        tokens = md.parse(text, {})
        checked += sum(1 for t in tokens if t.type == "list_item_open" and "checked" in (t.meta or {}))
        hidden += sum(1 for t in tokens if t.hidden)
        assert md.renderer.render(tokens, md.options, {}) == reference.render(tokens, md.options, {}), text
    assert hidden > 100 and (checked > 50) == tasklists


def test_a_plugins_item_rule_is_kept() -> None:
    """A list_item_open rule of a plugin's own runs for every item."""
    md = make_parser()
    md.add_render_rule("list_item_open", lambda self, tokens, idx, options, env: "<li class=x>")
    assert md.render("- a\n- b\n") == "<ul>\n<li class=x>a</li>\n<li class=x>b</li>\n</ul>\n"


@pytest.mark.parametrize("xhtml", [False, True])
def test_block_tags_with_attributes_render_alike(xhtml: bool) -> None:
    """Headings with ids, blocks with block ids and any block token given attributes (openers,
    closers, before and after hidden paragraphs; values that repeat, equal values of other
    types, values that cannot be hashed) are written as renderToken() writes them."""
    md = make_parser()
    md.options["xhtmlOut"] = xhtml
    reference = RendererHTML()
    reference.rules.update({k: v for k, v in md.renderer.rules.items()
                            if getattr(v, "__func__", None) is not getattr(RendererHTML, k, None)})
    rng = random.Random(5 + xhtml)
    given = 0
    for _ in range(600):
        text = "\n".join(rng.choice(LINES) + rng.choice(TEXTS) + rng.choice(["", "", " ^b1", " ^c-2"])
                         for _ in range(rng.randint(1, 12)))
        tokens = md.parse(text, {})
        for tok in tokens:
            if tok.block and tok.nesting and rng.random() < 0.4:
                tok.attrSet(rng.choice(["id", "class", "data-x", "k&<\">"]), rng.choice(["h", "a&b", "<q\">", 3, "3", 3.0, True, ["l"]]))
                given += 1
        assert md.renderer.render(tokens, md.options, {}) == reference.render(tokens, md.options, {}), text
    assert given > 1000


class _Page:
    """A page's renderer (env[RENDER_KEY]) that writes each ref's fields into the HTML."""

    def link_open(self, ref: object) -> str:
        return f"<a {ref!r}>"

    def link_close(self, ref: object) -> str:
        return f"</a {id(ref)}>"

    def embed(self, ref: object) -> str:
        return f"<embed {ref!r}>"


@pytest.mark.parametrize("breaks", [False, True])
@pytest.mark.parametrize("xhtml", [False, True])
def test_links_embeds_and_breaks_render_alike(breaks: bool, xhtml: bool) -> None:
    """Links and embeds through the page's methods, line breaks as RendererHTML's rules write
    them, with and without a page in the env."""
    from kbgen.markdown.collect import RENDER_KEY

    md = make_parser()
    md.options["xhtmlOut"], md.options["breaks"] = xhtml, breaks
    reference = RendererHTML()
    reference.rules.update({k: v for k, v in md.renderer.rules.items()
                            if getattr(v, "__func__", None) is not getattr(RendererHTML, k, None)})
    rng = random.Random(2 + xhtml + 2 * breaks)
    pieces = ["[[a]]", "![[b]]", "[[c|d]]", "![[e#f]]", "\n", "  \n", "text ", "*x* ", "[l](u) ", "`c` "]
    for _ in range(400):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        tokens = md.parse(text, {})
        for env in ({}, {RENDER_KEY: _Page()}):
            assert md.renderer.render(tokens, md.options, env) == reference.render(tokens, md.options, env), text


def test_a_link_rule_replaced_after_a_render_is_used() -> None:
    """The renderer remembers which rules call the page's methods, and looks again when a rule
    is added or replaced."""
    from kbgen.markdown.collect import RENDER_KEY

    md = make_parser()
    env = {RENDER_KEY: _Page()}
    assert md.render("[[a]]", env).startswith("<p><a LinkRef(")
    md.add_render_rule("wikilink_open", lambda self, tokens, idx, options, env: "<a plugin>")
    assert md.render("[[a]]", env).startswith("<p><a plugin>a</a ")


class _CountingPage:
    """A page's link methods (env[RENDER_KEY]): each call numbered, so the order shows."""

    def __init__(self) -> None:
        self.calls = 0

    def _said(self, what: str, ref: object) -> str:
        self.calls += 1
        return f"<{what} {self.calls} {getattr(ref, 'original', '')!r}>"

    def link_open(self, ref: object) -> str:
        return self._said("open", ref)

    def link_close(self, ref: object) -> str:
        return self._said("close", ref)

    def embed(self, ref: object) -> str:
        return self._said("embed", ref)


ONE_LINK = ["[[x]]", "[[a & b]]", "[[<i>]]", "[[x|y]]", "[[x|\"q\"]]", "[[x#h]]", "![[y]]", "[[x]] [[y]]",
            "a [[x]]", "[[x]] b", "[x](y.md)", "[[x|*e*]]", "[[x|a<b]]", "[[x]]  \n", "[[x]]\n[[y]]"]


def test_one_link_blocks_render_alike_with_a_page() -> None:
    """Cells and items of one link (written without the inline writer's loop when the page's
    methods render its opener and closer) as RendererHTML writes them through the rules."""
    from kbgen.markdown.collect import RENDER_KEY

    md = make_parser()
    reference = RendererHTML()
    reference.rules.update({k: v for k, v in md.renderer.rules.items()
                            if getattr(v, "__func__", None) is not getattr(RendererHTML, k, None)})
    rng = random.Random(12)
    for _ in range(400):
        text = "\n".join(rng.choice(["- ", "> - ", "| ", "# ", "", "1. "]) + rng.choice(ONE_LINK)
                         + rng.choice(["", " |\n|---|"]) for _ in range(rng.randint(1, 6)))
        tokens = md.parse(text, {})
        ours, theirs = _CountingPage(), _CountingPage()
        assert md.renderer.render(tokens, md.options, {RENDER_KEY: ours}) == \
            reference.render(tokens, md.options, {RENDER_KEY: theirs}), text
        assert ours.calls == theirs.calls
