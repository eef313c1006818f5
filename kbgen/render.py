"""The theme: jinja2 templates and static files, a vault's own theme folder overriding the default.

The default theme's tag, folder and note pages are written by Python functions with the same text
(pagewriters.py), for as long as the theme chain finds the templates they were written from unchanged.

Every template gets this context (the contract themes rely on):
  site   – {title, base_url, lang}
  page   – {kind, title, url, root, description, canonical, breadcrumbs, css_classes, has_math,
            has_mermaid, image}; `root` is the relative path from the page to the site root
  href   – href(site_url) → the URL relative to this page
  static – static(name) → the relative URL of a theme static file
  graph_svg – graph_svg(graph) → the local graph (a `graph` key of a note page) as inline SVG
  config – the Config
  folder – the page's folder (`iam` for `iam/role.html`, "" at the root): every `href()` and
           `static()` result depends on the page only through it
  fragments – the pass's store for `{% fragment key, … %}…{% endfragment %}`: the enclosed
           markup is rendered once per key and reused by every page of the pass (the key must
           name everything it shows besides site, config and static files: the folder, say)
plus what each page kind adds (see pages.py): note, body, toc (a sequence of {level, text,
anchor}), toc_html (the default partial's <li> items, written in Python: a note may hold 250 000
headings), backlinks (the first 50), backlinks_total, backlinks_more (URL of the continuation pages), outlinks (a sequence of
{title, url, resolved}; `|list` before `|tojson`), outlinks_html (the default partial's <li>
items, written in Python: a note may link to 75 000 names), graph, breadcrumbs;
recent and stats (home); graph and legend (graph page); entries with description/count
(folder pages); tag; pager (paginated pages); of (backlink continuation pages).
"""
from __future__ import annotations

import hashlib
import itertools
import sys
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.ext import Extension
from markupsafe import Markup

from kbgen.config import Config
from kbgen.graphsvg import local_graph_svg
from kbgen.jinjaenv import Environment
from kbgen.pagewriters import FAST, Writer, sources_digest
from kbgen.urls import relative_path, relative, root_prefix

def _themes_dir() -> Path:
    """The source tree's `themes/` (editable installs), else where a wheel installed them."""
    here = Path(__file__).resolve().parent.parent / "themes"
    if here.is_dir():
        return here
    return Path(sys.prefix) / "share" / "kbgen" / "themes"


THEMES = _themes_dir()
STATIC_PREFIX = "_static/"


class Theme:
    """Template and static-file lookup through the chain: vault theme folder, then the named theme."""

    def __init__(self, config: Config) -> None:
        self.dirs: list[Path] = []
        self._digest: str | None = None
        self._fast: dict[str, Any] = {}
        self.compiled = False
        own = config.root / config.theme_dir
        if own.is_dir():
            self.dirs.append(own)
        base = THEMES / config.theme
        if not base.is_dir():
            base = THEMES / "default"
        self.dirs.append(base)
        self.env = Environment(
            loader=jinja2.FileSystemLoader([str(d / "templates") for d in self.dirs]),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            # No stat of every template file at each render (four per page): a changed theme
            # makes a new Theme (build.py compares digests), so nothing here needs reloading.
            auto_reload=False,
            extensions=[Fragments],
        )
        self.env.filters["markup"] = Markup

    def static_files(self) -> dict[str, Path]:
        """Static file name (relative, POSIX) → source file; earlier theme dirs win."""
        found: dict[str, Path] = {}
        for d in reversed(self.dirs):
            static = d / "static"
            if static.is_dir():
                for f in sorted(static.rglob("*")):
                    if f.is_file() and not f.is_symlink():
                        found[f.relative_to(static).as_posix()] = f
        return dict(sorted(found.items()))

    def digest(self) -> str:
        """Changes when any template or static file changes (invalidates rendered pages).

        Read once per Theme: a pass asks several times, and rebuild() compares a fresh Theme
        with the one it has, so an edited theme is still noticed."""
        if self._digest is None:
            h = hashlib.blake2b(digest_size=12)
            for d in self.dirs:
                for f in sorted(d.rglob("*")):
                    if f.is_file():
                        h.update(f.relative_to(d).as_posix().encode())
                        h.update(f.read_bytes())
            self._digest = h.hexdigest()
        return self._digest

    def render(self, template: str, context: dict[str, Any]) -> str:
        write = self.fast(template)
        if write is not None:
            return write(context, self.env)
        return self.env.get_template(template).render(context)

    def fast(self, template: str) -> Writer | None:
        """The Python writer of a page template (FAST), while the theme chain finds the templates
        it was written from as they were; else None (jinja renders the page)."""
        hit = self._fast.get(template, False)
        if hit is False:
            hit = None
            if template in FAST:
                names, digest, write = FAST[template]
                try:
                    hit = write if sources_digest(self.env, names) == digest else None
                except jinja2.TemplateNotFound:
                    pass
            self._fast[template] = hit
        return hit

    def compile_all(self) -> None:
        """Compile every template now, before workers are forked (each would compile those it
        uses) and before serve's first edit; a broken one is left for render()."""
        self.compiled = True
        for name in self.env.list_templates(extensions=["html", "xml", "txt"]):
            try:
                self.env.get_template(name)
            except jinja2.TemplateError:
                pass


