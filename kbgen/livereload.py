"""Live reload for `kbgen serve`: the Server-Sent Events hub, the browser script and its injection.

Only the dev server injects the script (into the HTML it sends); the built files never carry it.
The browser reloads a page when the rebuild changed the page itself or a file it loads (its CSS,
scripts, the explorer data), keeps the scroll position across that reload, and shows an overlay
while the last rebuild failed.
"""
from __future__ import annotations

import json
import queue
import re
import threading
import traceback
from collections import OrderedDict
from pathlib import Path
from typing import Any, Callable, Iterator

PREFIX = "/.kbgen/"
"""URL prefix of the live endpoints; a dot folder can never be part of a built site."""
EVENTS = PREFIX + "events"
SCRIPT = PREFIX + "live.js"
KEEPALIVE = 15.0
"""Seconds between comments on an idle stream, so proxies and browsers keep it open."""
POLL = 1.0
"""Seconds between checks that the page on the other end of a stream is still there."""
HISTORY = 64
"""Rebuilds remembered, so a page that connects late still learns what changed since it loaded."""


class Hub:
    """The open event streams and the rebuild history; broadcast() reaches every stream."""

    def __init__(self, instance: str) -> None:
        self.instance = instance
        self.epoch = 0
        self.error: dict[str, Any] | None = None
        self._lock = threading.Lock()
        self._clients: set[queue.Queue[tuple[str, dict[str, Any]] | None]] = set()
        self._history: OrderedDict[int, list[str] | None] = OrderedDict()
        self._closed = False

    @property
    def clients(self) -> int:
        with self._lock:
            return len(self._clients)

    def rebuilt(self, changed: list[str] | None) -> None:
        """A rebuild succeeded; `changed` lists the site files it changed (None: everything)."""
        with self._lock:
            recovered = self.error is not None
            self.error = None
            self.epoch += 1
            self._history[self.epoch] = None if changed is None else sorted(changed)
            while len(self._history) > HISTORY:
                self._history.popitem(last=False)
            event = {"epoch": self.epoch, "changed": self._history[self.epoch],
                     "all": changed is None, "recovered": recovered}
            self._send("reload", event)

    def failed(self, error: dict[str, Any]) -> None:
        """A rebuild failed: the last good site stays served and every page shows the error."""
        with self._lock:
            self.error = error
            self._send("failure", {"epoch": self.epoch, "error": error})

    def _send(self, name: str, data: dict[str, Any]) -> None:
        for q in self._clients:
            q.put((name, data))

    def stream(self, since: int | None, instance: str | None,
               alive: Callable[[], bool] = lambda: True) -> Iterator[bytes]:
        """The bytes of one event stream: a hello, what the page missed, then each event as it
        comes; ends when the hub closes or `alive()` says the page hung up. Generator cleanup
        unregisters the client."""
        q: queue.Queue[tuple[str, dict[str, Any]] | None] = queue.Queue()
        with self._lock:
            if self._closed:
                return
            self._clients.add(q)
            hello = {"epoch": self.epoch, "instance": self.instance, "error": self.error}
            missed = self._missed(since) if instance == self.instance else None
        try:
            yield b"retry: 1000\n\n" + _event("hello", hello)
            if missed is not None:
                yield _event("reload", missed)
            quiet = 0.0
            while True:
                try:
                    item = q.get(timeout=POLL)
                except queue.Empty:
                    if not alive():
                        return
                    quiet += POLL
                    if quiet >= KEEPALIVE:
                        quiet = 0.0
                        yield b": keep-alive\n\n"
                    continue
                if item is None:
                    return
                yield _event(*item)
        finally:
            with self._lock:
                self._clients.discard(q)

    def _missed(self, since: int | None) -> dict[str, Any] | None:
        if since is None or since >= self.epoch:
            return None
        changed: set[str] = set()
        for epoch in range(since + 1, self.epoch + 1):
            files = self._history.get(epoch)
            if files is None:  # forgotten or a full rebuild: the page must assume it changed
                return {"epoch": self.epoch, "changed": None, "all": True, "recovered": False}
            changed.update(files)
        return {"epoch": self.epoch, "changed": sorted(changed), "all": False, "recovered": False}

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for q in self._clients:
                q.put(None)


def _event(name: str, data: dict[str, Any]) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False, sort_keys=True)}\n\n".encode()


def describe(exc: BaseException, root: Path) -> dict[str, Any]:
    """The overlay's view of a failed rebuild: the file and line at fault, a code, the message."""
    import jinja2

    from kbgen.config import ConfigError
    file, line, code = "", 0, "crash"
    if isinstance(exc, jinja2.TemplateSyntaxError):
        file, line, code = exc.filename or exc.name or "", exc.lineno or 0, "template"
    elif isinstance(exc, ConfigError):
        code = "config"
        file = str(exc).split(": ", 1)[0]
    else:
        frames = traceback.extract_tb(exc.__traceback__)
        templates = [f for f in frames if f.filename.endswith((".html", ".xml", ".j2", ".jinja"))]
        if templates or isinstance(exc, jinja2.TemplateError):
            code = "template"
        frame = templates[-1] if templates else (frames[-1] if frames else None)
        if frame is not None:
            file, line = frame.filename, frame.lineno or 0
    if file:
        try:
            file = Path(file).resolve().relative_to(root).as_posix()
        except ValueError:
            pass
    message = str(exc).split(": ", 1)[-1] if code == "config" else str(exc) or type(exc).__name__
    detail = "".join(traceback.format_exception(exc)[-12:]) if code == "crash" else ""
    return {"file": file, "line": line, "code": code, "message": message,
            "kind": type(exc).__name__, "detail": detail}


