"""graphsvg.local_graph_svg against the way it was written before (kept here), byte for byte."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from markupsafe import Markup

from conftest import write_vault
from graphsites import collect, synthetic
from kbgen import graphsvg, localgraph
from kbgen.urls import relative


def _old_trails(edges: list[tuple[int, int]], count: int) -> list[list[int]]:
    near: list[list[int]] = [[] for _ in range(count)]
    for a, b in edges:
        near[a].append(b)
        near[b].append(a)
    trails = []
    for start in [v for v in range(count) if len(near[v]) % 2] + list(range(count)):
        while near[start]:
            v, trail = start, [start]
            while near[v]:
                w = near[v].pop()
                near[w].remove(v)
                trail.append(w)
                v = w
            trails.append(trail)
    return trails


def _old_svg(graph: dict[str, Any], href: Any) -> Markup:
    nodes = graph["nodes"]
    size = graph["size"]
    point = [f'{n["x"]} {n["y"]}' for n in nodes]
    path = "".join(f"M{point[t[0]]}L{' '.join([point[i] for i in t[1:]])}"
                   for t in _old_trails(graph["edges"], len(nodes)))
    out = [f'<svg class="graph" viewBox="0 0 {size} {size}" role="group" aria-labelledby="graph-title" '
           f'data-size="{size}"><path class="edges" d="{path}"/>']
    ring = None
    for i in range(len(nodes) - 1, -1, -1):
        n = nodes[i]
        if n["ring"] != ring:
            out.append(f'{"</g>" if ring is not None else ""}<g class="nodes ring{n["ring"]}">')
            ring = n["ring"]
        concept = n["id"].startswith("concept:")
        cls = [f'c{n["colour"]}'] if n["colour"] else []
        cls += ["node-concept"] if concept else []
        cls += ["current"] if i == 0 else []
        cls += ["labelled"] if n["label"] else []
        attrs = f' class="{" ".join(cls)}"' if cls else ""
        x, y, r = n["x"], n["y"], n["r"]
        tag = "a" if n["url"] and i else "g"
        if tag == "a":
            attrs = f' href="{graphsvg._xml(href(n["url"]))}"{attrs}'
        out.append(f'<{tag}{attrs}><title>{graphsvg._xml(n["title"])}{" (no note yet)" if concept else ""}</title>'
                   f'<circle cx="{x}" cy="{y}" r="{r:g}"/>')
        if n["label"]:
            out.append(f'<text x="{x}" y="{int(y + r + 9.5)}"{graphsvg._anchor(x, size)}>'
                       f'{graphsvg._xml(graphsvg._short(n["title"]))}</text>')
        out.append(f"</{tag}>")
    out.append("</g></svg>" if nodes else "</svg>")
    return Markup("".join(out))


def test_svg_alike_on_a_synthetic_vault() -> None:
    site = synthetic(400)
    for i in range(0, 400, 3):
        url = f"f/n{i}.html"
        g = localgraph.local_graph(site, f"n{i}.md")
        assert g["nodes"]
        href = lambda u: relative(url, u)  # noqa: E731
        assert graphsvg.local_graph_svg(g, href) == _old_svg(g, href)


def test_svg_alike_with_concepts_odd_titles_and_no_links(tmp_path: Path) -> None:
    notes = {f"N{i}.md": f"# N{i}\n[[N{(i * 3) % 25}]] [[N{(i + 1) % 25}]] [[Idea {i % 4}]] [[A & <b> \"{i % 2}\"]]\n"
             for i in range(25)}
    notes["Sub/Lonely.md"] = "# Lonely\n"
    notes["Sub/Deep.md"] = "---\ntitle: 'A very long title that gets shortened & <escaped>'\n---\n[[N1]] [[Idea 1]]\n"
    site = collect(write_vault(tmp_path / "v", notes))
    for path in site.notes:
        url = site.urls[path]
        g = localgraph.local_graph(site, path)
        href = lambda u: relative(url, u)  # noqa: E731
        assert graphsvg.local_graph_svg(g, href) == _old_svg(g, href)
    assert graphsvg.local_graph_svg({"nodes": [], "edges": [], "size": 300}, str) == \
        _old_svg({"nodes": [], "edges": [], "size": 300}, str)


def test_svg_alike_for_notes_linking_to_one_hub(tmp_path: Path) -> None:
    # pages whose pictures differ only in their middle node: the edge path and the other nodes
    # of the page before are taken again, and must be exactly what they would be (in another
    # folder, the same picture links elsewhere)
    notes = {f"f{i % 2}/N{i:02}.md": "see [[Hub]]\n" for i in range(100)}
    notes["Hub.md"] = "# Hub\n"
    notes["Other.md"] = "[[Hub]] [[N03]] [[N07]]\n"
    site = collect(write_vault(tmp_path / "v", notes))
    folders: dict[str, dict[str, str]] = {}
    apart = ["f0/N98.md", "f1/N99.md", "f0/N96.md", "f1/N97.md"]  # alike but their middle, folders apart
    for path in sorted(site.notes) + sorted(site.notes, reverse=True) + apart:
        url = site.urls[path]
        g = localgraph.local_graph(site, path)
        href = lambda u: relative(url, u)  # noqa: E731
        links = folders.setdefault(url.rpartition("/")[0], {})
        assert graphsvg.local_graph_svg(g, href, links) == _old_svg(g, href)
        g["edges"].append((0, 1))  # a caller's change to its own graph reaches no other page
        g["nodes"][1]["x"] += 1
