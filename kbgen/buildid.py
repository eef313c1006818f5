"""What a build's output depends on besides the vault and its settings: kbgen's code and the libraries that write its HTML."""
from __future__ import annotations

import hashlib
import importlib
from functools import lru_cache
from pathlib import Path

from kbgen import __version__

LIBRARIES = ("markdown_it", "mdit_py_plugins", "linkify_it", "pygments", "jinja2", "nh3", "latex2mathml")
"""Packages whose version may change the bytes of a page, read from their `__version__` (already
imported by a build; importlib.metadata took 23 ms for these seven)."""


@lru_cache(maxsize=None)
def build_id() -> str:
    """kbgen's version, then a digest of its source files and these libraries' versions.

    The parse cache, the page fingerprints and the nothing-changed check are keyed by it, so a
    checkout or an upgrade that changes how pages are made remakes them even under the same
    version number: a warm build then writes what a cold one would. (A few milliseconds.)"""
    versions = [f"{name}={getattr(importlib.import_module(name), '__version__', '-')}" for name in LIBRARIES]
    return f"{__version__}+{code_digest(Path(__file__).parent, versions)}"


def code_digest(package: Path, versions: list[str]) -> str:
    """A digest of every `.py` file under `package` (names and bytes) and of `versions`."""
    h = hashlib.blake2b(digest_size=8)
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    h.update("\0".join(versions).encode())
    return h.hexdigest()
