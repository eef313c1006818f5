"""What the local graph of every note page costs: to compute, to fingerprint and to write.

    python benchmarks/local_graph.py VAULT [--runs 5]

Collects the vault once (no cache written), then times over every note, best of --runs, in
CPU time of this process (on a shared machine it varies far less than the wall clock), with
the collected site out of the garbage collector's sight as a build keeps it:
  local_graph – localgraph.local_graph() (its caches warm, as for all but a build's first pages);
  fingerprint – hashing {"graph": the result} as the page fingerprint hashes a context
                (output._hash_context: pickled into blake2b);
  svg         – graphsvg.local_graph_svg(), the markup each page carries, pages in URL order
                with their hrefs kept per folder as render.py keeps them;
and prints the mean sizes of the pickled graph and of the SVG. Compare figures from the same
run only.
"""
from __future__ import annotations

import argparse
import gc
import hashlib
import tempfile
import time
from pathlib import Path
from typing import Any

from kbgen import graphsvg, localgraph
from kbgen.build import Builder
from kbgen.output import _context_bytes, _hash_context
from kbgen.site import Site
from kbgen.urls import relative_path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("vault", type=Path)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as out:
        site, _ = Builder(args.vault, Path(out), quiet=True, cache=False).collect()
    paths = sorted(site.notes, key=lambda p: site.urls[p])
    folders = [site.urls[p].rpartition("/")[0] for p in paths]
    for p in paths:  # warm the per-graph caches
        localgraph.local_graph(site, p)
    gc.collect()
    gc.freeze()
    collecting = gc.isenabled()
    gc.disable()
    try:
        best, graphs, svgs = _time(site, paths, folders, args.runs)
    finally:
        if collecting:
            gc.enable()
    n = max(len(paths), 1)
    print(f"{len(paths)} notes")
    for key, took in best.items():
        print(f"{key:12} {took * 1e6 / n:7.1f} µs a page")
    print(f"{'total':12} {sum(best.values()) * 1e6 / n:7.1f} µs a page")
    print(f"{'pickle size':12} {sum(len(_context_bytes({'graph': g})) for g in graphs) / n:7.0f} bytes a page")
    print(f"{'svg size':12} {sum(map(len, svgs)) / n:7.0f} bytes a page")
    return 0


def _time(site: Site, paths: list[str], folders: list[str],
          runs: int) -> tuple[dict[str, float], list[dict[str, Any]], list[str]]:
    best = {"local_graph": float("inf"), "fingerprint": float("inf"), "svg": float("inf")}
    graphs: list[dict[str, Any]] = []
    svgs: list[str] = []
    for _ in range(runs):
        graphs, svgs = [], []  # (the last run's results freed outside the timings)
        t0 = time.process_time()
        graphs = [localgraph.local_graph(site, p) for p in paths]
        t1 = time.process_time()
        for g in graphs:
            _hash_context(hashlib.blake2b(digest_size=16), {"graph": g})
        t2 = time.process_time()
        last, links = None, {}
        for g, folder in zip(graphs, folders):
            if folder != last:  # as render._links keeps them
                last, links = folder, {}
            svgs.append(str(graphsvg.local_graph_svg(g, lambda url, f=folder: relative_path(f, url), links)))
        t3 = time.process_time()
        for key, took in (("local_graph", t1 - t0), ("fingerprint", t2 - t1), ("svg", t3 - t2)):
            best[key] = min(best[key], took)
    return best, graphs, svgs


if __name__ == "__main__":
    raise SystemExit(main())
