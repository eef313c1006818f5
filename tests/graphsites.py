"""Sites for the graph picture tests: a small vault, and large synthetic graphs built fast."""
from __future__ import annotations

import random
from pathlib import Path

from conftest import write_vault
from kbgen.build import Builder
from kbgen.config import Config
from kbgen.graph import LinkGraph
from kbgen.site import Site


def collect(root: Path) -> Site:
    site, _ = Builder(root, root.parent / "site", quiet=True, cache=False).collect()
    return site


def small_vault(tmp_path: Path) -> Site:
    """Ten nodes: Hub, its neighbours A, B, Sub/C and the concept Nowhere, theirs further out, and Lonely."""
    return collect(write_vault(tmp_path / "vault", {
        "kbgen.toml": 'title = "T"\n',
        "Hub.md": "# Hub\n[[A]] [[B]] [[Sub/C]] [[Nowhere]]\n",
        "A.md": "# A\n[[Hub]] [[Far]]\n",
        "B.md": "# B\nback to [[Hub]]\n",
        "Sub/C.md": "# C\n[[D]]\n",
        "Sub/D.md": "# D\nalone at depth 3 from Hub? no: [[E]]\n",
        "Sub/E.md": "# E\n",
        "Far.md": "# Far\n[[Farther]]\n",
        "Farther.md": "# Farther\n",
        "Lonely.md": "# Lonely\nno links\n",
    }))


def synthetic(n: int, seed: int = 3) -> Site:
    """A site of `n` notes with clustered random links, straight into the graph (fast)."""
    rng = random.Random(seed)
    graph = LinkGraph()
    for i in range(n):
        graph.g.add_node(f"note:n{i}.md", kind="note", path=f"f{i % 7}/n{i}.md", title=f"Note {i}")
    for i in range(n):
        for _ in range(rng.randint(0, 6)):
            j = (i + rng.randint(1, 40)) % n if rng.random() < 0.8 else rng.randrange(n)
            if j != i:
                graph.g.add_edge(f"note:n{i}.md", f"note:n{j}.md")
    return Site(config=Config(root=Path(".")), notes={}, urls={f"f{i % 7}/n{i}.md": f"n{i}.html" for i in range(n)},
                targets={}, graph=graph, tags={}, home=None)
