"""The local graph's edges and its SVG's hrefs memo: what local_graph draws, by definition."""
from __future__ import annotations

from pathlib import Path

from conftest import write_vault
from graphsites import collect, synthetic
from kbgen import graphsvg, localgraph
from kbgen.adjacency import adjacency
from kbgen.site import Site
from kbgen.urls import relative


def _by_definition(site: Site, g: dict) -> list[tuple[int, int]]:
    """Every pair of shown nodes linked either way, as (a, b) with a < b, sorted."""
    adj = adjacency(site.graph)
    ids = [n["id"] for n in g["nodes"]]
    return [(a, b) for a in range(len(ids)) for b in range(a + 1, len(ids)) if ids[b] in adj[ids[a]]]


def _odd_site(tmp_path: Path) -> Site:
    notes = {f"N{i}.md": f"# N{i}\n[[N{(i * 3) % 25}]] [[N{(i + 1) % 25}]] [[Idea {i % 4}]]\n" for i in range(25)}
    notes["Sub/Lonely.md"] = "# Lonely\n"
    notes["Sub/Deep.md"] = "# Deep\n[[N1]] [[Idea 1]] [[Sub/Lonely]]\n"
    return collect(write_vault(tmp_path / "v", notes))


def test_edges_are_every_linked_pair_of_shown_nodes(tmp_path: Path) -> None:
    site = synthetic(400)
    for i in range(0, 400, 7):
        g = localgraph.local_graph(site, f"n{i}.md")
        assert g["edges"] == _by_definition(site, g)
        assert all(type(e) is tuple for e in g["edges"])
    site = _odd_site(tmp_path)
    for path in site.notes:
        g = localgraph.local_graph(site, path)
        assert g["edges"] == _by_definition(site, g)
        inner = [i for i, n in enumerate(g["nodes"]) if n["ring"] == 1]
        assert [b for a, b in g["edges"] if a == 0] == inner  # the middle meets its inner ring, only


def test_a_links_memo_shared_by_a_folder_s_pages_draws_the_same(tmp_path: Path) -> None:
    site = _odd_site(tmp_path)
    for folder in ("", "f", "f/g"):
        links: dict[str, str] = {}
        for k, path in enumerate(site.notes):  # pages of one folder: href() answers alike
            url = f"{folder}/p{k}.html".lstrip("/")
            href = lambda u: relative(url, u)  # noqa: E731
            g = localgraph.local_graph(site, path)
            assert graphsvg.local_graph_svg(g, href, links) == graphsvg.local_graph_svg(g, href)
        assert len(links) > 20 and all(v == relative(f"{folder}/x.html".lstrip("/"), k) for k, v in links.items())


def test_pages_of_one_folder_share_the_links_memo_and_another_folder_starts_anew() -> None:
    from kbgen import render
    a = render._links("x/y")
    assert render._links("x/y") is a
    a["n.html"] = "../../n.html"
    b = render._links("x")
    assert b is not a and "n.html" not in b
    assert render._links("x/y") is not a  # the folder changed in between: made again


def _old_spread(wanted: list[float], names: list[str], widest: float = 0.45) -> dict[str, float]:
    """localgraph._spread as it was written before (kept here)."""
    import math
    m = len(wanted)
    if not m:
        return {}
    gap = min(2 * math.pi / m, widest)
    got = list(wanted)
    for i in range(1, m):
        got[i] = max(got[i], got[i - 1] + gap)
    if got[-1] - got[0] > 2 * math.pi - gap:
        got = [wanted[0] + 2 * math.pi * i / m for i in range(m)]
    else:
        shift = sum(w - g for w, g in zip(wanted, got)) / m
        got = [g + shift for g in got]
    return dict(zip(names, got))


def test_outer_angles_spread_as_before() -> None:
    import random
    rng = random.Random(5)
    for _ in range(2000):
        m = rng.randrange(0, 40)
        wanted = sorted(rng.choice([rng.uniform(-1.6, 4.7), rng.choice([0.5, 1.0, 3.1])]) for _ in range(m))
        names = [f"n{i}" for i in range(m)]
        assert localgraph._spread(wanted) == list(_old_spread(wanted, names).values())  # exactly: the same floats
