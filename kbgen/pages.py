"""What each kind of page shows: the template context of note, home, tag, concept, folder and graph pages."""
from __future__ import annotations

import bisect
import posixpath
import re
import weakref
from dataclasses import dataclass, field
from collections.abc import Sequence
from typing import Any

from markupsafe import Markup, escape

from kbgen import history, paragraphs, taglimit
from kbgen.columns import Columns
from kbgen.graph import concept_node, note_node
from kbgen.adjacency import legend
from kbgen.globalgraph import preview
from kbgen.localgraph import local_graph
from kbgen.model import ParsedNote, SourcePath
from kbgen.site import Site, is_concept_label
from kbgen.toc import Toc, toc_html
from kbgen.urls import concept_url, folder_url, quote_path, relative, relative_path, tag_url


@dataclass
class Page:
    """One output page: where it goes, which template draws it, and its own context keys."""

    url: str
    template: str
    kind: str
    title: str
    context: dict[str, Any] | None = field(default_factory=dict)
    """None for a note's pages assembled lazily (note_page(lazy=True)): `fill()` builds it where
    the page is rendered, so a cold build computes contexts in every worker process."""
    source: SourcePath | None = None
    description: str = ""
    parent: str = ""
    """For continuation pages (more backlinks, more tagged notes): the URL of the page they continue."""


SHOWN = 50
"""Backlinks shown (with context) on a note or concept page; more go to continuation pages."""
PER_PAGE = 100
"""Entries per continuation page, and notes per tag page: no page grows with the vault."""


def continuation_url(url: str, n: int, what: str = "backlinks") -> str:
    """`iam/role.html` → `iam/role.backlinks.html`, `iam/role.backlinks-2.html`, …"""
    stem = url[:-5] if url.endswith(".html") else url
    return f"{stem}.{what}.html" if n == 1 else f"{stem}.{what}-{n}.html"


def _pager(url_of: Any, n: int, count: int) -> dict[str, Any]:
    return {"number": n, "count": count,
            "prev": url_of(n - 1) if n > 1 else "", "next": url_of(n + 1) if n < count else ""}


def more_backlinks(parent: Page, items: list[dict[str, Any]] | None, total: int) -> list[Page]:
    """Continuation pages listing the backlinks that did not fit on `parent` (`total` of them
    in all); without `items`, pages whose context `fill()` builds later."""
    count = (max(0, total - SHOWN) + PER_PAGE - 1) // PER_PAGE
    url_of = lambda i: continuation_url(parent.url, i)  # noqa: E731
    return [Page(url=url_of(i + 1), template="backlinks.html", kind="backlinks",
                 title=f"{parent.title}: backlinks ({i + 1}/{count})", parent=parent.url,
                 description=f"Notes that link to {parent.title}",
                 context=None if items is None else
                 {"of": {"title": parent.title, "url": parent.url},
                  "backlinks": items[SHOWN + i * PER_PAGE:SHOWN + (i + 1) * PER_PAGE],
                  "pager": _pager(url_of, i + 1, count), "breadcrumbs": []})
            for i in range(count)]


def _shown_backlinks(items: list[dict[str, Any]], url: str) -> dict[str, Any]:
    """The context keys for the first SHOWN backlinks and a link to the rest."""
    return {"backlinks": items[:SHOWN], "backlinks_total": len(items),
            "backlinks_more": continuation_url(url, 1) if len(items) > SHOWN else ""}


def crumbs(site: Site, path: str) -> list[dict[str, str]]:
    """Home › Folder › Sub for a note path (folders link to their folder pages)."""
    rel = path[len(site.strip):] if site.strip and path.startswith(site.strip) else path
    parts = rel.split("/")[:-1]
    out = [{"title": "Home", "url": "index.html"}]
    for i in range(len(parts)):
        folder = site.strip + "/".join(parts[: i + 1])
        out.append({"title": parts[i], "url": folder_url(folder, site.strip)})
    return out


def tag_links(site: Site, tags: tuple[str, ...]) -> list[dict[str, Any]]:
    """A note's tags that have pages (those past its cap have none: see taglimit), each with its
    parents that have pages, lowercased: search filters by them (not by all 4 000 parents of
    `#a/a/…/a`, each as long as the tag so far)."""
    known = site.tags  # (each Tag's url is tag_url of its name, in any case: not made again per note)
    out = []
    for t in taglimit.split(tags).tags:
        tag = known.get(t.casefold())
        out.append({"name": t, "url": tag_url(t) if tag is None else tag.url,
                    "parents": [n.lower() for n in taglimit.names(t)[:-1]] if "/" in t else []})
    return out


def toc(note: ParsedNote) -> Toc:
    return Toc.of(note.headings)


