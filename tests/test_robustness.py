"""Bad input: every strange file gets a diagnostic with its path and line, and the rest of the site builds.

The bad-input vault is written by code (some of its names cannot be committed portably): broken
front matter, wrong encodings, binary data, pathological markdown, embed cycles and fan-out,
links and symlinks that try to leave the vault, clashing, reserved and undecodable names.
"""
from __future__ import annotations

import os
import sys
import unicodedata
from pathlib import Path
from typing import Any, Callable

import pytest

from conftest import build, codes, write_vault
from kbgen.body import MAX_EMBEDS
from kbgen.markdown import make_parser
from kbgen.parse import parse_note

SECRET = b"SECRET-OUTSIDE-THE-VAULT"
HOME = """# Home

[[Good]] [[../../etc/passwd]]

![[%2e%2e/secret.png]]

![[../secret.png]]

![shot](%2e%2e/secret.png)

[[/etc/passwd]]

![[link.png]]

[[passwd]] [[secret-note]]

[[Hub]] [[CON]] [[a:b]]

[absolute](/etc/passwd)
"""
MUTUAL = [f"m{i}" for i in range(8)]

BAD: dict[str, str | bytes] = {
    "Home.md": HOME,
    "Good.md": "---\ntitle: Good\n---\nfine and well [[Home]]\n",
    "yaml-error.md": "---\ntitle: a: b\n---\nbody\n",
    "yaml-tab.md": "---\nok: 1\n\tbad: 2\n---\nbody\n",
    "fm-list.md": "---\n- a\n- b\n---\nbody\n",
    "fm-scalar.md": "---\njust text\n---\nbody\n",
    "fm-types.md": "---\ntags: {a: 1}\naliases: [x, {y: 2}]\ntitle: 42\n---\nbody\n",
    "fm-bomb.md": "---\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                  "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                  "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
                  "tags: *f\n---\nboom\n",
    "fm-self.md": "---\na: &a [*a]\n---\nself\n",
    "fm-deep.md": "---\ntitle: deep\na: " + "[" * 10_000 + "]" * 10_000 + "\n---\nnested properties\n",
    "fm-escape.md": "---\npermalink: ../../../../escaped\naliases: [../../../alias-escape, /etc/x]\n"
                    "tags: ['..', '../..', 'a/../../b']\n---\nstays inside\n",
    "latin1.md": "ok line\nsecond line café\n".encode("latin-1"),
    "binary.md": b"first line\n\x00\x01\x02 binary \x00 data\n",
    "empty.md": b"",
    "brackets.md": "[[" * 100_000 + "\n",
    "embeds.md": "![[" * 50_000 + "\n",
    "nested-list.md": "- " * 10_000 + "deep\n",
    "nested-quote.md": "> " * 10_000 + "deep\n",
    "outline.md": "".join("  " * i + f"- level{i}\n" for i in range(30)),
    "emphasis.md": "*a**" * 20_000 + "\n\n" + "_" * 50_000 + "x" + "*" * 50_000 + "\n\n" + "==a" * 20_000 + "\n",
    "cycle-a.md": "![[cycle-b]]\n",
    "cycle-b.md": "![[cycle-a]]\n",
    "self.md": "![[self]]\n",
    "Hub.md": "".join(f"![[n{i}]]\n" for i in range(1000)),
    "CON.md": "reserved on Windows\n",
    "a:b.md": "a colon\n",
    "what?.md": "a question mark\n",
    "Case.md": "upper\n",
    "case.md": "lower\n",
    "x" * 250 + ".md": "a very long name\n",
    unicodedata.normalize("NFC", "café.md"): "composed\n",
    unicodedata.normalize("NFD", "café.md"): "decomposed\n",
    **{f"many/n{i}.md": f"note {i}\n" for i in range(1000)},
    **{f"mutual/{a}.md": "".join(f"![[{b}]]\n" for b in MUTUAL if b != a) for a in MUTUAL},
}

