"""Full-text search: run Pagefind (shipped by the `pagefind` Python package) over the built pages."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from kbgen.diagnostics import make

OUTPUT_SUBDIR = "pagefind"


def index(site_dir: Path, outputs: Any, result: Any, incremental: bool = False) -> list[str]:
    """Index every page into `site_dir/pagefind/`; a failure is an error diagnostic, not a crash.

    Returns the files written, relative to `site_dir`."""
    target = site_dir / OUTPUT_SUBDIR
    if incremental and not outputs.files.keys() - {u for u in outputs.files if not u.endswith(".html")}:
        return []  # no page changed: the index is still right
    tmp = site_dir / (OUTPUT_SUBDIR + ".new")
    shutil.rmtree(tmp, ignore_errors=True)
    cmd = [sys.executable, "-m", "pagefind", "--site", str(site_dir), "--output-path", str(tmp),
           "--glob", "**/*.html", "--silent"]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        failed = proc.returncode != 0
        detail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] if failed else []
    except (OSError, subprocess.TimeoutExpired) as exc:
        failed, detail = True, [str(exc)]
    if failed:
        result.diagnostics.append(make("", 0, "search", "Pagefind failed: " + " ".join(detail)))
        shutil.rmtree(tmp, ignore_errors=True)
        return []
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)
    return sorted(p.relative_to(site_dir).as_posix() for p in target.rglob("*") if p.is_file())
