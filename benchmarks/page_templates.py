"""What the theme's templates cost per page: the Jinja layout around each page, by template.

    python benchmarks/page_templates.py VAULT [--runs 5] [--scratch DIR]

Builds VAULT once (one process, no search index, no parse cache, into a new folder under
--scratch), keeping every page's template name and context as render.Theme.render received
them, then renders them all again --runs times and prints, per template, the best CPU time per
page: with the local graph's SVG (note pages call graph_svg) and without it (graph_svg answering
""), and a digest of the pages rendered, which equal code must reproduce. Compare figures from
the same minutes only (the machine's other work moves them).
"""
from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kbgen import render  # noqa: E402
from kbgen.build import Builder  # noqa: E402


def capture(vault: Path, scratch: Path) -> list[tuple[Any, str, dict[str, Any]]]:
    """(theme, template name, context) of every page a build of `vault` renders."""
    seen: list[tuple[Any, str, dict[str, Any]]] = []
    original = render.Theme.render

    def spy(self: Any, template: str, context: dict[str, Any]) -> str:
        seen.append((self, template, dict(context)))
        return original(self, template, context)

    render.Theme.render = spy  # type: ignore[method-assign]
    try:
        scratch.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=scratch, prefix="tmp-templates-") as out:
            Builder(vault, Path(out) / "site", quiet=True, search=False, cache=False, jobs=1,
                    rebuilds=False).build()
    finally:
        render.Theme.render = original  # type: ignore[method-assign]
    return seen


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("vault", type=Path)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--scratch", type=Path, default=Path(__file__).resolve().parent / "_vaults")
    args = ap.parse_args(argv)
    pages = capture(args.vault, args.scratch)
    kinds: dict[str, list[tuple[Any, str, dict[str, Any]]]] = {}
    for page in pages:
        kinds.setdefault(page[1], []).append(page)
    plain = {name: [(t, n, dict(c, graph_svg=lambda g: "")) for t, n, c in group] for name, group in kinds.items()}
    best: dict[tuple[str, bool], float] = {}
    for _ in range(args.runs):
        for name in kinds:
            for svg, group in ((True, kinds[name]), (False, plain[name])):
                start = time.process_time()
                for theme, template, context in group:
                    theme.render(template, context)
                took = (time.process_time() - start) / len(group)
                best[name, svg] = min(best.get((name, svg), took), took)
    digest = hashlib.sha256("".join(t.render(n, c) for t, n, c in pages).encode()).hexdigest()[:16]
    print(f"{len(pages)} pages, digest {digest}")
    print(f"{'template':16} {'pages':>6} {'us a page':>10} {'no svg':>8}")
    for name in sorted(kinds, key=lambda n: -len(kinds[n])):
        print(f"{name:16} {len(kinds[name]):6d} {best[name, True] * 1e6:10.0f} {best[name, False] * 1e6:8.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