EXPECTED = {
    ("Home.md", 3, "outside-vault"),
    ("Home.md", 5, "missing-attachment"),
    ("Home.md", 7, "outside-vault"),
    ("Home.md", 9, "outside-vault"),
    ("Home.md", 11, "unresolved-link"),
    ("Home.md", 13, "missing-attachment"),
    ("Home.md", 15, "unresolved-link"),
    ("Home.md", 19, "outside-vault"),
    ("yaml-error.md", 2, "invalid-front-matter"),
    ("yaml-tab.md", 3, "invalid-front-matter"),
    ("fm-list.md", 1, "invalid-front-matter"),
    ("fm-scalar.md", 1, "invalid-front-matter"),
    ("fm-types.md", 2, "invalid-front-matter"),
    ("fm-types.md", 3, "invalid-front-matter"),
    ("fm-types.md", 4, "invalid-front-matter"),
    ("fm-bomb.md", 1, "invalid-front-matter"),
    ("fm-self.md", 1, "invalid-front-matter"),
    ("fm-deep.md", 3, "invalid-front-matter"),
    ("latin1.md", 2, "encoding"),
    ("binary.md", 2, "binary-file"),
    ("nested-list.md", 1, "too-deep"),
    ("nested-quote.md", 1, "too-deep"),
    ("cycle-a.md", 1, "embed-cycle"),
    ("cycle-b.md", 1, "embed-cycle"),
    ("self.md", 1, "embed-cycle"),
    ("CON.md", 0, "invalid-name"),
    ("a:b.md", 0, "invalid-name"),
    ("what?.md", 0, "invalid-name"),
    ("case.md", 0, "duplicate-name"),
    ("case.md", 0, "url-collision"),
    ("café.md", 0, "duplicate-name"),
    ("link.png", 0, "symlink"),
    ("passwd.md", 0, "symlink"),
    ("inside-link.md", 0, "symlink"),
    ("linkdir", 0, "symlink"),
    ("pipe.md", 0, "special-file"),
    ("bad\ufffdname.md", 0, "invalid-name"),
}


def write_bad_vault(base: Path) -> Path:
    """The vault at base/vault, with secrets beside it that nothing may read or publish."""
    (base / "secret.png").write_bytes(SECRET)
    outside = base / "outside"
    outside.mkdir()
    (outside / "passwd").write_bytes(SECRET)
    (outside / "secret-note.md").write_bytes(b"# Secret\n" + SECRET)
    vault = write_vault(base / "vault", BAD)
    os.symlink(base / "secret.png", vault / "link.png")
    os.symlink(outside / "passwd", vault / "passwd.md")
    os.symlink(outside, vault / "linkdir")
    os.symlink(vault / "Good.md", vault / "inside-link.md")
    os.mkfifo(vault / "pipe.md")
    with open(os.fsencode(vault) + b"/bad\xffname.md", "wb") as fh:
        fh.write(b"an undecodable name\n")
    return vault


@pytest.fixture(scope="module")
def bad(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path, Path]:
    base = tmp_path_factory.mktemp("bad")
    vault = write_bad_vault(base)
    result, out = build(vault, base / "site")
    return result, vault, out


def test_each_bad_input_gets_its_diagnostic(bad: tuple[Any, Path, Path]) -> None:
    result, _, _ = bad
    got = set(codes(result))
    assert EXPECTED <= got, sorted(EXPECTED - got)
    assert result.errors == 0  # bad notes are warnings: the site is still published


def test_check_reports_the_bad_vault_without_building_it(bad: tuple[Any, Path, Path]) -> None:
    from kbgen.check import check

    result, vault, _ = bad
    report = check(vault, cache=False)
    found = {(d.path, d.line, d.code) for d in report.diagnostics}
    # what the build reports at parse and resolve time, plus what only a linter asks
    assert {e for e in EXPECTED if e[2] != "embed-cycle"} <= found  # cycles are cut while rendering
    assert ("empty.md", 0, "empty-note") in found
    assert not (vault / "site").exists()


def test_the_rest_of_the_site_builds(bad: tuple[Any, Path, Path]) -> None:
    result, vault, out = bad
    assert "fine and well" in (out / "good.html").read_text()
    skipped = {"passwd.md", "inside-link.md", "pipe.md"}
    expected_notes = {p for p in BAD if p.endswith(".md")} - skipped
    # the NFC and NFD spellings of café.md are one note
    assert result.notes == len({unicodedata.normalize("NFC", p) for p in expected_notes})
    for page in ("empty.html", "binary.html", "latin1.html", "brackets.html", "emphasis.html",
                 "nested-list.html", "nested-quote.html", "con.html", "a-b.html", "case.html",
                 "case-2.html", "fm-bomb.html", "fm-self.html", "cycle-a.html", "self.html"):
        assert (out / page).is_file(), page
    assert "second line caf\ufffd" in (out / "latin1.html").read_text()
    # every character of the 100 000 brackets is still there, as text
    assert (out / "brackets.html").read_text().count("[[" * 1000) >= 100
    outline = (out / "outline.html").read_text()
    assert all(f"level{i}" in outline for i in range(30))  # a deep outline keeps all its levels


