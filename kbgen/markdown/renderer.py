"""markdown-it's HTML renderer with the commonest inline tokens written without its generic path."""
from __future__ import annotations

from typing import Any, Callable, Sequence

from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import OptionsDict


class Renderer(RendererHTML):
    """Renders exactly as RendererHTML does. Inline content is most of a page's tokens: text
    tokens (while `text` keeps its default rule) are escaped in place, and tags without
    attributes (`<em>`, `</strong>`, `<mark>`, ...) are written without renderToken()."""

    def render(self, tokens: Sequence[Token], options: OptionsDict, env: Any) -> str:
        rules = self.rules
        inline = self._inline_writer(options, env)
        out: list[str] = []
        for i, token in enumerate(tokens):
            kind = token.type
            if kind == "inline":
                if token.children:
                    out.append(inline(token.children))
            elif kind in rules:
                out.append(rules[kind](tokens, i, options, env))
            else:
                out.append(self.renderToken(tokens, i, options, env))
        return "".join(out)

    def renderInline(self, tokens: Sequence[Token], options: OptionsDict, env: Any) -> str:
        return self._inline_writer(options, env)(tokens)

    def _inline_writer(self, options: OptionsDict, env: Any) -> Callable[[Sequence[Token]], str]:
        rules = self.rules
        plain_text = getattr(rules.get("text"), "__func__", None) is RendererHTML.text
        xhtml = options["xhtmlOut"]
        render_token = self.renderToken

        def write(tokens: Sequence[Token]) -> str:
            out: list[str] = []
            append = out.append
            for i, token in enumerate(tokens):
                kind = token.type
                if kind == "text" and plain_text:
                    append(escapeHtml(token.content))
                elif kind in rules:
                    append(rules[kind](tokens, i, options, env))
                elif token.attrs or token.block or token.hidden or (xhtml and token.nesting == 0):
                    append(render_token(tokens, i, options, env))
                else:
                    # renderToken()'s result for an inline tag without attributes.
                    append(("</" if token.nesting == -1 else "<") + token.tag + ">")
            return "".join(out)
        return write
