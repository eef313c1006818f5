"""The search index: Pagefind fed by the build, pages cut to what it reads, byte-identical between builds; its CBOR codec."""
from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, strategies as st

from conftest import build, write_vault
from kbgen import cbor, search

VAULT = {
    "kbgen.toml": 'title = "Search"\n',
    "Alpha.md": "---\ntags: [topic/sub, other]\naliases: [First]\n---\n# Alpha\n\nzqalpha words. %%zqhidden comment%%\n\n"
                "## Deeper\n\nzqdeeper text under a heading.\n",
    "Beta.md": "---\ntags: [beta, topic]\n---\n# Beta\n\nzqbeta words and [[Alpha]].\n",
    "Gamma.md": "# Gamma\n\n#zeta #eta #theta #iota #kappa #lambda plain words.\n",
}


def tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def decoded(path: Path) -> bytes:
    return gzip.decompress(path.read_bytes())


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("search")
    vault = write_vault(base / "vault", VAULT)
    outs = []
    for name in ("one", "two"):
        result, out = build(vault, base / name, search=True, cache=False)
        assert not [d for d in result.diagnostics if d.code == "search"], result.diagnostics
        outs.append(out)
    return outs[0], outs[1]


def test_two_builds_give_a_byte_identical_index(two_builds: tuple[Path, Path]) -> None:
    one, two = (tree(out / "pagefind") for out in two_builds)
    assert one and one == two


def test_filter_values_are_sorted_and_include_parent_tags(two_builds: tuple[Path, Path]) -> None:
    bundle = two_builds[0] / "pagefind"
    entry = json.loads((bundle / "pagefind-entry.json").read_text())
    (lang, info), = entry["languages"].items()
    meta = cbor.loads(decoded(bundle / f"pagefind.{info['hash']}.pf_meta")[len(search.MAGIC):])
    (name, digest), = meta[3]
    assert name == "tag"
    values = cbor.loads(decoded(bundle / "filter" / f"{digest}.pf_filter")[len(search.MAGIC):])[1]
    names = [v[0] for v in values]
    assert names == sorted(names)
    assert {"topic", "topic/sub", "other", "beta", "zeta"} <= set(names)
    pages = {v[0]: len(v[1]) for v in values}
    assert pages["topic"] == 2  # Beta's #topic and Alpha's #topic/sub


def test_the_index_holds_titles_headings_and_aliases_but_never_comments(two_builds: tuple[Path, Path]) -> None:
    bundle = two_builds[0] / "pagefind"
    text = b"".join(decoded(p) for p in bundle.rglob("*.pf_*"))
    for word in (b"zqalpha", b"zqdeeper", b"zqbeta", b"First", b"deeper"):
        assert word in text, word
    assert b"zqhidden" not in text


def test_only_the_files_the_theme_uses_are_published(two_builds: tuple[Path, Path]) -> None:
    bundle = two_builds[0] / "pagefind"
    assert (bundle / "pagefind.js").exists() and (bundle / "pagefind-worker.js").exists()
    for name in search.UNUSED:
        assert not (bundle / name).exists(), name


def test_cut_pages_give_the_same_index_as_whole_pages(two_builds: tuple[Path, Path]) -> None:
    site = two_builds[0]
    indexes = []
    for cut in (True, False):
        indexer = search.Indexer()
        for rel in search.site_pages(site):
            indexer.add(rel, (site / rel).read_bytes(), cut=cut)
        indexes.append(indexer.finish())
    cut_pages, whole_pages = indexes
    assert cut_pages == whole_pages
    assert {k: hashlib.sha256(v).hexdigest() for k, v in cut_pages.items()} == tree(site / "pagefind")
    pages = [p for p in search.site_pages(site) if search.BODY in (site / p).read_bytes()]
    assert len(pages) == 3 and all(len(search.indexable((site / p).read_bytes())) < (site / p).stat().st_size / 2
                                   for p in pages)


PAGE = '<!DOCTYPE html><html lang="de"><head><title>T</title></head><body><nav>Menu</nav>{}</body></html>'


def cut(body: str, page: str = PAGE) -> str:
    return search.indexable(page.format(body).encode()).decode()


