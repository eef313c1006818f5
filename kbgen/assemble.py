"""From parsed notes to the resolved Site (URLs, link targets, graph, tags) and the list of its pages."""
from __future__ import annotations

import posixpath
from typing import Iterable, Iterator

from kbgen import feeds, taglimit
from kbgen.config import CONFIG_NAME, Config
from kbgen.diagnostics import DEFAULT_LEVELS, Diagnostic, make
from kbgen.discover import Vault
from kbgen import graph as linkgraph
from kbgen.graph import LinkGraph
from kbgen.model import LinkRef, ParsedNote, SourcePath, Target, Url
from kbgen.pages import (Page, concept_page, folder_page, graph_page, home_page, note_page, tag_page,
                         tags_page)
from kbgen.resolve import NoteInfo, Resolver
from kbgen.site import Site, Tag, is_concept_label
from kbgen.taglimit import TAG_PARENTS  # noqa: F401  (its home was here)
from kbgen.urls import asset_url, concept_url, folder_url, note_url, tag_url

HOME_NAMES = ("home", "index", "readme")
_PRIVATE = Target("unresolved", None, label="")
"""The target of a link to an unpublished note: unresolved, without the name."""


def site(config: Config, vault: Vault, notes: dict[SourcePath, ParsedNote]) -> tuple[Site, list[Diagnostic]]:
    diags: list[Diagnostic] = []
    published = {p: n for p, n in notes.items() if n.published}
    hidden = {_stem_key(p) for p in notes if p not in published}
    resolver = Resolver({p: NoteInfo(n.headings, n.blocks, n.aliases) for p, n in published.items()},
                        vault.assets, content_dirs=config.content_dirs,
                        resolve_aliases=config.resolve_aliases)
    targets: dict[SourcePath, dict[LinkRef, Target]] = {}
    link_diags: dict[SourcePath, list[Diagnostic]] = {}
    for path, note in published.items():
        targets[path], link_diags[path] = resolve_note(resolver, hidden, path, note)
        diags.extend(link_diags[path])
    strip = _strip_prefix(config)
    urls, url_diags = _note_urls(published, strip, config)
    diags.extend(url_diags)
    for asset in sorted(published_assets(config, vault.assets, published, targets)):
        urls[asset] = asset_url(asset)
    graph = LinkGraph.build({p: n.title for p, n in published.items()}, _links(targets))
    home = _home(published, config, strip)
    if home is not None:
        urls[home] = Url("index.html")
    folder_notes = _folder_notes(published, strip)
    for folder, path in folder_notes.items():
        if path != home:
            urls[path] = folder_url(folder, strip)
    result = Site(config=config, notes=published, urls=urls, targets=targets, graph=graph,
                  tags=_tags(published), home=home, strip=strip, folder_notes=folder_notes,
                  resolver=resolver, hidden=hidden, link_diags=link_diags)
    diags.extend(feeds.date_diagnostics(published, vault.notes))
    diags.extend(feeds.redirects(result, _generated_urls(result))[1])
    return result, diags


def resolve_note(resolver: Resolver, hidden: set[str], path: SourcePath,
                 note: ParsedNote) -> tuple[dict[LinkRef, Target], list[Diagnostic]]:
    """Every link of one note → its target, with the problems found on the way."""
    table: dict[LinkRef, Target] = {}
    diags: list[Diagnostic] = []
    resolve = resolver.resolve
    add = table.setdefault
    level = DEFAULT_LEVELS["unresolved-link"]  # make() written out: a note may hold 175 000 such links
    said: dict[str, tuple[str, str]] = {}  # original → (target, message): one string for the same link
    last = None
    # (target, subpath) as written → what resolve() gave a link so written, when it found no
    # problem (a problem is said at each link): the same again without resolve()'s lookups
    found: dict[tuple[str, str], Target] = {}
    for ref in note.links:
        if ref is last:
            continue  # the link before, shared as written alike (wikilinks._scan): in the table
        last = ref
        key = (ref.target, ref.subpath)
        target = found.get(key)  # type: ignore[assignment]
        if target is None:
            target, problems = resolve(path, ref)  # (a repeated link again: resolve() is memoised)
            if not problems:
                found[key] = target
        else:
            problems = _NONE
        unresolved = target.kind == "unresolved"
        if unresolved and hidden and _stem_key(ref.target) in hidden:
            target = _PRIVATE  # a private note leaves no trace
        size = len(table)
        add(ref, target)  # one hash of the LinkRef, a Python call over its fields, not two
        if len(table) == size:
            continue  # the same link again: its problems are said once
        if problems:
            diags.extend(problems)
        if unresolved and target is not _PRIVATE and not ref.embed and target.label:
            hit = said.get(ref.original)
            if hit is None or hit[0] != ref.target:
                hit = said[ref.original] = (ref.target, f"{ref.original!r}: no note or file {ref.target!r}")
            diags.append(Diagnostic(path, ref.line, "unresolved-link", hit[1], level))
    capped = linkgraph.capped_links(table)
    if capped:
        limit = linkgraph.CONCEPT_LIMIT
        diags.append(make(path, capped[0].line, "concept-limit",
                          f"{capped[0].original!r} and the {len(capped) - 1} other concepts linked after it "
                          f"get no concept page from this note, which links to {limit + len(capped)}: a note "
                          f"gives pages to its first {limit} only; the rest show as unresolved links "
                          f"unless another note gives them a page"))
    diags.extend(tag_limit(path, note))
    return table, diags


