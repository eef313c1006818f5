"""How fast a built site's global graph page opens and redraws in Chromium.

    python benchmarks/graph_page.py SITE_DIR [--runs 5]

Serves SITE_DIR under /repo/ on 127.0.0.1 (port 0), opens graph.html in headless Chromium
(/usr/bin/chromium, through Playwright) with a cold cache each run, and prints:
  open  – from navigation start until the graph's first frame is drawn (graph.js marks it);
  frame – the time graph.js spends drawing one frame while zooming in step by step from the
          whole graph and panning (median, 95th percentile, worst): whether it stays smooth.
"""
from __future__ import annotations

import argparse
import functools
import http.server
import json
import statistics
import sys
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


class Handler(http.server.SimpleHTTPRequestHandler):
    def translate_path(self, path: str) -> str:
        clean = path.split("?", 1)[0]
        return super().translate_path("/" + clean[len("/repo/"):] if clean.startswith("/repo/") else "/-")

    def log_message(self, format: str, *args: object) -> None:
        pass


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("site", type=Path)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args(argv)
    data = args.site / "_kbgen" / "graph.json"
    if not data.exists():
        print(f"{data} is missing: build the site first", file=sys.stderr)
        return 2
    graph = json.loads(data.read_text(encoding="utf-8"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(args.site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/repo/graph.html"
    opens, frames = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        for _ in range(args.runs):
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.goto(url)
            page.wait_for_function("document.getElementById('global-graph').dataset.ready !== undefined",
                                   timeout=60000)
            # graph.js marks the first frame with performance.now(): ms since navigation start
            opens.append(float(page.evaluate("document.getElementById('global-graph').dataset.ready")))
            frames.extend(page.evaluate("""async () => {
                const box = document.getElementById('global-graph'), c = box.querySelector('canvas');
                const r = c.getBoundingClientRect();
                box.paintTimes.length = 0;
                for (let i = 0; i < 30; i++) {  // zoom in step by step to 200x, then pan across
                    c.dispatchEvent(new WheelEvent('wheel', {deltaY: -120, clientX: r.left + r.width / 2,
                                                             clientY: r.top + r.height / 2, bubbles: true, cancelable: true}));
                    await new Promise(res => requestAnimationFrame(() => requestAnimationFrame(res)));
                }
                for (let i = 0; i < 10; i++) {
                    c.dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowLeft', bubbles: true}));
                    await new Promise(res => requestAnimationFrame(() => requestAnimationFrame(res)));
                }
                return box.paintTimes.slice(); }"""))
            context.close()
        browser.close()
    server.shutdown()
    size = data.stat().st_size
    print(f"graph.json: {graph['total']} nodes, {len(graph['edges']) // 2} edges, {size / 1e6:.2f} MB")
    print(f"open (navigation start → first frame): median {statistics.median(opens):.0f} ms, "
          f"worst {max(opens):.0f} ms over {len(opens)} runs")
    frames.sort()
    print(f"drawing one frame while zooming in and panning: median {statistics.median(frames):.1f} ms, "
          f"95th percentile {frames[int(len(frames) * 0.95)]:.1f} ms, worst {frames[-1]:.1f} ms "
          f"({len(frames)} frames; 16.7 ms is one frame at 60 Hz)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
