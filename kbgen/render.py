"""The theme: jinja2 templates and static files, a vault's own theme folder overriding the default.

The default theme's tag, folder and note pages are written by Python functions with the same text
(FAST), for as long as the theme chain finds the templates they were written from unchanged.

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
from typing import Any, Callable

import jinja2
from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.filters import do_urlencode
from markupsafe import Markup

from kbgen.config import Config
from kbgen.graphsvg import local_graph_svg
from kbgen.jinjaenv import Environment, escape_html
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
                    hit = write if _sources_digest(self.env, names) == digest else None
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


# The default theme's tag, folder and note pages written in Python (FAST): the same text as their
# templates, without jinja's per-page contexts, lookups and yields.

def _sources_digest(env: jinja2.Environment, names: tuple[str, ...]) -> str:
    """A digest of the sources the theme chain finds for these templates."""
    h = hashlib.blake2b(digest_size=16)
    for name in names:
        source = env.loader.get_source(env, name)[0]  # type: ignore[union-attr]
        h.update(f"{name}\0{source}\0".encode())
    return h.hexdigest()


_e = escape_html
"""What `{{ value }}` writes, autoescaped."""


def tag_html(ctx: dict[str, Any], env: Any = None) -> str:
    """A tag page as tag.html through base.html writes it, without jinja: a tag page per 7 bytes
    of a vault of distinct tags, and jinja's ~70 yields, lookups and contexts (the includes') a
    page were ~20 µs of the ~75 each cost. Same text (tests/test_fast_pages.py)."""
    tag, pager, href = ctx["tag"], ctx["pager"], ctx["href"]
    out = ['<article class="note tag-page">\n  <h1 class="note-title">#', _e(tag["name"]),
           ' <span class="count">', _e(tag["total"]), '</span></h1>\n']
    if tag["children"]:
        out.append('<p class="tag-children">Nested tags:\n')
        for c in tag["children"]:
            out += ['<a class="tag" href="', _e(href(c["url"])), '">#', _e(c["name"]), '</a> ']
        out.append('</p>')
    out.append('  <ul class="note-list">\n')
    for n in tag["notes"]:
        out += ['<li><a href="', _e(href(n["url"])), '">', _e(n["title"]), '</a></li>\n']
    out.append('</ul>\n')
    _pager_html(pager, href, out)
    out.append('</article>\n')
    return _base_html(ctx, "".join(out))


def folder_html(ctx: dict[str, Any], env: Any = None) -> str:
    """A folder page as folder.html through base.html writes it (see tag_html): a vault of a
    folder per note has a folder page per note."""
    href = ctx["href"]
    out = ['<article class="note folder-page">\n  <h1 class="note-title">', _e(ctx["page"]["title"]),
           '</h1>\n  <ul class="folder-list">\n']
    for e in ctx["entries"]:
        out += ['<li class="', "folder" if e["folder"] else "file", '"><a href="', _e(href(e["url"])), '">',
                _e(e["title"]), '</a>']
        if e["folder"]:
            out += [' <span class="count">', _e(e["count"]), " note</span>" if e["count"] == 1 else " notes</span>"]
        elif e["description"]:
            out += ['<p>', _e(e["description"]), '</p>']
        out.append('</li>\n')
    out.append('</ul>\n')
    _pager_html(ctx["pager"], href, out)
    out.append('</article>\n')
    return _base_html(ctx, "".join(out))


def _pager_html(pager: dict[str, Any], href: Callable[[str], str], out: list[str]) -> None:
    """partials/pager.html, appended to `out`."""
    if pager["count"] > 1:
        out.append('<nav class="pager" aria-label="Pages">\n')
        if pager["prev"]:
            out += ['<a rel="prev" href="', _e(href(pager["prev"])), '">← Previous</a>']
        out += ['  <span>Page ', _e(pager["number"]), ' of ', _e(pager["count"]), '</span>\n']
        if pager["next"]:
            out += ['<a rel="next" href="', _e(href(pager["next"])), '">Next →</a>']
        out.append('</nav>\n')


def note_html(ctx: dict[str, Any], env: jinja2.Environment) -> str:
    """A note page as note.html through base.html and its partials writes it (see tag_html),
    but for partials/graph.html, which jinja renders as the include did: the template's yields,
    lookups and seven include contexts were ~30 µs of a tiny note's page."""
    note, href = ctx["note"], ctx["href"]
    out = ['<article class="note']
    for c in note["cssclasses"]:
        out += [" ", _e(c)]
    out += ['">\n  <header class="note-header">\n    <h1 class="note-title" data-pagefind-meta="title">',
            _e(ctx["page"]["title"]), '</h1>\n']
    if note["date"]:
        out += ['<p class="note-date" data-pagefind-ignore><time>', _e(note["date"]), '</time></p>']
    if note["tags"]:  # partials/tags.html
        out.append('<ul class="note-tags" aria-label="Tags" data-pagefind-ignore>')
        for t in note["tags"]:
            name = t["name"]
            out += ['<li><a class="tag" href="', _e(href(t["url"])), '" data-pagefind-filter="tag:',
                    _e(name.lower() if isinstance(name, str) else str(name).lower()), '">#', _e(name), '</a>']
            for parent in t["parents"]:
                out += ['<span hidden data-pagefind-filter="tag:', _e(parent), '"></span>']
            out.append('</li>')
        out.append('</ul>\n')
    if note["aliases"]:  # `| join(", ")`: each alias escaped unless markup, as one string would be
        out += ['<p class="aliases" data-pagefind-weight="5">Also known as: ',
                ", ".join([_e(a if hasattr(a, "__html__") else str(a)) for a in note["aliases"]]), '</p>']
    out += ['  </header>\n  <div class="note-body markdown-rendered">\n', _e(ctx["body"]),
            '\n  </div>\n</article>\n']
    recent = ctx.get("recent")
    if recent:  # partials/recent.html
        out.append('<section class="recent" aria-labelledby="recent-title" data-pagefind-ignore>\n'
                   '  <h2 id="recent-title">Recently updated</h2>\n  <ol class="recent-list">\n')
        for r in recent:
            out += ['<li><a class="internal-link" href="', _e(href(r["url"])), '">', _e(r["title"]), '</a>']
            if r["folder"]:
                out += [' <span class="recent-folder">', _e(r["folder"]), '</span>']
            out += [' <time datetime="', _e(r["date"]), '" title="', _e("from " + str(r["source"])), '">',
                    _e(r["date"]), '</time></li>\n']
        out.append('</ol>\n</section>\n')
    total = _e(ctx["backlinks_total"])  # partials/backlinks.html
    out += ['<section class="backlinks" aria-labelledby="backlinks-title" data-pagefind-ignore>\n'
            '  <h2 id="backlinks-title">Backlinks <span class="count">', total, '</span></h2>\n']
    if ctx["backlinks"]:
        out.append('<ul class="backlink-list">\n')  # partials/backlink_list.html
        for b in ctx["backlinks"]:
            link, title = _e(href(b["url"])), _e(b["title"])
            out += ['  <li class="backlink"><a class="internal-link backlink-title" href="', link, '">', title,
                    '</a>\n']
            for c in b["contexts"]:
                out += ['<blockquote class="backlink-context">', _e(c["html"]), '</blockquote>']
            more = b["more"]
            if more:
                out += ['<p class="backlink-more">and ', _e(more), ' more mention', "s" if more > 1 else "",
                        ' in <a class="internal-link" href="', link, '">', title, '</a></p>']
            out.append('  </li>\n')
        out.append('</ul>\n')
        if ctx["backlinks_more"]:
            out += ['<p class="more"><a href="', _e(href(ctx["backlinks_more"])), '">All ', total,
                    ' backlinks</a></p>']
    else:
        out.append('<p class="empty">No notes link here yet.</p>')
    out.append('</section>\n')
    aside = [env.get_template("partials/graph.html").render(ctx)]
    if ctx["toc"]:  # partials/toc.html
        aside += ['<nav class="toc" aria-labelledby="toc-title">\n  <h2 id="toc-title">On this page</h2>\n  <ol>',
                  _e(ctx["toc_html"]), '</ol>\n</nav>\n']
    if ctx["outlinks"]:  # partials/outlinks.html
        aside += ['<section class="outlinks" aria-labelledby="outlinks-title">\n  <h2 id="outlinks-title">Links</h2>\n'
                  '  <ul>', _e(ctx["outlinks_html"]), '</ul>\n</section>\n']
    return _base_html(ctx, "".join(out), "".join(aside))


