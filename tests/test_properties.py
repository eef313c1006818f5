"""Property-based: random soups of markdown, wikilinks, embeds, callouts and front matter never
crash the build, every internal href and src of the site reaches a file (and its anchor), no page
holds an id twice, and two builds of the same vault are byte-identical."""
from __future__ import annotations

import hashlib
import posixpath
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import build, write_vault

NAMES = ["Home", "Alpha", "beta note", "Gamma", "sub/Delta", "sub/deep/Epsilon", "Ünïcode ñame",
         "dots.in.name", "Zeta (draft)", "sub/Alpha"]
ELSEWHERE = ["Nowhere", "missing.png", "sub/Nope", "../outside", "#Top", "#^blk", ""]
WORDS = st.sampled_from(["alpha", "beta", "lorem", "ipsum", "Top", "Second part", "x", "ÄÖÜ", "日本語",
                         "a&b", "<b>", "1.5", "don't", "\"q\""])
HEADINGS = st.sampled_from(["Top", "Second part", "Third: colon", "Émoji 🎉", "dup", "dup", "a#b"])
SOUP = st.text(alphabet=st.sampled_from(list("abc []!#|^*_=%$<>&\"'`~-:/\\\n>.()")), max_size=40)


@st.composite
def link(draw: st.DrawFn, embed: bool) -> str:
    target = draw(st.sampled_from(NAMES + ELSEWHERE + (["pic.png", "doc.pdf"] if embed else [])))
    sub = draw(st.sampled_from(["", "#Top", "#Second part", "#Nope", "#^blk", "#^gone", "#Top#Second part"]))
    alias = draw(st.sampled_from(["", "|shown", "|**bold** text", "|300", "|"]))
    return ("!" if embed else "") + f"[[{target}{sub}{alias}]]"


@st.composite
def block(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 13))
    words = " ".join(draw(st.lists(WORDS, min_size=1, max_size=5)))
    if kind == 0:
        return "#" * draw(st.integers(1, 6)) + " " + draw(HEADINGS)
    if kind == 1:
        return f"{words} {draw(link(False))} {words}"
    if kind == 2:
        return draw(link(True))
    if kind == 3:
        fold = draw(st.sampled_from(["", "-", "+"]))
        inner = draw(st.lists(st.one_of(st.just(words), link(False), link(True)), max_size=3))
        return f"> [!{draw(st.sampled_from(['note', 'tip', 'warning', 'Custom']))}]{fold} {words}\n" + \
            "".join(f"> {line}\n" for line in inner)
    if kind == 4:
        items = draw(st.lists(st.tuples(st.integers(0, 3), st.one_of(st.just(words), link(False))),
                              min_size=1, max_size=6))
        return "\n".join("  " * depth + f"- {text}" for depth, text in items)
    if kind == 5:
        return f"{words} ^blk"
    if kind == 6:
        return f"```{draw(st.sampled_from(['', 'python', 'mermaid']))}\n{words} [[Alpha]]\n```"
    if kind == 7:
        return f"{words} #{draw(st.sampled_from(['tag', 'nested/tag', 'Tag', '1984', 'ümlaut']))} {words}"
    if kind == 8:
        return f"[{words}]({draw(st.sampled_from(['Alpha.md', 'sub/Delta.md', 'beta%20note.md', 'https://example.org/x', 'Nowhere.md', '#Top']))})"
    if kind == 9:
        return f"{words}[^1]\n\n[^1]: {words} {draw(link(False))}"
    if kind == 10:
        return f"| a | {words} |\n|---|---|\n| {draw(link(False))} | x |"
    if kind == 11:
        return f"%%{words} {draw(link(False))}%% =={words}== ${words}$"
    if kind == 12:
        return f"<div>{words} <a href=\"javascript:x\">{words}</a></div>"
    return draw(SOUP)


