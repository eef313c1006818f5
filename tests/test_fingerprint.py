"""A page's fingerprint (output._page_fingerprint) changes with any one key of its context, and
is the same for equal contexts and across builds."""
from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from markupsafe import Markup

from kbgen import output
from kbgen.pages import Outlinks
from kbgen.toc import Toc

from conftest import build, write_vault

VAULT = {
    "notes/Alpha.md": "---\ntags: [one, two]\n---\n# Alpha\nLinks [[Beta]] and [[Idea]].\n\n## Part\ntext\n",
    "notes/Beta.md": "Beta is where [[Alpha]] is explained at length. #three\n",
    "notes/Gamma.md": "Gamma links [[Beta]] and [[Alpha#Part]].\n",
}


@pytest.fixture
def calls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, tuple[Any, ...]]:
    """Page URL → (site, page, its context, theme digest, config digest, fingerprint) of a one-process build."""
    seen: dict[str, tuple[Any, ...]] = {}
    real = output._page_fingerprint

    def record(site: Any, page: Any, theme: str, config: str) -> str:
        fp = real(site, page, theme, config)
        seen[page.url] = (site, page, page.context, theme, config, fp)
        return fp

    monkeypatch.setattr(output, "_page_fingerprint", record)
    build(write_vault(tmp_path / "vault", VAULT), tmp_path / "site", jobs=1, cache=False)
    return seen


def _note(calls: dict[str, tuple[Any, ...]], title: str) -> tuple[Any, ...]:
    return next(c for c in calls.values() if c[1].kind == "note" and c[1].title == title)


def _fp(call: tuple[Any, ...], context: dict[str, Any]) -> str:
    site, page, _, theme, config, _ = call
    page.context = context
    return output._page_fingerprint(site, page, theme, config)


def test_equal_contexts_give_the_recorded_fingerprint(calls):
    for call in calls.values():
        if call[2] is not None:
            assert _fp(call, copy.deepcopy(call[2])) == call[5], call[1].url


def test_any_one_context_key_changes_the_fingerprint(calls):
    call = _note(calls, "Alpha")
    ctx = call[2]
    assert {"graph", "backlinks", "note", "toc", "outlinks"} <= set(ctx)
    assert ctx["backlinks"][0]["contexts"] and len(ctx["toc"]) and len(ctx["outlinks"])
    edits = {
        "a local graph node's title": lambda c: c["graph"]["nodes"][1].update(title=c["graph"]["nodes"][1]["title"] + "x"),
        "a local graph node's x": lambda c: c["graph"]["nodes"][1].update(x=c["graph"]["nodes"][1]["x"] + 1),
        "a local graph node's label, True to 1": lambda c: c["graph"]["nodes"][0].update(label=1),
        "a local graph edge": lambda c: c["graph"]["edges"].append((0, 0)),
        "a backlink's context": lambda c: c["backlinks"][0]["contexts"][0].update(
            html=Markup(c["backlinks"][0]["contexts"][0]["html"] + " more")),
        "a backlink's context as text, not Markup": lambda c: c["backlinks"][0]["contexts"][0].update(
            html=str(c["backlinks"][0]["contexts"][0]["html"])),
        "a backlink's title": lambda c: c["backlinks"][0].update(title="Other"),
        "a tag": lambda c: c["note"]["tags"].append("four"),
        "a heading of the toc": lambda c: c.update(toc=Toc(c["toc"].levels, [t + "x" for t in c["toc"].texts],
                                                            c["toc"].anchors)),
        "an outlink's title": lambda c: c.update(outlinks=Outlinks([t + "x" for t in c["outlinks"].titles],
                                                                   c["outlinks"].urls, c["outlinks"].resolved)),
        "the toc's HTML": lambda c: c.update(toc_html=Markup(c["toc_html"] + "<li></li>")),
    }
    for key in ctx:  # and every key, whatever it holds
        edits[f"key {key}"] = lambda c, key=key: c.update({key: [c[key]]})
    seen = {call[5]}
    for what, edit in edits.items():
        changed = copy.deepcopy(ctx)
        edit(changed)
        fp = _fp(call, changed)
        assert fp not in seen, what
        seen.add(fp)


def test_shared_and_equal_objects_hash_alike(calls):
    call = _note(calls, "Beta")
    text = "a title that is long enough not to be interned " * 2
    shared = dict(call[2], extra=[text, text, Markup(text), Markup(text)])
    apart = dict(call[2], extra=[text, "".join(text), Markup("".join(text)), Markup(text)])
    assert _fp(call, shared) == _fp(call, apart)


def test_two_builds_store_the_same_fingerprints(tmp_path: Path):
    vault = write_vault(tmp_path / "vault", VAULT)
    fps = []
    for out in ("a", "b"):
        build(vault, tmp_path / out, jobs=1, cache=False)
        pages = json.loads((tmp_path / out / ".kbgen-site").read_text())["pages"]
        fps.append({url: entry["fp"] for url, entry in pages.items()})
    assert fps[0] == fps[1]
    assert len(fps[0]) >= 3 and all(fps[0].values())


def test_a_failed_context_leaves_later_fingerprints_as_they_were(calls):
    call = _note(calls, "Alpha")
    deep: Any = [{"a": "b", "f": lambda: None}]  # cannot be pickled, past the pickler's
    for _ in range(80):  # nesting limit (where its `fast` mode starts to track containers)
        deep = [deep]
    with pytest.raises(Exception):
        _fp(call, dict(call[2], bad=deep))
    assert _fp(call, call[2]) == call[5]
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(2) as pool:  # each thread with its own pickler
        assert set(pool.map(lambda _: output._page_fingerprint(call[0], call[1], call[3], call[4]),
                            range(8))) == {call[5]}