def _base_html(ctx: dict[str, Any], content: str, aside: str = "") -> str:
    """base.html around a page's content and aside blocks (its head and scripts blocks empty)."""
    site, page = ctx["site"], ctx["page"]
    kind, description, canonical, image = page["kind"], page["description"], page["canonical"], page["image"]
    title = _e(page["title"])
    out = ['<!DOCTYPE html>\n<html lang="', _e(site["lang"]), '">\n<head>\n<meta charset="utf-8">\n']
    if kind == "404" and site["base_url"]:
        out += ['<base href="', _e(site["base_url"].rstrip("/") + "/"), '">']
    out.append('<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>')
    if kind != "home":
        out += [title, ' · ']
    out += [_e(site["title"]), '</title>\n']
    if description:
        described = _e(description)
        out += ['<meta name="description" content="', described, '">']
    if canonical:
        out += ['<link rel="canonical" href="', _e(canonical), '">']
    out += ['<meta property="og:title" content="', title, '">\n<meta property="og:type" content="',
            "article" if kind == "note" else "website", '">\n']
    if description:
        out += ['<meta property="og:description" content="', described, '">']
    if canonical:
        out += ['<meta property="og:url" content="', _e(canonical), '">']
    if image and site["base_url"]:
        out += ['<meta property="og:image" content="',
                _e(site["base_url"].rstrip("/") + "/" + do_urlencode(image)), '">']
    out += ['<meta name="twitter:card" content="', "summary_large_image" if image else "summary",
            '">\n<meta name="twitter:title" content="', title, '">\n']
    if description:
        out += ['<meta name="twitter:description" content="', described, '">']
    head, top = _chrome(ctx, kind)
    out += [head, '</head>\n<body class="page-', _e(kind)]
    if page["css_classes"]:
        out += [" ", _e(page["css_classes"])]
    out += ['" data-root="', _e(ctx["root"]), '">\n', top,
            '  <main id="content" class="content" tabindex="-1"',
            " data-pagefind-body>\n" if kind in ("note", "concept") else ">\n"]
    crumbs = ctx["breadcrumbs"]
    if crumbs and page["url"] != "index.html":  # partials/breadcrumbs.html
        href = ctx["href"]
        out.append('<nav class="breadcrumbs" aria-label="Breadcrumbs" data-pagefind-ignore><ol>\n')
        for c in crumbs:
            out += ['<li><a href="', _e(href(c["url"])), '">', _e(c["title"]), '</a></li>']
        out.append('</ol></nav>\n')
    out += [content, '  </main>\n  <aside class="sidebar" aria-label="Page">\n', aside,
            '  </aside>\n</div>\n<footer class="site-footer"><p>Built with kbgen</p></footer>\n']
    if page["has_mermaid"]:
        out += ['<script src="', _e(ctx["config"].mermaid_url), '" defer></script><script src="',
                _e(ctx["static"]("js/mermaid-init.js")), '" defer></script>']
    out.append('</body>\n</html>\n')
    return "".join(out)


