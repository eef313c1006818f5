"""Time kbgen's search index over a built site, one bundle against shards, and check that cutting pages down changes nothing.

Usage: python benchmarks/search_index.py SITE [--compare] [--cli] [--runs N] [--edit]
For the site's pages indexed as the build does, once as one bundle (shards.py's limits lifted) and
once in shards (and lanes), prints the wall time, the CPU time (kbgen and Pagefind), the tail (from the last
page handed over to the index files in memory: what a build waits for after its last page) and
the peak RSS of the largest Pagefind process and of this one (which holds every page). Each runs in a process of its own, so
the peak RSS is its own. --edit also times a re-index after a one-page edit (as serve's background
refresh does it: shards whose pages did not change are linked from the index before).
--compare also indexes the whole pages and checks that both indexes are byte-identical; --cli
also times the Pagefind command line over the site (kbgen's old way).
"""
from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable

from kbgen import search, shards

ONE = 10**9
"""Shard and lane limits that make one bundle of any site."""


def cpu() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def timed(job: Callable[[], object]) -> tuple[object, float, float]:
    """The job's value, wall time and CPU time (this process and its children)."""
    cpu0, start = cpu(), time.perf_counter()
    value = job()
    return value, time.perf_counter() - start, cpu() - cpu0


def index(site: Path, whole: bool = False) -> tuple[dict[str, bytes], float]:
    """Index the site's pages and write the index into a temporary folder, as a build does;
    returns the files and the tail (seconds from the last page added to the files)."""
    pages = [(rel, (site / rel).read_bytes()) for rel in search.site_pages(site)]
    indexer = search.Indexer()
    for rel, html in pages:
        indexer.add(rel, html, cut=not whole)
    indexer.end()
    last = time.perf_counter()
    files = indexer.finish()
    tail = time.perf_counter() - last
    with tempfile.TemporaryDirectory() as tmp:
        search.write_index(Path(tmp), files)
    return files, tail


def one_run(site: Path, mode: str, edit: bool) -> dict[str, Any]:
    """In a process of its own: index `site` in `mode` ("one" or "sharded") and measure it."""
    if mode == "one":
        shards.SHARD_MIN = shards.SHARD_MAX = shards.LANE_MIN = ONE
    (files, tail), wall, used = timed(lambda: index(site))
    assert isinstance(files, dict)
    figures: dict[str, Any] = {"wall": wall, "cpu": used, "tail": tail, "files": len(files),
                               "bundles": len(json.loads(files[shards.LIST])["shards"])}
    if edit:
        figures.update(reindex(site))
    figures["rss_pagefind"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    figures["rss_kbgen"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


def reindex(site: Path) -> dict[str, Any]:
    """Index a copy of the site's pages, edit the middle note page, and time the re-index."""
    with tempfile.TemporaryDirectory(dir=site.parent) as tmp:
        copy = Path(tmp) / "site"
        pages = search.site_pages(site)
        for rel in pages:
            (copy / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(site / rel, copy / rel)
        search.index(copy, SimpleNamespace(files={}), SimpleNamespace(diagnostics=[]))
        notes = [p for p in pages if search.BODY in (site / p).read_bytes()]
        page = copy / notes[len(notes) // 2]
        page.write_bytes(page.read_bytes().replace(b"</h1>", b"</h1><p>zqedited words</p>", 1))
        result = SimpleNamespace(diagnostics=[])
        _, wall, used = timed(lambda: search.index(copy, SimpleNamespace(files={}), result))
        assert not result.diagnostics, result.diagnostics
        return {"edit_wall": wall, "edit_cpu": used}


def cli(site: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([str(search._executable()), "--site", str(site), "--output-path", tmp + "/pf",
                        "--glob", "**/*.html", "--keep-index-url", "--silent"], check=True)


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__)
        return
    site = Path(sys.argv[1])
    if "--one-run" in sys.argv:
        print(json.dumps(one_run(site, sys.argv[sys.argv.index("--one-run") + 1], "--edit" in sys.argv)))
        return
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 1
    pages = [site / rel for rel in search.site_pages(site)]
    cut = sum(1 for p in pages if search.BODY in (h := p.read_bytes()) and search.indexable(h) is not h)
    print(f"{len(pages)} pages, {cut} cut down; shards of {shards.SHARD_MIN}-{shards.SHARD_MAX} pages (+{shards.SHARD_SPAN} on average), two lanes from {shards.LANE_MIN}")
    for _ in range(runs):
        for mode in ("one", "sharded"):
            extra = ["--edit"] if "--edit" in sys.argv else []
            out = subprocess.run([sys.executable, __file__, str(site), "--one-run", mode, *extra],
                                 capture_output=True, text=True, check=True).stdout
            f = json.loads(out)
            line = (f"{mode:>7}: {f['bundles']} bundle(s), {f['wall']:.2f} s wall, {f['cpu']:.2f} s CPU, "
                    f"tail {f['tail']:.2f} s, peak RSS Pagefind {f['rss_pagefind']:.0f} MiB, "
                    f"this process {f['rss_kbgen']:.0f} MiB, {f['files']} files")
            if "edit_wall" in f:
                line += f"; re-index after an edit {f['edit_wall']:.2f} s wall, {f['edit_cpu']:.2f} s CPU"
            print(line, flush=True)
        if "--cli" in sys.argv:
            _, wall, used = timed(lambda: cli(site))
            print(f"pagefind CLI: {wall:.2f} s wall, {used:.2f} s CPU")
    if "--compare" in sys.argv:
        files, _ = index(site)
        whole, _ = index(site, whole=True)
        diff = sorted(set(files) ^ set(whole)) + [f for f in files if f in whole and files[f] != whole[f]]
        print("cut and whole pages give identical indexes" if not diff else f"DIFFERENT: {diff[:5]}")


if __name__ == "__main__":
    main()
