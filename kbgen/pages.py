"""What each kind of page shows: the template context of note, home, tag, concept, folder and graph pages."""
from __future__ import annotations

import html
import posixpath
import re
import weakref
from bisect import bisect_right
from itertools import accumulate
from operator import itemgetter
from dataclasses import dataclass, field
from typing import Any, Collection

from markupsafe import Markup

from kbgen import history
from kbgen.graph import concept_node, note_node
from kbgen.adjacency import legend
from kbgen.globalgraph import preview
from kbgen.localgraph import local_graph
from kbgen.markdown.wikilinks import default_display
from kbgen.model import Context, LinkRef, ParsedNote, SourcePath
from kbgen.site import Site, is_concept_label
from kbgen.urls import concept_url, folder_url, tag_url


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


CONTEXTS = 5
"""Paragraphs shown per linking note in a backlink; a note that mentions a page in every
paragraph would otherwise copy itself into that page."""
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


def tag_links(site: Site, tags: tuple[str, ...]) -> list[dict[str, str]]:
    return [{"name": t, "url": tag_url(t)} for t in tags]


def toc(note: ParsedNote) -> list[dict[str, Any]]:
    return [{"level": h.level, "text": _strip_wiki(h.text), "anchor": h.anchor} for h in note.headings]


_WIKI_OR_MD = re.compile(r"!?\[\[([^\]]*)\]\]|!?\[([^\]]*)\]\(([^)]*)\)")


def _strip_wiki(text: str) -> str:
    if "[" not in text:  # most backlink text holds no link syntax: no regex pass
        return text

    def sub(m: re.Match[str]) -> str:
        if m.group(1) is not None:
            inner = m.group(1).replace("\\|", "|")
            path, _, disp = inner.partition("|")
            p, _, s = path.partition("#")
            return disp or default_display(p.strip(), s.strip())
        return m.group(2)
    return _WIKI_OR_MD.sub(sub, text)


CONTEXT = 600
"""Characters of a backlink's paragraph shown (about; whole words, and a link is never cut)."""


