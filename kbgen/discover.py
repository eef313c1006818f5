"""Walk the vault in sorted order: notes and attachments, minus dotfiles, templates, ignores and symlinks."""
from __future__ import annotations

import fnmatch
import os
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from kbgen.config import Config
from kbgen.diagnostics import Diagnostic, make
from kbgen.model import SourcePath

_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
                     *(f"lpt{i}" for i in range(1, 10))}
_WINDOWS_INVALID = set('<>:"\\|?*')
LARGE_FILE = 5 * 1024 * 1024


@dataclass
class Vault:
    """The files of a vault: vault-relative NFC path → file on disk."""

    root: Path
    notes: dict[SourcePath, Path] = field(default_factory=dict)
    assets: dict[SourcePath, Path] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def discover(config: Config, exclude: tuple[Path, ...] = ()) -> Vault:
    """Find every note (`.md`) and attachment under the content folders.

    `exclude` holds folders kbgen itself writes (output, cache), never read as content.
    Symlinks are never followed: a vault must not pull in files from elsewhere.
    """
    root = config.root
    vault = Vault(root)
    excluded = {p.resolve() for p in exclude}
    seen_casefold: dict[str, SourcePath] = {}
    for content in config.content_dirs:
        base = (root / content).resolve() if content != "." else root
        if base.is_dir() and not _inside(base, root):
            vault.diagnostics.append(make(content, 0, "outside-vault",
                                          f"content folder resolves to {base}, outside the vault; not read"))
        if not base.is_dir() or not _inside(base, root):
            continue

        def unlisted(exc: OSError) -> None:
            vault.diagnostics.append(make(_rel(Path(exc.filename), root), 0, "unreadable",
                                          f"cannot list this folder: {exc.strerror}"))

        for dirpath, dirnames, filenames in os.walk(base, followlinks=False, onerror=unlisted):
            here = Path(dirpath)
            keep = []
            for d in sorted(dirnames):
                full = here / d
                if _skip_name(d, config) or full.resolve() in excluded:
                    continue
                if _undecodable(d):
                    vault.diagnostics.append(make(_printable(_rel(full, root)), 0, "invalid-name",
                                                  "folder name is not valid UTF-8; skipped"))
                    continue
                if full.is_symlink():
                    vault.diagnostics.append(make(_rel(full, root), 0, "symlink",
                                                  "symbolic link to a folder not followed"))
                    continue
                if _ignored(_rel(full, root) + "/", config):
                    continue
                keep.append(d)
            dirnames[:] = keep
            for name in sorted(filenames):
                full = here / name
                if _undecodable(name):  # it could never become a URL, nor be named in a link
                    if not name.startswith("."):
                        vault.diagnostics.append(make(_printable(_rel(full, root)), 0, "invalid-name",
                                                      "file name is not valid UTF-8; skipped"))
                    continue
                rel = SourcePath(_rel(full, root))
                if name.startswith(".") or _ignored(rel, config):
                    continue
                try:
                    st = full.lstat()
                except OSError as exc:
                    vault.diagnostics.append(make(rel, 0, "unreadable", f"cannot read: {exc.strerror}"))
                    continue
                if stat.S_ISLNK(st.st_mode):
                    vault.diagnostics.append(make(rel, 0, "symlink", "symbolic link not followed"))
                    continue
                if not stat.S_ISREG(st.st_mode):  # reading a named pipe would hang the build
                    vault.diagnostics.append(make(rel, 0, "special-file",
                                                  "not a regular file (a pipe, socket or device); skipped"))
                    continue
                if rel in vault.notes or rel in vault.assets:
                    vault.diagnostics.append(make(rel, 0, "duplicate-name",
                                                  "same name as another file after Unicode normalization; skipped"))
                    continue
                _check_name(rel, name, vault, seen_casefold)
                if name.lower().endswith(".md"):
                    if st.st_size > LARGE_FILE:
                        vault.diagnostics.append(make(rel, 0, "large-file",
                                                      f"{st.st_size / 2**20:.0f} MB note; it takes a while to build"))
                    vault.notes[rel] = full
                else:
                    vault.assets[rel] = full
    return vault


def _rel(path: Path, root: Path) -> str:
    return unicodedata.normalize("NFC", path.relative_to(root).as_posix())


def _undecodable(name: str) -> bool:
    """True for a name with bytes that are not UTF-8 (os gives them as lone surrogates)."""
    try:
        name.encode("utf-8")
        return False
    except UnicodeEncodeError:
        return True


def _printable(rel: str) -> str:
    return rel.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


def _skip_name(name: str, config: Config) -> bool:
    return name.startswith(".") or name == config.templates_folder or name == "__pycache__"


def _ignored(rel: str, config: Config) -> bool:
    return any(fnmatch.fnmatch(rel, pat) or fnmatch.fnmatch(rel.rstrip("/"), pat)
               for pat in config.ignore)


def _check_name(rel: SourcePath, name: str, vault: Vault, seen: dict[str, SourcePath]) -> None:
    stem = name.split(".")[0].lower()
    if stem in _WINDOWS_RESERVED or any(c in _WINDOWS_INVALID for c in name) or name.endswith((" ", ".")):
        vault.diagnostics.append(make(rel, 0, "invalid-name",
                                      "name is reserved or invalid on Windows; it will not sync there"))
    key = rel.casefold()
    if key in seen:
        vault.diagnostics.append(make(rel, 0, "duplicate-name",
                                      f"differs from {seen[key]!r} only in letter case"))
    else:
        seen[key] = rel
