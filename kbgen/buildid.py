"""What a build's output depends on besides the vault and its settings: kbgen's code and the libraries that write its HTML."""
from __future__ import annotations

import hashlib
import importlib.util
import os
from functools import lru_cache
from pathlib import Path

from kbgen import __version__

LIBRARIES = {"markdown_it": "markdown_it_py", "mdit_py_plugins": "mdit_py_plugins", "linkify_it": "linkify_it_py",
             "pygments": "pygments", "jinja2": "jinja2", "nh3": "nh3", "latex2mathml": "latex2mathml"}
"""Packages whose version may change the bytes of a page → their distribution's name (see _version)."""


@lru_cache(maxsize=None)
def build_id() -> str:
    """kbgen's version, then a digest of its source files and these libraries' versions.

    The parse cache, the page fingerprints and the nothing-changed check are keyed by it, so a
    checkout or an upgrade that changes how pages are made remakes them even under the same
    version number: a warm build then writes what a cold one would. (A few milliseconds.)"""
    versions = [f"{name}={_version(name, dist)}" for name, dist in LIBRARIES.items()]
    return f"{__version__}+{code_digest(Path(__file__).parent, versions)}"


def code_digest(package: Path, versions: list[str]) -> str:
    """A digest of every `.py` file under `package` (names and bytes) and of `versions`."""
    h = hashlib.blake2b(digest_size=8)
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    h.update("\0".join(versions).encode())
    return h.hexdigest()


def _version(package: str, dist: str) -> str:
    """The installed version of the package, from the name of its distribution's `*.dist-info`
    folder beside it ("-" if none), the same whether a build has imported the package yet or not
    (latex2mathml is imported at its first formula, and importing it reads its metadata, ~25 ms;
    importlib.metadata took 23 ms for all seven)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.origin:
        return "-"
    prefix, suffix = dist.lower() + "-", ".dist-info"
    for name in _listing(str(Path(spec.origin).parent.parent)):
        low = name.lower()
        if low.startswith(prefix) and low.endswith(suffix):
            return name[len(prefix):-len(suffix)]
    return "-"


@lru_cache(maxsize=None)
def _listing(folder: str) -> list[str]:
    """A folder's entries, sorted (every library of a build usually sits in one site-packages)."""
    try:
        return sorted(os.listdir(folder))
    except OSError:
        return []
