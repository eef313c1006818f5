"""Build time per MB of pathological notes: `python benchmarks/bad_input.py [--mb 1] [--only NAME]`.

Each case is one note of about MB megabytes (plus a small note it links to), built from scratch
without the search index or the parse cache, in one process. Prints seconds per MB of input and
output per input. Issue 8 asks for no more than about a second per MB on any input.
The `cpu` column is the process's CPU time per MB: on a shared, busy machine it varies far less
than the wall-clock seconds.
"""
from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kbgen.build import Builder  # noqa: E402

WORDS = ("the of and to a in is that for it as with on was be by this are or from at an which not have "
         "system model data process value structure network signal energy field theory").split()


def prose(size: int) -> str:
    """Paragraphs of words with a wikilink, a tag and some emphasis every few lines."""
    out, n, i = [], 0, 0
    while n < size:
        words = " ".join(WORDS[(i * 7 + k) % len(WORDS)] for k in range(60))
        para = f"{words} [[Other]] and [[Concept {i % 500}]] with *emphasis* and `code` #tag{i % 40}.\n\n"
        out.append(para)
        n += len(para)
        i += 1
    return "".join(out)


def repeat(unit: str) -> Callable[[int], str]:
    return lambda size: unit * (size // len(unit.encode()) + 1)


CASES: dict[str, Callable[[int], str]] = {
    "prose": prose,
    "plain text": repeat("Plain prose without markup goes on for a while so that the note is long. "),
    "[[ on one line": repeat("[["),
    "[[a] soup": repeat("[[a]"),
    "[a]( soup": repeat("[a]("),
    "*a** emphasis": repeat("*a**"),
    "_ run": repeat("_"),
    "==a highlights": repeat("==a"),
    "$a math": repeat("$a"),
    "- nested one line": repeat("- "),
    "> nested one line": repeat("> "),
    "list per line": repeat("- item [[Other]]\n"),
    "table rows": repeat("| a | [[Other]] | b |\n|---|---|---|\n"),
    "links to distinct targets": lambda size: "".join(f"[[Target {i}]] " for i in range(size // 14)),
    "embeds of one note": repeat("![[Other]]\n"),
    # the densest forms of each kind of markup (a link every 5 bytes, a heading every 4...)
    "[[a]] soup": repeat("[[a]]"),
    "[[a]] per line": repeat("[[a]]\n"),
    "*a**[[x]] soup": repeat("*a**[[x]]"),
    "*a** per line": repeat("*a**\n"),
    "#tag soup": repeat("#t "),
    "`c` soup": repeat("`c` "),
    "heading per line": repeat("# h\n"),
    "callouts": repeat("> [!note] t\n\n"),
    "[x](y) soup": repeat("[x](y) "),
    "![](y) soup": repeat("![](y.png) "),
    "footnote refs": lambda size: "a[^1] " * (size // 6) + "\n\n[^1]: the note\n",
    "block ids": repeat("a ^b1\n\n"),
    "task per line": repeat("- [ ] t\n"),
    "html tags": repeat("<b>x</b>"),
    "bare URLs": repeat("http://a.b "),
}


SCRATCH = Path(__file__).resolve().parent / "_vaults"
"""Where each case's vault and site live for a moment by default: the file system the other
benchmarks use. On the benchmark VM, creating a file costs 0.02-0.8 ms of kernel CPU depending on
the folder and the hour, which the cpu column counts (a case that writes 2 000 pages can gain or
lose a second per MB by it): `--scratch /dev/shm/…` measures kbgen without it."""


def run(name: str, text: str, scratch: Path = SCRATCH) -> tuple[float, float, int, int]:
    scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=scratch, prefix="tmp-bad-") as tmp:
        vault = Path(tmp) / "vault"
        vault.mkdir()
        (vault / "Big.md").write_text(text, encoding="utf-8")
        (vault / "Other.md").write_text("other note, linking back to [[Big]]\n", encoding="utf-8")
        builder = Builder(vault, Path(tmp) / "site", quiet=True, search=False, cache=False, jobs=1)
        start, cpu = time.perf_counter(), time.process_time()
        builder.build()
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        out = sum(f.stat().st_size for f in (Path(tmp) / "site").rglob("*") if f.is_file())
        return seconds, cpu, len(text.encode()), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--mb", type=float, default=1.0, help="size of each note in MB (default 1)")
    ap.add_argument("--only", help="run the cases whose name contains this")
    ap.add_argument("--scratch", type=Path, default=SCRATCH, help="folder for each case's vault and site")
    args = ap.parse_args()
    size = int(args.mb * 2**20)
    print(f"# {platform.processor() or platform.machine()}, Python {platform.python_version()}, "
          f"one process, {args.mb:g} MB a note")
    print(f"{'case':28s} {'MB':>6s} {'s':>8s} {'s/MB':>7s} {'cpu/MB':>7s} {'out/in':>7s}")
    for name, make in CASES.items():
        if args.only and args.only not in name:
            continue
        seconds, cpu, n_in, n_out = run(name, make(size), args.scratch)
        mb = n_in / 2**20
        print(f"{name:28s} {mb:6.2f} {seconds:8.2f} {seconds / mb:7.2f} {cpu / mb:7.2f} {n_out / n_in:7.2f}",
              flush=True)


if __name__ == "__main__":
    main()
