"""Search in the browser: Pagefind's index of the bundled vault, through the theme's search box."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

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


# -- a sharded index (shards.py): the bundled vault split into several Pagefind bundles ------------

def shard_of(site: Path) -> tuple[dict[str, str], dict[str, set[str]]]:
    """Site-relative page URL → the folder of the bundle that indexed it ('' for the primary),
    and tag → the pages Pagefind files under it (parent tags included), read from the bundles."""
    import gzip
    import json
    where: dict[str, str] = {}
    tagged: dict[str, set[str]] = {}
    listed = json.loads((site / "pagefind" / "kbgen-shards.json").read_text())["shards"]
    for shard in listed:
        for f in sorted((site / "pagefind" / shard["path"] / "fragment").iterdir()):
            fragment = json.loads(gzip.decompress(f.read_bytes())[len(b"pagefind_dcd"):])
            where[fragment["url"].lstrip("/")] = shard["path"]
            for tag in fragment["filters"].get("tag", []):
                tagged.setdefault(tag, set()).add(fragment["url"].lstrip("/"))
    return where, tagged


@pytest.fixture(scope="module")
def sharded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The bundled vault built with shards of 4 to 12 pages, those of 8 or more in two lanes, served
    under /repo/."""
    import functools
    import http.server
    import threading
    from kbgen import shards
    from kbgen.build import Builder
    from .conftest import PREFIX, REPO, Handler
    out = tmp_path_factory.mktemp("sharded") / "site"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(shards, "SHARD_MIN", 4)
        mp.setattr(shards, "SHARD_SPAN", 4)
        mp.setattr(shards, "SHARD_MAX", 12)
        mp.setattr(shards, "LANE_MIN", 8)
        result = Builder(REPO, out, quiet=True, search=True).build()
    assert not [d for d in result.diagnostics if d.code == "search"], result.diagnostics
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}{PREFIX}", out
    server.shutdown()
    server.server_close()


def tag_menu(page) -> list[str]:
    page.wait_for_function("document.querySelectorAll('dialog.search-dialog select option').length > 1")
    return page.eval_on_selector_all("dialog.search-dialog select option", "os => os.map(o => o.textContent)")


def test_a_sharded_index_finds_words_tags_and_sections_of_every_shard(page, sharded, base_url) -> None:
    base, site = sharded
    indexed, (where, counts) = corpus.read(site), shard_of(site)
    assert set(where) == set(indexed) and len(set(where.values())) >= 3, set(where.values())
    # a word only a page of the last shard holds, under a heading of its own
    last = max(set(where.values()), key=lambda p: int(p.strip("/").split("-")[-1] or 0))
    stems: dict[str, set[str]] = {}
    for url, p in indexed.items():
        for w in p.words():
            stems.setdefault(w[:6], set()).add(url)
    word, url, anchor = next((w, u, a) for u, p in sorted(indexed.items()) if where[u] == last
                             for a, ws in p.sections[2:] if a for w in ws
                             if len(w) >= 9 and w.isalpha() and stems[w[:6]] == {u} and p.words().count(w) == 1)
    box = open_search(page, base)
    found = search(page, box, word)
    assert found and found[0] == url, (word, last, found)
    first = page.locator(".search-results > li").first
    assert word in first.locator(".excerpt mark").first.inner_text().lower()
    assert first.locator("ul a").first.get_attribute("href").endswith(f"{url}#{anchor}")
    # the tag menu counts the tagged pages of every shard; the filter keeps them across shards
    tag = max((t for t, us in counts.items() if len({where[u] for u in us}) > 1 and len(us) < len(indexed) / 2),
              key=lambda t: (len(counts[t]), t))
    tagged = counts[tag]
    menu = tag_menu(page)
    assert menu == tag_menu(open_search(page, base_url).page), "the same menu as the one-bundle index's"
    box = open_search(page, base)
    common = max({w for u in tagged for w in indexed[u].words() if len(w) > 4},
                 key=lambda w: (len({where[u] for u in tagged if w in indexed[u].words()}),
                                sum(w in p.words() for p in indexed.values()), w))
    everywhere = set(search(page, box, common))
    assert everywhere - tagged, "pick a word that is also in untagged notes"
    filtered = set(search(page, box, f"#{tag} {common}"))
    assert filtered and filtered <= tagged, (tag, filtered - tagged)
    assert len({where[u] for u in filtered}) > 1, "the tagged results come from more than one shard"
