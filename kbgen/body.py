"""A note's body as HTML on one page: links, embeds (transclusion) and tags through the resolved site.

Links inside embedded content resolve as in the embedded note; hrefs are relative to the page.
Embeds nest up to MAX_DEPTH; a note already being embedded on the way down is cut (a cycle)
and shown as a plain link, so no input can recurse forever. A page renders at most MAX_EMBEDS
note embeds in all: without that cap, n notes that embed one another (no cycle on any one path)
would make pages of about n^MAX_DEPTH embeds. The ids inside an embed are prefixed per embed
(`e3:intro`, `e3:fn1`: see scoped()), so no page holds an id twice.
"""
from __future__ import annotations

import html
import posixpath
import re
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from kbgen import taglimit
from kbgen.bodytemplate import fill
from kbgen.diagnostics import Diagnostic, make
from kbgen.markdown.collect import RENDER_KEY
from kbgen.markdown.footnotes import CUT
from kbgen.markdown.wikilinks import default_display
from kbgen.model import AUDIO_EXTS, IMAGE_EXTS, VIDEO_EXTS, LinkRef, SourcePath, Target, is_file_name
from kbgen.resolve import find_heading
from kbgen.sections import parts_of
from kbgen.site import Site, is_concept_label
from kbgen.urls import concept_url, relative, tag_url

MAX_DEPTH = 6
MAX_EMBEDS = 2000
"""Note embeds rendered on one page; later ones are shown as links (a note may embed 1 000 notes)."""
esc = html.escape
_SPECIAL = re.compile("[&<>\"']").search
"""Whether text holds a character html.escape replaces."""
_OWN_IDS = re.compile(' id="|<sup class="footnote-ref"><a href="#'
                      '| <a href="#(?=[^"]*" class="footnote-backref">)')
"""Where embedded HTML names an id of its own: every id attribute, and the two ends of a footnote
link (a same-page `#anchor` link to the page's own note is not one: it must stay unprefixed)."""


