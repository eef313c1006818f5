"""Build time per MB of pathological notes: `python benchmarks/bad_input.py [--mb 1] [--only NAME] [--scale]`.

Each case is one note of about MB megabytes (plus a small note it links to), built from scratch
without the search index or the parse cache, in one process. Prints seconds per MB of input and
output per input. Issue 8 asks for no more than about a second per MB on any input.
The `cpu` column is the process's CPU time per MB: on a shared, busy machine it varies far less
than the wall-clock seconds. `--scale [MB ...]` builds each case at two sizes (0.25 and 1 MB by
default) and flags (`<<`) a case whose CPU time per MB grows by more than 1.5x from the small size
to the large one: a cost that is not linear in the input.
Vault cases (`vault:` names) are many small notes instead of one big one. `--jobs N` builds with N
worker processes, as `kbgen build` does on N cores (vaults of 400 notes or more parse in workers):
the wall-clock columns are then the build time a user sees, and `cpu` adds the workers' time.
`--floor` also times plain markdown-it-py (`MarkdownIt("commonmark").enable("table")`, run.py's
floor) rendering each single note, in this process: its cpu/MB follows kbgen's.
`--hugo` also builds each case's notes with Hugo (if installed; the bare layouts of run.py), a
compiled peer that makes a page per note too: its s/MB and cpu/MB follow kbgen's.
"""
from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import subprocess
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
    "md links with entities": repeat("[x](a&amp;b) "),
    "![](y) soup": repeat("![](y.png) "),
    "footnote refs": lambda size: "a[^1] " * (size // 6) + "\n\n[^1]: the note\n",
    "block ids": repeat("a ^b1\n\n"),
    "task per line": repeat("- [ ] t\n"),
    "html tags": repeat("<b>x</b>"),
    "bare URLs": repeat("http://a.b "),
    # nested and odd shapes (issue 8: cost per MB must not grow with the note)
    "quote list link per line": repeat("> - [[a]]\n"),
    "callouts with lists": repeat("> [!note] t\n> - a [[Other]]\n> - b\n\n"),
    "wide table rows": lambda size: ("|" + "a|" * 40 + "\n|" + "-|" * 40 + "\n"
                                     + ("|" + "[[Other]] x|" * 40 + "\n") * (size // 480 + 1)),
    "| on one line": repeat("|"),
    "same heading per line": repeat("## Same heading\n"),
    "distinct block ids": lambda size: "".join(f"a ^b{i}\n\n" for i in range(size // 10 + 1)),
    "footnote defs": lambda size: "".join(f"a[^{i}]\n\n[^{i}]: n\n\n" for i in range(size // 20 + 1)),
    "%%comment%% soup": repeat("%%c%% a "),
    "front matter tags": lambda size: "---\ntags:\n" + "".join(f"  - t{i}\n" for i in range(size // 10))
                                      + "---\nbody\n",
    "front matter aliases": lambda size: "---\naliases:\n" + "".join(f"  - a{i}\n" for i in range(size // 10))
                                         + "---\nbody\n",
    "tags 30 deep": lambda size: "".join(f"#a{i}/" + "b/" * 30 + "c " for i in range(size // 68)),
    "#tag/nested/deep soup": lambda size: "".join(f"#t/n{i % 100}/d{i} " for i in range(size // 14)),
    "self section embeds": lambda size: "# h\n\ntext\n\n" + "![[#h]]\n" * (size // 8),
    "embeds of missing notes": lambda size: "".join(f"![[Missing {i}]]\n" for i in range(size // 18)),
    "numbered then same headings": lambda size: ("".join(f"# h-{i}\n" for i in range(1, size // 16 + 1))
                                                 + "# h\n" * (size // 8)),
    "self section links": lambda size: "# h\n\n" + "[[#h]] " * (size // 7),
    "section links to other": repeat("[[Other#h]] "),
    "block refs to other": repeat("[[Other#^b]] "),
    "self block embeds": lambda size: "a ^b\n\n" + "![[#^b]]\n" * (size // 9),
    "aliased links": repeat("[[Other|x]] "),
    "links to distinct headings": lambda size: ("".join(f"# h{i}\n" for i in range(size // 16))
                                                + "".join(f"[[#h{i}]] " for i in range(size // 16))),
    "embeds of distinct headings": lambda size: ("".join(f"# h{i}\nt\n" for i in range(size // 20))
                                                 + "".join(f"![[#h{i}]]\n" for i in range(size // 20))),
    "embeds of distinct block ids": lambda size: ("".join(f"a ^b{i}\n\n" for i in range(size // 22))
                                                  + "".join(f"![[#^b{i}]]\n" for i in range(size // 22))),
    "links to distinct block ids": lambda size: ("".join(f"a ^b{i}\n\n" for i in range(size // 22))
                                                 + "".join(f"[[#^b{i}]] " for i in range(size // 22))),
    "wikilinks and md links soup": repeat("[[Other]] [x](Other.md) "),
    "embeds and links soup": repeat("![[Other]] [[Other]] "),
    "aliased links in a table": lambda size: "| a | b |\n|---|---|\n" + "| [[Other\\|x]] | [y](Other.md) |\n" * (size // 32),
}


def tiny_notes(body: Callable[[int], str], note: int = 200, folder: str = "") -> Callable[[int], dict[str, str]]:
    """A vault of about SIZE bytes in notes of NOTE bytes, the i-th note's text body(i), padded."""
    def make(size: int) -> dict[str, str]:
        pad = "word " * (note // 5)
        return {f"{folder}N{i}.md": (body(i) + pad)[:note] + "\n" for i in range(size // note + 1)}
    return make


VAULTS: dict[str, Callable[[int], dict[str, str]]] = {
    "vault: notes link to one": tiny_notes(lambda i: "see [[Other]] "),
    "vault: notes share an alias": tiny_notes(lambda i: "---\naliases: [Same]\n---\n[[Same]] "),
    "vault: files in one folder": tiny_notes(lambda i: f"[[N{i // 2}]] ", note=50, folder="f/"),
    "vault: notes share a tag": tiny_notes(lambda i: f"#shared [[N{i + 1}]] "),
    # three tag pages of its own per note (and 100 parents): what a tag page costs
    "vault: distinct tags per note": tiny_notes(lambda i: f"#t{i} #u{i} #g{i % 100}/s{i} "),
    # a tag page per 7 bytes, each note within its cap (taglimit.TAG_LIMIT): the cost of a page per tag
    "vault: 300 distinct tags a note": tiny_notes(lambda i: "".join(f"#t{i}x{j} " for j in range(300)), note=2000),
    "vault: notes embed one": tiny_notes(lambda i: "![[Other]] "),
    "vault: same name in folders": lambda size: {f"f{i}/Same.md": f"[[Same]] [[f{i + 1}/Same]] " + "w " * 90
                                                 for i in range(size // 200 + 1)},
    "vault: a folder per note": lambda size: {f"f{i}/N{i}.md": f"[[N{i + 1}]] " + "w " * 90
                                              for i in range(size // 200 + 1)},
    # a note embedding the last sections (blocks) of another: each embed walked all its tokens
    "vault: embeds of another's last sections": lambda size: {
        "Target.md": "".join(f"# h{i}\nt\n" for i in range(size // 25)),
        "Big.md": "".join(f"![[Target#h{i}]]\n" for i in reversed(range(size // 25)))},
    "vault: embeds of another's last blocks": lambda size: {
        "Target.md": "".join(f"a ^b{i}\n\n" for i in range(size // 26)),
        "Big.md": "".join(f"![[Target#^b{i}]]\n" for i in reversed(range(size // 26)))},
    "vault: embeds of another's missing blocks": lambda size: {
        "Target.md": "".join(f"a ^b{i}\n\n" for i in range(size // 20)),
        "Big.md": "".join(f"![[Target#^z{i}]]\n" for i in range(size // 50))},
    "vault: notes embed one long note's sections": lambda size: {
        "Target.md": "".join(f"# h{i}\nt\n" for i in range(size // 18)),
        **{f"N{j}.md": f"![[Target#h{size // 18 - 1 - j}]]\n" for j in range(size // 180)}},
    "vault: deep folders": lambda size: {"/".join(f"d{j}" for j in range(i % 40)) + f"/N{i}.md": "[[N0]] " + "w " * 90
                                         for i in range(size // 200 + 1)},
}


SCRATCH = Path(__file__).resolve().parent / "_vaults"
"""Where each case's vault and site live for a moment by default: the file system the other
benchmarks use. On the benchmark VM, creating a file costs 0.02-0.8 ms of kernel CPU depending on
the folder and the hour, which the cpu column counts (a case that writes 2 000 pages can gain or
lose a second per MB by it): `--scratch /dev/shm/…` measures kbgen without it."""


def _cpu() -> float:
    """CPU seconds of this process and of its reaped children (the build's workers)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def floor(text: str | dict[str, str]) -> float:
    """CPU seconds of plain markdown-it-py rendering the case's notes (best of 2)."""
    from markdown_it import MarkdownIt
    md = MarkdownIt("commonmark").enable("table")
    notes = list(text.values()) if isinstance(text, dict) else [text]
    best = float("inf")
    for _ in range(2):
        start = time.process_time()
        for note in notes:
            md.render(note)
        best = min(best, time.process_time() - start)
    return best


def hugo(vault: Path, tmp: Path) -> tuple[float, float]:
    """Wall and CPU seconds of Hugo building the vault's notes with run.py's bare layouts."""
    from run import HUGO_CONFIG, HUGO_LIST, HUGO_PAGE  # benchmarks/run.py
    site = tmp / "hugo-site"
    shutil.copytree(vault, site / "content")
    (site / "hugo.toml").write_text(HUGO_CONFIG)
    layouts = site / "layouts" / "_default"
    layouts.mkdir(parents=True)
    (layouts / "single.html").write_text(HUGO_PAGE)
    (layouts / "list.html").write_text(HUGO_LIST)
    start = time.perf_counter()
    proc = subprocess.Popen(["hugo", "--quiet", "--source", str(site), "--cacheDir", str(tmp / "hugo-cache"),
                             "--destination", str(tmp / "hugo-out")], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(proc.pid, 0)
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime


def run(name: str, text: str | dict[str, str], scratch: Path = SCRATCH, jobs: int = 1,
        peer: list[tuple[float, float]] | None = None) -> tuple[float, float, int, int]:
    """Build TEXT as Big.md (or the notes of a vault case) and a small Other.md: wall s, CPU s, bytes in, out.
    With `peer`, Hugo's wall and CPU seconds on the same notes are appended to it."""
    scratch.mkdir(parents=True, exist_ok=True)
    files = text if isinstance(text, dict) else {"Big.md": text}
    with tempfile.TemporaryDirectory(dir=scratch, prefix="tmp-bad-") as tmp:
        vault = Path(tmp) / "vault"
        vault.mkdir()
        for rel, body in files.items():
            (vault / rel).parent.mkdir(parents=True, exist_ok=True)
            (vault / rel).write_text(body, encoding="utf-8")
        (vault / "Other.md").write_text("other note, linking back to [[Big]]\n", encoding="utf-8")
        # as `kbgen build` makes it (rebuilds=False): no state kept for the edits of `serve`
        builder = Builder(vault, Path(tmp) / "site", quiet=True, search=False, cache=False, jobs=jobs,
                          rebuilds=False)
        start, cpu = time.perf_counter(), _cpu()
        builder.build()
        seconds, cpu = time.perf_counter() - start, _cpu() - cpu
        out = sum(f.stat().st_size for f in (Path(tmp) / "site").rglob("*") if f.is_file())
        if peer is not None:
            peer.append(hugo(vault, Path(tmp)))
        return seconds, cpu, sum(len(body.encode()) for body in files.values()), out


def scale(cases: dict[str, Callable[[int], str | dict[str, str]]], sizes: list[float], scratch: Path) -> None:
    """CPU s/MB of each case at each size, and the ratio of the largest size's to the smallest's.

    The CPU time of building a vault of two tiny notes (theme, assets, start-up) is taken off first:
    at 0.25 MB that fixed cost would otherwise hide a growing one."""
    base = min(run("base", "tiny note\n", scratch)[1] for _ in range(3))
    print(f"# fixed cost {base:.2f} s CPU, taken off each figure")
    print(" ".join([f"{'case':28s}"] + [f"{f'cpu/MB@{mb:g}':>10s}" for mb in sizes] + [f"{'ratio':>6s}"]))
    for name, make in cases.items():
        per_mb = []
        for mb in sizes:
            _, cpu, n_in, _ = run(name, make(int(mb * 2**20)), scratch)
            per_mb.append(max(cpu - base, 0.0) / (n_in / 2**20))
        ratio = per_mb[-1] / per_mb[0] if per_mb[0] else float("inf")
        flag = "  <<" if ratio > 1.5 else ""
        print(" ".join([f"{name:28s}"] + [f"{x:10.2f}" for x in per_mb] + [f"{ratio:6.2f}{flag}"]), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--mb", type=float, default=1.0, help="size of each note in MB (default 1)")
    ap.add_argument("--only", help="run the cases whose name contains this")
    ap.add_argument("--scratch", type=Path, default=SCRATCH, help="folder for each case's vault and site")
    ap.add_argument("--jobs", "-j", type=int, default=1, help="worker processes, as `kbgen build -j N` (default 1)")
    ap.add_argument("--hugo", action="store_true", help="also time Hugo on each case's notes (if installed)")
    ap.add_argument("--floor", action="store_true", help="also time plain markdown-it-py on each case's notes")
    ap.add_argument("--scale", type=float, nargs="*", metavar="MB",
                    help="run each case at these sizes (default 0.25 1) and flag cost per MB that grows")
    args = ap.parse_args()
    # the default run's rows stay the single-note cases; --scale and --only reach the vaults too
    cases: dict[str, Callable[[int], str | dict[str, str]]] = (
        {**CASES, **VAULTS} if args.scale is not None or args.only else dict(CASES))
    cases = {name: make for name, make in cases.items() if not args.only or args.only in name}
    if args.scale is not None:
        sizes = sorted(args.scale) if len(args.scale) >= 2 else [0.25, 1.0]
        print(f"# {platform.processor() or platform.machine()}, Python {platform.python_version()}, "
              f"one process, CPU s per MB at {' and '.join(f'{mb:g}' for mb in sizes)} MB")
        scale(cases, sizes, args.scratch)
        return
    size = int(args.mb * 2**20)
    print(f"# {platform.processor() or platform.machine()}, Python {platform.python_version()}, "
          f"{'one process' if args.jobs == 1 else f'{args.jobs} processes'}, {args.mb:g} MB a note")
    peer: list[tuple[float, float]] | None = [] if args.hugo and shutil.which("hugo") else None
    print(f"{'case':28s} {'MB':>6s} {'s':>8s} {'s/MB':>7s} {'cpu/MB':>7s} {'out/in':>7s}"
          + ("  floor cpu/MB" if args.floor else "") + ("  hugo s/MB cpu/MB" if peer is not None else ""))
    for name, make in cases.items():
        text = make(size)
        seconds, cpu, n_in, n_out = run(name, text, args.scratch, args.jobs, peer)
        mb = n_in / 2**20
        line = f"{name:28s} {mb:6.2f} {seconds:8.2f} {seconds / mb:7.2f} {cpu / mb:7.2f} {n_out / n_in:7.2f}"
        if args.floor:
            line += f"  {floor(text) / mb:12.2f}"
        if peer:
            line += f"  {peer[-1][0] / mb:11.2f} {peer[-1][1] / mb:6.2f}"
        print(line, flush=True)


if __name__ == "__main__":
    main()
