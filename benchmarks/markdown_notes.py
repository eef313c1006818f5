"""Parse and render time of every note of a vault, in one process: `python benchmarks/markdown_notes.py VAULT`.

The markdown layer on ordinary notes: each note parsed by kbgen's parser (parse.parse_note) and
its body rendered by kbgen's renderer (body.BodyRenderer, links through the vault's resolved
site), best of `--repeat` passes each. Prints the seconds of each and a digest of the tokens and
HTML, which must not change when only speed does. The garbage collector runs with the
thresholds a build sets.
"""
from __future__ import annotations

import argparse
import gc
import hashlib
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kbgen.body import BodyRenderer  # noqa: E402
from kbgen.build import GC_THRESHOLD, Builder  # noqa: E402
from kbgen.markdown import ParseOptions, make_parser  # noqa: E402
from kbgen.parse import parse_note  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("vault", type=Path)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    builder = Builder(args.vault, args.vault / "_unused_site", quiet=True, search=False, cache=False, jobs=1)
    site, _ = builder.collect()
    root = args.vault
    notes = {path: (root / path).read_bytes() for path in sorted(site.notes)}
    md = make_parser(ParseOptions(site.config.strict_line_breaks, site.config.trust_html))
    gc.set_threshold(*GC_THRESHOLD)  # as a build sets it
    best_parse = best_render = float("inf")
    digest = ""
    for _ in range(args.repeat):
        start = time.process_time()
        parsed = {path: parse_note(path, data, md) for path, data in notes.items()}
        parse_s = time.process_time() - start
        start = time.process_time()
        pages = [BodyRenderer(site, md, site.urls[path], lambda p: parsed[p].tokens).render(path, note.tokens)
                 for path, note in parsed.items()]
        render_s = time.process_time() - start
        best_parse, best_render = min(best_parse, parse_s), min(best_render, render_s)
        h = hashlib.blake2b(digest_size=8)
        for note, page in zip(parsed.values(), pages):
            h.update(repr([t.as_dict() for t in note.tokens]).encode())
            h.update(page.encode())
        digest = h.hexdigest()
    print(f"{len(notes)} notes, {sum(map(len, notes.values())) / 2**20:.2f} MB: parse {best_parse:.3f} s, "
          f"render {best_render:.3f} s, total {best_parse + best_render:.3f} s (cpu, best of {args.repeat}); "
          f"digest {digest}")


if __name__ == "__main__":
    main()