def test_a_page_is_cut_to_its_body_without_ignored_parts() -> None:
    body = ('<main data-pagefind-body><h1>Title</h1><div data-pagefind-ignore><div>x</div>backlinks</div>'
            '<p>Text <main>odd</main></p></main><aside>Sidebar <div data-pagefind-ignore>graph</div></aside>')
    once = cut(body)
    assert once == ('<html lang="de"><body><main data-pagefind-body><h1>Title</h1>'
                    '<p>Text <main>odd</main></p></main></body></html>')
    assert search.indexable(once.encode()).decode() == once  # a worker may cut, the indexer again


def test_ignored_parts_holding_filters_or_meta_stay() -> None:
    body = ('<main data-pagefind-body><ul data-pagefind-ignore><li data-pagefind-filter="tag:a">#a</li></ul>'
            '<p>Text</p></main>')
    assert '<ul data-pagefind-ignore><li data-pagefind-filter="tag:a">#a</li></ul>' in cut(body)
    loose = '<main data-pagefind-body><p data-pagefind-ignore>no end tag needed<p>Text</main>'
    assert "no end tag needed" in cut(loose)


@pytest.mark.parametrize("body", [
    '<span data-pagefind-filter="tag:a"></span><main data-pagefind-body>Text</main>',  # a filter outside
    '<main data-pagefind-body>A</main><main data-pagefind-body>B</main>',  # two bodies
    '<main data-pagefind-body>Text <!-- </main> --></main>',  # a comment could hide tags
    '<main data-pagefind-body>Text <script>"</main>"</script></main>',
    '<h1>Title outside</h1><main data-pagefind-body>Text</main>',  # Pagefind may take the title from it
    '<main data-pagefind-body>Text</main><img src="a.png">',
    '<p>About data-pagefind-body</p><main data-pagefind-body>Text</main>',  # the words, not a tag
    '<main data-pagefind-body>Text',  # no end
])
def test_a_page_of_another_shape_goes_whole(body: str) -> None:
    page = PAGE.format(body).encode()
    assert search.indexable(page) is page


def test_pages_without_a_body_are_indexed_only_when_no_page_has_one() -> None:
    plain = b'<html lang="en"><body><h1>Plain</h1><p>zqplain</p></body></html>'
    marked = b'<html lang="en"><body><main data-pagefind-body><h1>Marked</h1><p>zqmarked</p></main></body></html>'
    for pages, expected in (([plain, marked], {b"zqmarked"}), ([plain], {b"zqplain"})):
        indexer = search.Indexer()
        for n, page in enumerate(pages):
            indexer.add(f"p{n}.html", page)
        files = indexer.finish()
        fragments = b"".join(gzip.decompress(v) for k, v in files.items() if k.startswith("fragment/"))
        assert {w for w in (b"zqplain", b"zqmarked") if w in fragments} == expected


def test_an_empty_site_is_an_error_diagnostic(tmp_path: Path) -> None:
    empty = tmp_path / "site"
    empty.mkdir()
    result = SimpleNamespace(diagnostics=[])
    assert search.index(empty, SimpleNamespace(files={}), result) == []
    (diag,) = result.diagnostics
    assert diag.code == "search" and diag.level == "error" and "Pagefind failed" in diag.message
    assert not (empty / "pagefind").exists() and not (empty / "pagefind.new").exists()


@pytest.mark.parametrize("binary", ["/bin/false", "/nonexistent/pagefind"])
def test_a_failing_indexer_is_an_error_diagnostic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  binary: str) -> None:
    site = tmp_path / "site"
    (site / "pagefind").mkdir(parents=True)
    (site / "pagefind" / "old.js").write_text("kept")
    (site / "a.html").write_text('<html><body><main data-pagefind-body>Text</main></body></html>')
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", binary)
    result = SimpleNamespace(diagnostics=[])
    assert search.index(site, SimpleNamespace(files={"a.html": b""}), result, incremental=True) == []
    (diag,) = result.diagnostics
    assert diag.code == "search" and diag.level == "error" and "Pagefind failed" in diag.message
    assert (site / "pagefind" / "old.js").read_text() == "kept"  # the old index stays


cbor_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-2**63, max_value=2**64 - 1) | st.text() | st.binary(),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=5), inner, max_size=5),
    max_leaves=20)


@given(cbor_values)
def test_cbor_round_trips(value: object) -> None:
    assert cbor.loads(cbor.dumps(value)) == value


