"""What a build's output depends on besides the vault and its settings: kbgen's code and the libraries that write its HTML."""
from __future__ import annotations

import hashlib
import importlib.util
import sys
from functools import lru_cache
from pathlib import Path

from kbgen import __version__

LIBRARIES = ("markdown_it", "mdit_py_plugins", "linkify_it", "pygments", "jinja2", "nh3", "latex2mathml")
"""Packages whose version may change the bytes of a page (see _version)."""


@lru_cache(maxsize=None)
def build_id() -> str:
    """kbgen's version, then a digest of its source files and these libraries' versions.

    The parse cache, the page fingerprints and the nothing-changed check are keyed by it, so a
    checkout or an upgrade that changes how pages are made remakes them even under the same
    version number: a warm build then writes what a cold one would. (A few milliseconds.)"""
    versions = [f"{name}={_version(name)}" for name in LIBRARIES]
    return f"{__version__}+{code_digest(Path(__file__).parent, versions)}"


def code_digest(package: Path, versions: list[str]) -> str:
    """A digest of every `.py` file under `package` (names and bytes) and of `versions`."""
    h = hashlib.blake2b(digest_size=8)
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    h.update("\0".join(versions).encode())
    return h.hexdigest()


def _version(package: str) -> str:
    """A package's version: its `__version__` when a build has imported it, else from the name of
    its `*.dist-info` folder, without importing it (latex2mathml is imported at the first
    formula, and its import reads its metadata: ~25 ms; importlib.metadata took 23 ms for all
    seven)."""
    module = sys.modules.get(package)
    if module is not None and isinstance(getattr(module, "__version__", None), str):
        return module.__version__
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.origin:
        return "-"
    found = sorted(p.name for p in Path(spec.origin).parent.parent.glob(f"{package}-*.dist-info"))
    return found[0] if found else "-"
