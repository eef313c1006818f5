"""The theme's jinja2 environment: jinja2's own, with cheaper lookups, contexts and escaping
(a page's templates run some 60 attribute lookups, 7 template lookups and contexts, 50 escapes);
the same output."""
from __future__ import annotations

from collections import ChainMap
from types import FunctionType
from typing import Any

import jinja2
import jinja2.runtime
from jinja2.utils import internalcode
from markupsafe import Markup, escape


_DICT_ATTRIBUTES = frozenset(dir(dict))


class Environment(jinja2.Environment):
    """jinja2's Environment, but `x.key` on a plain dict looks the key up without first failing
    to find an attribute `key` (an exception each time, and a page's templates make some 60
    such lookups; the same results: a dict has no attributes but its class's), and a loaded
    template is found again by its name alone (see get_template)."""

    def __init__(self, *args: Any, **options: Any) -> None:
        super().__init__(*args, **options)
        self._loaded: dict[str, jinja2.Template] = {}

    def get_template(self, name: Any, parent: str | None = None, globals: Any = None) -> jinja2.Template:
        """jinja2's, remembered by name when templates never reload (auto_reload off; join_path
        is jinja2's, which ignores the parent): jinja2's own cache, an LRU, moves the name to the
        end of its queue by a linear search at every lookup, and a page includes some six partials."""
        if globals is None and type(name) is str and not self.auto_reload:
            hit = self._loaded.get(name)
            if hit is None:
                hit = self._loaded[name] = super().get_template(name, parent)
            return hit
        return super().get_template(name, parent, globals)

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


def _flat(globals: Any) -> dict[str, Any]:
    """A template's globals as one dict: a ChainMap's maps merged in C, the first map winning as
    in the ChainMap (dict(chainmap) looks each key up in Python)."""
    if type(globals) is not ChainMap:
        return dict(globals)
    out: dict[str, Any] = {}
    for m in reversed(globals.maps):
        out.update(m)
    return out


class _Context(jinja2.runtime.Context):
    """jinja2's Context, its globals' names taken from _flat() (a context is made for each page
    and each partial it includes), and quicker to call plain functions."""

    def __init__(self, environment: Any, parent: dict[str, Any], name: str | None, blocks: dict[str, Any],
                 globals: Any = None) -> None:
        super().__init__(environment, parent, name, blocks)
        if globals is not None:
            self.globals_keys = set(_flat(globals))

    @internalcode
    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 (jinja2's names)
        """jinja2's, but a plain function (no attributes, so no pass_context mark) is called
        without asking it twice for one: href() and static(), 20 to 300 calls a page."""
        if type(__obj) is not FunctionType or __obj.__dict__:
            return super().call(__obj, *args, **kwargs)
        if kwargs:
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:
            return __self.environment.undefined(
                "value was undefined because a callable raised a StopIteration exception")


def _fast_escape() -> Any:
    """markupsafe.escape, what a template's `{{ … }}` calls (some 50 times a page), without
    Markup's own __new__ in the usual cases: the same text, a Markup too. markupsafe's own
    where it has no _escape_inner (before 3.0)."""
    try:
        from markupsafe import _escape_inner  # type: ignore[attr-defined]
    except ImportError:
        return escape
    make = str.__new__

    def fast(s: Any) -> Markup:
        if type(s) is str:
            return make(Markup, _escape_inner(s))
        if type(s) is Markup:
            return s  # escape() makes an equal Markup of it
        return escape(s)
    return fast


_escape = _fast_escape()
escape_html = _escape
"""What a template's `{{ value }}` writes with autoescape on (a Markup), for HTML written in Python."""


class _Template(jinja2.Template):
    """jinja2's Template, but a page's context starts from _flat() of the globals, and its code
    escapes with _escape."""

    @classmethod
    def from_code(cls, environment: Any, code: Any, globals: Any, uptodate: Any = None) -> Any:
        template = super().from_code(environment, code, globals, uptodate)
        space = template.root_render_func.__globals__  # the compiled module's: every block's too
        if space.get("escape") is escape:
            space["escape"] = _escape
        return template

    def new_context(self, vars: dict[str, Any] | None = None, shared: bool = False,
                    locals: Any = None) -> jinja2.runtime.Context:
        if shared or locals:
            return super().new_context(vars, shared, locals)
        parent = _flat(self.globals)
        if vars:
            parent.update(vars)
        return self.environment.context_class(self.environment, parent, self.name, self.blocks,
                                              globals=self.globals)


Environment.context_class = _Context
Environment.template_class = _Template