class BodyRenderer:
    """Renders note bodies for the page at `page_url`, collecting diagnostics and dependencies."""

    def __init__(self, site: Site, md: MarkdownIt, page_url: str, tokens_of: Any,
                 template_of: Any = None) -> None:
        self.site = site
        self.md = md
        self.page_url = page_url
        self.tokens_of = tokens_of
        """Callable SourcePath → tokens (loaded lazily: they may come from the cache)."""
        self.template_of = template_of
        """Callable SourcePath → the note's bodytemplate.Template, or None: render its tokens."""
        self.diagnostics: list[Diagnostic] = []
        self.deps: set[SourcePath] = set()
        """Notes whose content this page shows (embeds), for incremental rebuilds."""
        self.embeds = 0
        """Note embeds rendered on this page so far (see MAX_EMBEDS)."""
        self._cuts: dict[tuple[Any, ...], str] = {}
        """Embed not rendered (target, anchor, as written) → the link shown in its place."""
        self._block_ids: dict[SourcePath, set[str]] = {}
        """Note → its block ids casefolded (see _has_block)."""

    def href(self, url: str) -> str:
        return relative(self.page_url, url)

    def render(self, source: SourcePath, tokens: list[Token], stack: tuple[SourcePath, ...] = (),
               cut: bool = False) -> str:
        """`tokens` of `source`; `cut`: a section or block of it, embedded (see footnotes.CUT)."""
        env: dict[str, Any] = {RENDER_KEY: _Links(self, source, stack + (source,))}
        if cut:
            env[CUT] = True
        return self.md.renderer.render(tokens, self.md.options, env)

    def render_note(self, source: SourcePath, stack: tuple[SourcePath, ...] = ()) -> str:
        """The whole body of `source`: its template filled when it has one, else its tokens rendered."""
        template = self.template_of(source) if self.template_of is not None else None
        if template is None:
            return self.render(source, self.tokens_of(source), stack)
        return fill(template, _Links(self, source, stack + (source,)), self.site.notes[source].links)

    # -- embeds -------------------------------------------------------------------------

    def embed(self, source: SourcePath, ref: LinkRef, stack: tuple[SourcePath, ...],
              target: Target | None = None) -> str:
        """An embed as HTML; `target`: its target when the caller has found it."""
        target = target or self.site.target(source, ref)
        if target.kind == "asset" and target.path:
            return self._asset_embed(target, ref)
        if target.kind == "note" and target.path:
            return self._note_embed(source, ref, target, stack)
        problem = missing_embed(source, ref, target)
        if problem is None:
            return ""  # an unpublished note: its content and its name stay out of the page
        self.diagnostics.append(problem)
        name = ref.target or ref.original
        if problem.code == "missing-attachment":
            return (f'<span class="embed-missing" data-src="{esc(name)}" role="img" '
                    f'aria-label="Missing attachment {esc(name)}">Missing attachment: {esc(name)}</span>')
        return (f'<div class="embed-missing embed-note-missing" data-src="{esc(name)}">'
                f'“{esc(name)}” is not created yet.</div>')

    def _asset_embed(self, target: Target, ref: LinkRef) -> str:
        assert target.path
        url = self.href(self.site.urls[target.path])
        ext = target.path.rsplit(".", 1)[-1].lower() if "." in target.path else ""
        name = posixpath.basename(target.path)
        if ext in IMAGE_EXTS:
            alt, size = _alt_and_size(ref.display)
            return f'<img src="{esc(url)}" alt="{esc(alt or name)}"{size} loading="lazy" class="embed-image">'
        if ext in VIDEO_EXTS:
            return f'<video controls src="{esc(url)}" class="embed-video"></video>'
        if ext in AUDIO_EXTS:
            return f'<audio controls src="{esc(url)}" class="embed-audio"></audio>'
        if ext == "pdf":
            frag, height = _pdf_params(target.anchor)
            src = url + (f"#{frag}" if frag else "")
            return (f'<iframe class="embed-pdf" src="{esc(src)}" title="{esc(name)}" '
                    f'style="height:{height}px" loading="lazy"></iframe>')
        return f'<a class="embed-file internal-link" href="{esc(url)}" download>{esc(name)}</a>'

    def _note_embed(self, source: SourcePath, ref: LinkRef, target: Target,
                    stack: tuple[SourcePath, ...]) -> str:
        path = target.path
        assert path
        note = self.site.notes[path]
        if path in stack or len(stack) >= MAX_DEPTH:
            code = "embed-cycle" if path in stack else "embed-depth"
            why = "embeds itself through a cycle" if path in stack else f"nests deeper than {MAX_DEPTH}"
            self.diagnostics.append(make(source, ref.line, code, f"{ref.original!r} {why}; shown as a link"))
            return self._cut(ref, target)
        self.embeds += 1
        scope = f"e{self.embeds}:"  # before the nested embeds count themselves
        if self.embeds > MAX_EMBEDS:
            if self.embeds == MAX_EMBEDS + 1:  # once per page, not once per cut embed
                self.diagnostics.append(make(source, ref.line, "embed-limit",
                                             f"{ref.original!r} is past the {MAX_EMBEDS} note embeds "
                                             f"one page shows; shown as a link (and so are the rest)"))
            return self._cut(ref, target)
        link = self.href(self.site.urls[path] + (f"#{target.anchor}" if target.anchor else ""))
        title = esc(ref.display or default_display(ref.target, ref.subpath) or note.title)
        self.deps.add(path)
        sub = ref.subpath
        if not sub:  # the whole note: its template, when it has one
            return self._embedded(ref, sub, link, title, scoped(self.render_note(path, stack), scope))
        tokens = self.tokens_of(path)
        part: list[Token] | None = tokens
        heading = None
        if sub.startswith("^"):
            part = parts_of((note.digest, self.md), tokens).block(tokens, sub[1:])
        elif sub:
            heading = find_heading(note.headings, sub)
            part = parts_of((note.digest, self.md), tokens).section(tokens, heading.anchor) if heading else None
        if part is None:
            known = heading is not None if not sub.startswith("^") else self._has_block(path, sub[1:])
            if known:  # else the resolver has already said missing-heading or missing-block
                self.diagnostics.append(make(source, ref.line, "missing-embed",
                                             f"{ref.original!r}: {sub!r} was found in {path} but its "
                                             f"content could not be cut out"))
            return (f'<div class="embed-missing" data-src="{esc(ref.target)}">'
                    f'Unable to find “{esc(sub)}” in <a class="internal-link" href="{esc(link)}">{esc(note.title)}</a>.</div>')
        return self._embedded(ref, sub, link, title, scoped(self.render(path, part, stack, cut=True), scope))

    @staticmethod
    def _embedded(ref: LinkRef, sub: str, link: str, title: str, inner: str) -> str:
        return (f'<div class="internal-embed markdown-embed" data-src="{esc(ref.target + ("#" + sub if sub else ""))}">'
                f'<div class="markdown-embed-title"><a class="internal-link" href="{esc(link)}">{title}</a></div>'
                f'<div class="markdown-embed-content">{inner}</div></div>')

    def _has_block(self, path: SourcePath, block_id: str) -> bool:
        """Whether the note has this block id (case-insensitive; its ids casefolded once per page:
        a page may embed 2 000 missing blocks of a note of 40 000)."""
        ids = self._block_ids.get(path)
        if ids is None:
            ids = self._block_ids[path] = {b.casefold() for b in self.site.notes[path].blocks}
        return block_id.strip().casefold() in ids

    def _cut(self, ref: LinkRef, target: Target) -> str:
        """The link shown in place of a note embed that is not rendered, made once per target and
        embed as written: a page may show 100 000 (past MAX_EMBEDS, or a note embedding its own
        sections: a cycle)."""
        assert target.path
        key = (target.path, target.anchor, ref.display, ref.target, ref.subpath)
        cut = self._cuts.get(key)
        if cut is None:
            link = self.href(self.site.urls[target.path] + (f"#{target.anchor}" if target.anchor else ""))
            title = esc(ref.display or default_display(ref.target, ref.subpath) or self.site.notes[target.path].title)
            cut = self._cuts[key] = f'<a class="internal-link embed-cut" href="{esc(link)}">→ {title}</a>'
        return cut


