"""Math: `$…$` / `$$…$$` to MathML at parse time, currency stays text, bad TeX stays visible."""
from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from kbgen.markdown import make_parser
from kbgen.markdown.collect import Collector
from kbgen.markdown.mathml import mathml_plugin, to_mathml

MD = make_parser()
NS = 'xmlns="http://www.w3.org/1998/Math/MathML"'


def parse(text: str) -> tuple[str, Collector]:
    env = {"kbgen": Collector(path="note.md")}
    html = MD.renderer.render(MD.parse(text, env), MD.options, env)
    return html, env["kbgen"]


def test_inline_math() -> None:
    html, col = parse("Euler: $e^{2i\\pi} = 1$.")
    assert html == (f'<p>Euler: <span class="math math-inline"><math {NS} display="inline"><mrow>'
                    '<msup><mi>e</mi><mrow><mn>2</mn><mi>i</mi><mi>&#x003C0;</mi></mrow></msup>'
                    '<mo>&#x0003D;</mo><mn>1</mn></mrow></math></span>.</p>\n')
    assert col.flags == {"math"} and col.diagnostics == []


@pytest.mark.parametrize("md", [
    "$5 and $10",
    "It costs $5.",
    "between $ 1 $ and",
    "$x $ no",
    "\\$x\\$ escaped",
    "`$x$` code",
])
def test_not_math(md: str) -> None:
    html, col = parse(md)
    assert "<math" not in html and "math" not in col.flags


@pytest.mark.parametrize("md", [
    "$$\n\\sqrt{3x-1}\n$$",
    "$$\\sqrt{3x-1}$$",
    "$$\n\\sqrt{3x-1}\n+ 1\n$$",
    "- item\n\n  $$\n  x^2\n  $$",
    "> [!info] Math\n> $$\n> x^2\n> $$",
])
def test_display_math(md: str) -> None:
    html, col = parse(md)
    assert f'<math {NS} display="block">' in html
    assert col.flags == {"math"} and "$$" not in html


def test_display_math_inside_a_paragraph_stays_phrasing_content() -> None:
    html, _ = parse("Text\n$$\nx^2\n$$\nafter $$y$$ end")
    assert html.count(f'<span class="math math-block"><math {NS} display="block">') == 2
    assert "<div" not in html


def test_display_math_block() -> None:
    html, _ = parse("$$\nx\n$$")
    assert html == (f'<div class="math math-block"><math {NS} display="block"><mrow><mi>x</mi>'
                    "</mrow></math></div>\n")


def test_multiline_and_environments() -> None:
    html, _ = parse("$$\n\\begin{align}\na &= b \\\\\nc &= d \\tag{2}\n\\end{align}\n$$")
    assert "<mtable" in html and "<mtext>(2)</mtext>" in html


def test_tag() -> None:
    html, _ = parse("$$x^2 \\tag{1}$$")
    assert "<mtext>(1)</mtext>" in html


def test_math_in_list_with_block_id() -> None:
    html, col = parse("- item\n\n  $$\n  a\n  $$\n  ^37006f")
    assert '<div class="math math-block" id="^37006f">' in html and col.blocks == {"37006f": 3}


def test_rejected_formula_keeps_its_source_and_is_reported() -> None:
    html, col = parse("line\n\nbad $\\frac{a}{$ here\n\n$$\n\\frac{\n$$")
    assert '<span class="math math-error" title="' in html and "$\\frac{a}{$</span>" in html
    assert '<div class="math math-block math-error" title="' in html and "$$\n\\frac{\n$$</div>" in html
    assert [(d.line, d.code) for d in col.diagnostics] == [(3, "math"), (5, "math")]
    assert col.flags == {"math"}


def test_unknown_command_is_an_error() -> None:
    html, col = parse("$\\ce{H2O}$")
    assert 'title="unknown command \\ce"' in html and "$\\ce{H2O}$" in html
    assert "unknown command \\ce" in col.diagnostics[0].message


def test_error_text_is_escaped() -> None:
    html, _ = parse("$\\foo<b>$")
    assert "<b>" not in html and "&lt;b&gt;" in html


def test_label() -> None:
    html, _ = parse("$$a=1$$ (eq1)")
    assert '<div class="math math-block" id="eq1">' in html


def test_mathml_is_stored_in_the_token() -> None:
    tokens = MD.parse("$$y$$\n\ntext $x$", {})
    assert tokens[0].meta["mathml"].startswith("<math")
    inline = [t for t in tokens if t.type == "inline"][0]
    assert inline.children[1].meta["mathml"].startswith("<math")  # type: ignore[index]


def test_to_mathml() -> None:
    assert to_mathml("x", False)[0] is not None
    assert to_mathml("\\frac{", True) == (None, to_mathml("\\frac{", True)[1])


def test_plugin_alone_without_collector() -> None:
    md = MarkdownIt("commonmark").use(mathml_plugin)
    assert '<span class="math math-error"' in md.render("$\\frac{$")
    assert "<math" in md.render("$x$")