_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)
_HEAD_START = re.compile(rb"<head(\s[^>]*)?>", re.IGNORECASE)
_MOVED = re.compile(rb'<p id="moved-to" hidden></p>')


def inject(html: bytes, instance: str, epoch: int) -> bytes:
    """Add the live-reload script tag before the last `</body>` (or at the end)."""
    tag = (f'<script src="{SCRIPT}?instance={instance}&amp;epoch={epoch}" '
           f'data-kbgen-live></script>\n').encode()
    ends = list(_BODY_END.finditer(html))
    if not ends:
        return html + tag
    at = ends[-1].start()
    return html[:at] + tag + html[at:]


def base_at_root(html: bytes) -> bytes:
    """Make a page's relative links resolve from the site root (the 404 page is served at any depth)."""
    m = _HEAD_START.search(html)
    if m is None:
        return html
    return html[:m.end()] + b'\n<base href="/">' + html[m.end():]


def moved_notice(html: bytes, href: str, label: str) -> bytes:
    """Fill the 404 page's `#moved-to` paragraph (or add one) with a link to the new location."""
    from html import escape
    para = (f'<p id="moved-to" class="kbgen-moved">This note moved to '
            f'<a href="{escape(href)}">{escape(label)}</a>.</p>').encode()
    if _MOVED.search(html):
        return _MOVED.sub(lambda _: para, html, count=1)
    m = re.search(rb"<body[^>]*>", html, re.IGNORECASE)
    return html[:m.end()] + para + html[m.end():] if m else para + html


CLIENT_JS = r"""// kbgen serve: live reload (injected by the dev server only)
(function () {
  "use strict";
  var me = document.currentScript;
  var params = new URL(me.src, location.href).searchParams;
  var instance = params.get("instance"), epoch = +params.get("epoch");
  var KEY = "kbgen-live-scroll:" + location.pathname;
  try {
    var saved = sessionStorage.getItem(KEY);
    if (saved !== null) {
      sessionStorage.removeItem(KEY);
      var y = +saved, restore = function () { window.scrollTo(0, y); };
      restore();
      window.addEventListener("load", restore);
    }
  } catch (e) {}

  function path(u) {
    var p = new URL(u, location.href);
    if (p.origin !== location.origin) return null;
    var s = p.pathname;
    if (s.endsWith("/")) s += "index.html";
    try { s = decodeURIComponent(s); } catch (e) {}
    return s.replace(/^\/+/, "");
  }
  function uses() {
    var set = {};
    set[path(location.href)] = true;
    var els = document.querySelectorAll("link[rel~=stylesheet][href], script[src], [data-src], img[src]");
    for (var i = 0; i < els.length; i++) {
      var u = els[i].getAttribute("href") || els[i].getAttribute("src") || els[i].getAttribute("data-src");
      var p = u && path(u);
      if (p) set[p] = true;
    }
    return set;
  }
  var es = null;
  function reload() {
    try { sessionStorage.setItem(KEY, String(window.scrollY)); } catch (e) {}
    if (es) es.close();  // hang up first, so the reload does not abort an open request
    location.reload();
  }

  var box = null;
  function hide() { if (box) { box.remove(); box = null; } }
  function show(err) {
    hide();
    box = document.createElement("div");
    box.id = "kbgen-live-error";
    box.setAttribute("role", "alert");
    box.style.cssText = "position:fixed;inset:auto 1rem 1rem 1rem;max-height:60vh;overflow:auto;" +
      "z-index:2147483647;background:#2b0b0b;color:#fde8e8;border:2px solid #e5484d;border-radius:8px;" +
      "padding:1rem 1.25rem;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;box-shadow:0 8px 30px #0008";
    var h = document.createElement("strong");
    h.textContent = "kbgen: the last rebuild failed; this is the last good version of the site.";
    var where = document.createElement("div");
    where.className = "kbgen-live-where";
    where.textContent = err.file ? err.file + (err.line ? ":" + err.line : "") : "";
    var msg = document.createElement("pre");
    msg.style.cssText = "white-space:pre-wrap;margin:.5rem 0 0";
    msg.textContent = err.message + (err.detail ? "\n\n" + err.detail : "");
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "×";
    close.setAttribute("aria-label", "Hide");
    close.style.cssText = "float:right;background:none;border:0;color:inherit;font-size:1.4rem;cursor:pointer";
    close.onclick = hide;
    box.append(close, h, where, msg);
    document.body.appendChild(box);
  }

  es = new EventSource("/.kbgen/events?instance=" + encodeURIComponent(instance) + "&since=" + epoch);
  es.addEventListener("hello", function (ev) {
    var d = JSON.parse(ev.data);
    if (d.instance !== instance) { reload(); return; }  // the server restarted: the site may differ
    if (d.error) show(d.error); else hide();
  });
  es.addEventListener("failure", function (ev) { show(JSON.parse(ev.data).error); });
  es.addEventListener("reload", function (ev) {
    var d = JSON.parse(ev.data), mine = uses(), hit = d.all || d.recovered || box !== null;
    for (var i = 0; !hit && d.changed && i < d.changed.length; i++) hit = !!mine[d.changed[i]];
    if (hit) reload();
  });
})();
"""