_NONE: list[Diagnostic] = []
"""No problems (never changed)."""


def tag_limit(path: SourcePath, note: ParsedNote) -> list[Diagnostic]:
    """The one `tag-limit` diagnostic of a note whose tags pass taglimit.TAG_LIMIT, or none. (It
    goes with the link diagnostics: they are the note's own, kept up to date at every edit.)"""
    paged = taglimit.split(note.tags)
    if not paged.capped:
        return []
    first, limit = paged.capped[0], taglimit.TAG_LIMIT
    at = note.tags.index(first)  # once per capped note
    line = note.tag_lines[at] if at < len(note.tag_lines) else 0
    return [make(path, line, "tag-limit",
                 f"'#{first}' and the {len(paged.capped) - 1} other tags after it get no tag page from "
                 f"this note, whose tags name more than {limit} tags and parent tags: a note gives pages "
                 f"to its first {limit} only; the rest show as text")]


def published_assets(config: Config, assets: Iterable[SourcePath], notes: dict[SourcePath, ParsedNote],
                     targets: dict[SourcePath, dict[LinkRef, Target]]) -> set[SourcePath]:
    """Attachments that reach the site: those a published note shows or links to, outside
    `%%comments%%` (hidden text publishes nothing), or all with `publish_all_attachments` —
    never the config file or the vault's theme folder, which only look like attachments."""
    if config.publish_all_attachments:
        theme = config.theme_dir.strip("/") + "/"
        return {a for a in assets if a != CONFIG_NAME and not a.startswith(theme)}
    return {t.path for path, table in targets.items() if path in notes
            for ref, t in table.items() if t.kind == "asset" and t.path and not ref.commented}


def _generated_urls(s: Site) -> set[str]:
    """URLs that generated pages will take (redirects never replace them)."""
    taken = set(s.urls.values()) | {"index.html", "404.html", "graph.html", "tags/index.html"}
    taken |= {t.url for t in s.tags.values()}
    taken |= {folder_url(f, s.strip) for f in folders(s)}
    return taken


def pages(s: Site, vault: Vault, reuse: dict[str, Page] | None = None, lazy: bool = False,
          kept: dict[str, list[Page]] | None = None) -> list[Page]:
    """Every page of the site, in a stable order. Note and concept pages found in `reuse` (by
    URL) are taken from there instead of being assembled again (incremental rebuilds), and so
    are the tag and folder pages when `kept` holds them ("tag", "folder": all of that kind, as
    they were; the caller knows they cannot have changed). With `lazy`, note, concept and
    graph pages come without their contexts (see pages.note_page and pages.graph_page)."""
    reuse = reuse or {}
    kept = kept or {}
    children: dict[str, list[Page]] = {}
    for page in reuse.values():
        if page.parent:
            children.setdefault(page.parent, []).append(page)
    out: list[Page] = []
    for p in s.notes:
        out.extend(_reused(reuse, children, s.urls[p]) or note_page(s, p, lazy=lazy))
    if s.home is None:
        out.append(home_page(s))
    if s.config.concept_pages:
        for node, name in s.graph.paged_concepts():  # most concepts of a huge note have no page
            if is_concept_label(name):
                url = concept_url(name)
                out.extend(_reused(reuse, children, url) or concept_page(s, node, name, url, lazy=lazy))
    if "tag" in kept:
        out.extend(kept["tag"])
    else:
        keys = sorted(s.tags)
        for key in keys:
            out.extend(tag_page(s, key, keys))
        out.append(tags_page(s))  # even without tags: every page's navigation links to it
    out.extend(kept["folder"] if "folder" in kept else _folder_pages(s))
    out.append(graph_page(s, lazy=lazy))
    out.append(Page(url="404.html", template="404.html", kind="404", title="Page not found",
                    description="", context={"breadcrumbs": []}))
    seen: set[str] = set()
    unique = []
    for page in out:  # the first page to claim a URL keeps it (notes before generated pages)
        if page.url not in seen:
            seen.add(page.url)
            unique.append(page)
    return unique