def test_embeds_cut_cycles_show_1000_notes_and_cap_fan_out(bad: tuple[Any, Path, Path]) -> None:
    result, _, out = bad
    embed = 'class="internal-embed markdown-embed"'
    assert (out / "hub.html").read_text().count(embed) == 1000
    assert "embed-cut" in (out / "cycle-a.html").read_text()
    for name in MUTUAL:
        page = (out / "mutual" / f"{name}.html").read_text()
        assert page.count(embed) == MAX_EMBEDS  # 7 + 7·6 + … + 7·6·5·4·3·2 would be 13 699 embeds
    assert any(c == "embed-limit" and p.startswith("mutual/") for p, _, c in codes(result))


def test_nothing_outside_the_vault_is_read_or_published(bad: tuple[Any, Path, Path]) -> None:
    _, vault, out = bad
    for f in out.rglob("*"):
        assert not f.is_symlink(), f
        assert f.resolve().is_relative_to(out.resolve()), f  # no permalink, alias or tag escaped
        if f.is_file():
            assert SECRET not in f.read_bytes(), f
    assert not (out / "link.png").exists() and not (out / "linkdir").exists()
    assert not list(out.rglob("secret.png")) and not list(out.rglob("passwd"))
    escaped = [p for p in vault.parent.rglob("*escape*.html") if not p.is_relative_to(out)]
    assert escaped == []  # the permalink and alias with ../ landed inside the site
    assert list(out.rglob("*escape*.html"))


def test_names_that_clash_or_are_too_long(bad: tuple[Any, Path, Path]) -> None:
    _, _, out = bad
    names = [f.name for f in out.rglob("*")]
    assert max(len(n.encode()) for n in names) <= 255
    assert sum(n.startswith("xxxx") for n in names) == 1
    text = (out / "café.html").read_text()
    assert "decomposed" in text and "composed\n" not in text.replace("decomposed", "")
    assert "upper" in (out / "case.html").read_text() and "lower" in (out / "case-2.html").read_text()


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="running as root: every folder is readable")
def test_an_unreadable_folder_is_reported(make_vault) -> None:  # type: ignore[no-untyped-def]
    vault = make_vault({"a.md": "[[b]]\n", "locked/b.md": "b\n"})
    (vault / "locked").chmod(0)
    try:
        result, out = build(vault)
    finally:
        (vault / "locked").chmod(0o755)
    assert ("locked", 0, "unreadable") in codes(result)
    assert (out / "a.html").is_file()


def test_a_20_mb_note(make_vault) -> None:  # type: ignore[no-untyped-def]
    paragraph = "Plain prose that goes on for a while, so that the note grows large. " * 12 + "See [[Other]].\n\n"
    count = 20 * 2**20 // len(paragraph) + 1
    vault = make_vault({"Big.md": paragraph * count, "Other.md": "back to [[Big]]\n"})
    result, out = build(vault, cache=False)
    assert ("Big.md", 0, "large-file") in codes(result)
    page = out / "big.html"
    size = (vault / "Big.md").stat().st_size
    assert size <= page.stat().st_size <= 2 * size  # every word is there, and little else
    assert page.read_text().count('href="other.html"') >= count
    assert 'href="big.html"' in (out / "other.html").read_text()


# -- work grows linearly with the input ----------------------------------------------------

def calls(fn: Callable[[], object]) -> int:
    """Python and C function calls made by fn(): a deterministic measure of work (not time)."""
    n = 0

    def count(frame: object, event: str, arg: object) -> None:
        nonlocal n
        if event in ("call", "c_call"):
            n += 1

    sys.setprofile(count)
    try:
        fn()
    finally:
        sys.setprofile(None)
    return n


