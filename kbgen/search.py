"""Full-text search: run Pagefind (shipped by the `pagefind` Python package) over the built pages.

Pagefind writes its filter files from a hash map, so two runs over the same pages order the filter
values differently and name the files (and the language's meta file) after those bytes. After each
run `_make_deterministic` re-encodes the filter files in sorted order and renames them and the meta
file after their new bytes, so the same site always gets a byte-identical index.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from kbgen import cbor
from kbgen.diagnostics import make

OUTPUT_SUBDIR = "pagefind"
MAGIC = b"pagefind_dcd"
"""What every decompressed Pagefind data file starts with."""
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-component-ui.js", "pagefind-component-ui.css",
          "pagefind-modular-ui.js", "pagefind-modular-ui.css", "pagefind-highlight.js")
"""Pagefind's ready-made interfaces: the theme talks to `pagefind.js` directly, so they are not published."""


def index(site_dir: Path, outputs: Any, result: Any, incremental: bool = False) -> list[str]:
    """Index every page into `site_dir/pagefind/`; a failure is an error diagnostic, not a crash.

    Returns the files written, relative to `site_dir`."""
    target = site_dir / OUTPUT_SUBDIR
    if incremental and not any(u.endswith(".html") for u in outputs.files):
        return []  # no page changed: the index is still right
    tmp = site_dir / (OUTPUT_SUBDIR + ".new")
    shutil.rmtree(tmp, ignore_errors=True)
    # --keep-index-url: result URLs end in index.html like every other link of the site, so they
    # also work where no server maps a folder to its index (file://, some previews).
    cmd = [sys.executable, "-m", "pagefind", "--site", str(site_dir), "--output-path", str(tmp),
           "--glob", "**/*.html", "--keep-index-url", "--silent"]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        failed = proc.returncode != 0
        detail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] if failed else []
    except (OSError, subprocess.TimeoutExpired) as exc:
        failed, detail = True, [str(exc)]
    if not failed:
        for name in UNUSED:
            (tmp / name).unlink(missing_ok=True)
        try:
            _make_deterministic(tmp)
        except (OSError, ValueError, KeyError, IndexError) as exc:
            failed, detail = True, [f"unexpected index layout: {exc}"]
    if failed:
        result.diagnostics.append(make("", 0, "search", "Pagefind failed: " + (" ".join(detail) or
                                                                               "no message")))
        shutil.rmtree(tmp, ignore_errors=True)
        return []
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)
    return sorted(p.relative_to(site_dir).as_posix() for p in target.rglob("*") if p.is_file())


def _make_deterministic(bundle: Path) -> None:
    """Sort each filter file's values, then rename filter and meta files after their content."""
    entry_file = bundle / "pagefind-entry.json"
    entry = json.loads(entry_file.read_text(encoding="utf-8"))
    for lang, info in sorted(entry["languages"].items()):
        meta_file = bundle / f"pagefind.{info['hash']}.pf_meta"
        meta = _read(meta_file)
        # meta: [version, pages, index chunks, filters [[name, hash], ...], sorts, meta fields]
        for pair in meta[3]:
            old = bundle / "filter" / f"{pair[1]}.pf_filter"
            data = _read(old)
            # filter file: [name, [[value, [page numbers]], ...]] in hash-map order
            data[1] = sorted(data[1], key=lambda item: item[0])
            new_hash = _name(lang, data, 7)
            old.unlink()
            _write(bundle / "filter" / f"{new_hash}.pf_filter", data)
            pair[1] = new_hash
        meta_hash = _name(lang, meta, 10)
        meta_file.unlink()
        _write(bundle / f"pagefind.{meta_hash}.pf_meta", meta)
        info["hash"] = meta_hash
    entry_file.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")),
                          encoding="utf-8")


def _read(path: Path) -> Any:
    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(MAGIC):
        raise ValueError(f"{path.name} is not a Pagefind data file")
    return cbor.loads(raw[len(MAGIC):])


def _write(path: Path, value: Any) -> None:
    path.write_bytes(gzip.compress(MAGIC + cbor.dumps(value), compresslevel=9, mtime=0))


def _name(lang: str, value: Any, length: int) -> str:
    """A content-derived file name in Pagefind's own style (`en_` + hex digits)."""
    return f"{lang}_" + hashlib.sha256(cbor.dumps(value)).hexdigest()[:length]