class Fragments(Extension):
    """`{% fragment key, … %}…{% endfragment %}`: markup rendered once per key in a pass.

    The page chrome (stylesheet and script links, header, navigation) is the same on every page
    of a folder: rendered once per folder instead of with some 17 href() and static() calls on
    each page. The key is evaluated on every page; only the enclosed markup is reused."""

    tags = {"fragment"}

    def parse(self, parser: Any) -> Any:
        lineno = next(parser.stream).lineno
        keys = [parser.parse_expression()]
        while parser.stream.skip_if("comma"):
            keys.append(parser.parse_expression())
        body = parser.parse_statements(("name:endfragment",), drop_needle=True)
        where = nodes.Const(f"{parser.name}:{lineno}:{next(_PARSED)}")  # each fragment its own keys
        call = self.call_method("_fragment", [nodes.Name("fragments", "load"), where, nodes.Tuple(keys, "load")])
        return nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    @staticmethod
    def _fragment(store: dict[Any, Any], where: str, key: tuple[Any, ...], caller: Any) -> Any:
        hit = store.get((where, key))
        if hit is None:
            hit = store[where, key] = caller()
        return hit


_PARSED = itertools.count()

_STORES: dict[tuple[int, int], tuple[Config, dict[str, str], dict[Any, Any]]] = {}
"""(config, static versions) of a pass, by identity → its fragment store. The pass's pages share
both objects (output.PageRenderer); a new pass brings new ones, so a changed theme or config
never meets an old fragment."""


def _store(config: Config, versions: dict[str, str]) -> dict[Any, Any]:
    hit = _STORES.get((id(config), id(versions)))
    if hit is None or hit[0] is not config or hit[1] is not versions:
        if len(_STORES) >= 8:
            _STORES.clear()
        hit = _STORES[id(config), id(versions)] = (config, versions, {})  # both kept: ids not reused
    return hit[2]


_LINKS: tuple[str, dict[str, str]] = ("", {})
"""The folder of the last page that drew its local graph, and the hrefs its graph nodes got
there (URL → href, escaped): href() of a page URL depends on the page only through its folder,
and pages are rendered folder by folder, so the hubs on most of them are looked up, not made
relative again."""


def _links(folder: str) -> dict[str, str]:
    global _LINKS
    if _LINKS[0] != folder:
        _LINKS = (folder, {})
    return _LINKS[1]


def base_context(config: Config, url: str, static_versions: dict[str, str]) -> dict[str, Any]:
    """The keys every page shares (see the module docstring)."""

    folder = url.rpartition("/")[0]

    def href(target: str) -> str:
        # what relative() does for a page URL (most hrefs: no fragment), without its splits
        return relative_path(folder, target) if target and "#" not in target else relative(url, target)

    def static(name: str) -> str:
        v = static_versions.get(name, "")
        return relative(url, STATIC_PREFIX + name) + (f"?v={v}" if v else "")

    def graph_svg(graph: dict[str, Any]) -> Any:
        return local_graph_svg(graph, href, _links(folder))

    return {
        "site": {"title": config.site_title, "base_url": config.base_url, "lang": config.language},
        "href": href,
        "graph_svg": graph_svg,
        "static": static,
        "config": config,
        "root": root_prefix(url),
        "folder": url.rpartition("/")[0],
        "fragments": _store(config, static_versions),
    }
