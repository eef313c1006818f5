"""What Pagefind should see in the built site: each indexed page's words, section by section.

Read from the HTML the way Pagefind reads it (inside `data-pagefind-body`, skipping
`data-pagefind-ignore`), so the search tests pick their words from whatever the bundled vault
holds today instead of hard-coding them."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

WORD = re.compile(r"[a-z0-9]+")
PAIR = re.compile(r"(?<![\w'’-])(?=([a-z]{5,}) ([a-z]{5,})(?![\w'’-]))")
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Indexed:
    url: str
    title: str = ""
    sections: list[tuple[str, list[str]]] = field(default_factory=list)
    """(anchor of the heading the words follow, '' before the first; the words)."""
    tags: set[str] = field(default_factory=set)
    pairs: set[tuple[str, str]] = field(default_factory=set)
    """Two plain words side by side within one piece of text (no markup or hyphen between)."""

    def words(self) -> list[str]:
        return [w for _, ws in self.sections for w in ws]


class _Reader(HTMLParser):
    def __init__(self, page: Indexed) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.stack: list[tuple[str, bool, bool]] = []  # (tag, opens the body, opens an ignore)
        self.depth_body = 0
        self.depth_ignore = 0
        self.in_title = False
        page.sections.append(("", []))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if "data-pagefind-filter" in a and (a["data-pagefind-filter"] or "").startswith("tag:"):
            self.page.tags.add((a["data-pagefind-filter"] or "")[4:])
        if tag in VOID:
            return
        body = "data-pagefind-body" in a
        ignore = "data-pagefind-ignore" in a
        self.depth_body += body
        self.depth_ignore += ignore
        self.stack.append((tag, body, ignore))
        if tag in HEADINGS and a.get("id") and self.depth_body and not self.depth_ignore:
            self.page.sections.append((a["id"] or "", []))
        if tag == "h1" and "note-title" in (a.get("class") or ""):
            self.in_title = True

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            name, body, ignore = self.stack.pop()
            self.depth_body -= body
            self.depth_ignore -= ignore
            if name == tag:
                break
        if tag == "h1":
            self.in_title = False

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.page.title += data
        if self.depth_body and not self.depth_ignore:
            self.page.sections[-1][1].extend(WORD.findall(data.lower()))
            for m in PAIR.finditer(data.lower()):
                self.page.pairs.add((m.group(1), m.group(2)))


def read(site: Path) -> dict[str, Indexed]:
    """Site-relative URL → what is indexed of it, for every page with a `data-pagefind-body`."""
    out = {}
    for file in sorted(site.rglob("*.html")):
        rel = file.relative_to(site).as_posix()
        if rel.startswith(("pagefind/", "_kbgen/")):
            continue
        text = file.read_text(encoding="utf-8")
        if "data-pagefind-body" not in text:
            continue
        page = Indexed(rel)
        _Reader(page).feed(text)
        page.title = page.title.strip()
        out[rel] = page
    return out


def rare_word(pages: dict[str, Indexed], in_section: bool = False) -> tuple[str, str, str]:
    """(word, url, anchor): a longish word that only one page holds, once, and (with
    `in_section`) under a heading that is not the page's first."""
    # rare by stem, not only by spelling: Pagefind matches "assertions" to "assertion"
    where: dict[str, set[str]] = {}
    for url, page in pages.items():
        for w in page.words():
            where.setdefault(w[:6], set()).add(url)
    for url, page in sorted(pages.items()):
        counts = Counter(page.words())
        for i, (anchor, words) in enumerate(page.sections):
            if in_section and (i < 2 or not anchor):
                continue
            for w in words:
                if len(w) >= 9 and w.isalpha() and where[w[:6]] == {url} and counts[w] == 1:
                    return w, url, anchor
    raise LookupError("no rare word in the vault")


def stem(word: str) -> str:
    """A crude stem, enough to foresee Pagefind's: "policies" and "policy" share "polic"."""
    return word[:5]


def phrase(pages: dict[str, Indexed]) -> tuple[str, set[str], set[str]]:
    """(two-word phrase, pages holding it, pages holding both words but never side by side),
    words compared by stem as Pagefind compares them."""
    def stems(p: Indexed) -> list[str]:
        return [stem(w) for w in p.words()]

    counts: Counter[tuple[str, str]] = Counter()
    for page in pages.values():
        counts.update(page.pairs)
    for (a, b), _ in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        sa, sb = stem(a), stem(b)
        if sa == sb:
            continue
        holding = {u for u, p in pages.items() if (sa, sb) in set(zip(stems(p), stems(p)[1:]))}
        apart = {u for u, p in pages.items() if u not in holding and sa in stems(p) and sb in stems(p)}
        if holding and apart:
            return f"{a} {b}", holding, apart
    raise LookupError("no phrase whose words also appear apart")
