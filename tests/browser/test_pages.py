"""Every page of the bundled vault in the browser: no errors, a layout that fits, screenshots."""
from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import SCREENSHOTS, new_context

pytestmark = pytest.mark.browser

SHOTS = ["index.html", "sts/aws-sts.html", "iam/policies/policy-evaluation-logic.html", "graph.html",
         "tags/index.html", "iam/index.html"]
"""Pages photographed at each width, light and dark, for a person to review."""


def pages(site: Path) -> list[str]:
    """Every page, but not the alias redirects (they only send the browser to a page listed here)."""
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                  if not p.relative_to(site).as_posix().startswith(("pagefind/", "_kbgen/"))
                  and 'http-equiv="refresh"' not in p.read_text(encoding="utf-8"))


def test_every_page_loads_without_errors_or_failed_requests(browser, base_url, site, mermaid_js) -> None:
    context, watch = new_context(browser, mermaid_js, viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        seen = pages(site)
        assert len(seen) > 30
        for url in seen:
            page.goto(base_url + url)  # "load": the page, its styles, scripts and images
            if page.locator("#explorer").count():  # and the one file the scripts fetch
                page.wait_for_selector("#explorer .tree", state="attached")
        assert not watch.problems, "\n".join(watch.problems)
    finally:
        context.close()


def test_mermaid_diagrams_are_drawn(page, base_url, site, mermaid_js) -> None:
    if mermaid_js is None:
        pytest.skip("npm could not fetch the mermaid package: the CDN script was stubbed out")
    with_diagram = [u for u in pages(site) if 'class="mermaid"' in (site / u).read_text(encoding="utf-8")]
    if not with_diagram:
        pytest.skip("the bundled vault has no Mermaid diagram")
    page.goto(base_url + with_diagram[0])
    page.wait_for_selector("pre.mermaid svg", timeout=15000)


@pytest.mark.parametrize("width", [1280, 360])
def test_screenshots_for_review(browser, base_url, mermaid_js, width) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for scheme in ("light", "dark"):
        context, watch = new_context(browser, mermaid_js, viewport={"width": width, "height": 900},
                                     color_scheme=scheme)
        try:
            page = context.new_page()
            for url in SHOTS:
                page.goto(base_url + url)
                page.wait_for_selector("#explorer .tree", state="attached")
                if url == "graph.html":
                    page.wait_for_function("document.getElementById('global-graph').dataset.ready !== undefined")
                overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
                assert overflow <= 0, f"{url} is {overflow}px wider than a {width}px screen"
                if width < 700:  # one column: the content takes the screen's width
                    used = page.evaluate("document.getElementById('content').getBoundingClientRect().width")
                    assert used >= width * 0.85, f"{url}: the content is {used}px wide on a {width}px screen"
                name = url.replace("/", "_").removesuffix(".html")
                page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}-{scheme}.png"))
            # the search dialog with results, and (where there is hover) a link preview
            page.goto(base_url + "sts/aws-sts.html")
            page.keyboard.press("/")
            page.locator("dialog.search-dialog input").fill("temporary credentials")
            page.wait_for_selector(".search-results [role=option]")
            page.screenshot(path=str(SCREENSHOTS / f"search-{width}-{scheme}.png"))
            page.keyboard.press("Escape")
            if width > 760:
                page.locator(".note-body a.internal-link:not(.is-unresolved)").nth(2).hover()
                page.wait_for_selector(".popover")
                page.screenshot(path=str(SCREENSHOTS / f"preview-{width}-{scheme}.png"))
            assert not watch.problems, "\n".join(watch.problems)
        finally:
            context.close()
