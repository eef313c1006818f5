"""Search in the browser: Pagefind's index of the bundled vault, through the theme's search box."""
from __future__ import annotations

from pathlib import Path

import pytest

from . import corpus

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def indexed(site: Path) -> dict[str, corpus.Indexed]:
    return corpus.read(site)


def open_search(page, base_url: str, start: str = "index.html", key: str = "/"):
    page.goto(base_url + start)
    page.wait_for_load_state("networkidle")
    page.keyboard.press(key)
    box = page.locator("dialog.search-dialog input[type=search]")
    box.wait_for(state="visible")
    return box


def results(page) -> list[str]:
    """The page URLs (site-relative) of the results shown, in order."""
    page.wait_for_function("document.querySelector('.search-status').textContent !== ''")
    hrefs = page.eval_on_selector_all(".search-results > li > a", "as => as.map(a => a.href)")
    base = page.evaluate("new URL(document.body.dataset.root || './', location.href).href")
    return [h[len(base):].split("#")[0] for h in hrefs]


def search(page, box, text: str) -> list[str]:
    page.evaluate("document.querySelector('.search-status').textContent = ''")
    box.fill(text)
    return results(page)


def test_a_word_from_a_note_body_finds_the_note_and_opens_it(page, base_url, indexed) -> None:
    word, url, _ = corpus.rare_word(indexed)
    box = open_search(page, base_url)
    found = search(page, box, word)
    assert found and found[0] == url, (word, found)
    mark = page.locator(".search-results > li").first.locator(".excerpt mark").first
    assert word in mark.inner_text().lower()
    page.keyboard.press("Enter")
    page.wait_for_url("**/" + url + "*")
    assert page.title().startswith(indexed[url].title)


def test_a_result_opens_at_the_matching_heading(page, base_url, indexed) -> None:
    word, url, anchor = corpus.rare_word(indexed, in_section=True)
    box = open_search(page, base_url, key="Control+k")
    assert search(page, box, word)[0] == url
    sub = page.locator(".search-results > li").first.locator("ul a").first
    assert sub.get_attribute("href").endswith(f"{url}#{anchor}")
    sub.click()
    page.wait_for_url(f"**/{url}#{anchor}")
    heading = page.locator(f"[id='{anchor}']")
    assert heading.is_visible()
    assert 0 <= heading.bounding_box()["y"] < 300  # scrolled to it, below the sticky header


def test_quotes_find_the_exact_phrase_only(page, base_url, indexed) -> None:
    text, holding, apart = corpus.phrase(indexed)
    box = open_search(page, base_url)
    loose = set(search(page, box, text))
    exact = set(search(page, box, f'"{text}"'))
    assert exact and exact <= holding, (text, exact, holding)
    assert apart & loose, "the words alone should also find pages where they stand apart"
    assert not apart & exact, (text, apart & exact)


def test_the_tag_filter_keeps_only_tagged_notes(page, base_url, indexed) -> None:
    counts: dict[str, int] = {}
    for p in indexed.values():
        for t in p.tags:
            counts[t] = counts.get(t, 0) + 1
    tag = max((t for t, n in counts.items() if 1 < n < len(indexed) / 2), key=lambda t: (counts[t], t))
    tagged = {u for u, p in indexed.items() if tag in p.tags}
    common = max({w for u in tagged for w in indexed[u].words() if len(w) > 4},
                 key=lambda w: (sum(w in p.words() for p in indexed.values()), w))
    box = open_search(page, base_url)
    everywhere = set(search(page, box, common))
    assert everywhere - tagged, "pick a word that is also in untagged notes"
    page.evaluate("document.querySelector('.search-status').textContent = ''")
    page.locator("dialog.search-dialog select").select_option(tag)
    filtered = set(results(page))
    assert filtered and filtered <= tagged, (tag, filtered - tagged)
    page.locator("dialog.search-dialog select").select_option("")
    by_hash = set(search(page, box, f"#{tag} {common}"))
    assert by_hash == filtered


def test_search_closes_with_escape_and_works_from_a_nested_page(page, base_url, indexed) -> None:
    word, url, _ = corpus.rare_word(indexed)
    nested = max(indexed, key=lambda u: u.count("/"))
    box = open_search(page, base_url, start=nested)
    assert search(page, box, word)[0] == url  # links rebased on this page's root, under /repo/
    page.keyboard.press("Escape")
    assert not page.locator("dialog.search-dialog").is_visible()
    page.locator(".search-open").click()
    assert page.locator("dialog.search-dialog input").is_visible()
