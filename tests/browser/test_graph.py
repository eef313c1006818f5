"""The local graph on note pages and the global graph page, in the browser."""
from __future__ import annotations

from pathlib import Path

import pytest

from kbgen.adjacency import adjacency
from kbgen.build import Builder
from kbgen.globalgraph import PREVIEW
from kbgen.localgraph import _short, local_graph
from kbgen.site import Site, is_concept_label

from .conftest import REPO

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def vault() -> Site:
    site, _ = Builder(REPO, quiet=True).collect()
    return site


def within_two(site: Site, path: str) -> set[str]:
    """Titles of the note and everything within two links of it (notes and concepts), from the
    link graph itself: what a local graph of a small neighbourhood must show."""
    g = site.graph.g
    start = "note:" + path

    def shown(n: str) -> bool:
        d = g.nodes[n]
        return d["kind"] == "note" or (d["kind"] == "concept" and is_concept_label(d["title"]))

    seen = {start}
    frontier = {start}
    for _ in range(2):
        frontier = {m for n in frontier for m in set(g.successors(n)) | set(g.predecessors(n))
                    if m not in seen and shown(m)}
        seen |= frontier
    return {g.nodes[n]["title"] for n in seen}


def test_local_graph_shows_the_neighbourhood_and_a_click_opens_a_node(page, base_url, vault) -> None:
    # the note with the largest neighbourhood that still fits the graph whole
    sizes = {p: within_two(vault, p) for p in vault.notes}
    path = max((p for p in sizes if 5 < len(sizes[p]) <= 40), key=lambda p: (len(sizes[p]), p))
    url = vault.urls[path]
    page.goto(base_url + url)
    svg = page.locator(".local-graph svg")
    titles = svg.locator(".nodes > * > title").all_text_contents()
    shown = {t.removesuffix(" (no note yet)") for t in titles}
    assert shown == sizes[path]
    ghosts = {t.removesuffix(" (no note yet)") for t in svg.locator(".node-concept > title").all_text_contents()}
    assert ghosts == {t for t in shown if any(vault.graph.g.nodes[n]["title"] == t and n.startswith("concept:")
                                              for n in vault.graph.g)}
    assert svg.locator(".current > title").text_content() == vault.notes[path].title
    # hovering a node lights up its links and neighbours, shows its label and dims the rest
    data = local_graph(vault, path)
    names = [n["title"] for n in data["nodes"]]
    quiet = next(n for n in data["nodes"] if n["ring"] == 1 and not n["label"] and n["url"])
    i = names.index(quiet["title"])
    near = {names[b if a == i else a] for a, b in data["edges"] if i in (a, b)}
    first = svg.locator(".ring1 > a", has=page.locator(f"title:text-is({quiet['title']!r})"))
    label = first.locator("text")
    assert not label.is_visible()
    first.hover()
    assert "hl" in svg.get_attribute("class")
    assert label.is_visible() and label.text_content() == _short(quiet["title"])
    lit = {t.removesuffix(" (no note yet)") for t in svg.locator(".nodes > .on > title").all_text_contents()}
    assert lit == near | {quiet["title"]}
    assert svg.locator("line.on").count() == len(near)
    ends = svg.locator("line.on").evaluate_all("ls => ls.map(l => ['x1', 'y1', 'x2', 'y2'].map(a => +l.getAttribute(a)))")
    at = {n["title"]: (n["x"], n["y"]) for n in data["nodes"]}
    assert sorted(tuple(e) for e in ends) == sorted(at[quiet["title"]] + at[t] for t in near)
    target = first.get_attribute("href")
    first.locator("circle").click()
    page.wait_for_url("**/" + target.split("/")[-1])
    assert page.url == page.evaluate(f"new URL({target!r}, {base_url + url!r}).href")


def test_local_graph_zooms_with_the_buttons(page, base_url, vault) -> None:
    page.goto(base_url + "index.html")
    svg = page.locator(".local-graph svg")
    before = svg.get_attribute("viewBox")
    svg.hover()
    page.locator(".local-graph .graph-tools button[aria-label='Zoom in']").click()
    after = svg.get_attribute("viewBox")
    assert float(after.split()[2]) < float(before.split()[2])
    page.locator(".local-graph .graph-tools button[aria-label='Reset the view']").click()
    assert svg.get_attribute("viewBox").split() == before.split()


def test_global_graph_opens_and_a_found_note_opens_on_click(page, base_url, vault) -> None:
    page.goto(base_url + "graph.html")
    box = page.locator("#global-graph")
    page.wait_for_function("document.getElementById('global-graph').dataset.ready !== undefined")
    assert box.locator("canvas").is_visible()
    status = box.locator(".graph-status").inner_text()
    assert status.startswith("Showing ")
    drawn = page.evaluate("""() => { const c = document.querySelector('#global-graph canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let ink = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) ink++; return ink; }""")
    assert drawn > 1000, "the canvas is blank"
    # find a note by its title: the view centres on it, a click in the middle opens it
    path = max(vault.notes, key=lambda p: (vault.graph.degree("note:" + p), p))
    title = vault.notes[path].title
    box.locator(".graph-find").fill(title)
    box.locator(".graph-find").press("Enter")
    canvas = box.locator("canvas")
    bb = canvas.bounding_box()
    page.mouse.move(bb["x"] + bb["width"] / 2, bb["y"] + bb["height"] / 2)
    assert box.locator(".graph-tip").inner_text().startswith(title)
    page.mouse.click(bb["x"] + bb["width"] / 2, bb["y"] + bb["height"] / 2)
    page.wait_for_url("**/" + vault.urls[path].split("/")[-1])


def test_the_graph_page_reads_without_javascript(browser, base_url, vault) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(base_url + "graph.html")
        links = page.locator(".graph-preview a")
        assert links.count() == min(PREVIEW, len(adjacency(vault.graph)))  # notes and concepts
        assert page.locator(".graph-legend li").count() >= 2
    finally:
        context.close()
