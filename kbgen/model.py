"""The data every pipeline stage passes on: notes as parsed, links as written and as resolved."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, NewType

SourcePath = NewType("SourcePath", str)
"""A POSIX path relative to the vault root, with its extension, NFC-normalized (`notes/IAM/IAM Role.md`)."""

Url = NewType("Url", str)
"""A site-root-relative output path, never starting with `/` (`iam/iam-role.html`). Made relative
to the current page only when rendered, so the site works under any sub-path and from disk."""

LinkKind = Literal["wiki", "markdown", "frontmatter"]

IMAGE_EXTS = frozenset({"avif", "bmp", "gif", "jpeg", "jpg", "png", "svg", "webp"})
AUDIO_EXTS = frozenset({"flac", "m4a", "mp3", "ogg", "wav", "3gp"})
VIDEO_EXTS = frozenset({"mkv", "mov", "mp4", "ogv", "webm"})
ATTACHMENT_EXTS = IMAGE_EXTS | AUDIO_EXTS | VIDEO_EXTS | {"pdf", "canvas", "base", "zip", "txt", "csv"}
"""File endings that name an attachment rather than a note (Obsidian's accepted formats)."""


def is_file_name(target: str) -> bool:
    """`x.png`, `doc.pdf`: a link target naming an attachment (notes need no ending)."""
    return "." in target and target.rsplit(".", 1)[-1].lower() in ATTACHMENT_EXTS


@dataclass(frozen=True, slots=True, init=False)
class LinkRef:
    """A link as written in a note, before resolution. Produced by the parse rules."""

    target: str
    """The path part, trimmed and (for markdown links) percent-decoded; empty for `[[#Heading]]`."""
    subpath: str
    """Everything after the first `#` (`Heading#Sub`, `^blockid`), trimmed; empty when absent."""
    display: str | None
    """The text after the first `|` of a wikilink, or the text of a markdown link; None when absent."""
    embed: bool
    """True for `![[...]]` (and `![](...)` to a note or attachment)."""
    kind: LinkKind
    line: int
    """1-based line in the source file (front matter included)."""
    original: str
    """The source text of the link, as Obsidian reports it in `original`."""
    context: int = -1
    """Index into `ParsedNote.contexts`: the paragraph or list item that holds the link."""
    commented: bool = False
    """True when the link sits inside an inline `%%comment%%` (indexed by Obsidian, not shown)."""

    def __init__(self, target: str, subpath: str, display: str | None, embed: bool, kind: LinkKind,
                 line: int, original: str, context: int = -1, commented: bool = False) -> None:
        # the slots set directly, as Heading's: the frozen dataclass's own __init__ goes through
        # object.__setattr__ per field (~0.6 us a link; a note may hold 200 000)
        _set_target(self, target)
        _set_subpath(self, subpath)
        _set_display(self, display)
        _set_embed(self, embed)
        _set_kind(self, kind)
        _set_line_of_ref(self, line)
        _set_original(self, original)
        _set_context(self, context)
        _set_commented(self, commented)

    def __hash__(self) -> int:
        # Of two fields, not all nine (equal refs have equal hashes all the same): a ref is
        # hashed several times on its way to the page (resolution, fingerprint, link tags),
        # and a note may hold 200 000.
        return hash((self.original, self.line))


# LinkRef's slot setters (it is frozen: its __setattr__ refuses)
(_set_target, _set_subpath, _set_display, _set_embed, _set_kind, _set_line_of_ref, _set_original, _set_context,
 _set_commented) = (vars(LinkRef)[name].__set__ for name in ("target", "subpath", "display", "embed", "kind", "line",
                                                             "original", "context", "commented"))


@dataclass(frozen=True, slots=True, init=False)
class Heading:
    level: int
    text: str
    """The heading's source text (links and code kept raw, as Obsidian's HeadingCache does)."""
    anchor: str
    """The unique `id` of the heading on its page."""
    line: int

    def __init__(self, level: int, text: str, anchor: str, line: int) -> None:
        # the slots set directly: the frozen dataclass's own __init__ goes through
        # object.__setattr__ per field (a note may hold tens of thousands of headings)
        _set_level(self, level)
        _set_text(self, text)
        _set_anchor(self, anchor)
        _set_line(self, line)


# Heading's slot setters (it is frozen: its __setattr__ refuses)
_set_level, _set_text, _set_anchor, _set_line = (
    vars(Heading)[name].__set__ for name in ("level", "text", "anchor", "line"))


@dataclass(frozen=True, slots=True, init=False)
class Context:
    """The plain text of the block that holds one or more links, for backlinks with context."""

    text: str
    line: int

    def __init__(self, text: str, line: int) -> None:
        # the slots set directly, as Heading's (~0.5 -> ~0.3 us; a note may hold a list item per line)
        _set_context_text(self, text)
        _set_context_line(self, line)


_set_context_text, _set_context_line = (vars(Context)[name].__set__ for name in ("text", "line"))


@dataclass(slots=True)
class ParsedNote:
    """Everything `parse` learns from one note; pure function of (text, parse settings)."""

    path: SourcePath
    digest: str
    meta: dict[str, Any]
    """Front matter, with dates kept as the strings they were written as."""
    title: str
    aliases: tuple[str, ...]
    tags: tuple[str, ...]
    """Front-matter tags then body tags, without `#`, in order of first appearance, original case."""
    headings: tuple[Heading, ...]
    blocks: dict[str, int]
    """Block id (without `^`) → line."""
    links: tuple[LinkRef, ...]
    contexts: tuple[Context, ...]
    tokens: list[Any]
    """markdown-it tokens of the body; rendered after resolution."""
    description: str = ""
    """Front-matter `description`, else the first paragraph's text, shortened."""
    first_image: str = ""
    """The target of the first image embed, for Open Graph."""
    has_math: bool = False
    has_mermaid: bool = False
    languages: tuple[str, ...] = ()
    """The languages of the note's code blocks (serve readies their highlighters at start)."""
    tag_lines: tuple[int, ...] = ()
    """Where each of `tags` first appears: its file line (front-matter tags: the `tags:` key's line)."""
    diagnostics: list[Any] = field(default_factory=list)
    """Diagnostics found while parsing (front matter, encoding, …), kept with the cached parse."""

    @property
    def published(self) -> bool:
        """False for `publish: false` or `draft: true` notes, which leave no trace in the site."""
        pub = self.meta.get("publish", True)
        draft = self.meta.get("draft", False)
        return pub is not False and draft is not True


@dataclass(frozen=True, slots=True, init=False)
class Target:
    """Where a link goes after resolution."""

    kind: Literal["note", "asset", "unresolved"]
    path: SourcePath | None
    """The note or attachment, or None when unresolved."""
    anchor: str = ""
    """The `id` on the target page (heading or block), already checked; empty for the page top."""
    label: str = ""
    """For unresolved links: the concept name (the target text as written)."""

    def __init__(self, kind: Literal["note", "asset", "unresolved"], path: SourcePath | None, anchor: str = "",
                 label: str = "") -> None:
        # the slots set directly, as Heading's (~0.4 -> ~0.25 us; resolution makes one per distinct link)
        _set_target_kind(self, kind)
        _set_target_path(self, path)
        _set_target_anchor(self, anchor)
        _set_target_label(self, label)


_set_target_kind, _set_target_path, _set_target_anchor, _set_target_label = (
    vars(Target)[name].__set__ for name in ("kind", "path", "anchor", "label"))
