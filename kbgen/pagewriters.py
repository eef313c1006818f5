"""The default theme's tag, folder and note pages written in Python: the same text as their templates, without jinja's per-page contexts, lookups and yields.

render.Theme uses a writer only while the theme chain finds the templates it was written from
unchanged (FAST holds their digest); any other theme, or an edit, renders through jinja. So the
templates stay the one source of a page's markup: a change to one of them must be mirrored here
(tests/test_fast_pages.py fails until it is, and compares each writer with its templates).
"""
from __future__ import annotations

import hashlib
from typing import Any, Callable

import jinja2
from jinja2.filters import do_urlencode

from kbgen.jinjaenv import escape_html

def sources_digest(env: jinja2.Environment, names: tuple[str, ...]) -> str:
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
"""Page template → (the templates its page renders through, sources_digest() of the default
theme's, the function that writes what they write). A change to any of those templates turns
the function off (tests/test_fast_pages.py says so) until it is brought in line and the digest
updated."""