def scoped(inner: str, scope: str) -> str:
    """Embedded HTML with its ids (headings, blocks, footnotes) prefixed by `scope`, unique on the
    page: an embedded note's `fn1` or `#intro` would clash with the page's own, and the page's
    footnote link would jump into the embed. `scope` holds a `:`, which no heading id or block id
    can (urls.heading_anchor), so a prefixed id never meets an unprefixed one."""
    if ' id="' not in inner:
        return inner
    return _OWN_IDS.sub(lambda m: m.group() + scope, inner)


class _Links:
    """The `env[RENDER_KEY]` object the markdown render rules call, for one source note."""

    def __init__(self, body: BodyRenderer, source: SourcePath, stack: tuple[SourcePath, ...]) -> None:
        self.body = body
        self.source = source
        self.stack = stack
        self._opened: LinkRef | None = None
        """The link link_open() last wrote, and its tags: its link_close() comes next."""
        self._opening = self._closing = ""
        self._table = body.site.targets.get(source, {})
        """The source note's resolved links (Site.target() without its call, once per link)."""
        self._ids = {id(ref): target for ref, target in self._table.items()} \
            if len(stack) == 1 and len(self._table) > 100 else None
        """The same by the identity of their LinkRefs, for the page's own note, every one of
        whose links is written (not for an embed, which may show a few): its tokens hold the
        very LinkRefs the table was made from when it was parsed in this process, and a
        LinkRef's hash is a Python call over its nine fields (a note may hold 75 000)."""
        self._nodes = body.site.graph.g._node
        """The graph's node attributes (LinkGraph.paged() without its call, once per link)."""
        self._concepts = body.site.config.concept_pages
        self._paged: taglimit.Paged | None = None
        self._tag_hrefs: dict[str, str] = {}
        self._made: dict[tuple[int, str], tuple[Target, tuple[str, str]]] = {}
        """(id of a note or attachment target, link target as written) → the target and the
        link's tags (see _tags)."""
        self._unresolved: dict[tuple[str, str], tuple[str, str]] = {}
        """(concept label, link target as written) → the tags of an unresolved link (a note may
        link to one concept on each of 175 000 lines)."""

    def _target(self, ref: LinkRef) -> Target:
        ids = self._ids
        return ids is not None and ids.get(id(ref)) or self._table.get(ref) \
            or Target("unresolved", None, label=ref.target)

    def link_open(self, ref: LinkRef) -> str:
        if ref is self._opened:  # the link before, shared as written alike (wikilinks._scan)
            return self._opening
        self._opening, self._closing = self._tags(ref)
        self._opened = ref
        return self._opening

    def link_close(self, ref: LinkRef) -> str:
        return self._closing if self._opened is ref else self._tags(ref)[1]

    def _tags(self, ref: LinkRef) -> tuple[str, str]:
        """The opening and closing tag of a link (a note may hold 100 000: the checks of
        site.is_concept_label, graph.concept_node, LinkGraph.paged and is_private are written
        out, and most hrefs hold nothing to escape)."""
        ids = self._ids  # (_target() written out: once per link)
        target = ids is not None and ids.get(id(ref)) or self._table.get(ref) \
            or Target("unresolved", None, label=ref.target)
        written = ref.target
        if target.kind != "unresolved":
            # the same for each link to the target written alike (a note may link to one
            # note on each of 60 000 lines): made once; the target is kept, so its id stays its own
            key = (id(target), written)
            made = self._made.get(key)
            if made is None or made[0] is not target:
                made = self._made[key] = (target, self._resolved_tags(target, written))
            return made[1]
        label = target.label
        tags = self._unresolved.get((label, written))
        if tags is None:
            tags = self._unresolved[(label, written)] = self._unresolved_tags(label, written)
        return tags

    def _unresolved_tags(self, label: str, written: str) -> tuple[str, str]:
        """_tags() of an unresolved link: to its concept's page when it has one."""
        data_href = esc(written) if _SPECIAL(written) else written
        name = label.strip()
        if name and self._concepts and not ("." in name and is_file_name(label)):
            node = self._nodes.get("concept:" + name.casefold())
            if node and node.get("paged"):  # see graph.CONCEPT_LIMIT
                href = self.body.href(concept_url(label))
                return (f'<a class="internal-link is-unresolved" href="{esc(href)}" '
                        f'data-href="{data_href}" title="No note yet">', "</a>")
        if not label and written:  # is_private(): no trace of the unpublished name
            return '<span class="internal-link is-unresolved">', "</span>"
        return f'<span class="internal-link is-unresolved" data-href="{data_href}">', "</span>"

    def _resolved_tags(self, target: Target, written: str) -> tuple[str, str]:
        """_tags() of a link to a note or an attachment."""
        data_href = esc(written) if _SPECIAL(written) else written
        if target.path and (target.kind == "note" or target.kind == "asset"):
            url = self.body.site.urls[target.path] + (f"#{target.anchor}" if target.anchor and target.kind == "note" else "")
            if target.kind == "note" and target.path == self.body_page_note() and target.anchor:
                href = "#" + target.anchor
            else:
                href = self.body.href(url)
            return f'<a class="internal-link" href="{esc(href)}" data-href="{data_href}">', "</a>"
        return f'<span class="internal-link is-unresolved" data-href="{data_href}">', "</span>"

    def body_page_note(self) -> SourcePath | None:
        return self.stack[0] if self.stack else None

    def embed(self, ref: LinkRef) -> str:
        return self.body.embed(self.source, ref, self.stack, self._target(ref))

    def tag_href(self, tag: str) -> str:
        """The href of a tag's page; "" for a tag past the note's cap (taglimit), shown as text.
        Once per distinct tag as written: a note may hold 75 000 tags."""
        href = self._tag_hrefs.get(tag)
        if href is None:
            if self._paged is None:
                note = self.body.site.notes.get(self.source)
                self._paged = taglimit.split(note.tags if note is not None else ())
            href = self._tag_hrefs[tag] = self.body.href(tag_url(tag)) if self._paged.paged(tag) else ""
        return href

    def external_image(self, tok: Token, renderer: Any, options: Any, env: Any) -> str:
        return external_image(tok)


