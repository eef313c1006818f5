"""Code blocks: Pygments highlighting at build time (CSS classes only) and Mermaid diagrams.

Syntax (CommonMark fences and indented code, see research/ofm-spec.md §1.14)::

    ```python                ```mermaid               ```dataview
    print("hi")              graph TD; A-->B          LIST FROM #tag
    ```                      ```                      ```

A fence renders as `<pre class="highlight"><code class="language-xx">` with Pygments' token
classes inside; an unknown language, no language, and Obsidian's plugin blocks (`query`,
`dataview`, `dataviewjs`, `tasks`, `base`) stay escaped plain text. A `mermaid` fence renders as
`<pre class="mermaid">source</pre>` for mermaid.js, and a core rule sets the note's `mermaid` flag.
The colours come from `pygments_css()`, which the theme writes into a static stylesheet.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Sequence

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml, unescapeAll
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import OptionsDict
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from kbgen.markdown.collect import collector

PLAIN_LANGUAGES = frozenset({"query", "dataview", "dataviewjs", "tasks", "base"})
"""Fences that Obsidian plugins run: shown as their source, never highlighted."""
LIGHT_STYLE = "default"
DARK_STYLE = "github-dark"

_FORMATTER = HtmlFormatter(nowrap=True)


def code_plugin(md: MarkdownIt) -> None:
    """Register the fence and code_block render rules and the `kbgen_mermaid` core rule."""
    md.core.ruler.push("kbgen_mermaid", _mermaid_rule)
    md.add_render_rule("fence", _render_fence)
    md.add_render_rule("code_block", _render_code_block)


def language(info: str) -> str:
    """The language of a fence: the first word of its info string."""
    words = unescapeAll(info).strip().split(maxsplit=1)
    return words[0] if words else ""


def _mermaid_rule(state: StateCore) -> None:
    """Marks Mermaid fences; tells the collector of them and of the code blocks' languages."""
    if "```" not in state.src and "~~~" not in state.src:
        return  # a fence opens with three of either: no fence anywhere in the note
    col = collector(state.env)
    for tok in state.tokens:
        if tok.type == "fence":
            lang = language(tok.info)
            if lang.lower() == "mermaid":
                tok.meta["mermaid"] = True
                if col is not None:
                    col.flags.add("mermaid")
            elif lang and col is not None:
                col.flags.add("lang:" + lang)


def ready(languages: set[str]) -> None:
    """Build the highlighters of these languages now (each takes milliseconds the first time)."""
    for lang in sorted(languages):
        _lexer(lang)


@lru_cache(maxsize=256)
def _lexer(lang: str) -> Lexer | None:
    if not lang or lang.lower() in PLAIN_LANGUAGES:
        return None
    try:
        return get_lexer_by_name(lang, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


def highlight_code(code: str, lang: str) -> str:
    """The HTML inside `<code>`: Pygments spans for a known language, else escaped text."""
    lexer = _lexer(lang)
    if lexer is None:
        return escapeHtml(code)
    return highlight(code, lexer, _FORMATTER)


def _id_attr(tok: Token) -> str:
    anchor = tok.attrGet("id")
    return f' id="{escapeHtml(str(anchor))}"' if anchor else ""


def _render_fence(self: RendererHTML, tokens: Sequence[Token], idx: int,
                  options: OptionsDict, env: dict[str, Any]) -> str:
    tok = tokens[idx]
    lang = language(tok.info)
    if tok.meta.get("mermaid") or lang.lower() == "mermaid":
        return f'<pre class="mermaid"{_id_attr(tok)}>{escapeHtml(tok.content)}</pre>\n'
    cls = f' class="{escapeHtml(options.get("langPrefix", "language-") + lang)}"' if lang else ""
    return (f'<pre class="highlight"{_id_attr(tok)}><code{cls}>'
            f'{highlight_code(tok.content, lang)}</code></pre>\n')


def _render_code_block(self: RendererHTML, tokens: Sequence[Token], idx: int,
                       options: OptionsDict, env: dict[str, Any]) -> str:
    tok = tokens[idx]
    return f'<pre class="highlight"{_id_attr(tok)}><code>{escapeHtml(tok.content)}</code></pre>\n'


def pygments_css(light: str = LIGHT_STYLE, dark: str = DARK_STYLE) -> str:
    """Stylesheet for highlighted code: `light` by default, `dark` under `[data-theme="dark"]`
    and, unless the page says `data-theme="light"`, when the reader's system prefers dark."""
    explicit = '[data-theme="dark"] .highlight'
    auto = ':root:not([data-theme="light"]) .highlight'
    light_fmt, dark_fmt = HtmlFormatter(style=light), HtmlFormatter(style=dark)
    # Dark rules first reset every token colour, so light colours for tokens that the dark
    # style leaves alone do not leak into dark mode.
    reset = "{ color: inherit; background-color: transparent; font-weight: inherit; " \
            "font-style: inherit; text-decoration: inherit; border: none }"

    def dark_rules(prefix: str) -> list[str]:
        return [f"{prefix} span {reset}",
                *dark_fmt.get_background_style_defs(prefix),
                *dark_fmt.get_token_style_defs(prefix)]

    parts = [
        f"/* Pygments {light} (light) and {dark} (dark), generated by kbgen */",
        *light_fmt.get_background_style_defs(".highlight"),
        *light_fmt.get_token_style_defs(".highlight"),
        *dark_rules(explicit),
        "@media (prefers-color-scheme: dark) {",
        *("  " + rule for rule in dark_rules(auto)),
        "}",
    ]
    return "\n".join(parts) + "\n"