@st.composite
def front_matter(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return ""
    if kind == 1:
        return "---\n" + draw(SOUP) + "\n---\n"
    props = {
        "title": draw(st.sampled_from(["", "A title", "Alpha", "Same", "Same", "“quoted”"])),
        "tags": draw(st.sampled_from(["[a, b/c]", "x", "[]", "{k: 1}", "[Tag, tag]"])),
        "aliases": draw(st.sampled_from(["[Other name]", "Al", "[]", "[1, 2]"])),
        "publish": draw(st.sampled_from(["true", "false", "yes"])),
        "draft": draw(st.sampled_from(["false", "true"])),
        "cssclasses": draw(st.sampled_from(["wide", "[a, b]"])),
        "related": draw(st.sampled_from(['"[[Alpha]]"', '["[[Gamma]]", "[[Nowhere]]"]'])),
        "permalink": draw(st.sampled_from(["", "custom/place", "Alpha"])),
    }
    keys = draw(st.lists(st.sampled_from(sorted(props)), unique=True, max_size=5))
    return "---\n" + "".join(f"{k}: {props[k]}\n" for k in keys if props[k]) + "---\n"


@st.composite
def vaults(draw: st.DrawFn) -> dict[str, str | bytes]:
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=6, unique=True))
    files: dict[str, str | bytes] = {"pic.png": b"\x89PNG\r\n\x1a\n", "doc.pdf": b"%PDF-1.4\n"}
    for name in names:
        blocks = draw(st.lists(block(), max_size=7))
        files[name + ".md"] = draw(front_matter()) + "\n\n".join(blocks) + "\n"
    return files


class Refs(HTMLParser):
    """Every href and src of a page, every id in it, and the ids it holds more than once."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.ids: set[str] = set()
        self.repeated: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.urls.append(value)
            if name in ("id", "name") and value:
                if name == "id" and value in self.ids:
                    self.repeated.append(value)
                self.ids.add(value)


def read_refs(page: Path) -> Refs:
    refs = Refs()
    refs.feed(page.read_text(encoding="utf-8"))
    return refs


def broken_links(out: Path) -> list[str]:
    """Internal hrefs and srcs that do not reach a file of the site, or an id in it."""
    cache: dict[Path, Refs] = {}
    broken = []
    for page in sorted(out.rglob("*.html")):
        refs = cache.setdefault(page, read_refs(page))
        here = page.relative_to(out).parent.as_posix()
        for url in refs.urls:
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or url.startswith("//"):
                continue  # a web address, mailto:, data:
            path = unquote(parts.path)
            target = page if not path else out / posixpath.normpath(posixpath.join(here, path))
            if path.endswith("/"):
                target = target / "index.html"
            if not target.resolve().is_relative_to(out.resolve()) or not target.is_file():
                broken.append(f"{page.relative_to(out)}: {url}")
                continue
            frag = unquote(parts.fragment)
            if frag and target.suffix == ".html":
                ids = cache.setdefault(target, read_refs(target)).ids
                if frag not in ids:
                    broken.append(f"{page.relative_to(out)}: {url} (no id {frag!r})")
    return broken


def repeated_ids(out: Path) -> list[str]:
    """Ids a page holds twice (a link to one of them reaches the first, whichever it meant)."""
    return [f"{page.relative_to(out)}: {ident}" for page in sorted(out.rglob("*.html"))
            for ident in read_refs(page).repeated]


def digests(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(vaults())
def test_any_soup_builds_with_working_links_and_the_same_bytes_twice(files: dict[str, str | bytes]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        vault = write_vault(Path(tmp) / "vault", files)
        first, out1 = build(vault, Path(tmp) / "one", cache=False)
        assert first.pages >= first.notes
        assert broken_links(out1) == []
        assert repeated_ids(out1) == []
        second, out2 = build(vault, Path(tmp) / "two")  # a fresh folder, through the parse cache
        assert digests(out2) == digests(out1)
        assert [d.format() for d in second.diagnostics] == [d.format() for d in first.diagnostics]