def test_cbor_uses_the_shortest_head() -> None:
    assert cbor.dumps(23) == b"\x17"
    assert cbor.dumps(24) == b"\x18\x18"
    assert cbor.dumps(256) == b"\x19\x01\x00"
    assert cbor.dumps(-1) == b"\x20"
    assert cbor.dumps(["a"]) == b"\x81\x61a"


@pytest.mark.parametrize("data", [b"", b"\x18", b"\x62a", b"\x1c", b"\x01\x02", b"\xf9\x00\x00"])
def test_cbor_refuses_what_it_cannot_read(data: bytes) -> None:
    with pytest.raises(ValueError):
        cbor.loads(data)


def test_reindexing_keeps_unchanged_index_files_and_matches_a_fresh_index(tmp_path: Path) -> None:
    page = '<html lang="en"><body><main data-pagefind-body><h1>{0}</h1><p>{1}</p></main></body></html>'
    site, fresh = tmp_path / "site", tmp_path / "fresh"
    for root in (site, fresh):
        root.mkdir()
        (root / "a.html").write_text(page.format("A", "zqsteady words"))
    (site / "b.html").write_text(page.format("B", "zqbefore words"))
    result = SimpleNamespace(diagnostics=[])
    search.index(site, SimpleNamespace(files={}), result)
    before = {p.name: p.stat().st_ino for p in (site / "pagefind" / "fragment").iterdir()}
    changed = page.format("B", "zqafter words").encode()
    (site / "b.html").write_bytes(changed)
    (fresh / "b.html").write_bytes(changed)
    search.index(site, SimpleNamespace(files={"b.html": changed}), result, incremental=True)
    search.index(fresh, SimpleNamespace(files={}), result)
    assert not result.diagnostics
    assert tree(site / "pagefind") == tree(fresh / "pagefind")
    after = {p.name: p.stat().st_ino for p in (site / "pagefind" / "fragment").iterdir()}
    assert len(before) == len(after) == 2
    kept = set(before) & set(after)
    assert len(kept) == 1 and all(before[n] == after[n] for n in kept)  # A's fragment: the same file


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_index_fed_while_rendering_equals_indexing_the_built_site(tmp_path: Path, jobs: int,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """What `kbgen serve` re-indexes after an edit must match what a build makes (serve's site
    equals a clean build); with two jobs the pages come back from worker processes."""
    import kbgen.output
    monkeypatch.setattr(kbgen.output, "PARALLEL_PAGES", 1)  # workers even for a small vault
    files = dict(VAULT)
    files.update({f"Many/Note {i}.md": f"# Note {i}\n\nzqmany{i} links [[Alpha]] and [[Beta]].\n" for i in range(60)})
    files["Delta.md"] = "---\naliases: [Old Delta]\n---\nDelta words.\n"
    vault = write_vault(tmp_path / "vault", files)
    from kbgen.build import Builder
    result = Builder(vault, tmp_path / "site", quiet=True, search=True, cache=False, jobs=jobs).build()
    assert not [d for d in result.diagnostics if d.code == "search"], result.diagnostics
    site = tmp_path / "site"
    assert (site / "alpha.backlinks.html").is_file()  # continuation pages are indexed too
    again = tmp_path / "again"
    import shutil
    shutil.copytree(site, again)
    shutil.rmtree(again / "pagefind")
    search.index(again, SimpleNamespace(files={}), SimpleNamespace(diagnostics=[]))
    assert tree(site / "pagefind") == tree(again / "pagefind")


def test_a_forked_worker_does_not_keep_a_service_running() -> None:
    """Render workers are forked while a service indexes: Pagefind must still see its input
    close, and exit on its own, when the build asks for the files (it was killed after 5 s)."""
    import os
    import signal
    import time
    from kbgen.bundle import Service
    service = Service(search._executable())
    service.add("a.html", b"<html><body><main data-pagefind-body><p>hello there</p></main></body></html>")
    child = os.fork()
    if child == 0:  # stands for a render worker: it lives on while the parent finishes the shard
        time.sleep(60)
        os._exit(0)
    try:
        files = service.files()
        assert "pagefind-entry.json" in files
        assert service._proc.returncode == 0, "Pagefind did not end with its input: it was killed"
    finally:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