def external_image(tok: Token) -> str:
    """`![alt|100x145](https://…)` and `![250](https://…)`: Obsidian's size syntax (no site in it:
    a template holds it as it is)."""
    alt = "".join(t.content for t in (tok.children or []))
    alt, size = _alt_and_size(alt)
    src = str(tok.attrs.get("src", ""))
    return f'<img src="{esc(src)}" alt="{esc(alt)}"{size} loading="lazy">'


def missing_embed(source: SourcePath, ref: LinkRef, target: Target) -> Diagnostic | None:
    """The problem with an embed that resolved to nothing (`kbgen check` finds them without
    rendering); None when it resolved, or names an unpublished note, which is shown as nothing."""
    if target.kind != "unresolved" or is_private(target, ref):
        return None
    name = ref.target or ref.original
    if not is_concept_label(name):
        return make(source, ref.line, "missing-attachment", f"{ref.original!r}: no file {name!r} in the vault")
    return make(source, ref.line, "missing-embed", f"{ref.original!r}: no note {name!r} to embed")


def is_private(target: Target, ref: LinkRef) -> bool:
    """A link to an unpublished note: assemble resolves it to an unresolved target without a label."""
    return target.kind == "unresolved" and not target.label and bool(ref.target)


def _alt_and_size(display: str | None) -> tuple[str, str]:
    """`300`, `300x200` or `alt|300` → (alt, ' width=.. height=..')."""
    if not display:
        return "", ""
    alt, _bar, last = display.rpartition("|")
    w, _x, h = last.strip().partition("x")
    if w.isdigit() and (not _x or h.isdigit()):
        size = f' width="{w}"' + (f' height="{h}"' if h else "")
        return alt.strip(), size
    return display.strip(), ""


def _pdf_params(fragment: str) -> tuple[str, int]:
    height, keep = 600, []
    for part in fragment.split("&"):
        key, _, value = part.partition("=")
        if key == "height" and value.isdigit():
            height = int(value)
        elif part:
            keep.append(part)
    return "&".join(keep), height
