"""Finding one's way in the browser: explorer, hover previews, table of contents, theme, keyboard."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import new_context

pytestmark = pytest.mark.browser


def tree(site: Path) -> dict:
    return json.loads((site / "_kbgen" / "explorer.json").read_text(encoding="utf-8"))


def test_the_theme_toggle_is_remembered_across_pages(page, base_url) -> None:
    page.goto(base_url + "index.html")
    toggle = page.locator(".theme-toggle")
    assert toggle.get_attribute("aria-pressed") == "false"  # the context prefers light
    light_bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
    toggle.click()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    dark_bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert dark_bg != light_bg
    page.locator(".site-nav a", has_text="Tags").click()
    page.wait_for_url("**/tags/index.html")
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == dark_bg
    assert page.locator(".theme-toggle").get_attribute("aria-pressed") == "true"
    page.locator(".theme-toggle").click()
    page.reload()
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == light_bg


def test_the_theme_starts_from_the_system_setting(browser, base_url, mermaid_js) -> None:
    context, watch = new_context(browser, mermaid_js, color_scheme="dark")
    try:
        page = context.new_page()
        page.goto(base_url + "index.html")
        assert page.locator(".theme-toggle").get_attribute("aria-pressed") == "true"
        bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert bg != "rgb(255, 255, 255)"
        assert not watch.problems, watch.problems
    finally:
        context.close()


def test_the_explorer_expands_navigates_and_remembers(page, base_url, site) -> None:
    data = tree(site)
    folder = max(data["folders"], key=lambda f: (len(f["notes"]), f["name"]))
    note = folder["notes"][0]
    page.goto(base_url + "index.html")
    explorer = page.locator("#explorer")
    button = explorer.get_by_role("button", name=f"Show {folder['name']}")
    assert button.get_attribute("aria-expanded") == "false"
    button.click()
    opened = explorer.get_by_role("button", name=f"Hide {folder['name']}")
    assert opened.get_attribute("aria-expanded") == "true"
    link = explorer.get_by_role("link", name=note["title"], exact=True)
    link.click()
    page.wait_for_url("**/" + note["url"])
    page.locator("#explorer .tree").wait_for()  # built once explorer.json is fetched
    current = page.locator("#explorer a[aria-current=page]")
    assert current.inner_text() == note["title"]
    # the folder of the current page is open, and so is every folder opened before
    assert page.locator("#explorer").get_by_role("button", name=f"Hide {folder['name']}").count() == 1
    other = next((f for f in data["folders"] if f is not folder), None)
    if other is not None:
        page.locator("#explorer").get_by_role("button", name=f"Show {other['name']}").click()
        page.goto(base_url + "index.html")
        page.locator("#explorer .tree").wait_for()  # (count() does not wait: it failed on a busy machine)
        assert page.locator("#explorer").get_by_role("button", name=f"Hide {other['name']}").count() == 1


def test_hovering_a_link_previews_the_target_at_its_heading(page, base_url, site) -> None:
    page.goto(base_url + "index.html")
    link = page.locator(".note-body a.internal-link:not(.is-unresolved)").first
    href = link.get_attribute("href")
    link.hover()
    popover = page.locator(".popover")
    popover.wait_for(state="visible")
    target_title = page.evaluate("""async (href) => {
        const doc = new DOMParser().parseFromString(await (await fetch(href)).text(), 'text/html');
        return doc.querySelector('.note-title').textContent; }""", href)
    headings = [h.strip() for h in popover.locator("h1, h2, h3").all_inner_texts()]
    assert headings[0] == target_title.strip() and headings.count(headings[0]) == 1  # on top, once
    assert popover.locator(".markdown-rendered").inner_text().strip()
    page.mouse.move(0, 0)
    popover.wait_for(state="detached")
    # a link to a heading opens the preview scrolled to that heading
    with_heading = page.locator(".note-body a.internal-link[href*='#']:not([href^='#'])").first
    if with_heading.count():
        with_heading.hover()
        popover.wait_for(state="visible")
        target = popover.locator(".target")
        assert target.count() == 1
        pb, tb = popover.bounding_box(), target.bounding_box()
        assert pb["y"] <= tb["y"] < pb["y"] + pb["height"], "the heading is scrolled into the preview"


def test_a_focused_link_previews_too_and_escape_closes_it(page, base_url) -> None:
    page.goto(base_url + "index.html")
    link = page.locator(".note-body a.internal-link:not(.is-unresolved)").first
    link.focus()
    popover = page.locator(".popover")
    popover.wait_for(state="visible")
    assert link.get_attribute("aria-describedby") == "kbgen-preview"
    page.keyboard.press("Escape")
    popover.wait_for(state="detached")


def test_no_previews_on_touch_screens(browser, base_url, mermaid_js) -> None:
    context, watch = new_context(browser, mermaid_js, viewport={"width": 390, "height": 800},
                                 has_touch=True, is_mobile=True)
    try:
        page = context.new_page()
        page.goto(base_url + "index.html")
        assert page.evaluate("matchMedia('(hover: none)').matches")
        page.locator(".note-body a.internal-link:not(.is-unresolved)").first.focus()
        page.wait_for_timeout(800)
        assert page.locator(".popover").count() == 0
        assert not watch.problems, watch.problems
    finally:
        context.close()


def test_the_table_of_contents_follows_the_reading(page, base_url, site) -> None:
    # the note page with the longest table of contents
    best, most = None, 0
    for file in site.rglob("*.html"):
        text = file.read_text(encoding="utf-8")
        n = text.count('class="toc-h')
        if n > most:
            best, most = file.relative_to(site).as_posix(), n
    assert best and most >= 3
    page.set_viewport_size({"width": 1280, "height": 700})
    page.goto(base_url + best)
    links = page.locator(".toc a")
    hrefs = links.evaluate_all("as => as.map(a => a.getAttribute('href'))")
    target = hrefs[len(hrefs) // 2]
    page.evaluate(f"document.getElementById(decodeURIComponent({target[1:]!r})).scrollIntoView()")
    page.wait_for_function(f"document.querySelector('.toc a.active')?.getAttribute('href') === {target!r}")
    assert page.locator(".toc a.active").count() == 1


def test_skip_link_and_search_button_work_from_the_keyboard(page, base_url) -> None:
    page.goto(base_url + "index.html")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#content"
    outline = page.evaluate("""() => { const b = document.querySelector('.search-open'); b.focus();
        return getComputedStyle(b).outlineStyle; }""")
    assert outline != "none", "focus must be visible"
    page.keyboard.press("Enter")
    assert page.locator("dialog.search-dialog").is_visible()


def test_the_phone_layout_has_a_notes_drawer(browser, base_url, mermaid_js) -> None:
    context, watch = new_context(browser, mermaid_js, viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        page.goto(base_url + "index.html")
        explorer = page.locator("#explorer")
        assert not explorer.is_visible()
        page.locator(".nav-toggle").click()
        assert explorer.is_visible()
        page.keyboard.press("Escape")
        assert not explorer.is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        assert not watch.problems, watch.problems
    finally:
        context.close()


def test_the_explorer_opens_the_folders_above_the_current_page(page, base_url, site) -> None:
    def deepest(folder: dict, trail: list[str]) -> tuple[list[str], dict] | None:
        best = None
        for sub in folder["folders"]:
            found = deepest(sub, trail + [sub["name"]])
            if found and (best is None or len(found[0]) > len(best[0])):
                best = found
        if best is None and folder["notes"] and trail:
            best = (trail, folder["notes"][0])
        return best
    trail, note = deepest(tree(site), [])
    assert len(trail) >= 2
    page.goto(base_url + note["url"])
    explorer = page.locator("#explorer")
    assert explorer.locator("a[aria-current=page]").inner_text() == note["title"]
    for name in trail:
        assert explorer.get_by_role("button", name=f"Hide {name}").count() == 1, name