def backlinks(site: Site, node: str) -> list[dict[str, Any]]:
    """Each linking note with the paragraphs that hold its links to `node`."""
    out = []
    notes, urls, contexts_of = site.notes, site.urls, paragraphs.contexts
    found = site.graph.backlinks(node)
    remember = len(found) > SHOWN  # (see paragraphs.contexts: a hub's are kept for serve)
    for bl in found:
        source, refs = bl.source, bl.refs
        note = notes.get(source)
        if note is None:
            continue
        contexts, more = contexts_of(note, node, refs, remember)
        out.append({"title": note.title, "url": urls[source], "path": source, "contexts": contexts,
                    "more": more, "embed": refs[0].embed if len(refs) == 1 else any(r.embed for r in refs)})
    return out


class Outlinks(Columns):
    """The notes and concepts a note links to, as templates read them: `{title, url, resolved}`
    dicts, made when read (see Columns)."""

    FIELDS = (("title", "titles"), ("url", "urls"), ("resolved", "resolved"))
    __slots__ = ("titles", "urls", "resolved")

    def __init__(self, titles: list[str], urls: list[str], resolved: list[bool]) -> None:
        self.titles, self.urls, self.resolved = titles, urls, resolved


def outlinks(site: Site, path: SourcePath) -> Outlinks:
    """The notes and concepts a note links to, sorted by node (adjacency.node_url's concept
    URL written out: a note may link to 75 000 concepts)."""
    nodes = site.graph.g._node  # what g.nodes[node] looks up, without its view (see LinkGraph._add_links)
    concept_pages = site.config.concept_pages
    titles: list[str] = []
    urls: list[str] = []
    resolved: list[bool] = []
    for node in site.graph.outlinks(note_node(path)):
        data = nodes[node]
        kind = data["kind"]
        if kind == "note":
            titles.append(data["title"])
            urls.append(site.urls[data["path"]])
            resolved.append(True)
        elif kind == "concept":
            title = data["title"]
            titles.append(title)
            # `paged` first: past a note's CONCEPT_LIMIT most concepts have no page
            urls.append(concept_url(title) if concept_pages and data.get("paged") and is_concept_label(title) else "")
            resolved.append(False)
    return Outlinks(titles, urls, resolved)


_SPECIAL = re.compile("[&<>\"']").search
"""Whether text holds a character the templates' autoescape (markupsafe.escape) replaces."""


def outlinks_html(items: Outlinks, url: str) -> Markup:
    """The `<li>` items of partials/outlinks.html for `outlinks()` on the page at `url`, as its
    loop wrote them (a theme's own partial may still loop over `outlinks`): the template spent
    some 1.2 µs a link, most of it escaping text that holds nothing to escape. A run of items
    without a page (most of a note of 75 000 links to concepts) is joined at once."""
    out: list[str] = []
    start = 0
    titles, resolved = items.titles, items.resolved
    folder = url.rpartition("/")[0]  # what relative() takes of the page's URL, once a page
    for i, link in enumerate(items.urls):
        if not link:
            continue
        if start < i:
            out.append(_spans(titles[start:i]))
        start = i + 1
        title = titles[i]
        href = relative_path(folder, link) if "#" not in link else relative(url, link)
        out.append(f'<li><a class="internal-link{"" if resolved[i] else " is-unresolved"}" '
                   f'href="{escape(href) if _SPECIAL(href) else href}">'
                   f'{escape(title) if _SPECIAL(title) else title}</a></li>')
    if start < len(titles):
        out.append(_spans(titles[start:]))
    return Markup("".join(out))


_SPAN = '<li><span class="is-unresolved">'
_SPANS = "</span></li>" + _SPAN


def _spans(titles: list[str]) -> str:
    """Items without a link, escaped one by one only when some title needs it."""
    if _SPECIAL("".join(titles)):
        titles = [escape(t) if _SPECIAL(t) else t for t in titles]
    return _SPAN + _SPANS.join(titles) + "</span></li>"


def note_page(site: Site, path: SourcePath, url: str | None = None, lazy: bool = False) -> list[Page]:
    """The note's page, and continuation pages when more notes link to it than it shows.

    `lazy` leaves the contexts out (None) for `fill()` to build where the pages are rendered:
    they are most of a build's page work, and a worker process can do it."""
    note = site.notes[path]
    url = url or site.urls[path]
    if lazy:
        page = Page(url=url, template="note.html", kind="note", title=note.title, source=path,
                    description=note.description, context=None)
        return [page, *more_backlinks(page, None, _backlink_count(site, note_node(path)))]
    links_in = backlinks(site, note_node(path))
    links_out = outlinks(site, path)
    page = Page(
        url=url, template="note.html", kind="note", title=note.title,
        source=path, description=note.description,
        context={
            "note": {"title": note.title, "path": path, "meta": note.meta, "aliases": list(note.aliases),
                     "tags": tag_links(site, note.tags),
                     "date": str(note.meta.get("updated") or note.meta.get("date") or note.meta.get("created") or ""),
                     "cssclasses": list(note.meta.get("cssclasses", []))},
            **_toc(note),
            **_shown_backlinks(links_in, url),
            "outlinks": links_out,
            "outlinks_html": outlinks_html(links_out, url),
            "graph": local_graph(site, path),
            "breadcrumbs": crumbs(site, path),
            **({"recent": recent_notes(site)} if path == site.home else {}),
        })
    return [page, *more_backlinks(page, links_in, len(links_in))]


