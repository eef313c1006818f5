"""`kbgen serve` in real Chromium: a saved edit shows without a manual reload, scrolled where it was;
pages the edit does not touch stay as they are; a failed rebuild shows an overlay until fixed."""
from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from kbgen.serve import DevServer

from conftest import write_vault

WAIT = 60_000
"""Milliseconds Playwright waits for the change to show; generous, nothing here is timed."""

LONG = "\n\n".join(f"Paragraph {i} of a long note, long enough to scroll. " * 3 for i in range(80))
VAULT = {
    "notes/Home.md": "# Home\n[[Alpha]] [[Beta]]\n",
    "notes/Alpha.md": "# Alpha\nFirst version of Alpha.\n\n" + LONG + "\n\nAlpha ends here.\n",
    "notes/Beta.md": "# Beta\nBeta links [[Alpha]].\n",
    "notes/Lonely.md": "# Lonely\nNo links here.\n",
}


@pytest.fixture
def served(tmp_path: Path) -> Iterator[DevServer]:
    vault = write_vault(tmp_path / "vault", VAULT)
    server = DevServer(vault, tmp_path / "site", port=0, search=False, stream=io.StringIO())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def page(served: DevServer, browser: Any) -> Iterator[Any]:
    """A page whose console errors, uncaught exceptions and failed requests fail the test, except
    those a reload cuts short (ERR_ABORTED): always the never-ending event stream, and now and
    then a late favicon on a busy machine. A missing file fails it as an HTTP error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    problems: list[str] = []

    def attach(pg: Any) -> None:
        pg.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
              if m.type == "error" else None)
        pg.on("pageerror", lambda e: problems.append(f"uncaught: {e}"))
        pg.on("requestfailed", lambda r: None if "/.kbgen/events" in r.url or r.failure == "net::ERR_ABORTED"
              else problems.append(f"request failed: {r.url} {r.failure}"))
        pg.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)

    context.on("page", attach)
    yield context.new_page()
    context.close()
    assert not problems, "\n".join(problems)


def _edit(server: DevServer, rel: str, change: Callable[[str], str]) -> None:
    path = server.root / rel
    tmp = path.with_name("." + path.name + ".tmp")  # as most editors save: a temporary file, renamed
    tmp.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    os.replace(tmp, path)


def test_a_saved_edit_appears_without_a_manual_reload(served: DevServer, page: Any) -> None:
    page.goto(served.url + "alpha.html")
    page.wait_for_function("() => window.scrollY === 0 && document.readyState === 'complete'")
    page.evaluate("window.scrollTo(0, 1500)")
    page.wait_for_function("() => Math.abs(window.scrollY - 1500) < 2")
    page.evaluate("window.__untouched = true")  # gone once the page reloads
    _edit(served, "notes/Alpha.md", lambda t: t.replace("First version of Alpha.", "Second version, live."))
    page.locator(".note-body", has_text="Second version, live.").wait_for(timeout=WAIT)
    assert page.evaluate("window.__untouched") is None
    page.wait_for_function("() => Math.abs(window.scrollY - 1500) < 2", timeout=WAIT)
    assert page.locator("text=First version of Alpha.").count() == 0


def test_pages_the_edit_does_not_touch_stay_as_they_are(served: DevServer, page: Any) -> None:
    other = page.context.new_page()
    page.goto(served.url + "lonely.html")
    other.goto(served.url + "beta.html")
    other.evaluate("window.__untouched = true")
    page.evaluate("window.__untouched = true")
    _edit(served, "notes/Lonely.md", lambda t: t.replace("No links here.", "Still no links, new words."))
    page.locator(".note-body", has_text="Still no links, new words.").wait_for(timeout=WAIT)
    assert page.evaluate("window.__untouched") is None  # reloaded
    assert other.evaluate("window.__untouched") is True  # left alone: nothing of it changed
    other.close()


def test_a_failed_rebuild_shows_an_overlay_until_fixed(served: DevServer, page: Any) -> None:
    page.goto(served.url + "beta.html")
    template = served.root / "theme/templates/note.html"
    template.parent.mkdir(parents=True)
    template.write_text('{% extends "base.html" %}\n{% block content %}\n<p>mine</p>\n{% for %}\n'
                        "{% endblock %}\n", encoding="utf-8")
    overlay = page.locator("#kbgen-live-error")
    overlay.wait_for(timeout=WAIT)
    assert "theme/templates/note.html:4" in overlay.inner_text()
    assert page.locator(".note-body", has_text="Beta links").count() == 1  # the last good page stays
    template.write_text('{% extends "base.html" %}\n{% block content %}\n<p class="mine">mine: '
                        "{{ page.title }}</p>\n{% endblock %}\n", encoding="utf-8")
    page.locator("p.mine", has_text="mine: Beta").wait_for(timeout=WAIT)
    assert overlay.count() == 0


def test_a_renamed_note_reloads_into_a_404_that_links_to_it(served: DevServer, browser: Any) -> None:
    context = browser.new_context()  # this page meets a 404 on purpose
    try:
        page = context.new_page()
        page.goto(served.url + "beta.html")
        os.replace(served.root / "notes/Beta.md", served.root / "notes/Beta Renamed.md")
        link = page.locator("#moved-to a")
        link.wait_for(timeout=WAIT)
        assert page.locator("h1", has_text="Page not found").count() == 1
        link.click()
        page.locator(".note-title", has_text="Beta Renamed").wait_for(timeout=WAIT)
        assert page.url == served.url + "beta-renamed.html"
    finally:
        context.close()
