"""markdown-it's HTML renderer with the commonest inline tokens written without its generic path."""
from __future__ import annotations

from typing import Any, Callable, Sequence

from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import OptionsDict

from kbgen.markdown.collect import RENDER_KEY


InlineWriter = Callable[[Sequence[Token], Callable[[str], None]], None]

REF_METHOD = "ref_method"
"""A render rule's attribute naming the method of `env[RENDER_KEY]` it returns the result of,
called with the token's `meta["ref"]`, when the env holds one (else the rule runs)."""


class _Tags(dict[str, str]):
    """Tag name → its opening (or closing) tag (and what follows it), made at the first use of
    each name."""

    def __init__(self, head: str, tail: str) -> None:
        super().__init__()
        self.head = head
        self.tail = tail

    def __missing__(self, tag: str) -> str:
        html = self.head + tag + self.tail
        if len(self) < 1000:  # tag names come from the rules, but a plugin could make many
            self[tag] = html
        return html


class Renderer(RendererHTML):
    """Renders exactly as RendererHTML does. Inline content is most of a page's tokens: text
    tokens (while `text` keeps its default rule) are escaped in place, only when they hold a
    character to escape, and tags without attributes (`<em>`, `</strong>`, `<mark>`, ...) are
    written without renderToken(), as are block tags (with attributes or none), list items
    without a task box and the hidden paragraphs of tight lists; a block's only text token is
    written without the inline writer's loop."""

    def render(self, tokens: Sequence[Token], options: OptionsDict, env: Any) -> str:
        rules = self.rules
        inline = self._inline_writer(options, env)
        plain_text = _stock(rules, "text", RendererHTML.text)
        item_rule = rules.get("list_item_open")
        if _stock(rules, "list_item_open", RendererHTML.list_item_open):
            # RendererHTML's rule is renderToken() unless the item has a task box: the items
            # without one are written as other block tags are.
            rules = {kind: rule for kind, rule in rules.items() if kind != "list_item_open"}
        else:
            item_rule = None
        xhtml = options["xhtmlOut"]
        stock_tags = type(self).renderToken is RendererHTML.renderToken and \
            type(self).renderAttrs is RendererHTML.renderAttrs
        out: list[str] = []
        append = out.append
        last = len(tokens) - 1
        written_attrs: dict[tuple[tuple[str, Any], ...], str] = {}
        by_ref = self._by_ref(env) if plain_text else {}
        for i, token in enumerate(tokens):
            kind = token.type
            if kind == "inline":
                children = token.children
                if not children:
                    continue
                if plain_text and len(children) == 1 and children[0].type == "text":
                    text = children[0].content  # a plain cell or item: what write() makes of it
                    if "&" in text or "<" in text or ">" in text or '"' in text:
                        text = escapeHtml(text)
                    append(text)
                elif len(children) == 3 and (opener := children[0]).type in by_ref and \
                        children[1].type == "text" and (closer := children[2]).type in by_ref:
                    # a cell or item of one link (its opener, text and closer call the page):
                    # what write() makes of it, without its loop
                    append(by_ref[opener.type](opener.meta["ref"]))
                    text = children[1].content
                    if "&" in text or "<" in text or ">" in text or '"' in text:
                        text = escapeHtml(text)
                    append(text)
                    append(by_ref[closer.type](closer.meta["ref"]))
                else:
                    inline(children, append)  # the pieces go into this page's list
            elif kind in rules:
                append(rules[kind](tokens, i, options, env))
            elif token.hidden:
                continue  # renderToken() writes nothing for it (a tight list's paragraphs)
            elif token.nesting == -1 and token.block and not token.attrs:
                append(_CLOSE_LINE[token.tag])  # renderToken() for a block closer: a line of its own
            elif item_rule is not None and kind == "list_item_open" and token.meta and "checked" in token.meta:
                append(item_rule(tokens, i, options, env))
            elif token.attrs and stock_tags and token.block and token.nesting:
                # renderToken() for a block tag with attributes (headings with their ids, task
                # items with their classes: those repeat, and are escaped once)
                attrs = None
                if len(token.attrs) == 1:
                    # one attribute (a heading's id: each its own), written without the table
                    (key, value), = token.attrs.items()
                    if type(value) is str:
                        if "&" in value or "<" in value or ">" in value or '"' in value:
                            value = escapeHtml(value)
                        if token.nesting == 1 and i < last and tokens[i + 1].type == "inline" and \
                                not (i and tokens[i - 1].hidden):
                            # an opener around inline content (a heading): its tag in one piece
                            append(f'<{token.tag} {_KEYS[key]}="{value}">')
                            continue
                        attrs = " " + _KEYS[key] + '="' + value + '"'
                if attrs is None:
                    items = tuple(token.attrs.items())
                    try:
                        attrs = written_attrs.get(items)
                    except TypeError:  # (a plugin's value that is not hashable)
                        attrs = None
                if attrs is None:
                    attrs = "".join([" " + escapeHtml(key) + '="' + escapeHtml(str(value)) + '"'
                                     for key, value in items])
                    # only strings: 1, 1.0 and True are equal keys, and written differently
                    if len(written_attrs) < 1000 and all(type(value) is str for _, value in items):
                        written_attrs[items] = attrs
                if token.nesting == -1:
                    append("</" + token.tag + attrs + ">\n")
                    continue
                after = tokens[i + 1] if i < last else None
                lf = after is None or not (after.type == "inline" or after.hidden or
                                           (after.nesting == -1 and after.tag == token.tag))
                html = "<" + token.tag + attrs + (">\n" if lf else ">")
                append("\n" + html if i and tokens[i - 1].hidden else html)
            elif token.attrs or (xhtml and token.nesting == 0):
                append(self.renderToken(tokens, i, options, env))
            elif not token.block:
                append((_CLOSE if token.nesting == -1 else _OPEN)[token.tag])
            else:
                # renderToken() for a block tag without attributes: a newline before an
                # opener that follows a hidden paragraph (tight lists), and after the tag
                # unless it opens around inline content, a hidden token or its own closer.
                after = tokens[i + 1] if token.nesting == 1 and i < last else None
                if after is not None and (after.type == "inline" or after.hidden or
                                          (after.nesting == -1 and after.tag == token.tag)):
                    html = _OPEN[token.tag]
                else:
                    html = _OPEN_LINE[token.tag]
                append("\n" + html if i and tokens[i - 1].hidden else html)
        return "".join(out)

    def renderInline(self, tokens: Sequence[Token], options: OptionsDict, env: Any) -> str:
        out: list[str] = []
        self._inline_writer(options, env)(tokens, out.append)
        return "".join(out)

    def _inline_writer(self, options: OptionsDict, env: Any) -> InlineWriter:
        """A function that writes inline tokens' HTML, piece by piece, to `append`."""
        rules = self.rules
        plain_text = _stock(rules, "text", RendererHTML.text)
        xhtml = options["xhtmlOut"]
        render_token = self.renderToken
        # What RendererHTML's break rules return, made once (a note may hold a break per line)
        constant = {kind: rule(self, (), 0, options, env) for kind, rule in
                    (("softbreak", RendererHTML.softbreak), ("hardbreak", RendererHTML.hardbreak))
                    if _stock(rules, kind, rule)}
        by_ref = self._by_ref(env)

        def write(tokens: Sequence[Token], append: Callable[[str], None]) -> None:
            for i, token in enumerate(tokens):
                kind = token.type
                if kind == "text" and plain_text:
                    text = token.content
                    # escapeHtml() returns what has none of its characters unchanged.
                    if "&" in text or "<" in text or ">" in text or '"' in text:
                        text = escapeHtml(text)
                    append(text)
                elif kind in rules:  # (by_ref and constant hold some of the rules' kinds)
                    if kind in by_ref:
                        append(by_ref[kind](token.meta["ref"]))
                    elif kind in constant:
                        append(constant[kind])
                    else:
                        append(rules[kind](tokens, i, options, env))
                elif token.attrs or token.block or token.hidden or (xhtml and token.nesting == 0):
                    append(render_token(tokens, i, options, env))
                else:
                    # renderToken()'s result for an inline tag without attributes.
                    append((_CLOSE if token.nesting == -1 else _OPEN)[token.tag])
        return write

    def _by_ref(self, env: Any) -> dict[str, Callable[[Any], str]]:
        """For each rule that only calls the page's method (REF_METHOD) on the token's ref: the
        method, to call in the rule's place (a note may hold a link per line: its opener and
        closer)."""
        page = env.get(RENDER_KEY) if isinstance(env, dict) else None
        if page is None:
            return {}
        return {kind: method for kind, name in self._ref_kinds()
                if callable(method := getattr(page, name, None))}

    def _ref_kinds(self) -> tuple[tuple[str, str], ...]:
        """(kind, REF_METHOD) of each rule that has one, looked for again only when the rules
        have changed (a page renders each note and embed: 35 rules asked per render call)."""
        seen = self.__dict__.get("_ref_seen")
        if seen is None or seen[0] != self.rules:  # (a rule added or replaced since)
            kinds = tuple((kind, getattr(rule, REF_METHOD)) for kind, rule in self.rules.items()
                          if hasattr(rule, REF_METHOD))
            seen = self._ref_seen = (dict(self.rules), kinds)
        return seen[1]  # type: ignore[no-any-return]


def _stock(rules: dict[str, Any], kind: str, method: Callable[..., str]) -> bool:
    """Whether the render rule for `kind` is RendererHTML's `method` (not one a plugin set)."""
    return getattr(rules.get(kind), "__func__", None) is method


class _Keys(dict[str, str]):
    """Attribute name → the name escaped, made at its first use."""

    def __missing__(self, key: str) -> str:
        escaped = escapeHtml(key)
        if len(self) < 1000:
            self[key] = escaped
        return escaped


_KEYS = _Keys()
_OPEN = _Tags("<", ">")
_CLOSE = _Tags("</", ">")
_OPEN_LINE = _Tags("<", ">\n")
_CLOSE_LINE = _Tags("</", ">\n")
