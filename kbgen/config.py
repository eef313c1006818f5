"""One frozen Config, read from `kbgen.toml` at the vault root; every key has a documented default."""
from __future__ import annotations

import functools
import hashlib
import json
import re
import tomllib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

CONFIG_NAME = "kbgen.toml"


class ConfigError(Exception):
    """A config file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Config:
    """Site settings. Keys of `kbgen.toml` have the same names (see README, Configuration)."""

    root: Path = Path(".")
    """The vault root (the folder given to `kbgen build`)."""
    title: str = ""
    """Site title; default: the vault folder's name."""
    base_url: str = ""
    """Absolute URL the site is published at (`https://user.github.io/repo/`); used only for
    sitemap, canonical links, feed and Open Graph. Everything else is relative."""
    content: tuple[str, ...] = ()
    """Folders (relative to root) that hold notes and attachments; default: `notes` and
    `attachments` when `notes/` exists, else the whole vault."""
    home: str = ""
    """The note shown as the home page; default: the first of Home, index, README found."""
    ignore: tuple[str, ...] = ()
    """Glob patterns (vault-relative) never read or published, besides dotfiles and `.obsidian/`."""
    templates_folder: str = "templates"
    """Obsidian's templates folder: any folder of this name is never published."""
    strict_line_breaks: bool = False
    """Obsidian's `strictLineBreaks`: false renders a single newline as a line break."""
    trust_html: bool = False
    """Pass raw HTML in notes through unsanitized."""
    resolve_aliases: bool = False
    """Also resolve `[[alias]]` through front-matter aliases (Obsidian itself does not)."""
    concept_pages: bool = True
    """Give each unresolved link target a page listing its mentions."""
    publish_all_attachments: bool = False
    """Copy every attachment, not only those that published notes reference."""
    theme: str = "default"
    """A theme shipped with kbgen (`themes/<name>`)."""
    theme_dir: str = "theme"
    """A vault folder whose `templates/` and `static/` override the theme's files of the same name."""
    cname: str = ""
    """Custom domain written to `CNAME` by deploy."""
    search: bool = True
    """Run Pagefind to build the search index."""
    graph_color_by: str = "folder"
    """Colour groups of the graph: `folder` or `tag`."""
    mermaid_url: str = "https://cdn.jsdelivr.net/npm/mermaid@11/dist/mermaid.min.js"
    """Script loaded (only on pages with a diagram) to draw Mermaid diagrams."""
    language: str = "en"
    levels: dict[str, str] = field(default_factory=dict)
    """Level per diagnostic code (`error`, `warning`, `info`, `off`)."""
    cache_dir: str = ".kbgen-cache"
    """Parse cache, relative to the vault root."""

    @property
    def content_dirs(self) -> tuple[str, ...]:
        if self.content:
            return self.content
        if (self.root / "notes").is_dir():
            return tuple(d for d in ("notes", "attachments") if (self.root / d).is_dir())
        return (".",)

    @property
    def site_title(self) -> str:
        if self.title:
            return self.title
        return _folder_name(self.root) if self.root.is_absolute() else self.root.resolve().name

    def digest(self) -> str:
        """A digest of every setting, so a config change invalidates what depends on it."""
        data = {k: v for k, v in asdict(self).items() if k != "root"}
        return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]


@functools.lru_cache(maxsize=64)
def _folder_name(root: Path) -> str:
    """The vault folder's own name (every page asks: resolving the path each time cost ~45 µs)."""
    return root.resolve().name


_TUPLE_KEYS = {"content", "ignore"}


def load(root: Path, path: Path | None = None, **overrides: Any) -> Config:
    """Read `kbgen.toml` (or `path`) under `root`; unknown keys and wrong types name the key."""
    root = root.resolve()
    file = path or root / CONFIG_NAME
    values: dict[str, Any] = {}
    if file.exists():
        try:
            values = tomllib.loads(file.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{file}: {exc}") from exc
    elif path is not None:
        raise ConfigError(f"{file}: no such config file")
    elif (root / "pyproject.toml").is_file():
        # a vault that is also a Python project (like kbgen's own) may keep its settings in
        # pyproject.toml under [tool.kbgen]; kbgen.toml wins when both exist
        file = root / "pyproject.toml"
        try:
            values = tomllib.loads(file.read_text(encoding="utf-8")).get("tool", {}).get("kbgen", {})
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{file}: {exc}") from exc
    known = {f.name: f for f in fields(Config) if f.name != "root"}
    kwargs: dict[str, Any] = {"root": root}
    for key, value in values.items():
        if key not in known:
            raise ConfigError(f"{file}: unknown key {key!r}")
        default = getattr(Config(), key)
        if key in _TUPLE_KEYS:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{file}: key {key!r} must be a list of strings")
            value = tuple(value)
        elif not isinstance(value, type(default)):
            raise ConfigError(f"{file}: key {key!r} must be {type(default).__name__}")
        kwargs[key] = value
    kwargs.update({k: v for k, v in overrides.items() if v is not None})
    base_url = kwargs.get("base_url", "")
    if base_url and not re.match(r"^https?://[^/\s]+(/\S*)?$", base_url):
        # a scheme-less base_url would turn canonical, sitemap and feed URLs into broken relative ones
        where = "--base-url" if overrides.get("base_url") else f"{file}: key 'base_url'"
        raise ConfigError(f"{where} must be an absolute http(s) URL such as "
                          f"https://user.github.io/repo/, not {base_url!r}")
    return Config(**kwargs)
