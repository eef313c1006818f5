"""Save-to-reload latency of `kbgen serve`: `python benchmarks/serve_latency.py [--sizes 1000,10000]`.

For each generated vault (benchmarks/_vaults/N, made by generate.py and shared with run.py), a copy
is served by a real `kbgen serve --port 0` process; this script listens to its reload stream over
HTTP like a browser tab, saves an edit to a note (an in-place write), and times from the end of the
write to the arrival of the reload event that names the note's page. 20 edits of each kind, spread
over the vault; between edits it waits until the server is idle again. Prints the machine and a
Markdown table (median and worst); progress goes to stderr. Not a test: figures depend on the machine.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from run import VAULTS, child_env, copy_vault, ensure_vault, machine  # noqa: E402

from kbgen.urls import note_url  # noqa: E402

EDITS = 20
STARTUP = 3600.0
"""Seconds allowed for the first build of a vault (a cold 10 000-note build on a busy machine)."""
WAIT = 120.0
"""Seconds allowed for one reload event before the edit counts as lost."""
PAUSE = 0.3
"""Seconds between a reload and the next save (a person does not save faster)."""


class Server:
    """A `kbgen serve` child process and one reader of its event stream."""

    def __init__(self, vault: Path, search: bool) -> None:
        cmd = [sys.executable, "-m", "kbgen", "serve", str(vault), "--port", "0"]
        if not search:
            cmd.append("--no-search")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                     env=child_env(), cwd=REPO)
        self.lines: queue.Queue[str] = queue.Queue()
        self.rebuild_ms: list[float] = []
        self.cpu_ms: list[float] = []
        self.later_cpu_ms: list[float] = []
        threading.Thread(target=self._stderr, daemon=True).start()
        deadline = time.monotonic() + STARTUP
        while True:
            line = self.lines.get(timeout=max(1.0, deadline - time.monotonic()))
            if m := re.search(r"at (http://[^ ]+) \(Ctrl-C", line):
                self.port = int(m.group(1).rstrip("/").rsplit(":", 1)[1])
                break
        self.events: queue.Queue[tuple[float, dict[str, Any]]] = queue.Queue()
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=WAIT)
        self.conn.request("GET", "/.kbgen/events")
        self.resp = self.conn.getresponse()
        threading.Thread(target=self._events, daemon=True).start()

    def _stderr(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            if m := re.search(r"rebuilt in (\d+) ms, (\d+) ms CPU", line):
                self.rebuild_ms.append(float(m.group(1)))
                self.cpu_ms.append(float(m.group(2)))
            elif m := re.search(r"then updated in (\d+) ms, (\d+) ms CPU", line):
                self.later_cpu_ms.append(float(m.group(2)))
            self.lines.put(line)

    def _events(self) -> None:
        name, data = "", ""
        try:
            while raw := self.resp.fp.readline():
                now = time.perf_counter()
                text = raw.decode().rstrip("\r\n")
                if text.startswith("event:"):
                    name = text[6:].strip()
                elif text.startswith("data:"):
                    data = text[5:].strip()
                elif not text and name == "reload":
                    self.events.put((now, json.loads(data)))
                    name, data = "", ""
                elif not text:
                    name, data = "", ""
        except OSError:
            pass

    def wait_for(self, url: str) -> tuple[float, dict[str, Any]]:
        """The arrival time of the first reload event that names `url`."""
        deadline = time.monotonic() + WAIT
        while True:
            at, event = self.events.get(timeout=max(0.1, deadline - time.monotonic()))
            if event.get("all") or url in (event.get("changed") or []):
                return at, event

    def settle(self) -> None:
        """Drop events of rebuilds still under way (none expected) after a short pause."""
        time.sleep(PAUSE)
        while not self.events.empty():
            self.events.get_nowait()

    def stop(self) -> None:
        self.conn.close()
        self.proc.send_signal(2)
        try:
            self.proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def pick_notes(vault: Path, count: int) -> list[Path]:
    """`count` notes spread evenly over the sorted vault: hubs, leaves and everything between."""
    notes = sorted((vault / "notes").rglob("*.md"))
    step = len(notes) / count
    return [notes[int(i * step)] for i in range(count)]


def edit(note: Path, kind: str, k: int, other: Path) -> None:
    """Append a sentence (`text`) or a sentence with a new link to another note (`link`)."""
    line = f"\n\nServe latency edit {k}: a few more words.\n"
    if kind == "link":
        line = f"\n\nServe latency edit {k} links [[{other.stem}]].\n"
    with open(note, "a", encoding="utf-8") as fh:
        fh.write(line)


def measure(vault: Path, search: bool) -> dict[str, dict[str, Any]]:
    server = Server(vault, search)
    out: dict[str, dict[str, Any]] = {}
    try:
        notes = pick_notes(vault, EDITS)
        for kind in ("text", "link"):
            latencies, lost = [], 0
            server.rebuild_ms.clear()
            server.cpu_ms.clear()
            server.later_cpu_ms.clear()
            for k, note in enumerate(notes):
                url = note_url(note.relative_to(vault).as_posix(), "notes/")  # type: ignore[arg-type]
                server.settle()
                edit(note, kind, k, notes[(k + 7) % len(notes)])
                saved = time.perf_counter()
                try:
                    at, _ = server.wait_for(url)
                except queue.Empty:
                    lost += 1
                    continue
                latencies.append((at - saved) * 1000)
                print(f"  {vault.name} {kind} edit {k + 1}/{len(notes)}: {latencies[-1]:.0f} ms",
                      file=sys.stderr, flush=True)
            out[kind] = {"median": statistics.median(latencies) if latencies else float("nan"),
                         "worst": max(latencies) if latencies else float("nan"), "lost": lost,
                         "rebuild": statistics.median(server.rebuild_ms) if server.rebuild_ms else float("nan"),
                         "cpu": statistics.median(server.cpu_ms) if server.cpu_ms else float("nan"),
                         "later": statistics.median(server.later_cpu_ms) if server.later_cpu_ms else float("nan")}
    finally:
        server.stop()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1000,10000", help="comma-separated note counts")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-search", action="store_true",
                    help="serve without the search index (by default Pagefind refreshes it in the background)")
    args = ap.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    VAULTS.mkdir(parents=True, exist_ok=True)
    rows = []
    load_before = os.getloadavg()
    for n in sizes:
        source = ensure_vault(n, args.seed)
        with tempfile.TemporaryDirectory(dir=VAULTS, prefix="tmp-serve-") as tmp:
            vault = Path(tmp) / str(n)
            copy_vault(source, vault)
            print(f"[{n}] serving a copy of {source} (first build first)", file=sys.stderr, flush=True)
            figures = measure(vault, not args.no_search)
        for kind, f in figures.items():
            rows.append(f"| {n:,} notes | {kind} | {f['median']:.0f} ms | {f['worst']:.0f} ms | "
                        f"{f['rebuild']:.0f} ms | {f['cpu']:.0f} ms | {f['later']:.0f} ms | {f['lost']} |")
    load_after = os.getloadavg()
    report = ["## Machine", "", *machine([sys.executable, "-m", "kbgen"]),
              f"- load average (1 min) before / after: {load_before[0]:.1f} / {load_after[0]:.1f}", "",
              f"## Save → reload event ({EDITS} edits each, search index "
              f"{'off' if args.no_search else 'refreshed in the background'})", "",
              "| vault | edit | median | worst | rebuild (median) | rebuild CPU (median) | then, CPU (median) | lost |",
              "|---|---|---:|---:|---:|---:|---:|---:|", *rows, "",
              "`text`: a sentence appended to the note; `link`: a sentence with a new [[link]] to another",
              "note. `rebuild` is the wall time `kbgen serve` reports for Builder.rebuild(), `rebuild CPU`",
              "the CPU time of its rebuild thread (steadier than wall time on a shared machine); the rest",
              "of the latency is the debounce (20 ms), the event's trip and this process's own scheduling.",
              "`then`: the CPU time of the second half of the rebuild, which serve runs once the edited page's",
              "reload is sent: the pages that show the note (backlinks, local graphs, embeds, lists)."]
    print("\n".join(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
