"""Note embeds past the page's cap (body.MAX_EMBEDS) are each shown as a link to what they embed."""
from __future__ import annotations

import re
from pathlib import Path

from conftest import build, codes, write_vault
from kbgen.body import MAX_EMBEDS


def test_embeds_past_the_cap_link_to_their_own_targets(tmp_path: Path) -> None:
    extra = ["![[A]]", "![[B#Part two]]", "![[A|Shown]]", "![[B]]", "![[A]]", "![[B#Part two]]"]
    body = "![[A]]\n" * MAX_EMBEDS + "\n".join(extra) + "\n"
    vault = write_vault(tmp_path / "v", {
        "Big.md": body, "A.md": "alpha text\n", "B.md": "# Part two\n\nbeta text\n"})
    result, out = build(vault)
    page = (out / "big.html").read_text()
    assert page.count('class="internal-embed markdown-embed"') == MAX_EMBEDS
    cuts = re.findall(r'<a class="internal-link embed-cut" href="([^"]*)">→ ([^<]*)</a>', page)
    assert cuts == [("a.html", "A"), ("b.html#part-two", "B &gt; Part two"), ("a.html", "Shown"),
                    ("b.html", "B"), ("a.html", "A"), ("b.html#part-two", "B &gt; Part two")]
    limits = [c for c in codes(result) if c[2] == "embed-limit"]
    assert limits == [("Big.md", MAX_EMBEDS + 1, "embed-limit")]  # once, at the first embed cut


def test_cycle_cuts_link_to_their_own_targets(tmp_path: Path) -> None:
    """A note embedding its own sections and blocks, each several times and written several ways:
    every embed is a cycle, shown as the link made for it (made once per target as written)."""
    embeds = ["![[#H]]", "![[#h|Shown]]", "![[#^b]]", "![[Big#H]]", "![[#Sub]]", "![[#H]]", "![[#^b|x]]",
              "![[Big]]", "![[#^B]]", "![[Big#H|Shown]]"]
    body = "# H\n\ntext ^b\n\n## Sub\n\n" + "\n".join(embeds * 3) + "\n"
    vault = write_vault(tmp_path / "v", {"Big.md": body})
    result, out = build(vault)
    page = (out / "big.html").read_text()
    cuts = re.findall(r'<a class="internal-link embed-cut" href="([^"]*)">→ ([^<]*)</a>', page)
    assert cuts == [("big.html#h", "H"), ("big.html#h", "Shown"), ("big.html#^b", "^b"),
                    ("big.html#h", "Big &gt; H"), ("big.html#sub", "Sub"), ("big.html#h", "H"),
                    ("big.html#^b", "x"), ("big.html", "Big"), ("big.html#^b", "^B"), ("big.html#h", "Shown")] * 3
    cycles = [c for c in codes(result) if c[2] == "embed-cycle"]
    assert [line for _, line, _ in cycles] == list(range(7, 7 + 3 * len(embeds)))  # one at each embed
