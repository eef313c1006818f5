"""What the local graph of every note page costs: to compute, to fingerprint and to write.

    python benchmarks/local_graph.py VAULT [--runs 3]

Collects the vault once (no cache written), then times over every note, best of --runs:
  local_graph – localgraph.local_graph() (its caches warm, as for all but a build's first pages);
  json        – json.dumps of the result, as the page fingerprint does;
  svg         – graphsvg.local_graph_svg(), the markup each page carries;
and prints the mean sizes of the JSON and the SVG. Compare figures from the same run only.
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from kbgen import graphsvg, localgraph
from kbgen.build import Builder


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("vault", type=Path)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as out:
        site, _ = Builder(args.vault, Path(out), quiet=True, cache=False).collect()
    paths = sorted(site.notes)
    for p in paths:  # warm the per-graph caches
        localgraph.local_graph(site, p)
    best = {"local_graph": float("inf"), "json": float("inf"), "svg": float("inf")}
    for _ in range(args.runs):
        t0 = time.perf_counter()
        graphs = [localgraph.local_graph(site, p) for p in paths]
        t1 = time.perf_counter()
        dumped = [json.dumps(g, sort_keys=True) for g in graphs]
        t2 = time.perf_counter()
        svgs = [str(graphsvg.local_graph_svg(g, lambda url: "../" + url)) for g in graphs]
        t3 = time.perf_counter()
        for key, took in (("local_graph", t1 - t0), ("json", t2 - t1), ("svg", t3 - t2)):
            best[key] = min(best[key], took)
    n = max(len(paths), 1)
    print(f"{len(paths)} notes")
    for key, took in best.items():
        print(f"{key:12} {took * 1e6 / n:7.0f} µs a page")
    print(f"{'json size':12} {sum(map(len, dumped)) / n:7.0f} bytes a page")
    print(f"{'svg size':12} {sum(map(len, svgs)) / n:7.0f} bytes a page")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
