"""One Pagefind service building one bundle of the search index, and the bundle's files made deterministic.

The service is `pagefind --service`: base64 JSON messages, each followed by a comma, on stdin and
stdout. The files come back in memory (`GetFiles`); before they are used `_make_deterministic`
re-encodes the filter files in sorted order (Pagefind writes them from a hash map) and renames them
and the language's meta file after their new bytes, so the same pages always give the same bundle.
"""
from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import queue
import subprocess
import threading
import weakref
from pathlib import Path
from typing import Any

from kbgen import cbor

MAGIC = b"pagefind_dcd"
"""What every decompressed Pagefind data file starts with."""
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-component-ui.js", "pagefind-component-ui.css",
          "pagefind-modular-ui.js", "pagefind-modular-ui.css", "pagefind-highlight.js")
"""Pagefind's ready-made interfaces: the theme talks to `pagefind.js` directly, so they are not published."""
TIMEOUT = 600.0
"""Seconds Pagefind may take to answer the last request before the index counts as failed."""


class SearchError(Exception):
    """Pagefind could not index the pages; the message says why."""


class Service:
    """One Pagefind service building one bundle: pages go in with `add`, `end()` asks for the
    files, `files()` waits for them. Once it has answered, its input closes and it exits."""

    def __init__(self, executable: Path) -> None:
        try:
            self._proc = subprocess.Popen([str(executable), "--service"], stdin=subprocess.PIPE,
                                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        except OSError as exc:
            raise SearchError(f"cannot start {executable}: {exc}") from exc
        self._sent = 0
        self._pages = 0
        self._request: int | None = None
        # messages wait here as they are, encoded only when written: Pagefind reads slower than a
        # build renders, and at 10 000 notes the encoded queue held ~140 MB
        self._outbox: queue.Queue[tuple[int, dict[str, Any]] | None] = queue.Queue()
        self._answers: dict[int, Any] = {}
        self._error: str | None = None
        self._done = threading.Condition()
        _LIVE.add(self)
        self._threads = [threading.Thread(target=self._feed, name="kbgen-search-feed", daemon=True),
                         threading.Thread(target=self._read, name="kbgen-search-read", daemon=True)]
        for t in self._threads:
            t.start()
        # keep_index_url only matters for pages Pagefind finds itself; ours come with their URL
        self._send({"type": "NewIndex", "config": {"keep_index_url": True}})

    def add(self, rel: str, html: bytes) -> None:
        self._pages += 1
        self._send({"type": "AddFile", "index_id": 0, "url": "/" + rel,
                    "file_contents": html.decode("utf-8", "replace")})

    def end(self) -> None:
        if self._request is None:
            self._request = self._send({"type": "GetFiles", "index_id": 0})

    def files(self) -> dict[str, bytes]:
        """Wait for the bundle's files (deterministic, without the interfaces kbgen does not use)."""
        try:
            self.end()
            assert self._request is not None
            answer = self._wait(self._request)
            files = {f["path"]: base64.b64decode(f["content"]) for f in answer["files"]}
        except BaseException:
            self.close(kill=True)
            raise
        self.close()
        for name in UNUSED:
            files.pop(name, None)
        try:
            _make_deterministic(files)
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise SearchError(f"unexpected index layout: {exc}") from exc
        return files

    def close(self, kill: bool = False) -> None:
        """Stop the service: it ends with its input, or at once with `kill` (after a failure)."""
        self._outbox.put(None)
        if kill:
            self._proc.kill()
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()

    def _send(self, payload: dict[str, Any]) -> int:
        self._sent += 1
        self._outbox.put((self._sent, payload))
        return self._sent

    def _wait(self, message_id: int) -> Any:
        with self._done:
            if not self._done.wait_for(lambda: message_id in self._answers or self._error is not None,
                                       TIMEOUT):
                raise SearchError(f"no answer within {TIMEOUT:.0f} s")
            if self._error is not None:
                raise SearchError(self._error)
            return self._answers.pop(message_id)

    def _feed(self) -> None:
        stdin = self._proc.stdin
        assert stdin is not None
        try:
            while (item := self._outbox.get()) is not None:
                message = {"message_id": item[0], "payload": item[1]}
                stdin.write(base64.b64encode(json.dumps(message, ensure_ascii=False).encode()) + b",")
                if self._outbox.empty():
                    stdin.flush()
        except OSError:
            pass  # the service died: the reader reports it
        finally:
            try:
                stdin.close()
            except OSError:
                pass

    def _read(self) -> None:
        stdout = self._proc.stdout
        assert stdout is not None
        parts: list[bytes] = []  # the message being received, in pieces (the last one is long)
        error: str | None = None
        try:
            while error is None:
                chunk = stdout.read1(1 << 20)
                if not chunk:
                    error = "Pagefind stopped unexpectedly"
                    break
                *ends, rest = chunk.split(b",")
                messages = []
                for end in ends:
                    messages.append(b"".join(parts) + end)
                    parts = []
                parts.append(rest)
                for raw in messages:
                    answer = json.loads(base64.b64decode(raw))
                    payload = answer.get("payload") or {}
                    kind = payload.get("type")
                    if kind == "Error":
                        error = str(payload.get("message") or "no message")
                    elif kind == "NewIndex" and payload.get("index_id") != 0:
                        error = f"unexpected index id {payload.get('index_id')}"  # requests say 0
                    elif kind == "GetFiles":
                        self._outbox.put(None)  # nothing more to ask: the service exits, its memory freed
                        with self._done:
                            self._answers[answer.get("message_id")] = payload
                            self._done.notify_all()
                        return
        except (OSError, ValueError) as exc:
            error = f"unreadable answer: {exc}"
        with self._done:
            if self._error is None and error:
                self._error = error
            self._done.notify_all()


_LIVE: "weakref.WeakSet[Service]" = weakref.WeakSet()
"""The services of this process, whose input a forked child must not keep open."""


def _drop_inputs_in_child() -> None:
    """In a forked child (a render worker): let go of every service's input pipe. Pagefind ends
    when its input closes, which it does not while a worker holds a copy: the build waited 5 s
    for a service started before the workers were forked, then killed it."""
    for service in list(_LIVE):
        stdin = service._proc.stdin
        if stdin is not None and not stdin.closed:
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, stdin.fileno())  # the number stays valid: nothing in the child closes it twice
            os.close(null)


