"""Time kbgen's search index over a built site, and check that cutting pages down changes nothing.

Usage: python benchmarks/search_index.py SITE [--compare] [--cli] [--runs N]
Prints the wall and CPU time (this process and Pagefind's) of indexing the site's pages as the
build does. --compare also indexes the whole pages and checks that both indexes are
byte-identical; --cli also times the Pagefind command line over the site (kbgen's old way).
"""
from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

from kbgen import search


def timed(job: Callable[[], object]) -> tuple[object, float, str]:
    """The job's value, wall time and CPU time (user + system, this process and its children)."""
    def cpu() -> tuple[float, float]:
        me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return me.ru_utime + kids.ru_utime, me.ru_stime + kids.ru_stime
    (user0, sys0), start = cpu(), time.perf_counter()
    value = job()
    user, system = cpu()
    return value, time.perf_counter() - start, f"{user - user0 + system - sys0:.2f} s CPU " \
        f"({user - user0:.2f} user + {system - sys0:.2f} system)"


def index(site: Path, whole: bool = False) -> dict[str, bytes]:
    """Index the site's pages and write the index into a temporary folder, as a build does."""
    indexer = search.Indexer()
    for rel in search.site_pages(site):
        html = (site / rel).read_bytes()
        indexer.add(rel, html, cut=not whole)
    files = indexer.finish()
    with tempfile.TemporaryDirectory() as tmp:
        search.write_index(Path(tmp), files)
    return files


def cli(site: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([str(search._executable()), "--site", str(site), "--output-path", tmp + "/pf",
                        "--glob", "**/*.html", "--keep-index-url", "--silent"], check=True)


def main() -> None:
    site = Path(sys.argv[1])
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 1
    pages = [site / rel for rel in search.site_pages(site)]
    cut = sum(1 for p in pages if search.BODY in (h := p.read_bytes()) and search.indexable(h) is not h)
    print(f"{len(pages)} pages, {cut} cut down")
    for _ in range(runs):
        files, wall, cpu = timed(lambda: index(site))
        print(f"kbgen index: {wall:.2f} s wall, {cpu}, {len(files)} files")
        if "--cli" in sys.argv:
            _, wall, cpu = timed(lambda: cli(site))
            print(f"pagefind CLI: {wall:.2f} s wall, {cpu}")
    if "--compare" in sys.argv:
        whole = index(site, whole=True)
        assert isinstance(files, dict)
        diff = sorted(set(files) ^ set(whole)) + [f for f in files if f in whole and files[f] != whole[f]]
        print("cut and whole pages give identical indexes" if not diff else f"DIFFERENT: {diff[:5]}")


if __name__ == "__main__":
    main()