def _chrome(ctx: dict[str, Any], kind: str) -> tuple[str, str]:
    """base.html's two `{% fragment %}`s (the head's links, the header and explorer), made once
    per folder and kind in the pass's fragment store, as the template's are."""
    store, folder = ctx["fragments"], ctx["folder"]
    hit = store.get((_chrome, folder, kind))  # (jinja's fragments are keyed by pairs)
    if hit is None:
        site, href, static = ctx["site"], ctx["href"], ctx["static"]
        head = "".join([
            f'<link rel="alternate" type="application/atom+xml" title="{_e(site["title"])}" '
            f'href="{_e(href("feed.xml"))}">' if site["base_url"] else "",
            '<meta name="color-scheme" content="light dark">\n'
            f'<link rel="icon" href="{_e(static("favicon.svg"))}" type="image/svg+xml">\n'
            f'<link rel="stylesheet" href="{_e(static("css/kbgen.css"))}">\n'
            f'<link rel="stylesheet" href="{_e(static("css/pygments.css"))}">\n'
            f'<link rel="stylesheet" href="{_e(static("css/print.css"))}" media="print">\n'
            '<script>try{var t=localStorage.getItem("kbgen-theme");if(t)document.documentElement.dataset.theme=t}'
            'catch(e){}document.documentElement.classList.add("js")</script>\n'
            f'<script src="{_e(static("js/kbgen.js"))}" defer></script>\n'])
        current = ' aria-current="page"'
        top = (
            '<a class="skip-link" href="#content">Skip to content</a>\n<header class="site-header">\n'
            '  <button class="nav-toggle" type="button" aria-controls="explorer" aria-expanded="false" '
            'title="Notes"><span class="icon-menu" aria-hidden="true"></span><span class="sr-only">'
            'Show the list of notes</span></button>\n'
            f'  <a class="site-title" href="{_e(href("index.html"))}">{_e(site["title"])}</a>\n'
            '  <nav class="site-nav" aria-label="Site">\n'
            f'    <a href="{_e(href("graph.html"))}"{current if kind == "graph" else ""}>Graph</a>\n'
            f'    <a href="{_e(href("tags/index.html"))}"{current if kind == "tags" else ""}>Tags</a>\n'
            '  </nav>\n'
            f'  <div class="search" id="search" data-pagefind="{_e(href("pagefind/"))}">\n'
            '    <button class="search-open" type="button" aria-haspopup="dialog" aria-keyshortcuts="/ Control+K" '
            'title="Search (/ or Ctrl K)"><span class="icon-search" aria-hidden="true"></span>'
            '<span class="search-label">Search</span><kbd>/</kbd></button>\n  </div>\n'
            '  <button class="theme-toggle" type="button" aria-pressed="false" title="Dark mode">'
            '<span class="icon-theme" aria-hidden="true"></span><span class="sr-only">Dark mode</span></button>\n'
            '</header>\n<div class="layout">\n'
            f'  <nav class="explorer" id="explorer" aria-label="Notes" data-src="{_e(href("_kbgen/explorer.json"))}">\n'
            f'    <p class="explorer-home"><a href="{_e(href("index.html"))}">All notes</a>'
            f'<a class="explorer-extra" href="{_e(href("graph.html"))}">Graph</a>'
            f'<a class="explorer-extra" href="{_e(href("tags/index.html"))}">Tags</a></p>\n  </nav>\n')
        hit = store[_chrome, folder, kind] = (head, top)
    return hit


_BASE = ("base.html", "partials/breadcrumbs.html", "partials/pager.html")
Writer = Callable[[dict[str, Any], Any], str]
"""A page's writer: its context and the theme's jinja environment → the page."""
FAST: dict[str, tuple[tuple[str, ...], str, Writer]] = {
    "tag.html": (("tag.html", *_BASE), "0ce3afd826b8792dfd0dfc8beb3a34b0", tag_html),
    "folder.html": (("folder.html", *_BASE), "f740b7aff1b586429ae2ae8b63ecbdcb", folder_html),
    "note.html": (("note.html", *_BASE, *(f"partials/{name}.html" for name in (
        "tags", "recent", "backlinks", "backlink_list", "toc", "outlinks"))), "5cadc5cd0bb409af52b2bad7ba08de8e", note_html),
}
"""Page template → (the templates its page renders through, _sources_digest() of the default
theme's, the function that writes what they write). A change to any of those templates turns
the function off (tests/test_fast_pages.py says so) until it is brought in line and the digest
updated."""