def _reused(reuse: dict[str, Page], children: dict[str, list[Page]], url: str) -> list[Page]:
    """A reused page with the continuation pages that belong to it, or [] to assemble it anew."""
    page = reuse.get(url)
    return [page, *children.get(url, [])] if page is not None else []


def folders(s: Site) -> dict[str, list[SourcePath]]:
    """Folder (vault path, '' for the notes root) → notes directly in it."""
    tree: dict[str, list[SourcePath]] = {}
    for path in s.notes:
        folder = posixpath.dirname(path)
        tree.setdefault(folder, []).append(path)
        while folder and folder + "/" != s.strip:
            parent = posixpath.dirname(folder)
            tree.setdefault(parent, [])
            folder = parent
    return tree


def _folder_pages(s: Site) -> Iterator[Page]:
    tree = folders(s)
    root = s.strip.rstrip("/")
    children: dict[str, list[str]] = {}
    for f in tree:
        if f:
            children.setdefault(posixpath.dirname(f), []).append(f)
    for folder in sorted(tree):
        if folder == root or not folder.startswith(s.strip) and s.strip:
            continue
        if folder in s.folder_notes:
            continue  # the folder note is the folder page
        subs = sorted(f for f in children.get(folder, []) if f != folder)
        entries = [(posixpath.basename(f), folder_url(f, s.strip), True) for f in subs]
        entries += [(s.title(p), s.urls[p], False)
                    for p in sorted(tree[folder], key=lambda p: s.title(p).casefold())]
        yield from folder_page(s, folder, entries)


def _links(targets: dict[SourcePath, dict[LinkRef, Target]]) -> Iterator[tuple[SourcePath, LinkRef, Target]]:
    for path, table in targets.items():
        for ref, target in table.items():
            yield path, ref, target


def _stem_key(path: str) -> str:
    name = posixpath.basename(path.strip()).casefold()
    return name[:-3] if name.endswith(".md") else name


def _strip_prefix(config: Config) -> str:
    dirs = [d for d in config.content_dirs if d not in (".", "")]
    return "notes/" if "notes" in dirs else ""


def _note_urls(notes: dict[SourcePath, ParsedNote], strip: str,
               config: Config) -> tuple[dict[SourcePath, Url], list[Diagnostic]]:
    urls: dict[SourcePath, Url] = {}
    owner: dict[str, SourcePath] = {}
    diags = []
    reserved = {"index.html", "404.html", "graph.html"}
    for path, note in notes.items():
        permalink = str(note.meta.get("permalink") or "").strip().strip("/")
        url = note_url(SourcePath(permalink + ".md"), "") if permalink else note_url(path, strip)
        base, n = url[:-5], 1
        while url.casefold() in owner or url in reserved:
            n += 1
            url = Url(f"{base}-{n}.html")
        if n > 1:
            first = owner.get(f"{base}.html".casefold(), "a generated page")
            diags.append(make(path, 0, "url-collision",
                              f"would share the URL {base}.html with {first}; published at {url}"))
        owner[url.casefold()] = path
        urls[path] = url
    return urls, diags


def _home(notes: dict[SourcePath, ParsedNote], config: Config, strip: str) -> SourcePath | None:
    if config.home:
        want = config.home.casefold().removesuffix(".md")
        for p in notes:
            if _stem_key(p) == want or p.casefold().removesuffix(".md") in (want, (strip + want)):
                return p
    for name in HOME_NAMES:
        for p in notes:
            if posixpath.dirname(p) + "/" in (strip, "/") and _stem_key(p) == name:
                return p
    return None


def _folder_notes(notes: dict[SourcePath, ParsedNote], strip: str) -> dict[str, SourcePath]:
    found: dict[str, SourcePath] = {}
    for p in notes:
        folder = posixpath.dirname(p)
        if not folder or folder + "/" == strip:
            continue
        stem = _stem_key(p)
        if stem == posixpath.basename(folder).casefold() or (stem == "index" and folder not in found):
            found[folder] = p
    return found


def _tags(notes: dict[SourcePath, ParsedNote]) -> dict[str, Tag]:
    """Casefolded tag name → its Tag, for the tags each note gives pages to (see taglimit)."""
    tags: dict[str, Tag] = {}
    for path, note in notes.items():
        for tag in taglimit.split(note.tags).tags:
            for name in taglimit.names(tag):
                key = name.casefold()
                entry = tags.setdefault(key, Tag(name, tag_url(name)))
                # a note's tags come together: it can only be the last one in (a list `in`
                # here was quadratic in the notes sharing a tag)
                if not entry.notes or entry.notes[-1] != path:
                    entry.notes.append(path)
    return dict(sorted(tags.items()))