PATHOLOGICAL = ["[[", "![[", "[[a]", "[a](", "*a**", "_", "==a", "%%a", "$a", "#a/", "<a ", "`a",
                "- ", "> ", "> [!note] x\n", "|a|b|\n|-|-|\n", "[^a]", "![[x]]\n", "[[x|y]] ^b\n", "  - x\n"]


@pytest.mark.parametrize("unit", PATHOLOGICAL)
def test_parsing_work_is_linear(unit: str) -> None:
    md = make_parser()
    parse_note("warm.md", (unit * 50).encode(), md)  # compile regexes and fill caches first

    def work(n: int) -> int:
        data = (unit * n).encode()
        return calls(lambda: parse_note("x.md", data, md))

    small, large = work(1500), work(3000)
    assert large <= 2.3 * small, (small, large)  # doubling the input at most doubles the work
    # and no input costs more than 150 calls a byte: the costliest here, `[[a]`, makes about 133;
    # a line of `[[` made 156 before the unclosed-bracket rule, `[[a]` 450 with inline nesting 100
    assert small <= 150 * len(unit) * 1500, small / (len(unit) * 1500)


@pytest.mark.parametrize("unit", ["[[Other]] and text\n\n", "![[Other]]\n\n", "- [[Other]] #tag\n"])
def test_page_size_is_linear(make_vault, unit: str) -> None:  # type: ignore[no-untyped-def]
    sizes = []
    for n in (500, 1000):
        vault = make_vault({"Big.md": unit * n, "Other.md": "other text\n"})
        _, out = build(vault, vault.parent / f"site{n}")
        sizes.append((out / "big.html").stat().st_size)
    fixed = sizes[0] - (sizes[1] - sizes[0])  # the page's size without the repeated unit
    assert 0 < fixed < sizes[0]
    assert sizes[1] - sizes[0] <= 1.1 * (sizes[0] - fixed)


# -- hostile names and front matter are escaped everywhere ------------------------------------

def _x(n: int) -> str:
    return f"alert({n})"


HOSTILE: dict[str, str | bytes] = {
    "kbgen.toml": f'title = "</title><script>{_x(1)}</script>"\n',
    "Home.md": f"""---
title: "</script><script>{_x(2)}</script>"
description: '"><img src=x onerror={_x(3)}>'
tags: ["<script>{_x(4)}</script>", 'x" onmouseover="{_x(5)}']
aliases: ["</title><script>{_x(6)}</script>", "javascript:{_x(7)}"]
cssclasses: ['" onmouseover="{_x(8)}', "</style><script>{_x(9)}</script>"]
date: "<script>{_x(11)}</script>"
extra: "<script>{_x(12)}</script>"
---
# </script><script>{_x(20)}</script>

[[javascript:{_x(13)}]] [[<script>{_x(14)}<\u2215script>]] [click](javascript:{_x(15)}) [c2](JaVaScRiPt:{_x(16)})

<script>{_x(17)}</script> <img src=x onerror={_x(18)}> <a href="javascript:{_x(19)}">raw</a>

[[<img src=x onerror={_x(21)}>|<img src=x onerror={_x(22)}>]] [[Perm|<b onmouseover={_x(23)}>b</b>]]

![[x" onerror="{_x(24)}.png]]

![["><img src=x onerror={_x(25)}>.png]]

> [!note] <script>{_x(26)}</script> "onmouseover={_x(27)}
> body

#tag<script>{_x(28)}</script> %%<script>{_x(29)}</script>%% $<script>{_x(30)}</script>$

```html
</script><script>{_x(31)}</script>
```

[[Perm#</script><script>{_x(32)}</script>]] [[{_x(33)}" onclick="{_x(34)}]]

Footnote[^1].

[^1]: <script>{_x(35)}</script>
""",
    f"<img src=x onerror={_x(40)}>.md": "[[Home]] a tag in the name\n",
    f'"onmouseover="{_x(41)}.md': "[[Home]] a quote in the name\n",
    f"javascript:{_x(42)}.md": "[[Home]] a scheme in the name\n",
    f"'><svg onload={_x(43)}>.md": "[[Home]] an svg in the name\n",
    f"<b onmouseover={_x(44)}>folder/<script>{_x(45)}<\u2215script>.md": "[[Home]] in a hostile folder\n",
    "Perm.md": f"---\npermalink: 'javascript:{_x(50)}'\ntitle: '\"><script>{_x(51)}</script>'\n---\n"
               f"[[Home]]\n\n# </script><script>{_x(32)}</script>\n",
    f'"><img src=x onerror={_x(25)}>.png': b"\x89PNG\r\n\x1a\n",
}
"""A vault whose names, titles, properties, tags, aliases and links all try to run `alert(n)`."""


