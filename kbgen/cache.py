"""The on-disk parse cache: note metadata in one file, each note's tokens in its own, keyed by digest.

The key also holds kbgen's version and the parse settings, so a stale cache is never used; a
corrupt or unreadable file is reported once and ignored (the notes are parsed again).
"""
from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from kbgen import __version__
from kbgen.model import ParsedNote

log = logging.getLogger(__name__)
FORMAT = 3


class ParseCache:
    def __init__(self, directory: Path | None, salt: str) -> None:
        self.salt = hashlib.blake2b(f"{FORMAT}:{__version__}:{salt}".encode(), digest_size=8).hexdigest()
        self.dir = directory / f"parse-{self.salt}" if directory else None
        self.meta: dict[str, ParsedNote] = {}
        self.problems: list[str] = []
        self._dirty = False
        self._loaded = False

    def load(self) -> None:
        """Read the metadata file; called on first use, so a build with nothing to do skips it."""
        if self._loaded:
            return
        self._loaded = True
        if self.dir is None:
            return
        file = self.dir / "meta.pickle"
        if not file.exists():
            return
        try:
            with open(file, "rb") as fh:
                data = pickle.load(fh)
            if not isinstance(data, dict) or data.get("salt") != self.salt:
                raise ValueError("written by another version")
            self.meta = data["notes"]
        except Exception as exc:  # any corruption: ignore the cache, never trust it
            self.problems.append(f"{file}: parse cache unreadable ({exc.__class__.__name__}); ignored")
            self.meta = {}

    def get(self, digest: str) -> ParsedNote | None:
        self.load()
        return self.meta.get(digest)

    def put(self, note: ParsedNote) -> None:
        """Remember a freshly parsed note (metadata now, tokens in its own file)."""
        self.load()
        self.meta[note.digest] = replace(note, tokens=None)  # type: ignore[arg-type]
        self._dirty = True
        if self.dir is not None:
            self._write(self.dir / "tokens" / f"{note.digest}.pickle", note.tokens)

    def tokens(self, digest: str) -> list[Any] | None:
        if self.dir is None:
            return None
        file = self.dir / "tokens" / f"{digest}.pickle"
        try:
            with open(file, "rb") as fh:
                tokens = pickle.load(fh)
            return tokens if isinstance(tokens, list) else None
        except FileNotFoundError:
            return None
        except Exception as exc:
            self.problems.append(f"{file}: cached tokens unreadable ({exc.__class__.__name__}); reparsed")
            return None

    def save(self, keep: set[str]) -> None:
        """Write the metadata of the notes in `keep` (the current vault); drop the rest."""
        if self.dir is None or not self._loaded:
            return
        stale = set(self.meta) - keep
        if not self._dirty and not stale:
            return
        for d in stale:
            self.meta.pop(d, None)
            try:
                (self.dir / "tokens" / f"{d}.pickle").unlink()
            except OSError:
                pass
        self._write(self.dir / "meta.pickle", {"salt": self.salt, "notes": self.meta})
        self._dirty = False

    @staticmethod
    def _write(file: Path, obj: Any) -> None:
        file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, file)
        except BaseException:
            os.unlink(tmp)
            raise
