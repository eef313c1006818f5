"""What both graph pictures share: colour groups, the same on every page."""
from __future__ import annotations

from pathlib import Path

from conftest import write_vault
from graphsites import collect
from kbgen import adjacency, localgraph


def test_colour_groups_follow_folders_or_tags_and_agree_between_pages(tmp_path: Path) -> None:
    files = {f"Big/N{i}.md": "[[Small/S0]] #b/x" for i in range(5)}
    files.update({f"Small/S{i}.md": "[[Big/N0]] #a" for i in range(2)})
    root = write_vault(tmp_path / "v", files)
    site = collect(root)
    assert adjacency.palette(site) == {"Big": 1, "Small": 2}
    seen = {}
    for path in site.notes:
        for n in localgraph.local_graph(site, path)["nodes"]:
            seen.setdefault(n["title"], set()).add(n["colour"])
    assert all(len(c) == 1 for c in seen.values()), seen
    assert seen["N0"] == {1} and seen["S0"] == {2}
    (root / "kbgen.toml").write_text('graph_color_by = "tag"\n')
    by_tag = collect(root)
    assert adjacency.palette(by_tag) == {"b": 1, "a": 2}
