"""The resolved site: published notes, their URLs, every link's target, tags, concepts and the graph."""
from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import Any

from kbgen.config import Config
from kbgen.graph import LinkGraph
from kbgen.model import is_file_name, LinkRef, ParsedNote, SourcePath, Target, Url



@dataclass
class Tag:
    name: str
    """Display spelling (first seen)."""
    url: Url
    notes: list[SourcePath] = field(default_factory=list)


@dataclass
class Site:
    config: Config
    notes: dict[SourcePath, ParsedNote]
    """Published notes only."""
    urls: dict[SourcePath, Url]
    """Page URL of each published note, and URL of each published attachment."""
    targets: dict[SourcePath, dict[LinkRef, Target]]
    graph: LinkGraph
    tags: dict[str, Tag]
    """Casefolded tag (nested tags also under each parent) → Tag."""
    home: SourcePath | None
    strip: str = ""
    """The content folder that maps to the site root (`notes/`)."""
    folder_notes: dict[str, SourcePath] = field(default_factory=dict)
    """Folder path → its folder note (`Folder/Folder.md` or `Folder/index.md`)."""
    resolver: Any = None
    """The Resolver the links were resolved with (kept for incremental rebuilds)."""
    hidden: set[str] = field(default_factory=set)
    """Casefolded names of unpublished notes: links to them leave no trace."""
    link_diags: dict[SourcePath, list[Any]] = field(default_factory=dict)
    """Problems found resolving each note's links."""

    def title(self, path: SourcePath) -> str:
        note = self.notes.get(path)
        return note.title if note else posixpath.basename(path)

    def target(self, source: SourcePath, ref: LinkRef) -> Target:
        return self.targets.get(source, {}).get(ref) or Target("unresolved", None, label=ref.target)


def is_concept_label(label: str) -> bool:
    """Unresolved targets that look like files (`x.png`) are missing attachments, not concepts."""
    return bool(label.strip()) and not is_file_name(label)
