"""Benchmark harness: `python benchmarks/run.py [--sizes 1000,10000] [--runs 3]` prints a Markdown table."""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
VAULTS = HERE / "_vaults"
CACHE_DIR = ".kbgen-cache"
EDITS = 5
TAIL_LINES = 15


class Failed(Exception):
    """A measure could not be taken; the message is the stderr tail to show under the table."""


@dataclass
class Results:
    """Table cells by (measure, size), and the failures that explain `error` cells."""

    cells: dict[tuple[str, int], str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def measure(self, row: str, n: int, fn: Callable[[], str]) -> bool:
        """Run one measure; on failure mark the cell `error` and keep its stderr tail."""
        log(f"[{n}] {row} ...")
        try:
            self.cells[row, n] = fn()
            return True
        except Failed as e:
            self.cells[row, n] = "error"
            self.errors.append(f"### {row}, {n} notes\n\n```\n{str(e).rstrip()}\n```\n")
            log(f"[{n}] {row} failed")
            return False


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def child_env() -> dict[str, str]:
    """Children import kbgen from this checkout even when it is not installed in the venv."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
    return env


def tail(text: str) -> str:
    return "\n".join(text.rstrip().splitlines()[-TAIL_LINES:]) or "(no output)"


# ---------------------------------------------------------------------------- vaults


def generator_digest() -> str:
    return hashlib.sha256((HERE / "generate.py").read_bytes()).hexdigest()[:16]


def ensure_vault(n: int, seed: int) -> Path:
    """Generate `_vaults/N/` unless a stamp says it holds this N, seed and generator version."""
    sys.path.insert(0, str(HERE))
    from generate import generate

    vault, stamp = VAULTS / str(n), VAULTS / f"{n}.json"
    want = {"n": n, "seed": seed, "generator": generator_digest()}
    if vault.is_dir() and stamp.is_file() and json.loads(stamp.read_text()) == want:
        log(f"[{n}] reusing {vault}")
        return vault
    stamp.unlink(missing_ok=True)  # an interrupted generation must not look finished
    shutil.rmtree(vault, ignore_errors=True)
    t0 = time.perf_counter()
    generate(n, vault, seed)
    log(f"[{n}] generated {vault} in {time.perf_counter() - t0:.1f} s")
    stamp.write_text(json.dumps(want))
    return vault


def copy_vault(vault: Path, dest: Path) -> None:
    """The vault without kbgen's cache, which builds leave inside it."""
    shutil.copytree(vault, dest, ignore=shutil.ignore_patterns(CACHE_DIR))


def tree_size(root: Path) -> tuple[int, int, int]:
    """(total bytes, files, largest .html bytes) under root."""
    total = files = largest = 0
    for dirpath, _, names in os.walk(root):
        for name in names:
            size = os.path.getsize(os.path.join(dirpath, name))
            total, files = total + size, files + 1
            if name.endswith(".html"):
                largest = max(largest, size)
    return total, files, largest


# ---------------------------------------------------------------------------- children


class TreeMemory:
    """Samples the memory of a process and all its descendants together, every PERIOD seconds:
    the sum of their proportional set sizes (PSS: a page shared by n processes, as forked
    workers share the parent's, counts 1/n in each), from /proc/PID/smaps_rollup."""

    PERIOD = 0.05

    def __init__(self, pid: int) -> None:
        self.pid, self.peak_kib = pid, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak_kib

    def _run(self) -> None:
        while not self._stop.wait(self.PERIOD):
            self.peak_kib = max(self.peak_kib, sum(_pss(p) for p in _tree(self.pid)))


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as fh:
                    ppid = int(fh.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def _pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def run_child(cmd: list[str], tree: list[int] | None = None) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one child process; raises Failed with its stderr tail.
    With `tree`, the peak memory of all its processes at once (see TreeMemory) is appended to it."""
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=child_env(), cwd=REPO)
        sampler = TreeMemory(proc.pid) if tree is not None else None
        try:
            # wait4 gives this child's rusage: ru_maxrss is the peak RSS (KiB) of the child or of
            # its largest reaped descendant (a worker), not a sum over processes.
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:  # Ctrl-C: leave no build running behind us
            proc.kill()
            proc.wait()
            raise
        finally:
            if sampler is not None:
                assert tree is not None
                tree.append(sampler.stop())
        elapsed = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise Failed(f"$ {shlex.join(cmd)}\nexit {proc.returncode}\n"
                         + tail(err.read().decode("utf-8", "replace")))
    return elapsed, usage.ru_maxrss


def run_json(args: list[str]) -> object:
    """Run a worker mode of this script and return the JSON on its last stdout line."""
    cmd = [sys.executable, str(Path(__file__).resolve()), *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=child_env(), cwd=REPO)
    if proc.returncode != 0:
        raise Failed(f"$ {shlex.join(cmd)}\nexit {proc.returncode}\n" + tail(proc.stderr))
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------- measures


def fmt_s(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def fmt_bytes(n: int) -> str:
    return f"{n / 2**20:.1f} MiB" if n >= 2**20 else f"{n / 2**10:.1f} KiB"


def copy_floor(vault: Path, tmp: Path, runs: int) -> str:
    # Nothing a run makes is deleted before the size is done (the whole folder goes at the end):
    # this file system is mounted with `discard`, and deleting a few hundred MB slows the file
    # creation of whatever is timed next.
    times = []
    for i in range(runs):
        dest = tmp / f"copy-{i}"
        t0 = time.perf_counter()
        copy_vault(vault, dest)
        times.append(time.perf_counter() - t0)
    return fmt_s(statistics.median(times))


def markdown_floor(vault: Path, runs: int) -> str:
    """Wall time of a fresh interpreter that reads and renders every note (startup included, as for kbgen)."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "_md-floor", str(vault)]
    return fmt_s(statistics.median(run_child(cmd)[0] for _ in range(runs)))


def md_floor_worker(vault: Path) -> None:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark").enable("table")
    for path in sorted((vault / "notes").rglob("*.md")):
        md.render(path.read_text(encoding="utf-8"))


HUGO_CONFIG = """baseURL = "http://example.org/"
title = "vault"
disableKinds = ["RSS", "sitemap"]
[markup.goldmark.renderer]
unsafe = true
"""
HUGO_PAGE = ("<!doctype html><html><head><title>{{ .Title }}</title></head><body><h1>{{ .Title }}</h1>"
             "{{ .Content }}</body></html>")
HUGO_LIST = ("<!doctype html><html><head><title>{{ .Title }}</title></head><body><h1>{{ .Title }}</h1><ul>"
             "{{ range .Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>{{ end }}</ul></body></html>")


def hugo_peer(vault: Path, tmp: Path, runs: int) -> str:
    """Wall time of Hugo (if installed) building the same notes: a peer measured in the same run.
    Hugo resolves no wikilinks, and the pages are bare (title and body, folder and tag lists),
    so it does less than kbgen; the issue names it as the ambition. The site is made untimed."""
    hugo = shutil.which("hugo")
    if hugo is None:
        return "not installed"
    site = tmp / "hugo-site"
    shutil.copytree(vault / "notes", site / "content")
    if (vault / "attachments").is_dir():
        shutil.copytree(vault / "attachments", site / "static" / "attachments")
    (site / "hugo.toml").write_text(HUGO_CONFIG)
    layouts = site / "layouts" / "_default"
    layouts.mkdir(parents=True)
    (layouts / "single.html").write_text(HUGO_PAGE)
    (layouts / "list.html").write_text(HUGO_LIST)
    times = [run_child([hugo, "--quiet", "--source", str(site), "--cacheDir", str(tmp / "hugo-cache"),
                        "--destination", str(tmp / f"hugo-{i}")])[0] for i in range(runs)]
    return fmt_s(statistics.median(times))


def hugo_version() -> str:
    hugo = shutil.which("hugo")
    if hugo is None:
        return "not installed (`apt-get install hugo` for the peer row)"
    proc = subprocess.run([hugo, "version"], capture_output=True, text=True)
    return proc.stdout.split()[1] if proc.returncode == 0 and proc.stdout.split()[1:] else "?"


@dataclass
class BuildFigures:
    cold: list[float] = field(default_factory=list)
    warm: list[float] = field(default_factory=list)
    rss: list[int] = field(default_factory=list)
    total: list[int] = field(default_factory=list)


def cold_build(kbgen: list[str], vault: Path, out: Path, figs: BuildFigures, *extra: str,
               sample: bool = False) -> None:
    """Into `out`, which must not exist. (Each run gets a folder of its own: ext4 creates files
    several times slower where thousands were just deleted, which would time the file system.)
    A timed run records the time and the largest process's RSS (from wait4, free); a `sample`
    run records only the memory of all processes together: reading their smaps_rollup every
    50 ms took ~0.55 s of CPU during a 1 000-note build, a tenth of the build's own on 2 cores,
    which slowed the build it timed."""
    shutil.rmtree(vault / CACHE_DIR, ignore_errors=True)
    cmd = [*kbgen, "build", str(vault), "--out", str(out), "--quiet", *extra]
    if sample:
        run_child(cmd, figs.total)
        return
    seconds, rss = run_child(cmd)
    figs.cold.append(seconds)
    figs.rss.append(rss)


def warm_build(kbgen: list[str], vault: Path, out: Path, figs: BuildFigures) -> None:
    figs.warm.append(run_child([*kbgen, "build", str(vault), "--out", str(out), "--quiet"])[0])


def pick_edits(vault: Path) -> list[tuple[str, str]]:
    """(note to edit, note it gains a new link to): the notes ranked mid-way by inbound wikilinks."""
    notes = sorted((vault / "notes").rglob("*.md"))
    inbound: Counter[str] = Counter()
    outbound: dict[Path, set[str]] = {}
    for path in notes:
        targets = [t.strip().lower() for t in re.findall(r"\[\[([^\]|#\n]+)", path.read_text(encoding="utf-8"))]
        inbound.update(targets)
        outbound[path] = set(targets)
    ranked = sorted(notes, key=lambda p: (-inbound[p.stem.lower()], p.as_posix()))
    mid = len(ranked) // 2
    edits: list[tuple[str, str]] = []
    used: set[str] = set()
    for note in ranked[mid:mid + EDITS]:
        # Another mid-popularity note this one does not link yet: a genuinely new edge each time.
        target = next(p.stem for p in ranked[mid + EDITS:] if p.stem.lower() not in outbound[note] | used)
        used.add(target.lower())
        edits.append((str(note), target))
    return edits


def edit_worker(vault: Path, out: Path, edits: list[list[str]]) -> None:
    """Full in-process build, then time Builder.rebuild() after each one-note edit; prints JSON."""
    from kbgen.build import Builder

    b = Builder(vault, out, quiet=True, keep_state=True)  # as serve holds it
    b.build()
    times = []
    for i, (note, target) in enumerate(edits):
        path = Path(note).resolve()
        with open(path, "a", encoding="utf-8", newline="\n") as f:
            f.write(f"\nEdit {i + 1} of the benchmark adds a link to [[{target}]] here.\n")
        t0 = time.perf_counter()
        # as serve does: Pagefind and the global graph's layout catch up after the page is written
        b.rebuild({path}, search=False, defer=True)
        times.append(time.perf_counter() - t0)
        b.finish()
    print(json.dumps(times))


def one_note_edit(vault: Path, tmp: Path) -> str:
    """On a copy, so the benchmark vault stays as generated."""
    copy = tmp / "edit-vault"
    copy_vault(vault, copy)
    edits = tmp / "edits.json"
    edits.write_text(json.dumps([(str(copy / Path(p).relative_to(vault)), t) for p, t in pick_edits(vault)]))
    times = run_json(["_edit", str(copy), str(tmp / "edit-out"), str(edits)])
    assert isinstance(times, list)
    return f"{statistics.median(times) * 1000:.0f} ms"


def measure_size(results: Results, n: int, vault: Path, tmp: Path, runs: int, kbgen: list[str]) -> None:
    notes = sum(1 for _ in (vault / "notes").rglob("*.md"))
    src_bytes = sum(tree_size(vault / d)[0] for d in ("notes", "attachments"))
    results.cells["vault", n] = f"{notes:,} notes, {fmt_bytes(src_bytes)}"
    results.measure("copy floor", n, lambda: copy_floor(vault, tmp, runs))
    results.measure("markdown-it floor", n, lambda: markdown_floor(vault, runs))
    results.measure("Hugo, the same notes (a peer: no wikilinks resolved, bare pages)", n,
                    lambda: hugo_peer(vault, tmp, runs))

    out, figs = tmp / "out", BuildFigures()

    def cold() -> str:
        for i in range(runs):
            cold_build(kbgen, vault, tmp / f"cold-{i}", figs)
        for i in range(runs):
            cold_build(kbgen, vault, tmp / f"cold-pss-{i}", figs, sample=True)
        os.replace(tmp / f"cold-{runs - 1}", out)
        return fmt_s(statistics.median(figs.cold))

    def warm() -> str:
        for _ in range(runs):
            warm_build(kbgen, vault, out, figs)
        return fmt_s(statistics.median(figs.warm))

    plain = BuildFigures()

    def cold_without_search() -> str:
        for i in range(runs):
            cold_build(kbgen, vault, tmp / f"plain-{i}", plain, "--no-search")
        for i in range(runs):
            cold_build(kbgen, vault, tmp / f"plain-pss-{i}", plain, "--no-search", sample=True)
        return fmt_s(statistics.median(plain.cold))

    if results.measure("cold build", n, cold):
        if results.measure("cold build without the search index", n, cold_without_search):
            results.cells["peak RSS (cold, without the search index)", n] = \
                f"{statistics.median(plain.rss) / 1024:.0f} MiB"
            results.cells["peak memory of all processes at once (cold, PSS, without the search index)", n] = \
                f"{statistics.median(plain.total) / 1024:.0f} MiB"
        results.measure("warm build", n, warm)
        total, files, largest = tree_size(out)
        results.cells["peak RSS (cold)", n] = f"{statistics.median(figs.rss) / 1024:.0f} MiB"
        results.cells["peak memory of all processes at once (cold, PSS)", n] = \
            f"{statistics.median(figs.total) / 1024:.0f} MiB"
        results.cells["output size", n] = f"{fmt_bytes(total)} ({total:,} B)"
        results.cells["output files", n] = f"{files:,}"
        results.cells["largest HTML page", n] = f"{largest:,} B"
    else:
        for row in ("warm build", "peak RSS (cold)", "peak memory of all processes at once (cold, PSS)",
                    "output size", "output files", "largest HTML page"):
            results.cells[row, n] = "error"
    results.measure(f"one-note edit (median of {EDITS})", n, lambda: one_note_edit(vault, tmp))


# ---------------------------------------------------------------------------- report


def machine(kbgen: list[str]) -> list[str]:
    cpu = mem = "?"
    try:
        cpu = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M).group(1)  # type: ignore[union-attr]
        kib = int(re.search(r"^MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text(), re.M).group(1))  # type: ignore[union-attr]
        mem = f"{kib / 2**20:.1f} GiB"
    except (OSError, AttributeError):
        pass
    proc = subprocess.run([*kbgen, "--version"], capture_output=True, text=True, env=child_env(), cwd=REPO)
    version = proc.stdout.strip() if proc.returncode == 0 else f"error ({tail(proc.stderr).splitlines()[-1]})"
    return [f"- nproc: {len(os.sched_getaffinity(0))}", f"- CPU: {cpu}", f"- RAM: {mem}",
            f"- Python: {platform.python_version()} ({sys.executable})", f"- kbgen: {version}",
            f"- Hugo: {hugo_version()}"]


def table(results: Results, sizes: list[int]) -> list[str]:
    rows = list(dict.fromkeys(row for row, _ in results.cells))
    lines = ["| measure | " + " | ".join(f"{n:,} notes" for n in sizes) + " |",
             "|---|" + "---:|" * len(sizes)]
    for row in rows:
        lines.append(f"| {row} | " + " | ".join(results.cells.get((row, n), "") for n in sizes) + " |")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", default="1000,10000", help="comma-separated note counts")
    ap.add_argument("--runs", type=int, default=3, help="runs per figure; the median is shown")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scratch", type=Path, default=VAULTS,
                    help="folder for the timed copies and sites (default: next to the vaults); on a file "
                         "system whose file creation is slow in some folders, the copy floor shows it")
    ap.add_argument("--kbgen", default=shlex.join([sys.executable, "-m", "kbgen"]),
                    help="command that runs kbgen (default: this interpreter's -m kbgen)")
    args = ap.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    kbgen = shlex.split(args.kbgen)

    VAULTS.mkdir(parents=True, exist_ok=True)
    results = Results()
    for n in sizes:
        vault = ensure_vault(n, args.seed)
        # Temp files live next to the vaults so copies and outputs hit the same filesystem.
        args.scratch.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=args.scratch, prefix="tmp-") as tmp:
            measure_size(results, n, vault, Path(tmp), args.runs, kbgen)
        os.sync()  # let the deletions settle before the next size is timed (see copy_floor)
        time.sleep(3)

    report = ["## Machine", "", *machine(kbgen), "",
              f"## Results (median of {args.runs} runs, seed {args.seed})", "", *table(results, sizes)]
    if results.errors:
        report += ["", "## Errors", "", *results.errors]
    print("\n".join(report))
    return 1 if results.errors else 0


def worker(argv: list[str]) -> int:
    """Internal modes run in a fresh interpreter: `_md-floor VAULT`, `_edit VAULT OUT EDITS.json`."""
    if argv[0] == "_md-floor":
        md_floor_worker(Path(argv[1]))
    else:
        edit_worker(Path(argv[1]), Path(argv[2]), json.loads(Path(argv[3]).read_text()))
    return 0


if __name__ == "__main__":
    sys.exit(worker(sys.argv[1:]) if sys.argv[1:2] in (["_md-floor"], ["_edit"]) else main())
