"""Self-check of the vault generator: determinism and link statistics on N=50 (`python benchmarks/selfcheck.py`)."""
from __future__ import annotations

import hashlib
import re
import statistics
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # noqa: E402

N = 50
WIKI = re.compile(r"(!?)\[\[([^\]\n]+)\]\]")
MDLINK = re.compile(r"(?<![!\]])\[([^\]\n]*)\]\(([^)\s]+\.md(?:#[^)\s]*)?)\)")
HEADING = re.compile(r"^#{1,6} (.+)$", re.M)
BLOCK_ID = re.compile(r" \^([a-z0-9]{6})$", re.M)
FENCE = re.compile(r"^```.*?^```$", re.S | re.M)


def tree_digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def check_determinism(tmp: Path) -> None:
    generate(N, tmp / "a", seed=1)
    generate(N, tmp / "b", seed=1)
    generate(N, tmp / "c", seed=2)
    a, b, c = tree_digest(tmp / "a"), tree_digest(tmp / "b"), tree_digest(tmp / "c")
    assert a == b, "same seed gave different vaults"
    assert a != c, "different seeds gave the same vault"
    assert sum(k.endswith(".md") for k in a) == N, "wrong note count"
    assert (tmp / "a" / "kbgen.toml").read_text() == f'title = "Generated vault {N}"\n'
    for png in (tmp / "a" / "attachments").glob("*.png"):
        assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def check_links(root: Path) -> Counter[str]:
    """Every resolved link target, heading and block id must exist; count kinds for the ranges."""
    notes = {p.stem.lower(): p for p in sorted((root / "notes").rglob("*.md"))}
    texts = {stem: p.read_text(encoding="utf-8") for stem, p in notes.items()}
    headings = {s: {h.lower() for h in HEADING.findall(FENCE.sub("", t))} for s, t in texts.items()}
    blocks = {s: set(BLOCK_ID.findall(t)) for s, t in texts.items()}
    images = {p.name for p in (root / "attachments").iterdir()}
    stats: Counter[str] = Counter()
    per_note: list[int] = []
    for stem, text in texts.items():
        assert "[[" not in "".join(FENCE.findall(text)), "link inside a code block"
        links = 0
        for bang, inner in WIKI.findall(text):
            target, _, sub = inner.split("|")[0].partition("#")
            if bang:
                stats["image embed" if target in images else "transclusion"] += 1
                assert target in images or target.lower() in notes, inner
                continue
            links += 1
            if target.lower() not in notes:
                stats["unresolved"] += 1
            elif sub.startswith("^"):
                assert sub[1:] in blocks[target.lower()], f"missing block {inner}"
                stats["block"] += 1
            elif sub:
                assert sub.lower() in headings[target.lower()], f"missing heading {inner}"
                stats["heading"] += 1
            else:
                stats["alias" if "|" in inner else "plain"] += 1
        for _, href in MDLINK.findall(text):
            name = href.split("#")[0].rsplit("/", 1)[-1].replace("%20", " ")[:-3]
            assert name.lower() in notes, href
            stats["markdown"] += 1
            links += 1
        stats["glued"] += len(re.findall(r"\]\][a-z'-]", text))
        per_note.append(links)
    assert min(per_note) >= 5 and max(per_note) <= 20, f"links per note {min(per_note)}–{max(per_note)}"
    stats["notes"] = len(texts)
    stats["links"] = sum(per_note)
    stats["mean words"] = int(statistics.mean(len(t.split()) for t in texts.values()))
    return stats


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        check_determinism(Path(tmp))
        stats = check_links(Path(tmp) / "a")
    for kind in ("unresolved", "heading", "alias", "glued", "image embed"):
        assert stats[kind] > 0, f"no {kind} links"
    assert stats["block"] + stats["markdown"] + stats["transclusion"] > 0
    print(", ".join(f"{k}: {v}" for k, v in sorted(stats.items())))
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