def context_html(ctx: Context, refs: list[LinkRef], highlight: Collection[LinkRef]) -> Markup:
    """The paragraph a link sits in, as safe HTML: links shown by their text, ours (`highlight`,
    compared by value) in <mark>.

    About CONTEXT characters are shown: from the start, or, when our first link sits further
    in, from a little before it, so the link is always in view. Only that much is joined: a
    paragraph holding n links to n targets would otherwise cost n² (a 3 000-link index line
    took 80 s). Our links are found by their places in the paragraph (`spots`), not by
    comparing each piece shown with them: a LinkRef's hash costs more than the rest of a piece."""
    para = _paragraph(ctx, refs)
    texts, spots, links = para.texts, para.spots, para.links
    marks = [i for r in highlight for i in spots.get((r.original, r.line), ())
             if links[i >> 1] is r or links[i >> 1] == r]
    first = min(marks, default=0)
    if para.total > CONTEXT:  # a long paragraph: its window found by bisection
        return _long(para, first, set(marks))
    start, before = first, 0
    while start > 0 and before < CONTEXT // 3:  # walk back a third of the window
        start -= 1
        before += len(texts[start])
    if start == 0 and not (first and before > CONTEXT // 3):
        # the whole paragraph fits (most do): nothing is cut, only our links marked
        whole = texts.copy()
        for i in marks:
            whole[i] = f"<mark>{texts[i]}</mark>"
        return Markup("".join(whole).strip().replace("\n", "<br>"))
    marked = set(marks)
    out: list[str] = []
    size = 0
    for i in range(start, len(texts)):
        part = texts[i]
        if not i & 1:  # text between links (pieces alternate: text, link, text, …, text)
            if i == start < first and before > CONTEXT // 3:  # keep only its end
                cut = part[before - CONTEXT // 3:]
                part = "…" + (cut.split(" ", 1)[1] if " " in cut else cut)
            if size + len(part) > CONTEXT:
                part = part[:max(0, CONTEXT - size)].rsplit(" ", 1)[0] + "…"
                out.append(part)
                break
        elif size > CONTEXT:
            out.append("…")
            break
        out.append(f"<mark>{part}</mark>" if i in marked else part)
        size += len(part)
    if start > 0 and out and not out[0].startswith("…"):
        out.insert(0, "…")  # pieces before the window were left out
    return Markup("".join(out).strip().replace("\n", "<br>"))


def _long(para: "Paragraph", first: int, marked: set[int]) -> Markup:
    """context_html's window of a paragraph longer than CONTEXT: what its loops give, with the
    window's ends found by bisecting the pieces' offsets and the pieces between taken as a
    slice (a window of a line of links is some 60 pieces, and a concept page per link asks)."""
    texts = para.texts
    offsets = para.offsets
    if offsets is None:
        offsets = para.offsets = list(accumulate(map(len, texts), initial=0))
    third = CONTEXT // 3
    # the walk back: the nearest piece at least a third of the window before our first link
    start = max(bisect_right(offsets, offsets[first] - third) - 1, 0) if first else 0
    before = offsets[first] - offsets[start]
    part = texts[start]
    if not start & 1:
        if start < first and before > third:  # keep only its end
            cut = part[before - third:]
            part = "…" + (cut.split(" ", 1)[1] if " " in cut else cut)
        if len(part) > CONTEXT:
            return _joined(start, [part[:CONTEXT].rsplit(" ", 1)[0] + "…"])
    out = [f"<mark>{part}</mark>" if start in marked else part]
    # piece i > start begins `base + offsets[i]` characters in: text between links is cut
    # where it would pass CONTEXT (offsets[i + 1] > limit), and a link that starts past it
    # is left out (offsets[i] > limit)
    base = len(part) - offsets[start + 1]
    limit = CONTEXT - base
    j = bisect_right(offsets, limit)
    gap = max(j - 1, start + 1)
    gap += gap & 1
    link = max(j, start + 1)
    link += not link & 1
    stop = min(gap, link, len(texts))
    window = texts[start + 1:stop]
    for i in marked:
        if start < i < stop:
            window[i - start - 1] = f"<mark>{texts[i]}</mark>"
    out += window
    if stop < len(texts):
        if stop & 1:
            out.append("…")
        else:
            size = base + offsets[stop]
            out.append(texts[stop][:max(0, CONTEXT - size)].rsplit(" ", 1)[0] + "…")
    return _joined(start, out)


def _joined(start: int, out: list[str]) -> Markup:
    if start > 0 and out and not out[0].startswith("…"):
        out.insert(0, "…")  # pieces before the window were left out
    return Markup("".join(out).strip().replace("\n", "<br>"))


class Paragraph:
    """A paragraph cut into pieces (see _paragraph)."""

    __slots__ = ("texts", "links", "spots", "total", "offsets")

    def __init__(self, texts: list[str], links: list[LinkRef], spots: dict[tuple[str, int], list[int]],
                 total: int) -> None:
        self.texts, self.links, self.spots, self.total = texts, links, spots, total
        self.offsets: list[int] | None = None
        """Where each piece begins (and the end), once a window needs them."""


_PARAGRAPHS: dict[int, tuple[Context, list[LinkRef], Paragraph]] = {}
_SPECIAL = re.compile("[&<>\"']").search
"""Whether text holds a character html.escape replaces."""


def _pieces(ctx: Context, refs: list[LinkRef]) -> tuple[list[tuple[str, LinkRef | None]], dict[LinkRef, int], int]:
    """The paragraph's pieces paired with their links (None between links), where each link's
    first piece is, and the length of all pieces: _paragraph in the shape tests compare."""
    para = _paragraph(ctx, refs)
    pieces = [(text, None if not i & 1 else para.links[i >> 1]) for i, text in enumerate(para.texts)]
    where: dict[LinkRef, int] = {}
    for k, ref in enumerate(para.links):
        where.setdefault(ref, 2 * k + 1)
    return pieces, where, para.total


def _paragraph(ctx: Context, refs: list[LinkRef]) -> Paragraph:
    """The paragraph as escaped text and links shown by their text, in order, once per paragraph:
    the pieces' texts (text, link, text, …, text), the link of each odd piece (piece i shows
    links[i >> 1]), the pieces of the links written as each (text, line), and the length of
    all pieces."""
    hit = _PARAGRAPHS.get(id(ctx))
    if hit is not None and hit[0] is ctx and hit[1] is refs:
        return hit[2]
    text = ctx.text
    spans: list[tuple[int, int, LinkRef]] = []
    pos = 0
    ordered = True
    find = text.find
    for ref in refs:
        original = ref.original
        i = find(original, pos)
        if i < 0:
            i = find(original)
            ordered = False
        if i >= 0:
            pos = i + len(original)
            spans.append((i, pos, ref))
    if not ordered:
        spans.sort(key=itemgetter(0))
    texts: list[str] = []
    links: list[LinkRef] = []
    spots: dict[tuple[str, int], list[int]] = {}
    last = 0
    escape, special = html.escape, _SPECIAL
    for start, end, ref in spans:  # once per link of the paragraph (a note may hold 100 000)
        if start < last:
            continue
        gap = text[last:start]
        if "[" in gap:
            gap = _strip_wiki(gap)
        texts.append(escape(gap) if special(gap) else gap)  # most pieces hold nothing to escape
        # by text and line, whose hash is a tuple of two cached ones: a LinkRef's hash is a
        # Python call over all its fields, a fifth of this loop for a line of 75 000 links
        spots.setdefault((ref.original, ref.line), []).append(len(texts))
        shown = _strip_wiki(ref.display) if ref.display else \
            default_display(ref.target, ref.subpath) if ref.subpath else ref.target  # as default_display
        texts.append(escape(shown) if special(shown) else shown)
        links.append(ref)
        last = end
    texts.append(html.escape(_strip_wiki(text[last:])))
    total = sum(map(len, texts))
    if len(_PARAGRAPHS) >= 4096:
        _PARAGRAPHS.clear()
    made = Paragraph(texts, links, spots, total)
    _PARAGRAPHS[id(ctx)] = (ctx, refs, made)  # both kept, so their ids are not reused meanwhile
    return made


def backlinks(site: Site, node: str) -> list[dict[str, Any]]:
    """Each linking note with the paragraphs that hold its links to `node`."""
    out = []
    for bl in site.graph.backlinks(node):
        note = site.notes.get(bl.source)
        if note is None:
            continue
        contexts, more = _contexts(note, node, bl.refs)
        out.append({"title": note.title, "url": site.urls[bl.source], "path": bl.source,
                    "contexts": contexts, "more": more, "embed": any(r.embed for r in bl.refs)})
    return out


_CONTEXTS: dict[tuple[int, str], tuple[ParsedNote, tuple[LinkRef, ...], list[dict[str, Any]], int]] = {}


def _contexts(note: ParsedNote, node: str, refs: tuple[LinkRef, ...]) -> tuple[list[dict[str, Any]], int]:
    """The paragraphs of `note` that hold `refs` (its links to `node`), at most CONTEXTS, and
    how many more; remembered while the note is unchanged: after an edit, serve renders the
    pages of its link targets again, and a hub's page shows hundreds of backlinks."""
    hit = _CONTEXTS.get((id(note), node))
    if hit is not None and hit[0] is note and hit[1] == refs:
        return hit[2], hit[3]
    by_ctx = _links_by_context(note)
    places = [ci for ci in sorted({r.context for r in refs if r.context >= 0}) if ci < len(note.contexts)]
    contexts = [{"html": context_html(note.contexts[ci], by_ctx.get(ci, []), refs), "line": note.contexts[ci].line}
                for ci in places[:CONTEXTS]]
    if len(_CONTEXTS) >= 20_000:  # a few hub pages' worth; bounded memory in a cold build
        _CONTEXTS.clear()
    _CONTEXTS[(id(note), node)] = (note, refs, contexts, len(places) - len(contexts))  # the note kept: its id stays its own
    return contexts, len(places) - len(contexts)


_BY_CONTEXT: dict[int, tuple[ParsedNote, dict[int, list[LinkRef]]]] = {}


def _links_by_context(note: ParsedNote) -> dict[int, list[LinkRef]]:
    """A note's links grouped by the paragraph that holds them, computed once per note: regrouping
    for each target made a 4 MB note with 1 200 link targets take 35 s (targets × links)."""
    hit = _BY_CONTEXT.get(id(note))
    if hit is not None and hit[0] is note:
        return hit[1]
    by_ctx: dict[int, list[LinkRef]] = {}
    for ref in note.links:
        if ref.context >= 0:
            by_ctx.setdefault(ref.context, []).append(ref)
    if len(_BY_CONTEXT) >= 4096:  # a cold build asks once per link target: keep most notes
        _BY_CONTEXT.clear()
    _BY_CONTEXT[id(note)] = (note, by_ctx)  # the note is kept, so its id cannot be reused meanwhile
    return by_ctx


def outlinks(site: Site, path: SourcePath) -> list[dict[str, Any]]:
    """The notes and concepts a note links to, sorted by node (adjacency.node_url's concept
    URL written out: a note may link to 75 000 concepts)."""
    nodes = site.graph.g._node  # what g.nodes[node] looks up, without its view (see LinkGraph._add_links)
    concept_pages = site.config.concept_pages
    out = []
    for node in site.graph.outlinks(note_node(path)):
        data = nodes[node]
        kind = data["kind"]
        if kind == "note":
            out.append({"title": data["title"], "url": site.urls[data["path"]], "resolved": True})
        elif kind == "concept":
            title = data["title"]
            # `paged` first: past a note's CONCEPT_LIMIT most concepts have no page
            url = concept_url(title) if concept_pages and data.get("paged") and is_concept_label(title) else ""
            out.append({"title": title, "url": url, "resolved": False})
    return out


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
    page = Page(
        url=url, template="note.html", kind="note", title=note.title,
        source=path, description=note.description,
        context={
            "note": {"title": note.title, "path": path, "meta": note.meta, "aliases": list(note.aliases),
                     "tags": tag_links(site, note.tags),
                     "date": str(note.meta.get("updated") or note.meta.get("date") or note.meta.get("created") or ""),
                     "cssclasses": list(note.meta.get("cssclasses", []))},
            "toc": toc(note),
            **_shown_backlinks(links_in, url),
            "outlinks": outlinks(site, path),
            "graph": local_graph(site, path),
            "breadcrumbs": crumbs(site, path),
            **({"recent": recent_notes(site)} if path == site.home else {}),
        })
    return [page, *more_backlinks(page, links_in, len(links_in))]


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


def tag_page(site: Site, key: str) -> list[Page]:
    """A tag's notes, PER_PAGE to a page (`tags/x.html`, `tags/x.page-2.html`, …)."""
    tag = site.tags[key]
    children = sorted({t.name for k, t in site.tags.items() if k.startswith(key + "/")}, key=str.casefold)
    notes = sorted(tag.notes, key=lambda p: (site.title(p).casefold(), p))
    count = max(1, (len(notes) + PER_PAGE - 1) // PER_PAGE)
    url_of = lambda i: tag.url if i == 1 else continuation_url(tag.url, i, "page")  # noqa: E731
    out = []
    for i in range(count):
        chunk = notes[i * PER_PAGE:(i + 1) * PER_PAGE]
        out.append(Page(url=url_of(i + 1), template="tag.html", kind="tag",
                        title=f"#{tag.name}" + (f" ({i + 1}/{count})" if i else ""),
                        description=f"Notes tagged #{tag.name}", parent=tag.url if i else "",
                        context={"tag": {"name": tag.name, "total": len(notes),
                                         "notes": [{"title": site.title(p), "url": site.urls[p]} for p in chunk],
                                         "children": [{"name": c, "url": tag_url(c)} for c in children]},
                                 "pager": _pager(url_of, i + 1, count),
                                 "breadcrumbs": [{"title": "Tags", "url": "tags/index.html"}]}))
    return out


def tags_page(site: Site) -> Page:
    items = [{"name": t.name, "url": t.url, "count": len(t.notes)}
             for _, t in sorted(site.tags.items())]
    return Page(url="tags/index.html", template="tags.html", kind="tags", title="Tags",
                description="All tags", context={"tags": items, "breadcrumbs": []})


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
