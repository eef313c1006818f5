"""`%%comments%%`: inline and block comments, unclosed comments, and what stays literal."""
from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from kbgen.markdown import make_parser
from kbgen.markdown.collect import Collector
from kbgen.markdown.comments import comments_plugin

MD = make_parser()


def render(text: str) -> tuple[str, Collector]:
    env = {"kbgen": Collector(path="note.md")}
    html = MD.renderer.render(MD.parse(text, env), MD.options, env)
    return html, env["kbgen"]


CASES = [
    # inline
    ("This is an %%inline%% comment.", "<p>This is an  comment.</p>\n"),
    ("a %%one%% b %%two%% c", "<p>a  b  c</p>\n"),
    ("a %%across\nlines%% b", "<p>a  b</p>\n"),
    ("%%a%% text", "<p> text</p>\n"),
    ("# Heading %%hidden%%", "<h1>Heading </h1>\n"),
    ("| a %%x%% | b |\n|---|---|\n| 1 | 2 |", None),  # checked below: no `x`
    # block
    ("%%\nblock\n%%", ""),
    ("%%comment%%\npara", "<p>para</p>\n"),
    ("before\n\n%%\nhidden\n\nalso hidden\n%%\n\nafter", "<p>before</p>\n<p>after</p>\n"),
    ("foo\n%%\nbar\n%%\nbaz", "<p>foo</p>\n<p>baz</p>\n"),
    ("%%\nx\n%% tail\nmore", "<p>tail<br />\nmore</p>\n"),
    ("- item\n  %%\n  hidden\n  %%\n- item2", "<ul>\n<li>item</li>\n<li>item2</li>\n</ul>\n"),
    ("> quote\n> %%\n> hidden\n> %%\n> more", "<blockquote>\n<p>quote</p>\n<p>more</p>\n</blockquote>\n"),
    # unclosed: hidden to the end of the note
    ("before\n\n%%\nunclosed\n\n# more\n\n- list", "<p>before</p>\n"),
    ("a %% b\n\n# H\n\nc", "<p>a </p>\n"),
    ("> a %%\n\nhidden", "<blockquote>\n<p>a </p>\n</blockquote>\n"),
    # a comment that starts inside a paragraph and ends in a later one
    ("a %% b\n\nc %% d\n\ne", "<p>a </p>\n<p>d</p>\n<p>e</p>\n"),
    ("a %% b\n\nc %%\n\nd", "<p>a </p>\n<p>d</p>\n"),
    ("a %% b\n\n- x\n- y %% z\n- w", "<p>a </p>\n<ul>\n<li>z</li>\n<li>w</li>\n</ul>\n"),
    # literal
    ("`%%code%%` and `%%`", "<p><code>%%code%%</code> and <code>%%</code></p>\n"),
    ("```\n%%\n```\n\nafter", '<pre class="highlight"><code>%%\n</code></pre>\n<p>after</p>\n'),
    ("    %%\n    indented", '<pre class="highlight"><code>%%\nindented\n</code></pre>\n'),
    ("\\%% not a comment", "<p>%% not a comment</p>\n"),
    ("100% sure", "<p>100% sure</p>\n"),
    ("<!-- %% -->\nvisible", "<p>visible</p>\n"),
]


@pytest.mark.parametrize("md,html", CASES)
def test_comments(md: str, html: str | None) -> None:
    out, _ = render(md)
    if html is not None:
        assert out == html
    else:
        assert "x" not in out.replace("</tbody>", "") and "<th>b</th>" in out


def test_nothing_of_a_comment_reaches_the_html() -> None:
    out, _ = render("keep %%SECRET [[Link]] #tag%% keep\n\n%%\nSECRET2\n%%")
    assert "SECRET" not in out and "Link" not in out and "tag" not in out


def test_tags_in_comments_are_not_collected() -> None:
    _, col = render("- [ ] #task %% #hidden [[Other]] %% shown\n\n%%\n#blocktag [[Block]]\n%%")
    assert [t for t, _ in col.tags] == ["task"]


def test_links_in_inline_comments_are_recorded_as_commented() -> None:
    # Obsidian indexes them; kbgen keeps them out of the graph through `commented`.
    _, col = render("a [[Shown]] %% [[Hidden|x]]\n![[pic.png]] %% b\n\n%%\n[[Block]]\n%%")
    assert [(r.target, r.original, r.commented, r.line) for r in col.links] == [
        ("Shown", "[[Shown]]", False, 1),
        ("Hidden", "[[Hidden|x]]", True, 1),
        ("pic.png", "![[pic.png]]", True, 2),
    ]


def test_links_hidden_by_a_spanning_comment_are_marked_commented() -> None:
    # The first paragraph's link is parsed before the comment is known to span into it.
    _, col = render("a %% b\n\n[[Hidden]] c %% [[Shown]]")
    refs = {link.target: link.commented for link in col.links}
    assert refs == {"Hidden": True, "Shown": False}


def test_mermaid_in_a_comment_sets_no_flag() -> None:
    _, col = render("%%\n```mermaid\ngraph LR\n```\n%%")
    assert col.flags == set()


def test_tokens() -> None:
    tokens = MD.parse("%%\nx\n%%\n\na %%b%%", {})
    assert tokens[0].type == "comment_block" and tokens[0].map == [0, 3]
    inline = [t for t in tokens if t.type == "inline"][0]
    assert [c.type for c in inline.children or []] == ["text", "comment_inline"]


def test_plugin_alone_without_collector() -> None:
    md = MarkdownIt("commonmark").use(comments_plugin)
    assert md.render("a %%b%% c\n\n%%\nd\n%%\n\ne %% f") == "<p>a  c</p>\n<p>e </p>\n"


def _footnote_links(html: str) -> tuple[list[str], list[str]]:
    """The footnote hrefs on the page that name no id on it, and the back-references' targets."""
    import re
    ids = set(re.findall(r'id="([^"]+)"', html))
    hrefs = re.findall(r'href="#(fn[^"]*)"', html)
    return [h for h in hrefs if h not in ids], re.findall(r'href="#(fnref[^"]*)"', html)


@pytest.mark.parametrize("md, backrefs", [
    # an unclosed comment hides the only reference (and the definition): no footnote list
    ("# Top\n\n a-%%>\n\nalpha[^1]\n\n[^1]: alpha\n", []),
    # references inside an inline comment are parsed for their links, and count for nothing
    ("See[^a] and %%not[^a] nor[^b]%% end.\n\n[^a]: note a\n[^b]: note b\n", ["fnref1"]),
    # a spanning comment closed in a later paragraph: what follows `%%` is parsed again
    ("x %%\n\nhidden[^a]\n\ny %% after[^b] and[^a] and[^a]\n\n[^a]: note a\n\n[^b]: note b\n",
     ["fnref1", "fnref2", "fnref2:1"]),
])
def test_footnotes_link_back_only_to_references_left_on_the_page(md: str, backrefs: list[str]) -> None:
    html, _ = render(md)
    broken, back = _footnote_links(html)
    assert broken == [] and back == backrefs
