"""Hostile names and front matter in real Chromium: on every page of the site no script of theirs
runs (no dialog, no console error), also when the theme builds the explorer, the graph, hover
previews and search results from the site's JSON and pages."""
from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest

from kbgen.build import Builder
from test_robustness import write_hostile_vault

from .conftest import PREFIX, Handler, new_context

pytestmark = pytest.mark.browser

PIXEL = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                      "0000000d4944415478da63f8cfc0f01f0005000200d8f1d5e10000000049454e44ae426082")
"""A 1×1 PNG, answered for the `src=x` that the sanitizer leaves of `<img src=x onerror=…>`."""

DOM_CHECK = """() => {
  const bad = [];
  for (const el of document.querySelectorAll("*")) {
    for (const a of el.attributes) {
      const v = a.value.replace(/\\s/g, "").toLowerCase();
      if (a.name.startsWith("on")) bad.push(`${el.tagName} ${a.name}=${a.value}`);
      if (["href", "src", "action", "formaction", "xlink:href"].includes(a.name) && v.startsWith("javascript:"))
        bad.push(`${el.tagName} ${a.name}=${a.value}`);
    }
  }
  for (const s of document.scripts) {
    if (s.src && !new URL(s.src).pathname.includes("/_static/") && !s.src.includes("pagefind")) bad.push(`script ${s.src}`);
    if (!s.src && s.textContent.includes("alert(")) bad.push(`inline script ${s.textContent.slice(0, 60)}`);
  }
  return bad;
}"""


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("hostile")
    vault = write_hostile_vault(base / "vault")
    out = base / "site"
    result = Builder(vault, out, quiet=True, search=True).build()
    assert not result.errors, [d.format() for d in result.diagnostics if d.level == "error"]
    return out


@pytest.fixture(scope="module")
def hostile_url(hostile_site: Path) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(Handler, directory=str(hostile_site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}{PREFIX}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def hostile(browser: Any, mermaid_js: bytes | None) -> Iterator[tuple[Any, list[str]]]:
    context, watch = new_context(browser, mermaid_js, viewport={"width": 1280, "height": 900})
    context.route(lambda url: url.split("?")[0].endswith("/x"),
                  lambda route: route.fulfill(status=200, body=PIXEL, content_type="image/png"))
    dialogs: list[str] = []
    page = context.new_page()
    page.on("dialog", lambda d: (dialogs.append(f"{d.type}: {d.message} ({page.url})"), d.dismiss()))
    yield page, dialogs
    problems = watch.problems
    context.close()
    assert not dialogs, "\n".join(dialogs)
    assert not problems, "\n".join(problems)


def test_no_script_runs_on_any_page(hostile: tuple[Any, list[str]], hostile_site: Path, hostile_url: str) -> None:
    page, dialogs = hostile
    pages = sorted(p.relative_to(hostile_site).as_posix() for p in hostile_site.rglob("*.html"))
    assert len(pages) >= 15
    for rel in pages:
        page.goto(hostile_url + rel.replace("%", "%25").replace("?", "%3F").replace("#", "%23"))
        page.wait_for_load_state("networkidle")
        assert page.evaluate(DOM_CHECK) == [], rel
    assert not dialogs


def test_hover_previews_show_hostile_pages_as_text(hostile: tuple[Any, list[str]], hostile_url: str) -> None:
    """A preview fetches the linked page and shows its body here; the home note links to every
    hostile note, concept and heading."""
    page, dialogs = hostile
    page.goto(hostile_url + "index.html")
    page.wait_for_load_state("networkidle")
    shown = 0
    for link in page.locator("main .note-body a.internal-link").all():
        page.mouse.move(0, 0)  # away from the last preview, which may cover this link
        page.wait_for_timeout(300)
        if link.is_visible():
            link.hover(timeout=5000)
            page.wait_for_timeout(700)
            shown += page.locator("#kbgen-preview").count()
    assert shown >= 5
    assert page.evaluate(DOM_CHECK) == []
    assert not dialogs


def test_explorer_graph_and_search_build_no_script(hostile: tuple[Any, list[str]], hostile_url: str) -> None:
    page, dialogs = hostile
    page.goto(hostile_url + "graph.html")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    for node in page.locator("svg a, svg .node").all()[:10]:
        if node.is_visible():
            node.hover()
    assert page.evaluate(DOM_CHECK) == []

    page.goto(hostile_url + "index.html")
    page.wait_for_load_state("networkidle")
    explorer = page.locator("#explorer")
    assert "onmouseover" in explorer.inner_text()  # the hostile folder's name, shown as text
    page.keyboard.press("/")
    box = page.locator("dialog.search-dialog input[type=search]")
    box.wait_for(state="visible")
    for query in ("alert", "script", "onmouseover", "javascript"):
        page.evaluate("document.querySelector('.search-status').textContent = ''")
        box.fill(query)
        page.wait_for_function("document.querySelector('.search-status').textContent !== ''")
        page.wait_for_timeout(200)
        assert page.evaluate(DOM_CHECK) == [], query
    assert page.locator(".search-results > li").count() > 0  # the payloads were found, as text
    assert not dialogs
