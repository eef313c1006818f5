"""The dev server's HTTP side: serve files of the output folder only, the 404 page, the live stream.

Requests map to files under the output folder and nowhere else: `..`, dot files, encoded
separators and symbolic links that lead outside are answered with the 404 page. Each file is opened
under the site lock, so a request never sees a rebuild half-way; clients that hang up early are
ordinary and never logged as errors.
"""
from __future__ import annotations

import logging
import mimetypes
import os
import select
import socket
import threading
from contextlib import contextmanager
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import parse_qs, quote, unquote, urlsplit

from kbgen import livereload
from kbgen.livereload import Hub

log = logging.getLogger(__name__)
CHUNK = 256 * 1024
_TYPES = {".html": "text/html", ".css": "text/css", ".js": "text/javascript", ".mjs": "text/javascript",
          ".json": "application/json", ".svg": "image/svg+xml", ".wasm": "application/wasm",
          ".xml": "application/xml", ".txt": "text/plain", ".md": "text/markdown",
          ".webp": "image/webp", ".avif": "image/avif"}
_DISCONNECTS = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)


class SiteLock:
    """Many readers or one writer: a rebuild holds it to write, requests to open a file."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writing = False
        self._waiting_writers = 0

    @contextmanager
    def reading(self) -> Iterator[None]:
        with self._cond:
            while self._writing or self._waiting_writers:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self._cond:
            self._waiting_writers += 1
            while self._writing or self._readers:
                self._cond.wait()
            self._waiting_writers -= 1
            self._writing = True
        try:
            yield
        finally:
            with self._cond:
                self._writing = False
                self._cond.notify_all()


class SiteServer(ThreadingHTTPServer):
    """A threading HTTP server over one output folder; `moved(url)` names a renamed page's new
    location as (url, title), or None."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], out: Path, lock: SiteLock, hub: Hub,
                 moved: Callable[[str], tuple[str, str] | None], local_only: bool = True) -> None:
        self.out = out.resolve()
        self.lock, self.hub, self.moved = lock, hub, moved
        self.local_only = local_only
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        import sys
        exc = sys.exc_info()[1]
        if isinstance(exc, _DISCONNECTS):
            return
        log.exception("error while answering %s", client_address)


def locate(out: Path, url_path: str) -> tuple[str, Path | None]:
    """Map a request path to ('file', path), ('redirect', None) for a folder without its slash,
    or ('missing', None). Only files inside `out` are ever returned."""
    text = unquote(url_path, errors="strict") if "%" in url_path else url_path
    if "\0" in text or "\\" in text:
        return "missing", None
    parts = [p for p in text.split("/") if p]
    if any(p in (".", "..") or p.startswith(".") for p in parts):
        return "missing", None
    candidate = out.joinpath(*parts)
    real = Path(os.path.realpath(candidate))
    if real != out and not real.is_relative_to(out):
        return "missing", None  # a symbolic link leading out of the site
    if real.is_dir():
        if not text.endswith("/") and parts:
            return "redirect", None
        real = real / "index.html"
    if real.is_file():
        return "file", real
    return "missing", None


def local_host(header: str) -> bool:
    """True when a Host header names this machine (localhost, a loopback address)."""
    host = header.strip().lower()
    if host.startswith("["):
        host = host[1:].split("]", 1)[0]
    elif host.count(":") == 1:
        host = host.split(":", 1)[0]
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        import ipaddress
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def content_type(path: Path) -> str:
    ext = path.suffix.lower()
    kind = _TYPES.get(ext) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind in ("application/json", "application/xml", "image/svg+xml"):
        kind += "; charset=utf-8"
    return kind


class Handler(BaseHTTPRequestHandler):
    server: SiteServer
    protocol_version = "HTTP/1.1"
    server_version = "kbgen-serve"

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def handle(self) -> None:
        try:
            super().handle()
        except _DISCONNECTS:
            self.close_connection = True

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def do_GET(self) -> None:
        self._answer(head=False)

    def _answer(self, head: bool) -> None:
        if self.server.local_only and not local_host(self.headers.get("Host", "")):
            # a page elsewhere that made its own name point at 127.0.0.1 (DNS rebinding)
            return self._send(HTTPStatus.FORBIDDEN, "text/plain; charset=utf-8",
                              b"kbgen serve answers only requests addressed to this machine\n", head)
        parts = urlsplit(self.path)
        path = parts.path or "/"
        if path.startswith(livereload.PREFIX):
            return self._live(path, parse_qs(parts.query), head)
        try:
            kind, file = locate(self.server.out, path)
        except UnicodeDecodeError:
            kind, file = "missing", None
        if kind == "redirect":
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", quote(path + "/", safe="/%:@!$&'()*+,;=-._~")
                             + (f"?{parts.query}" if parts.query else ""))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if kind == "missing" or file is None:
            return self._not_found(path, head)
        with self.server.lock.reading():
            try:
                fh = open(file, "rb")  # the open file keeps its bytes even if a rebuild replaces it
            except OSError:
                fh = None
            epoch = self.server.hub.epoch
        if fh is None:
            return self._not_found(path, head)
        with fh:
            size = os.fstat(fh.fileno()).st_size
            if file.suffix.lower() == ".html":
                data = livereload.inject(fh.read(), self.server.hub.instance, epoch)
                return self._send(HTTPStatus.OK, content_type(file), data, head)
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", content_type(file))
            self.send_header("Content-Length", str(size))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if not head:
                while chunk := fh.read(CHUNK):
                    self.wfile.write(chunk)

    def _not_found(self, path: str, head: bool) -> None:
        with self.server.lock.reading():
            try:
                page = (self.server.out / "404.html").read_bytes()
            except OSError:
                page = b"<!DOCTYPE html><title>Not found</title><body><h1>Not found</h1></body>"
            epoch = self.server.hub.epoch
        page = livereload.base_at_root(page)
        site_path = unquote(path, errors="replace").lstrip("/")
        if site_path.endswith("/") or not site_path:
            site_path += "index.html"
        moved = self.server.moved(site_path)
        if moved is not None:
            page = livereload.moved_notice(page, "/" + quote(moved[0]), moved[1])
        data = livereload.inject(page, self.server.hub.instance, epoch)
        self._send(HTTPStatus.NOT_FOUND, "text/html; charset=utf-8", data, head)

    def _send(self, status: HTTPStatus, kind: str, data: bytes, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def _still_there(self) -> bool:
        """False once the client closed its end (a readable socket with nothing to read)."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return not readable or self.connection.recv(1, socket.MSG_PEEK) != b""
        except (OSError, ValueError):
            return False

    def _live(self, path: str, query: dict[str, list[str]], head: bool) -> None:
        if path == livereload.SCRIPT:
            return self._send(HTTPStatus.OK, "text/javascript; charset=utf-8",
                              livereload.CLIENT_JS.encode(), head)
        if path != livereload.EVENTS:
            return self._not_found(path, head)
        since = query.get("since", [""])[0]
        stream = self.server.hub.stream(int(since) if since.isdigit() else None,
                                        query.get("instance", [None])[0], self._still_there)
        self.close_connection = True
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        if head:
            stream.close()
            return
        try:
            for chunk in stream:
                self.wfile.write(chunk)
                self.wfile.flush()
        except _DISCONNECTS:
            pass  # the page went away
        finally:
            stream.close()
