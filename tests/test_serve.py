"""`kbgen serve` end to end: a real server on port 0, real file edits, the event stream read over HTTP."""
from __future__ import annotations

import http.client
import io
import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from kbgen.httpd import locate
from kbgen.serve import DevServer

from conftest import build, write_vault

TIMEOUT = 60.0
"""Seconds to wait for a rebuild; generous, the machine may be busy. Nothing here is timed."""

VAULT = {
    "notes/Home.md": "# Home\nStart at [[Alpha]] and [[Beta]]. ![[logo.png]]\n",
    "notes/Alpha.md": "Alpha text one. Links [[Beta]].\n",
    "notes/Beta.md": "Beta text. Links [[Alpha]]. #topic\n",
    "notes/Deep/Gamma.md": "Gamma lives deep and links [[Alpha]].\n",
    "attachments/logo.png": b"\x89PNG\r\n\x1a\nlogo",
}


class Stream:
    """One reader of the server's event stream, parsing Server-Sent Events into a queue."""

    def __init__(self, port: int, query: str = "") -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        self.conn.request("GET", "/.kbgen/events" + query)
        self.sock = self.conn.sock
        assert self.sock is not None
        self.resp = self.conn.getresponse()
        assert self.resp.status == 200
        assert self.resp.getheader("Content-Type", "").startswith("text/event-stream")
        self.events: queue.Queue[tuple[str, dict[str, Any]]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        name, data = "message", []
        try:
            while line := self.resp.fp.readline():
                text = line.decode().rstrip("\r\n")
                if not text:
                    if data:
                        self.events.put((name, json.loads("\n".join(data))))
                    name, data = "message", []
                elif text.startswith("event:"):
                    name = text[6:].strip()
                elif text.startswith("data:"):
                    data.append(text[5:].strip())
        except (OSError, ValueError):
            pass

    def next(self, name: str, where: Callable[[dict[str, Any]], bool] = lambda e: True) -> dict[str, Any]:
        """The next event called `name` that satisfies `where` (earlier others are dropped)."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {name!r} event within {TIMEOUT} s")
            try:
                got, data = self.events.get(timeout=left)
            except queue.Empty:
                continue
            if got == name and where(data):
                return data

    def drain(self) -> list[tuple[str, dict[str, Any]]]:
        out = []
        while True:
            try:
                out.append(self.events.get_nowait())
            except queue.Empty:
                return out

    def close(self) -> None:
        """Hang up as a closing browser tab does."""
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        self.conn.close()


class Live:
    """A DevServer on port 0 over a vault in tmp_path, with one open event stream."""

    def __init__(self, vault: Path, out: Path, **kw: Any) -> None:
        kw.setdefault("search", False)
        self.log = io.StringIO()
        self.vault, self.out = vault, out
        self.server = DevServer(vault, out, port=0, stream=self.log, **kw)
        self.server.start()
        self.port = self.server.port
        self.stream = Stream(self.port)
        assert self.stream.next("hello")["error"] is None

    def get(self, url: str, host: str | None = None) -> tuple[int, bytes, http.client.HTTPResponse]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        headers = {"Host": host} if host else {}
        conn.request("GET", url, headers=headers)
        resp = conn.getresponse()
        body = resp.read()
        conn.close()
        return resp.status, body, resp

    def page(self, url: str) -> str:
        status, body, _ = self.get(url)
        assert status == 200, (url, status)
        return body.decode()

    def settled(self) -> None:
        """Wait until serve has also laid out the global graph (after a second without saves)."""
        deadline = time.monotonic() + TIMEOUT
        while self.server.builder.unfinished:
            assert time.monotonic() < deadline, "the global graph was never laid out again"
            time.sleep(0.05)

    def reload_with(self, url: str) -> dict[str, Any]:
        """Wait for the rebuild that changes `url` (a site path such as `alpha.html`)."""
        return self.stream.next("reload", lambda e: e["all"] or url in (e["changed"] or []))

    def close(self) -> None:
        self.stream.close()
        self.server.stop()


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Callable[..., Live]]:
    made: list[Live] = []

    def start(files: dict[str, str | bytes] | None = None, **kw: Any) -> Live:
        vault = write_vault(tmp_path / "vault", files if files is not None else VAULT)
        made.append(Live(vault, tmp_path / "site", **kw))
        return made[-1]

    yield start
    for server in made:
        server.close()


def _files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


# -- the parts -------------------------------------------------------------------------------


def test_changes_keep_what_arrives_during_a_rebuild_for_the_next_batch(tmp_path: Path) -> None:
    from kbgen.watch import Changes
    changes = Changes(quiet=0.0)
    changes.add(tmp_path / "a.md")
    changes.add(tmp_path / "b.md", tmp_path / "c.md")
    first = changes.take()
    assert first is not None
    assert first.paths == {tmp_path / "a.md", tmp_path / "b.md", tmp_path / "c.md"}
    assert first.moves == [(tmp_path / "b.md", tmp_path / "c.md")]
    changes.add(tmp_path / "a.md")  # while the first batch is being rebuilt
    second = changes.take()
    assert second is not None and second.paths == {tmp_path / "a.md"} and second.moves == []
    changes.close()
    assert changes.take() is None



def test_a_folder_inside_a_watched_one_is_not_watched_twice_and_its_changes_still_arrive(tmp_path: Path) -> None:
    from kbgen.watch import Changes, Watcher
    theme = tmp_path / "vault" / "theme"
    theme.mkdir(parents=True)
    changes = Changes(quiet=0.0)
    watcher = Watcher(changes, [theme, tmp_path / "vault"], [], lambda p: False)
    # one recursive watch, on the vault: a second on the theme inside it made watchdog warn
    assert [e.watch.path for e in watcher.observer.emitters] == [str(tmp_path / "vault")]
    watcher.start()
    timer = threading.Timer(10, changes.close)  # take() blocks: a change that never comes fails
    timer.start()
    try:
        (theme / "base.html").write_text("x", encoding="utf-8")
        seen: set[Path] = set()
        while theme / "base.html" not in seen and (batch := changes.take()) is not None:
            seen |= batch.paths
        assert theme / "base.html" in seen
    finally:
        timer.cancel()
        watcher.stop()
        changes.close()


def test_watchdogs_warning_about_a_watch_added_twice_does_not_reach_the_terminal() -> None:
    script = (
        "import warnings, kbgen.watch\n"
        "for text in ('Callback with id 1 already exists for watch <w>. It will be Overwritten.', 'other'):\n"
        "    warnings.warn_explicit(text, RuntimeWarning, 'inotify.py', 1, module='watchdog.observers.inotify')\n")
    done = subprocess.run([sys.executable, "-W", "default", "-c", script], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0
    assert "RuntimeWarning: other" in done.stderr and "already exists" not in done.stderr

def test_a_late_page_hears_everything_it_missed_or_to_reload_all() -> None:
    from kbgen.livereload import HISTORY, Hub
    hub = Hub("inst")
    hub.rebuilt(["a.html"])
    hub.rebuilt(["b.html", "a.html"])
    assert hub._missed(0) == {"epoch": 2, "changed": ["a.html", "b.html"], "all": False, "recovered": False}
    assert hub._missed(2) is None
    hub.rebuilt(None)  # a full rebuild: everything may have changed
    assert hub._missed(2)["all"]
    for _ in range(HISTORY + 1):
        hub.rebuilt([])
    assert hub._missed(1)["all"]  # too long ago to know


# -- serving ---------------------------------------------------------------------------------


def test_pages_get_the_reload_script_but_the_built_files_never_do(live: Callable[..., Live]) -> None:
    s = live()
    html = s.page("/alpha.html")
    assert "Alpha text one" in html
    assert '<script src="/.kbgen/live.js?' in html and html.index("live.js") < html.rindex("</body>")
    assert s.page("/") == s.page("/index.html")
    for f in s.out.rglob("*.html"):
        assert b".kbgen/live.js" not in f.read_bytes(), f
    status, js, resp = s.get("/.kbgen/live.js")
    assert status == 200 and b"EventSource" in js
    assert resp.getheader("Content-Type").startswith("text/javascript")
    status, png, resp = s.get("/attachments/logo.png")
    assert (status, png, resp.getheader("Content-Type")) == (200, VAULT["attachments/logo.png"], "image/png")


def test_folder_without_slash_redirects_and_folder_serves_its_index(live: Callable[..., Live]) -> None:
    s = live()
    status, _, resp = s.get("/deep")
    assert status == 301 and resp.getheader("Location") == "/deep/"
    assert "Gamma" in s.page("/deep/")


@pytest.mark.parametrize("path", [
    "/../../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2f..%2fetc%2fpasswd",
    "/%252e%252e/%252e%252e/etc/passwd", "/alpha.html%00.png", "/..\\..\\etc\\passwd",
    "/.kbgen-site", "/%2ekbgen-site", "/deep/../../vault/notes/Alpha.md", "/%ff%fe",
])
def test_nothing_outside_the_output_folder_is_served(live: Callable[..., Live], path: str) -> None:
    s = live()
    conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=TIMEOUT)
    conn.putrequest("GET", path, skip_accept_encoding=True)  # sent exactly as written
    conn.endheaders()
    resp = conn.getresponse()
    body = resp.read()
    assert resp.status == 404, path
    assert b"root:" not in body and b"Alpha text one" not in body and b'"pages"' not in body


def test_a_symbolic_link_out_of_the_site_is_not_followed(live: Callable[..., Live], tmp_path: Path) -> None:
    s = live()
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret", encoding="utf-8")
    (s.out / "leak.txt").symlink_to(secret)
    (s.out / "leakdir").symlink_to(tmp_path)
    for url in ("/leak.txt", "/leakdir/secret.txt"):
        status, body, _ = s.get(url)
        assert status == 404 and b"top secret" not in body
    assert locate(s.out, "/leak.txt") == ("missing", None)
    assert locate(s.out, "/alpha.html") == ("file", s.out / "alpha.html")


def test_missing_pages_get_the_404_page_with_working_links(live: Callable[..., Live]) -> None:
    s = live()
    status, body, resp = s.get("/no/such/page.html")
    html = body.decode()
    assert status == 404 and resp.getheader("Content-Type").startswith("text/html")
    assert "Page not found" in html and "/.kbgen/live.js" in html
    assert '<base href="/">' in html  # its relative links still lead to the site, at any depth


def test_requests_for_other_host_names_are_refused(live: Callable[..., Live]) -> None:
    s = live()
    assert s.get("/alpha.html", host="evil.example")[0] == 403
    assert s.get("/alpha.html", host=f"localhost:{s.port}")[0] == 200


# -- live reload and editor save patterns ----------------------------------------------------


def test_in_place_write_reloads_the_page_with_the_new_text(live: Callable[..., Live]) -> None:
    s = live()
    (s.vault / "notes/Alpha.md").write_text("Alpha text two. Links [[Beta]].\n", encoding="utf-8")
    event = s.reload_with("alpha.html")
    assert not event["all"]
    assert "Alpha text two" in s.page("/alpha.html")


def test_write_to_temporary_then_rename(live: Callable[..., Live]) -> None:
    s = live()
    for tmp in (s.vault / "notes/.Alpha.md.swp", s.vault / "notes/Alpha.md.tmp.123"):
        tmp.write_text(f"Saved through {tmp.name}. Links [[Beta]].\n", encoding="utf-8")
        os.replace(tmp, s.vault / "notes/Alpha.md")
        s.reload_with("alpha.html")
        assert f"Saved through {tmp.name}" in s.page("/alpha.html")
        assert not tmp.exists()
    assert s.get("/notes/Alpha.md.tmp.123")[0] == 404


def test_delete_then_create(live: Callable[..., Live]) -> None:
    s = live()
    note = s.vault / "notes/Beta.md"
    note.unlink()
    note.write_text("Beta recreated. Links [[Alpha]].\n", encoding="utf-8")
    deadline = time.monotonic() + TIMEOUT
    while "Beta recreated" not in s.get("/beta.html")[1].decode():
        assert time.monotonic() < deadline, "the recreated note never showed"
        s.reload_with("beta.html")
    assert s.get("/beta.html")[0] == 200


def test_a_burst_of_saves_is_one_rebuild(live: Callable[..., Live]) -> None:
    s = live(quiet=0.5)  # a burst, however slow this machine, is well inside half a second
    s.stream.drain()
    before = s.server.rebuilds
    for i in range(30):
        (s.vault / "notes/Alpha.md").write_text(f"Alpha burst {i}.\n", encoding="utf-8")
        (s.vault / f"notes/New {i % 3}.md").write_text(f"New note {i}.\n", encoding="utf-8")
    event = s.reload_with("alpha.html")
    assert {"new-0.html", "new-1.html", "new-2.html", "alpha.html"} <= set(event["changed"])
    assert "Alpha burst 29." in s.page("/alpha.html")
    time.sleep(1.5)  # long enough for any second rebuild to have been announced
    assert [e for e in s.stream.drain() if e[0] == "reload"] == []
    assert s.server.rebuilds == before + 1


def test_note_created_in_a_new_folder(live: Callable[..., Live]) -> None:
    s = live()
    folder = s.vault / "notes/Brand/New/Place"
    folder.mkdir(parents=True)
    (folder / "Fresh.md").write_text("Fresh note linking [[Alpha]].\n", encoding="utf-8")
    s.reload_with("brand/new/place/fresh.html")
    assert "Fresh note linking" in s.page("/brand/new/place/fresh.html")
    assert "Fresh" in s.page("/alpha.html")  # the backlink
    assert "Fresh" in s.page("/brand/new/place/")


def test_renamed_note_404_links_to_its_new_address(live: Callable[..., Live]) -> None:
    s = live()
    os.replace(s.vault / "notes/Beta.md", s.vault / "notes/Beta Two.md")
    event = s.reload_with("beta.html")
    assert "beta-two.html" in event["changed"]
    status, body, _ = s.get("/beta.html")
    assert status == 404
    assert re.search(r'id="moved-to"[^>]*>[^<]*<a href="/beta-two.html">Beta Two</a>', body.decode())
    os.replace(s.vault / "notes/Beta Two.md", s.vault / "notes/Beta Three.md")
    s.reload_with("beta-three.html")
    for old in ("/beta.html", "/beta-two.html"):  # both old names lead to the newest
        assert 'href="/beta-three.html"' in s.get(old)[1].decode()
    (s.vault / "notes/Beta.md").write_text("A new Beta.\n", encoding="utf-8")
    s.reload_with("beta.html")
    assert "A new Beta." in s.page("/beta.html")  # the old address is a page again


def test_deleted_note_reloads_into_the_404_page(live: Callable[..., Live]) -> None:
    s = live()
    (s.vault / "notes/Deep/Gamma.md").unlink()
    s.reload_with("deep/gamma.html")
    status, body, _ = s.get("/deep/gamma.html")
    assert status == 404 and b"Page not found" in body and b'class="kbgen-moved"' not in body


def test_folder_rename_moves_every_note_in_it(live: Callable[..., Live]) -> None:
    s = live()
    os.replace(s.vault / "notes/Deep", s.vault / "notes/Deeper")
    s.reload_with("deeper/gamma.html")
    assert "Gamma lives deep" in s.page("/deeper/gamma.html")
    status, body, _ = s.get("/deep/gamma.html")
    assert status == 404 and 'href="/deeper/gamma.html"' in body.decode()


def test_attachment_saved_after_the_note_that_embeds_it(live: Callable[..., Live]) -> None:
    s = live()
    (s.vault / "notes/Alpha.md").write_text("Alpha shows ![[chart.png]].\n", encoding="utf-8")
    s.reload_with("alpha.html")
    assert 'src="attachments/chart.png"' not in s.page("/alpha.html")
    (s.vault / "attachments/chart.png").write_bytes(b"\x89PNG\r\n\x1a\nchart")
    event = s.reload_with("attachments/chart.png")
    assert "alpha.html" in event["changed"]
    assert 'attachments/chart.png' in s.page("/alpha.html")
    assert s.get("/attachments/chart.png")[1] == b"\x89PNG\r\n\x1a\nchart"
    (s.vault / "attachments/chart.png").write_bytes(b"\x89PNG\r\n\x1a\nchart v2")
    s.reload_with("attachments/chart.png")
    assert s.get("/attachments/chart.png")[1] == b"\x89PNG\r\n\x1a\nchart v2"


def test_case_only_rename(live: Callable[..., Live]) -> None:
    s = live()
    os.replace(s.vault / "notes/Alpha.md", s.vault / "notes/ALPHA.md")
    s.reload_with("alpha.html")
    html = s.page("/alpha.html")
    assert re.search(r'<h1 class="note-title"[^>]*>ALPHA</h1>', html)
    assert s.get("/alpha.html")[0] == 200


def test_files_changed_during_a_rebuild_are_picked_up_by_the_next(live: Callable[..., Live]) -> None:
    s = live()
    running, release = threading.Event(), threading.Event()
    real = s.server.builder.rebuild

    def slow(paths: set[Path], **kw: Any) -> Any:
        running.set()
        assert release.wait(TIMEOUT)
        return real(paths, **kw)

    s.server.builder.rebuild = slow  # type: ignore[method-assign]
    (s.vault / "notes/Alpha.md").write_text("Alpha during one.\n", encoding="utf-8")
    assert running.wait(TIMEOUT)
    (s.vault / "notes/Beta.md").write_text("Beta written while the rebuild ran.\n", encoding="utf-8")
    time.sleep(0.3)  # the watcher has seen it, while the first rebuild still waits
    release.set()
    s.reload_with("alpha.html")
    s.reload_with("beta.html")
    assert "Beta written while the rebuild ran." in s.page("/beta.html")
    assert "Alpha during one." in s.page("/alpha.html")


def test_a_page_that_connects_late_learns_what_it_missed(live: Callable[..., Live]) -> None:
    s = live()
    epoch = s.server.hub.epoch
    (s.vault / "notes/Alpha.md").write_text("Alpha changed before the page listened.\n", encoding="utf-8")
    s.reload_with("alpha.html")
    late = Stream(s.port, f"?instance={s.server.hub.instance}&since={epoch}")
    try:
        # the edit's reload at least (its follow-up for the pages that show Alpha may be out too)
        assert late.next("hello")["epoch"] > epoch
        missed = late.next("reload")
        assert missed["all"] or "alpha.html" in missed["changed"]
    finally:
        late.close()


# -- errors ----------------------------------------------------------------------------------


def test_template_error_shows_an_overlay_and_keeps_the_last_good_site(live: Callable[..., Live]) -> None:
    s = live()
    good = s.page("/alpha.html")
    template = s.vault / "theme/templates/note.html"
    template.parent.mkdir(parents=True)
    template.write_text('{% extends "base.html" %}\n{% block content %}\n<p>custom</p>\n'
                        "{% if %}\n{% endblock %}\n", encoding="utf-8")
    error = s.stream.next("failure")["error"]
    assert (error["file"], error["line"], error["code"]) == ("theme/templates/note.html", 4, "template")
    assert s.page("/alpha.html") == good
    assert "theme/templates/note.html:4: template:" in s.log.getvalue()
    again = Stream(s.port)  # a page opened now sees the error at once
    try:
        assert again.next("hello")["error"]["line"] == 4
    finally:
        again.close()
    (s.vault / "notes/Alpha.md").write_text("Alpha edited while broken.\n", encoding="utf-8")
    s.stream.next("failure")
    template.write_text('{% extends "base.html" %}\n{% block content %}\n<p>custom {{ page.title }}</p>\n'
                        "{% endblock %}\n", encoding="utf-8")
    event = s.stream.next("reload")
    assert event["recovered"]
    assert "<p>custom Alpha</p>" in s.page("/alpha.html")
    s.settled()
    served = _files(s.out)
    _, clean = build(s.vault, s.vault.parent / "clean", cache=False)
    assert served == _files(clean)


def test_a_theme_broken_from_the_start_is_shown_until_fixed(tmp_path: Path) -> None:
    files = dict(VAULT)
    files["theme/templates/note.html"] = '{% extends "base.html" %}\n{% block content %}{% if %}{% endblock %}\n'
    vault = write_vault(tmp_path / "vault", files)
    log = io.StringIO()
    server = DevServer(vault, tmp_path / "site", port=0, search=False, stream=log)
    server.start()  # serves anyway: there is nothing to show but the error
    try:
        stream = Stream(server.port)
        error = stream.next("hello")["error"]
        assert error["file"] == "theme/templates/note.html" and error["line"] == 2
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)
        conn.request("GET", "/alpha.html")
        resp = conn.getresponse()
        assert resp.status == 404 and b"/.kbgen/live.js" in resp.read()
        (vault / "theme/templates/note.html").unlink()
        assert stream.next("reload")["recovered"]
        conn.request("GET", "/alpha.html")
        resp = conn.getresponse()
        assert resp.status == 200 and b"Alpha text one" in resp.read()
        stream.close()
    finally:
        server.stop()


def test_runtime_template_error_names_the_template_line(live: Callable[..., Live]) -> None:
    s = live()
    template = s.vault / "theme/templates/note.html"
    template.parent.mkdir(parents=True)
    template.write_text('{% extends "base.html" %}\n{% block content %}\n\n{{ no_such_name.attr }}\n'
                        "{% endblock %}\n", encoding="utf-8")
    error = s.stream.next("failure")["error"]
    assert error["file"] == "theme/templates/note.html" and error["line"] == 4
    assert "no_such_name" in error["message"]


def test_broken_config_shows_the_overlay_until_fixed(live: Callable[..., Live]) -> None:
    s = live()
    (s.vault / "kbgen.toml").write_text('title = "Fine"\nno_such_key = 1\n', encoding="utf-8")
    error = s.stream.next("failure")["error"]
    assert error["code"] == "config" and error["file"] == "kbgen.toml" and "no_such_key" in error["message"]
    (s.vault / "notes/Alpha.md").write_text("Alpha edited while the config is broken.\n", encoding="utf-8")
    assert "no_such_key" in s.stream.next("failure")["error"]["message"]  # still broken: still shown
    (s.vault / "kbgen.toml").write_text('title = "Renamed site"\n', encoding="utf-8")
    assert s.stream.next("reload")["all"]
    html = s.page("/alpha.html")
    assert "Renamed site" in html and "Alpha edited while the config is broken." in html


def test_a_config_file_of_another_name(tmp_path: Path) -> None:
    vault = write_vault(tmp_path / "vault", VAULT)
    config = tmp_path / "site.toml"  # outside the vault, as --config allows
    config.write_text('title = "First title"\n', encoding="utf-8")
    server = Live(vault, tmp_path / "site", config_file=config)
    try:
        assert "First title" in server.page("/alpha.html")
        config.write_text('title = "Second title"\n', encoding="utf-8")
        assert server.stream.next("reload")["all"]
        assert "Second title" in server.page("/alpha.html")
    finally:
        server.close()


# -- robustness ------------------------------------------------------------------------------


def test_many_clients_and_clients_that_hang_up(live: Callable[..., Live]) -> None:
    files = dict(VAULT)
    files["attachments/big.bin"] = os.urandom(4 * 1024 * 1024)
    files["notes/Alpha.md"] = "Alpha embeds ![[big.bin]].\n"
    s = live(files)
    streams = [Stream(s.port) for _ in range(40)]
    for st in streams:
        st.next("hello")
    for st in streams[::2]:  # half the pages go away without a word
        st.close()
    for _ in range(10):  # downloads abandoned half-way
        sock = socket.create_connection(("127.0.0.1", s.port))
        sock.sendall(b"GET /attachments/big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        sock.recv(1000)
        sock.close()
    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(s.get("/beta.html")[0])) for _ in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [200] * 40
    (s.vault / "notes/Beta.md").write_text("Beta for everyone.\n", encoding="utf-8")
    for st in streams[1::2]:
        assert "beta.html" in st.next("reload")["changed"]
        st.close()
    assert "Beta for everyone." in s.page("/beta.html")
    deadline = time.monotonic() + TIMEOUT
    while s.server.hub.clients > 1:  # closed streams leave the hub (the fixture's stays)
        assert time.monotonic() < deadline, s.server.hub.clients
        time.sleep(0.1)
    assert "Traceback" not in s.log.getvalue()


def test_listening_on_all_interfaces_warns(tmp_path: Path) -> None:
    vault = write_vault(tmp_path / "vault", VAULT)
    log = io.StringIO()
    server = DevServer(vault, tmp_path / "site", host="0.0.0.0", port=0, search=False, stream=log)
    server.start()
    try:
        assert "warning: listening on all interfaces" in log.getvalue()
        assert server.url == f"http://127.0.0.1:{server.port}/"
    finally:
        server.stop()
    quiet = io.StringIO()
    local = DevServer(vault, tmp_path / "site", port=0, search=False, stream=quiet)
    local.start()
    local.stop()
    assert "warning" not in quiet.getvalue()


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _serve(args: list[str], cwd: Path) -> tuple[subprocess.Popen[str], str]:
    """Start `kbgen serve` in a child process; its URL once it says it is serving."""
    # Ctrl-C reaches it as it reaches a serve started from a terminal: a test run started in the
    # background (`cmd &` in a script) has SIGINT ignored, and a child inherits an ignored signal
    proc = subprocess.Popen([sys.executable, "-m", "kbgen", "serve", *args], cwd=cwd, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                            preexec_fn=_default_sigint)
    lines: queue.Queue[str] = queue.Queue()
    first: list[str] = []

    def read() -> None:
        assert proc.stderr is not None
        while line := proc.stderr.readline():
            if not first:
                lines.put(line)
            if "(Ctrl-C to stop)" in line:
                first.append(line)
                lines.put(line)
                return  # communicate() reads the rest

    threading.Thread(target=read, daemon=True).start()
    seen = ""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            continue
        seen += line
        if m := re.search(r"at (http://\S+) \(Ctrl-C", line):
            return proc, m.group(1)
    os.killpg(proc.pid, signal.SIGKILL)  # workers too: they hold its pipes open
    proc.communicate()
    raise AssertionError(f"kbgen serve did not start within {TIMEOUT} s:\n{seen}")


@pytest.fixture
def serve_cli(tmp_path: Path) -> Iterator[Callable[[list[str]], tuple[subprocess.Popen[str], str]]]:
    """Start `kbgen serve` processes; whatever is left of them (workers too) is killed after the test."""
    started: list[subprocess.Popen[str]] = []

    def start(args: list[str]) -> tuple[subprocess.Popen[str], str]:
        proc, url = _serve(args, tmp_path)
        started.append(proc)
        return proc, url

    yield start
    for proc in started:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.communicate()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_stops_cleanly(tmp_path: Path, sig: int, serve_cli: Callable[..., Any]) -> None:
    vault = write_vault(tmp_path / "vault", VAULT)
    proc, url = serve_cli([str(vault), "--port", "0", "--no-search"])
    port = int(url.rsplit(":", 1)[1].strip("/"))
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    conn.request("GET", "/.kbgen/events")  # an open stream must not keep it alive
    assert conn.getresponse().status == 200
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "stopping" in err
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()


def test_starts_and_stops_with_worker_processes(tmp_path: Path, serve_cli: Callable[..., Any]) -> None:
    # enough notes that the first build parses and renders in forked workers, which inherit
    # serve's signal handlers: their pool must still be able to stop them
    from kbgen.build import PARALLEL_MIN
    files: dict[str, str | bytes] = {f"notes/N{i}.md": f"Note {i} links [[N{i + 1}]].\n"
                                     for i in range(PARALLEL_MIN + 20)}
    vault = write_vault(tmp_path / "vault", files)
    proc, url = serve_cli([str(vault), "--port", "0", "--no-search", "--jobs", "2"])
    port = int(url.rsplit(":", 1)[1].strip("/"))
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    conn.request("GET", "/n7.html")
    assert conn.getresponse().status == 200
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 0 and "Traceback" not in err, err


def test_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    vault = write_vault(tmp_path / "vault", VAULT)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = subprocess.run([sys.executable, "-m", "kbgen", "serve", str(vault), "--port", str(port),
                               "--no-search"], capture_output=True, text=True, timeout=TIMEOUT)
    assert proc.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in proc.stderr and "Traceback" not in proc.stderr


# -- the served site is the built site -------------------------------------------------------


def test_after_a_session_of_edits_the_site_equals_a_clean_build(live: Callable[..., Live]) -> None:
    s = live()
    v = s.vault

    def step(url: str, action: Callable[[], None]) -> None:
        action()
        s.reload_with(url)

    step("alpha.html", lambda: (v / "notes/Alpha.md").write_text("Alpha now links [[Gamma]] #new\n"))
    step("added.html", lambda: (v / "notes/Added.md").write_text("Added, links [[Beta#Nothing]].\n"))
    step("renamed.html", lambda: os.replace(v / "notes/Added.md", v / "notes/Renamed.md"))
    step("beta.html", lambda: (v / "notes/Beta.md").unlink())
    step("alpha.html", lambda: (v / "notes/Alpha.md").write_text("Alpha shows ![[pic.png]]\n"))
    step("attachments/pic.png", lambda: (v / "attachments/pic.png").write_bytes(b"\x89PNGpic"))
    step("deeper/gamma.html", lambda: os.replace(v / "notes/Deep", v / "notes/Deeper"))
    (v / "theme/templates").mkdir(parents=True)
    base = (Path(__file__).parent.parent / "themes/default/templates/base.html").read_text()
    step("alpha.html", lambda: (v / "theme/templates/base.html").write_text(
        base.replace("</footer>", "<p>served footer</p></footer>")))
    step("attachments/pic.png", lambda: (v / "attachments/pic.png").unlink())
    step("index.html", lambda: (v / "notes/Home.md").write_text("# Home\nNow [[Renamed]] only.\n"))
    assert "served footer" in s.page("/alpha.html")
    s.settled()
    _, clean = build(v, v.parent / "clean", cache=False)
    served, expected = _files(s.out), _files(clean)
    assert sorted(served) == sorted(expected)
    for name in expected:
        assert served[name] == expected[name], name


def test_the_search_index_catches_up_with_the_edits(live: Callable[..., Live]) -> None:
    s = live(search=None)  # as the vault says: with search
    assert (s.out / "pagefind/pagefind.js").is_file()
    (s.vault / "notes/Alpha.md").write_text("Alpha now mentions xylophone.\n", encoding="utf-8")
    s.reload_with("alpha.html")
    (s.vault / "notes/Added.md").write_text("Added note about zeppelins.\n", encoding="utf-8")
    s.reload_with("added.html")
    search = s.server.search
    assert search is not None
    s.settled()  # the graph's new layout changes graph.html, which asks for another index
    deadline = time.monotonic() + 4 * TIMEOUT
    while not (search.wait_idle(1.0) and search.runs):
        assert time.monotonic() < deadline, "the search index was never refreshed"
    assert s.get("/pagefind/pagefind-entry.json")[0] == 200
    _, clean = build(s.vault, s.vault.parent / "clean", cache=False, search=True)
    served, expected = _files(s.out), _files(clean)
    assert sorted(served) == sorted(expected)
    for name in expected:
        assert served[name] == expected[name], name
    assert not list(s.out.parent.glob(".site.kbgen-search*"))  # its snapshot is gone


def test_rebuild_batches_pass_both_ends_of_a_rename(tmp_path: Path) -> None:
    vault = write_vault(tmp_path / "vault", VAULT)
    server = DevServer(vault, tmp_path / "site", port=0, search=False, stream=io.StringIO())
    server.start()
    seen: list[set[Path]] = []
    real = server.builder.rebuild
    server.builder.rebuild = lambda paths, **kw: (seen.append(set(paths)), real(paths, **kw))[1]  # type: ignore
    try:
        # into a folder the watcher already knows: inotify pairs the two ends of the move
        src, dest = vault / "notes/Beta.md", vault / "notes/Deep/Beta.md"
        os.replace(src, dest)
        deadline = time.monotonic() + TIMEOUT
        while not any(src.resolve() in p and dest.resolve() in p for p in seen):
            assert time.monotonic() < deadline, seen
            time.sleep(0.05)
    finally:
        server.stop()
    assert not any(p.is_relative_to(tmp_path / "site") for batch in seen for p in batch)


def test_a_new_link_reaches_the_page_first_and_the_global_graph_next(live: Callable[..., Live]) -> None:
    s = live()
    s.stream.drain()
    (s.vault / "notes/Deep/Gamma.md").write_text("Gamma now links [[Alpha]] and [[Beta]].\n", encoding="utf-8")
    first = s.reload_with("deep/gamma.html")
    assert "_kbgen/graph.json" not in (first["changed"] or [])  # laid out after the reload
    s.reload_with("_kbgen/graph.json")
    graph = json.loads(s.get("/_kbgen/graph.json")[1])
    titles = graph["nodes"]["title"]
    pairs = {tuple(sorted((titles[a], titles[b])))
             for a, b in zip(graph["edges"][::2], graph["edges"][1::2])}
    assert ("Beta", "Gamma") in pairs


def test_the_edited_page_reloads_first_and_the_pages_that_show_it_right_after(live: Callable[..., Live]) -> None:
    s = live()
    s.stream.drain()
    assert "Gamma now links" not in s.page("/beta.html")
    (s.vault / "notes/Deep/Gamma.md").write_text("Gamma now links [[Alpha]] and [[Beta]].\n", encoding="utf-8")
    first = s.reload_with("deep/gamma.html")
    assert "beta.html" not in (first["changed"] or [])  # its backlinks come with the next event
    s.reload_with("beta.html")  # without another save
    assert "Gamma now links" in s.page("/beta.html")  # the backlink's context
    s.settled()
    assert not s.server.builder.unfinished