def _toc(note: ParsedNote) -> dict[str, Any]:
    """The `toc` and `toc_html` keys of a note page's context."""
    made = toc(note)
    return {"toc": made, "toc_html": toc_html(made)}


def _backlink_count(site: Site, node: str) -> int:
    """len(backlinks(site, node)) without building them."""
    g = site.graph.g
    if node not in g:
        return 0
    return sum(1 for src in g.predecessors(node) if src != node and g.nodes[src]["path"] in site.notes)


def fill(site: Site, group: list[Page]) -> None:
    """Build the contexts of a lazy note or concept page and its continuation pages (see
    note_page), or of the lazy graph page."""
    lead = group[0]
    if lead.kind == "graph":
        lead.context = graph_page(site).context
        return
    if lead.kind == "concept":
        made = concept_page(site, concept_node(lead.title), lead.title, lead.url)
    else:
        assert lead.source is not None
        made = note_page(site, lead.source, lead.url)
    built = {p.url: p for p in made}
    for page in group:
        page.context = built[page.url].context


RECENT = 10
"""How many recently updated notes the home page lists."""


def recent_notes(site: Site, limit: int = RECENT) -> list[dict[str, str]]:
    """The most recently updated notes (see history.py for where each date comes from)."""
    skip = [site.home] if site.home else []
    return [{"title": site.title(path), "url": site.urls[path], "date": when.date().isoformat(),
             "source": source, "folder": _folder_title(site, path)}
            for path, when, source in history.recent(site.config.root, site.notes, limit, skip)]


def _folder_title(site: Site, path: str) -> str:
    rel = path[len(site.strip):] if site.strip and path.startswith(site.strip) else path
    return posixpath.dirname(rel).replace("/", " › ")


def home_page(site: Site) -> Page:
    """The generated home page, for vaults without a Home, index or README note."""
    return Page(url="index.html", template="home.html", kind="home", title=site.config.site_title,
                description=f"{site.config.site_title}: {len(site.notes)} notes",
                context={"breadcrumbs": [], "recent": recent_notes(site),
                         "stats": {"notes": len(site.notes), "tags": len(site.tags)}})


def graph_page(site: Site, lazy: bool = False) -> Page:
    """The global graph: a static picture of the best-linked notes, enhanced by a script that
    loads the whole layout from `_kbgen/graph.json`. `lazy` leaves the context (and so the
    global layout) to `fill()`, which a worker runs while the others render notes."""
    return Page(url="graph.html", template="graph.html", kind="graph", title="Graph",
                description="How the notes link to each other",
                context=None if lazy else {"breadcrumbs": [], "graph": preview(site), "legend": legend(site)})


def concept_page(site: Site, node: str, name: str, url: str, lazy: bool = False) -> list[Page]:
    """The concept's page (mentions in context), and continuation pages for the rest; `lazy`
    as for note_page."""
    if lazy:
        count = _backlink_count(site, node)
        page = Page(url=url, template="concept.html", kind="concept", title=name,
                    description=_concept_description(name, count), context=None)
        return [page, *more_backlinks(page, None, count)]
    links_in = backlinks(site, node)
    page = Page(url=url, template="concept.html", kind="concept", title=name,
                description=_concept_description(name, len(links_in)),
                context={"concept": {"name": name}, **_shown_backlinks(links_in, url),
                         "graph": {"nodes": [], "edges": [], "size": 300}, "breadcrumbs": []})
    return [page, *more_backlinks(page, links_in, len(links_in))]


def _concept_description(name: str, mentions: int) -> str:
    return f"“{name}” has no note yet; mentioned in {mentions} notes."


