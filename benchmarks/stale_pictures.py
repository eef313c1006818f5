"""Cost of naming the local graphs an edit changes: `python benchmarks/stale_pictures.py [--verify]`.

On a copy of each generated vault (benchmarks/_vaults/N), draws every note's local graph, then
applies link edits as `kbgen serve` would (incremental.update) and times Pictures.stale(). Prints a
Markdown table: per edit kind the median pages named, pages really changed (`--verify`, which
draws every page again after each edit: slow at 10 000) and milliseconds. (Before Pictures, every
note within two links of an edit was checked: 960 of 1 000 notes, 9 500 of 10 000, 0.1–1.7 s.)
Not a test: figures depend on the machine.
"""
from __future__ import annotations

import argparse
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from kbgen import incremental  # noqa: E402
from kbgen.adjacency import _ranked, adjacency  # noqa: E402
from kbgen.build import Builder, _parse_one, note_key  # noqa: E402
from kbgen.localgraph import local_graph  # noqa: E402
from kbgen.pictures import Pictures  # noqa: E402

KINDS = ["hub", "leaf", "remove", "concept", "any"]


def edit_text(kind: str, text: str, notes: list[str], adj: dict[str, set[str]], path: str,
              rnd: random.Random) -> str:
    """The note's text after an edit of `kind`: a link added to a hub, a leaf, a new concept or
    any note it does not link yet, or one link removed."""
    near = adj.get("note:" + path, set())
    ranked = [p for p in sorted(notes, key=lambda p: (len(adj.get("note:" + p, ())), p))
              if p != path and "note:" + p not in near]
    if kind == "remove":
        links = list(re.finditer(r"\[\[[^\]]+\]\]", text))
        if links:
            cut = rnd.choice(links)
            return text[:cut.start()] + text[cut.end():]
        kind = "any"
    if kind == "concept":
        return text + f"\nSee [[Unwritten idea {rnd.randrange(10**6)}]].\n"
    target = {"hub": ranked[-5:], "leaf": ranked[:50], "any": ranked}[kind]
    return text + f"\nSee [[{Path(rnd.choice(target)).stem}]].\n"


Row = tuple[int, int, float, float]
"""Pages named, pages changed (-1 unverified), ms: ranking, stale()."""


def run(vault: Path, edits: int, verify: bool, seed: int = 1) -> dict[str, list[Row]]:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "vault"
        shutil.copytree(vault, copy)  # with its parse cache: only the graph work is of interest
        builder = Builder(copy, Path(tmp) / "out", quiet=True, search=False)
        site, _ = builder.collect()
        found, sources = builder._read(builder._config)
        texts = {p: d.decode() for p, d, _ in sources}
        drawn = {p: local_graph(site, p) for p in site.notes}
        pictures = Pictures()
        for p, picture in drawn.items():
            pictures.set(p, picture)
        t = time.perf_counter()
        pictures.settle(site)
        print(f"{vault.name}: settle() {1000 * (time.perf_counter() - t):.0f} ms", file=sys.stderr)
        rnd = random.Random(seed)
        notes = sorted(site.notes)
        rows: dict[str, list[Row]] = {k: [] for k in KINDS}
        for i in range(edits):
            kind = KINDS[i % len(KINDS)]
            path = rnd.choice(notes)
            text = texts[path] = edit_text(kind, texts[path], notes, adjacency(site.graph), path, rnd)
            data = text.encode()
            parsed = _parse_one(builder._md, path, data, note_key(path, data))
            dirty = incremental.update(site, {path: parsed}, found.assets)
            assert dirty is not None
            t0 = time.perf_counter()
            adjacency(site.graph)
            _ranked(site.graph)  # the edited page's own local graph needs these anyway
            t1 = time.perf_counter()
            named = pictures.stale(site, dirty)
            t2 = time.perf_counter()
            changed = -1
            if verify:
                changed = 0
                for p in notes:
                    now = local_graph(site, p)
                    if now != drawn[p]:
                        assert p in named, f"missed {p}"
                        changed += 1
                        drawn[p] = now
            for p in named | dirty.notes:  # what build.py draws again
                drawn[p] = local_graph(site, p)
                pictures.set(p, drawn[p])
            rows[kind].append((len(named), changed, 1000 * (t1 - t0), 1000 * (t2 - t1)))
            print(f"{vault.name} edit {i} {kind}: named {len(named)}, changed {changed}, "
                  f"stale() {1000 * (t2 - t1):.1f} ms", file=sys.stderr)
        return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--edits", type=int, default=25)
    parser.add_argument("--verify", action="store_true", help="draw every page after each edit and check")
    args = parser.parse_args()
    print("| notes | edit | named | changed | new ranking ms | stale() ms (max) |")
    print("|---|---|---|---|---|---|")
    for size in args.sizes.split(","):
        rows = run(HERE / "_vaults" / size, args.edits, args.verify)
        for kind, r in rows.items():
            med = [statistics.median(c) for c in zip(*r)]
            print(f"| {size} | {kind} | {med[0]:.0f} | {med[1]:.0f} | {med[2]:.1f} | "
                  f"{med[3]:.1f} ({max(x[3] for x in r):.1f}) |")


if __name__ == "__main__":
    main()
