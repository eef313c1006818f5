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
        xhtml = options["xhtmlOut"]
        out: list[str] = []
        last = len(tokens) - 1
        for i, token in enumerate(tokens):
            kind = token.type
            if kind == "inline":
                if token.children:
                    out.append(inline(token.children))
            elif kind in rules:
                out.append(rules[kind](tokens, i, options, env))
            elif token.attrs or token.hidden or (xhtml and token.nesting == 0):
                out.append(self.renderToken(tokens, i, options, env))
            else:
                out.append(_tag(tokens, i, token, last))
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


def _tag(tokens: Sequence[Token], i: int, token: Token, last: int) -> str:
    """RendererHTML.renderToken() for a visible token without attributes (nor xhtmlOut's ` /`)."""
    nesting = token.nesting
    if not token.block:
        return ("</" if nesting == -1 else "<") + token.tag + ">"
    # A newline before a block opener that follows a hidden paragraph (tight lists), and after
    # a block tag unless it opens around inline content, a hidden token or its own closer.
    head = "\n<" if nesting != -1 and i and tokens[i - 1].hidden else ("</" if nesting == -1 else "<")
    if nesting == 1 and i < last:
        after = tokens[i + 1]
        if after.type == "inline" or after.hidden or (after.nesting == -1 and after.tag == token.tag):
            return head + token.tag + ">"
    return head + token.tag + ">\n"