def tag_page(site: Site, key: str, keys: Sequence[str] | None = None) -> list[Page]:
    """A tag's notes, PER_PAGE to a page (`tags/x.html`, `tags/x.page-2.html`, …). `keys` is
    `sorted(site.tags)` when the caller has it (one sort for all the tag pages). A vault may hold
    a tag page per 7 bytes: most hold one note and no children, which is made with no sort."""
    tags = site.tags
    tag = tags[key]
    keys = sorted(tags) if keys is None else keys
    # the keys below `key/` are one run of the sorted keys, from `key/` up to `key0` ('0' follows
    # '/'): found by bisection, not by testing every tag on every tag's page (quadratic in tags)
    below = key + "/"
    start = bisect.bisect_left(keys, below)
    children = []
    if start < len(keys) and keys[start].startswith(below):  # (most tags have none: one bisection)
        end = bisect.bisect_left(keys, key + "0", start)
        children = [{"name": c, "url": tag_url(c)} for c in sorted({tags[k].name for k in keys[start:end]}, key=str.casefold)]
    title, urls = site.title, site.urls
    rows = [{"title": title(p), "url": urls[p]} for p in tag.notes]
    if len(rows) > 1:
        order = sorted(range(len(rows)), key=lambda i: (rows[i]["title"].casefold(), tag.notes[i]))
        rows = [rows[i] for i in order]
    count = max(1, (len(rows) + PER_PAGE - 1) // PER_PAGE)
    url_of = lambda i: tag.url if i == 1 else continuation_url(tag.url, i, "page")  # noqa: E731
    name, description = tag.name, f"Notes tagged #{tag.name}"
    out = []
    for i in range(count):
        out.append(Page(url=url_of(i + 1), template="tag.html", kind="tag",
                        title=f"#{name} ({i + 1}/{count})" if i else "#" + name,
                        description=description, parent=tag.url if i else "",
                        context={"tag": {"name": name, "total": len(rows),
                                         "notes": rows[i * PER_PAGE:(i + 1) * PER_PAGE],
                                         "children": children},
                                 "pager": _pager(url_of, i + 1, count),
                                 "breadcrumbs": [{"title": "Tags", "url": "tags/index.html"}]}))
    return out


def tags_page(site: Site) -> Page:
    """Every tag with its number of notes; `tags_html` is the default template's list items,
    written here (the template's loop took 6 µs a tag, and a vault may hold 100 000 tags)."""
    items = [{"name": t.name, "url": t.url, "count": len(t.notes)}
             for _, t in sorted(site.tags.items())]
    return Page(url="tags/index.html", template="tags.html", kind="tags", title="Tags",
                description="All tags", context={"tags": items, "tags_html": _tag_items(items),
                                                 "breadcrumbs": []})


def _tag_items(items: list[dict[str, Any]]) -> Markup:
    """`<li>` items of the tags index, as its template wrote them (escaped as jinja escapes)."""
    out = []
    for t in items:
        href, name = quote_path(t["url"][len("tags/"):]), t["name"]  # relative() from tags/index.html
        out.append(f'<li><a class="tag" href="{escape(href) if _SPECIAL(href) else href}">'
                   f'#{escape(name) if _SPECIAL(name) else name}</a> <span class="count">{t["count"]}</span></li>\n')
    return Markup("".join(out))


_listings: "weakref.WeakKeyDictionary[Any, tuple[dict[str, str], dict[str, int]]]" = weakref.WeakKeyDictionary()


def _listing(site: Site) -> tuple[dict[str, str], dict[str, int]]:
    """Page URL → the note's description, and folder URL → notes below it (once per site graph)."""
    cached = _listings.get(site.graph)
    if cached is None:
        described = {site.urls[p]: n.description for p, n in site.notes.items() if n.description}
        below: dict[str, int] = {}
        for p in site.notes:
            folder = posixpath.dirname(p)
            while folder and folder + "/" != site.strip:
                url = folder_url(folder, site.strip)
                below[url] = below.get(url, 0) + 1
                folder = posixpath.dirname(folder)
        cached = _listings[site.graph] = (described, below)
    return cached


def _entry(site: Site, title: str, url: str, is_folder: bool) -> dict[str, Any]:
    described, below = _listing(site)
    return {"title": title, "url": url, "folder": is_folder,
            "description": "" if is_folder else described.get(url, ""),
            "count": below.get(url, 0) if is_folder else 0}


def folder_page(site: Site, folder: str, entries: list[tuple[str, str, bool]]) -> list[Page]:
    """A generated listing of a folder: (title, url, is_folder) entries, PER_PAGE to a page;
    notes with their descriptions, sub-folders with the number of notes below them."""
    name = posixpath.basename(folder) or site.config.site_title
    first = folder_url(folder, site.strip)
    count = max(1, (len(entries) + PER_PAGE - 1) // PER_PAGE)
    url_of = lambda i: first if i == 1 else continuation_url(first, i, "page")  # noqa: E731
    trail = crumbs(site, folder + "/x")[:-1] or [{"title": "Home", "url": "index.html"}]
    return [Page(url=url_of(i + 1), template="folder.html", kind="folder",
                 title=name + (f" ({i + 1}/{count})" if i else ""), description=f"Notes in {name}",
                 parent=first if i else "",
                 context={"entries": [_entry(site, t, u, f) for t, u, f in entries[i * PER_PAGE:(i + 1) * PER_PAGE]],
                          "pager": _pager(url_of, i + 1, count), "breadcrumbs": trail})
            for i in range(count)]
