"""The theme: jinja2 templates and static files, a vault's own theme folder overriding the default.

Every template gets this context (the contract themes rely on):
  site   – {title, base_url, lang}
  page   – {kind, title, url, root, description, canonical, breadcrumbs, css_classes, has_math,
            has_mermaid, image}; `root` is the relative path from the page to the site root
  href   – href(site_url) → the URL relative to this page
  static – static(name) → the relative URL of a theme static file
  graph_svg – graph_svg(graph) → the local graph (a `graph` key of a note page) as inline SVG
  config – the Config
plus what each page kind adds (see pages.py): note, body, toc, backlinks (the first 50),
backlinks_total, backlinks_more (URL of the continuation pages), outlinks, graph, breadcrumbs;
recent and stats (home); graph and legend (graph page); entries with description/count
(folder pages); tag; pager (paginated pages); of (backlink continuation pages).
"""
from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from kbgen.config import Config
from kbgen.urls import relative, root_prefix

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
        own = config.root / config.theme_dir
        if own.is_dir():
            self.dirs.append(own)
        base = THEMES / config.theme
        if not base.is_dir():
            base = THEMES / "default"
        self.dirs.append(base)
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(d / "templates") for d in self.dirs]),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            # No stat of every template file at each render (four per page): a changed theme
            # makes a new Theme (build.py compares digests), so nothing here needs reloading.
            auto_reload=False,
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
        return self.env.get_template(template).render(context)

    def compile_all(self) -> None:
        """Compile every template now (serve: a cold build compiles them in its workers only,
        and the first edit would otherwise pay ~50 ms for it); a broken one is left for render()."""
        for name in self.env.list_templates(extensions=["html", "xml", "txt"]):
            try:
                self.env.get_template(name)
            except jinja2.TemplateError:
                pass


def base_context(config: Config, url: str, static_versions: dict[str, str]) -> dict[str, Any]:
    """The keys every page shares (see the module docstring)."""

    def href(target: str) -> str:
        return relative(url, target)

    def static(name: str) -> str:
        v = static_versions.get(name, "")
        return relative(url, STATIC_PREFIX + name) + (f"?v={v}" if v else "")

    def graph_svg(graph: dict[str, Any]) -> Any:
        from kbgen.localgraph import local_graph_svg
        return local_graph_svg(graph, href)

    return {
        "site": {"title": config.site_title, "base_url": config.base_url, "lang": config.language},
        "href": href,
        "graph_svg": graph_svg,
        "static": static,
        "config": config,
        "root": root_prefix(url),
    }