os.register_at_fork(after_in_child=_drop_inputs_in_child)


def _make_deterministic(files: dict[str, bytes]) -> None:
    """Sort each filter file's values, then rename filter and meta files after their content."""
    entry = json.loads(files["pagefind-entry.json"])
    for lang, info in sorted(entry["languages"].items()):
        meta_name = f"pagefind.{info['hash']}.pf_meta"
        meta = _decode(files.pop(meta_name))
        # meta: [version, pages, index chunks, filters [[name, hash], ...], sorts, meta fields]
        for pair in meta[3]:
            data = _decode(files.pop(f"filter/{pair[1]}.pf_filter"))
            # filter file: [name, [[value, [page numbers]], ...]] in hash-map order
            data[1] = sorted(data[1], key=lambda item: item[0])
            pair[1] = _name(lang, data, 7)
            files[f"filter/{pair[1]}.pf_filter"] = _encode(data)
        info["hash"] = _name(lang, meta, 10)
        files[f"pagefind.{info['hash']}.pf_meta"] = _encode(meta)
    files["pagefind-entry.json"] = json.dumps(entry, ensure_ascii=False,
                                              separators=(",", ":")).encode("utf-8")


def _decode(raw: bytes) -> Any:
    data = gzip.decompress(raw)
    if not data.startswith(MAGIC):
        raise ValueError("not a Pagefind data file")
    return cbor.loads(data[len(MAGIC):])


def _encode(value: Any) -> bytes:
    return gzip.compress(MAGIC + cbor.dumps(value), compresslevel=9, mtime=0)


def _name(lang: str, value: Any, length: int) -> str:
    """A content-derived file name in Pagefind's own style (`en_` + hex digits)."""
    return f"{lang}_" + hashlib.sha256(cbor.dumps(value)).hexdigest()[:length]