def write_hostile_vault(root: Path) -> Path:
    return write_vault(root, HOSTILE)


_URL_ATTRS = {"href", "src", "action", "formaction", "data", "xlink:href", "poster", "srcset"}


def script_problems(html_text: str) -> list[str]:
    """Whatever in a page could run script: on* attributes, javascript: URLs (also in a meta
    refresh), scripts from elsewhere, and inline scripts that mention alert(."""
    from html.parser import HTMLParser

    problems: list[str] = []

    class Scan(HTMLParser):
        in_script = False

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            values = dict(attrs)
            for name, value in attrs:
                url = "".join((value or "").split()).lower()
                if name.startswith("on"):
                    problems.append(f"<{tag} {name}={value!r}>")
                elif name in _URL_ATTRS and url.startswith(("javascript:", "vbscript:", "data:text/html")):
                    problems.append(f"<{tag} {name}={value!r}>")
            if tag == "meta" and (values.get("http-equiv") or "").lower() == "refresh":
                if "javascript:" in "".join((values.get("content") or "").split()).lower():
                    problems.append(f"<meta refresh {values.get('content')!r}>")
            if tag == "script":
                self.in_script = True
                src = values.get("src")
                if src is not None and not src.startswith(("_static/", "../")) and "/_static/" not in src:
                    problems.append(f"<script src={src!r}>")

        def handle_endtag(self, tag: str) -> None:
            if tag == "script":
                self.in_script = False

        def handle_data(self, data: str) -> None:
            if self.in_script and "alert(" in data:
                problems.append(f"script text {data[:60]!r}")

    Scan(convert_charrefs=True).feed(html_text)
    return problems


def test_hostile_names_and_front_matter_are_escaped(tmp_path: Path) -> None:
    import json
    from html.parser import HTMLParser

    vault = write_hostile_vault(tmp_path / "vault")
    result, out = build(vault)
    pages = sorted(out.rglob("*.html"))
    assert len(pages) >= 15 and result.notes == 7
    for page in pages:
        assert script_problems(page.read_text()) == [], page.relative_to(out)
    for data in out.rglob("*.json"):
        json.loads(data.read_text())  # shared data stays valid JSON, payloads and all

    class Text(HTMLParser):
        """The text of <title> and <h1>, as the browser shows it."""
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.where: str | None = None
            self.text: dict[str, str] = {"title": "", "h1": ""}

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.where = tag if tag in self.text and not self.text[tag] else None

        def handle_data(self, data: str) -> None:
            if self.where:
                self.text[self.where] += data

    shown = Text()
    shown.feed((out / "index.html").read_text())
    title = f"</script><script>{_x(2)}</script>"
    assert shown.text["h1"].strip() == title  # escaped, not dropped
    assert shown.text["title"].startswith(title) and f"</title><script>{_x(1)}</script>" in shown.text["title"]
    assert all(f.resolve().is_relative_to(out.resolve()) for f in out.rglob("*"))


@pytest.mark.parametrize("shape", ["one paragraph", "a paragraph each"])
def test_page_context_work_is_linear_in_links(make_vault, shape: str) -> None:  # type: ignore[no-untyped-def]
    """One note linking to n new targets: each target's page shows the paragraph that links to
    it. Both once cost n² (regrouping the note's links, joining the whole paragraph per target)."""
    from kbgen import assemble
    from kbgen.build import Builder
    from kbgen.discover import discover

    def work(n: int) -> int:
        sep = " " if shape == "one paragraph" else "\n\n"
        vault = make_vault({"Big.md": sep.join(f"[[Target {i}]] and text" for i in range(n))})
        site, _ = Builder(vault, vault.parent / "site", quiet=True, search=False, cache=False).collect()
        files = discover(site.config)
        return calls(lambda: assemble.pages(site, files))

    small, large = work(300), work(600)
    assert large <= 2.3 * small, (small, large)
