"""Shared files written with every build: explorer tree and global graph for the scripts; sitemap, feed, redirects.

stable_files() are made of titles, URLs, aliases and permalinks; changing_files() of what any edit
may change. serve keeps the first across edits that cannot change them.
"""
from __future__ import annotations

import json
from typing import Any

from kbgen.pages import Page
from kbgen.site import Site
from kbgen.urls import folder_url

DATA_PREFIX = "_kbgen/"


def changing_files(site: Site, pages: list[Page]) -> dict[str, bytes]:
    """The shared files any edit may change: the global graph, the sitemap and feed (dates)."""
    from kbgen import feeds
    from kbgen.globalgraph import global_layout
    return {DATA_PREFIX + "graph.json": _layout_json(global_layout(site)),
            **feeds.dated_files(site, pages)}  # sitemap.xml, feed.xml with a base_url


def stable_files(site: Site, pages: list[Page]) -> dict[str, bytes]:
    """The explorer tree and the redirect pages: made of titles, URLs, aliases and permalinks,
    which an edit in place does not change, and at 10 000 notes a tenth of a second to make."""
    from kbgen import feeds
    return {DATA_PREFIX + "explorer.json": _json(explorer(site)), **feeds.redirect_files(site, pages)}


def explorer(site: Site) -> dict[str, Any]:
    """The folder tree: {name, url, children: [...], notes: [{title, url}]} (site-relative urls)."""
    root: dict[str, Any] = {"name": site.config.site_title, "url": "index.html", "folders": {}, "notes": []}
    for path in site.notes:
        rel = path[len(site.strip):] if site.strip and path.startswith(site.strip) else path
        parts = rel.split("/")
        node = root
        for i, part in enumerate(parts[:-1]):
            folder = site.strip + "/".join(parts[: i + 1])
            node = node["folders"].setdefault(part, {"name": part, "url": folder_url(folder, site.strip),
                                                     "folders": {}, "notes": []})
        if path in site.folder_notes.values() or path == site.home:
            continue
        node["notes"].append({"title": site.title(path), "url": site.urls[path]})
    return _finish(root)


def _finish(node: dict[str, Any]) -> dict[str, Any]:
    return {"name": node["name"], "url": node["url"],
            "folders": [_finish(node["folders"][k]) for k in sorted(node["folders"], key=str.casefold)],
            "notes": sorted(node["notes"], key=lambda n: n["title"].casefold())}


_last_layout: list[Any] = [None, b""]


def _layout_json(layout: dict[str, Any]) -> bytes:
    """graph.json's bytes, made again only for a new layout: an edit that keeps the links keeps
    the layout object, and at 10 000 notes its JSON takes 30 ms."""
    if _last_layout[0] is not layout:
        _last_layout[:] = [layout, _json(layout)]
    return _last_layout[1]


def _json(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode()

