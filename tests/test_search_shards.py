"""The search index in shards: where shards end, several bundles byte-identical between builds and
re-indexes, a re-index after an edit running Pagefind on the changed shard only, failures as diagnostics."""
from __future__ import annotations

import gzip
import hashlib
import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from conftest import write_vault
from kbgen import search, shards
from kbgen.build import Builder

PAGE = '<html lang="en"><body><main data-pagefind-body><h1>{0}</h1><p>{1}</p>{2}</main></body></html>'


def tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def inodes(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_ino for p in sorted(root.rglob("*")) if p.is_file()}


def reindexed(site: Path, into: Path) -> dict[str, str]:
    """The index of a copy of `site` made again from its pages alone (search.index, as serve does)."""
    shutil.copytree(site, into)
    shutil.rmtree(into / "pagefind")
    search.index(into, SimpleNamespace(files={}), SimpleNamespace(diagnostics=[]))
    return tree(into / "pagefind")


def listed(site: Path) -> list[dict[str, object]]:
    return json.loads((site / "pagefind" / shards.LIST).read_text())["shards"]


@pytest.fixture
def small(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shards of 3 to 8 pages, so a few pages make several."""
    monkeypatch.setattr(shards, "SHARD_MIN", 3)
    monkeypatch.setattr(shards, "SHARD_SPAN", 3)
    monkeypatch.setattr(shards, "SHARD_MAX", 8)


def urls(n: int) -> list[str]:
    return sorted(f"notes/page-{i:03}.html" for i in range(n))


def runs(pages: list[str]) -> list[tuple[str, ...]]:
    out, at = [], 0
    for size in shards.sizes(pages):
        out.append(tuple(pages[at:at + size]))
        at += size
    return out


def test_shards_hold_min_to_max_pages_and_a_small_site_has_one(small: None) -> None:
    assert shards.sizes(urls(2)) == [2]
    assert shards.sizes([]) == []
    for n in (3, 9, 40, 200):
        sizes = shards.sizes(urls(n))
        assert sum(sizes) == n
        assert all(3 <= s <= 8 for s in sizes[:-1]) and 1 <= sizes[-1] <= 8, sizes
    assert len(shards.sizes(urls(200))) > 200 // 8  # neither all at the cap nor one run
    assert shards.sizes(urls(200)) == shards.sizes(list(urls(200)))  # nothing but the URLs decides


def test_a_page_added_changes_the_shard_it_joins_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shards end where the URLs say, not at a count: a page added changes the shard it joins
    (and now and then the next, when the shard ends early and the next's end falls under the
    minimum), never every shard after it (as runs of a fixed length would, or runs at the cap)."""
    monkeypatch.setattr(shards, "SHARD_MIN", 3)
    monkeypatch.setattr(shards, "SHARD_SPAN", 3)
    monkeypatch.setattr(shards, "SHARD_MAX", 10_000)
    pages = urls(300)
    before = runs(pages)
    assert len(before) > 20
    changed = []
    for i in range(0, 300, 7):
        after = runs(sorted(pages + [f"notes/page-{i:03}-new.html"]))
        changed.append(len(set(before) - set(after)))
    assert max(changed) <= 2 and changed.count(1) > len(changed) / 2, changed


@pytest.fixture(scope="module")
def sharded_vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    files = {"kbgen.toml": 'title = "Shards"\n'}
    files.update({f"Many/Note {i:02}.md": f"---\ntags: [t{i % 3}, deep/t{i % 2}]\n---\n# Note {i}\n\n"
                  f"zqword{i} and [[Note {(i + 1) % 30:02}]].\n\n## Part\n\nzqpart{i} text.\n" for i in range(30)})
    return write_vault(tmp_path_factory.mktemp("shards") / "vault", files)


def build(vault: Path, out: Path, **kw: object) -> Path:
    result = Builder(vault, out, quiet=True, search=True, cache=False, **kw).build()
    assert not [d for d in result.diagnostics if d.code == "search"], result.diagnostics
    return out


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_sharded_index_is_byte_identical_between_builds_and_a_reindex(
        small: None, sharded_vault: Path, tmp_path: Path, jobs: int, monkeypatch: pytest.MonkeyPatch) -> None:
    import kbgen.output
    monkeypatch.setattr(kbgen.output, "PARALLEL_PAGES", 1)
    one = build(sharded_vault, tmp_path / "one", jobs=jobs)
    two = build(sharded_vault, tmp_path / "two", jobs=1)
    assert tree(one / "pagefind") == tree(two / "pagefind")
    entries = listed(one)
    assert len(entries) >= 3 and [e["path"] for e in entries] == [shards.folder(k) for k in range(len(entries))]
    # the other bundles hold data only: the browser runs them with the primary's scripts
    for e in entries[1:]:
        names = {p.name for p in (one / "pagefind" / str(e["path"])).iterdir()}
        assert "pagefind-entry.json" in names and {"index", "fragment"} <= names
        assert not {n for n in names if n.endswith((".js", ".pagefind"))}, names
    # every page the build indexed is in exactly one bundle, in URL order
    seen = []
    for e in entries:
        for f in sorted((one / "pagefind" / str(e["path"]) / "fragment").iterdir()):
            seen.append(json.loads(gzip.decompress(f.read_bytes())[len(search.MAGIC):])["url"])
    indexed = [p for p in search.site_pages(one) if search.BODY in (one / p).read_bytes()]
    assert sorted(seen) == ["/" + p for p in indexed]
    assert [e["pages"] for e in entries] == shards.sizes(indexed)
    # the manifest lists every index file, so cleaning finds them
    manifest = json.loads((one / ".kbgen-site").read_text())
    assert {f for f in manifest["files"] if f.startswith("pagefind/")} == {"pagefind/" + n for n in tree(one / "pagefind")}
    assert reindexed(site=one, into=tmp_path / "again") == tree(one / "pagefind")


class Counted(search.Service):
    """A Pagefind service that counts how many run, and how many at once."""
    started = 0
    alive = 0
    most = 0

    def __init__(self, executable: Path) -> None:
        super().__init__(executable)
        Counted.started += 1
        Counted.alive += 1
        Counted.most = max(Counted.most, Counted.alive)

    def files(self) -> dict[str, bytes]:
        try:
            return super().files()
        finally:
            Counted.alive -= 1


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> type[Counted]:
    monkeypatch.setattr(search, "Service", Counted)
    Counted.started = Counted.alive = Counted.most = 0
    return Counted


def write_site(root: Path, n: int, changed: dict[int, str] | None = None) -> None:
    for i in range(n):
        text = (changed or {}).get(i, f"zqsteady{i} words")
        tag = f'<span data-pagefind-filter="tag">t{i % 4}</span>'
        (root / f"p{i:02}.html").write_text(PAGE.format(f"P{i}", text, tag))
    (root / "plain.html").write_text("<html><body>no body: never indexed</body></html>")


def test_an_edit_reindexes_its_shard_and_links_the_others(small: None, counted: type[Counted], tmp_path: Path) -> None:
    site, fresh = tmp_path / "site", tmp_path / "fresh"
    site.mkdir()
    fresh.mkdir()
    write_site(site, 30)
    result = SimpleNamespace(diagnostics=[])
    search.index(site, SimpleNamespace(files={}), result)
    entries = listed(site)
    assert len(entries) >= 3 and counted.started == len(entries) and counted.most <= 2
    before = inodes(site / "pagefind")
    # an edit of one page: its shard is indexed again, the others' files are the same files
    write_site(site, 30, {17: "zqchanged words"})
    counted.started = 0
    search.index(site, SimpleNamespace(files={"p17.html": (site / "p17.html").read_bytes()}), result, incremental=True)
    assert counted.started == 1
    write_site(fresh, 30, {17: "zqchanged words"})
    search.index(fresh, SimpleNamespace(files={}), result)
    assert not result.diagnostics
    assert tree(site / "pagefind") == tree(fresh / "pagefind")
    after = inodes(site / "pagefind")
    changed = [e for e, old in zip(listed(site), entries) if e["digest"] != old["digest"]]
    assert len(changed) == 1
    other = [n for n in after if not n.startswith(str(changed[0]["path"]) or "\0") and "/" in n
             and n.split("/")[0].startswith("shard-")]
    assert other and all(after[n] == before[n] for n in other)  # linked, not written again
    # nothing changed: no Pagefind at all, the same index
    counted.started = 0
    search.index(site, SimpleNamespace(files={}), result)
    assert counted.started == 0 and tree(site / "pagefind") == tree(fresh / "pagefind")
    # a page added: the shard it joins (now and then the next too) is indexed again, no other,
    # and the result is a fresh index's
    entries = listed(site)
    for root in (site, fresh):
        (root / "p05a.html").write_text(PAGE.format("New", "zqnew words", ""))
    search.index(site, SimpleNamespace(files={}), result)
    new = {str(e["digest"]) for e in listed(site)} - {str(e["digest"]) for e in entries}
    assert counted.started == len(new) and 1 <= len(new) <= 2 < len(entries)
    shutil.rmtree(fresh / "pagefind")
    search.index(fresh, SimpleNamespace(files={}), result)
    assert tree(site / "pagefind") == tree(fresh / "pagefind") and not result.diagnostics


def test_another_pagefind_version_reindexes_everything(small: None, counted: type[Counted], tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    write_site(site, 20)
    result = SimpleNamespace(diagnostics=[])
    search.index(site, SimpleNamespace(files={}), result)
    assert counted.started >= 2  # one version changed in one shard of several
    entry = site / "pagefind" / "shard-1" / "pagefind-entry.json"
    entry.write_text(entry.read_text().replace('"version":"', '"version":"0.'))
    counted.started = 0
    search.index(site, SimpleNamespace(files={}), result)
    assert counted.started == 1 and not result.diagnostics  # that shard's files came from another version


def test_a_shard_that_fails_is_a_diagnostic_and_the_old_index_stays(small: None, monkeypatch: pytest.MonkeyPatch,
                                                                    tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    write_site(site, 30)
    result = SimpleNamespace(diagnostics=[])
    search.index(site, SimpleNamespace(files={}), result)
    before = tree(site / "pagefind")

    starts: list[int] = []
    service = search.Service

    def second_fails(executable: Path) -> search.Service:
        starts.append(1)
        if len(starts) == 2:
            raise search.SearchError("cannot start the second service")
        return service(executable)

    monkeypatch.setattr(search, "Service", second_fails)
    write_site(site, 30, {i: f"zqother{i}" for i in range(30)})  # every shard to index again
    search.index(site, SimpleNamespace(files={}), result)
    (diag,) = result.diagnostics
    assert diag.code == "search" and diag.level == "error" and "second service" in diag.message
    assert tree(site / "pagefind") == before and not (site / "pagefind.new").exists()
    monkeypatch.setattr(search, "Service", service)
    search.index(site, SimpleNamespace(files={}), result)
    assert len(result.diagnostics) == 1 and len(listed(site)) >= 3 and tree(site / "pagefind") != before


def test_a_failing_shard_in_a_build_is_a_diagnostic_not_a_crash(small: None, sharded_vault: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    starts: list[int] = []
    service = search.Service

    def third_fails(executable: Path) -> search.Service:
        starts.append(1)
        return service(Path("/bin/false") if len(starts) == 3 else executable)

    monkeypatch.setattr(search, "Service", third_fails)
    result = Builder(sharded_vault, tmp_path / "out", quiet=True, search=True, cache=False).build()
    (diag,) = [d for d in result.diagnostics if d.code == "search"]
    assert diag.level == "error" and "Pagefind failed" in diag.message
    # the build goes on; at most the next shard's service starts before the failure is known;
    # the bundles already written went with the failed index
    assert (tmp_path / "out" / "index.html").is_file() and 3 <= len(starts) <= 4
    assert not (tmp_path / "out" / "pagefind").exists() and not (tmp_path / "out" / "pagefind.new").exists()


def test_pages_without_a_body_are_sharded_when_no_page_has_one(small: None, tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    for i in range(12):
        (site / f"p{i:02}.html").write_text(f'<html lang="en"><body><h1>P{i}</h1><p>zqplain{i}</p></body></html>')
    result = SimpleNamespace(diagnostics=[])
    search.index(site, SimpleNamespace(files={}), result)
    assert not result.diagnostics
    assert [e["pages"] for e in listed(site)] == shards.sizes(search.site_pages(site))


def test_a_build_after_an_edit_reindexes_only_the_shard_it_changed(
        small: None, counted: type[Counted], tmp_path: Path) -> None:
    files = {f"N{i:02}.md": f"# N{i}\n\nzqword{i} and [[N{(i + 1) % 30:02}]].\n" for i in range(30)}
    vault = write_vault(tmp_path / "vault", files)
    out = tmp_path / "site"
    Builder(vault, out, quiet=True, search=True, cache=False).build()
    shards_before = listed(out)
    assert len(shards_before) >= 3 and counted.started == len(shards_before)
    (vault / "N12.md").write_text("# N12\n\nzqchanged words and [[N13]].\n", encoding="utf-8")
    counted.started = 0
    result = Builder(vault, out, quiet=True, search=True, cache=False).build()
    assert not [d for d in result.diagnostics if d.code == "search"]
    assert counted.started == 1  # the edited note's shard; the others linked from the old site
    fresh = tmp_path / "fresh"
    Builder(vault, fresh, quiet=True, search=True, cache=False).build()
    assert tree(out) == tree(fresh)


def test_a_live_site_is_indexed_aside_and_a_page_gone_meanwhile_is_left_out(
        small: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """serve's refresh reads the live site without its lock and writes the index aside: a page a
    rebuild removed between the listing and the reading is left out, not a failure."""
    live, aside, fresh = tmp_path / "live", tmp_path / "aside", tmp_path / "fresh"
    for root in (live, aside, fresh):
        root.mkdir()
    write_site(live, 20)
    write_site(fresh, 20)
    listing = search.site_pages

    def with_a_ghost(site_dir: Path) -> list[str]:
        return sorted(listing(site_dir) + ["p07a.html"])  # listed, then deleted before it is read
    monkeypatch.setattr(search, "site_pages", with_a_ghost)
    result = SimpleNamespace(diagnostics=[])
    files = search.index(live, None, result, into=aside)
    assert not result.diagnostics and files
    assert not (live / "pagefind").exists()
    monkeypatch.setattr(search, "site_pages", listing)
    search.index(fresh, None, result)
    assert not result.diagnostics
    assert tree(aside / "pagefind") == tree(fresh / "pagefind")
    monkeypatch.setattr(search, "site_pages", with_a_ghost)  # a site indexed in place must be whole
    whole = SimpleNamespace(diagnostics=[])
    search.index(live, None, whole)
    assert [d.code for d in whole.diagnostics] == ["search"]


# -- lanes: a long shard is two bundles, built by two services at once -----------------------------

@pytest.fixture
def laned(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shards of 6 to 14 pages, each two bundles (lanes) once it has 6."""
    monkeypatch.setattr(shards, "SHARD_MIN", 6)
    monkeypatch.setattr(shards, "SHARD_SPAN", 4)
    monkeypatch.setattr(shards, "SHARD_MAX", 14)
    monkeypatch.setattr(shards, "LANE_MIN", 6)


def fragments(site: Path) -> list[list[str]]:
    """The site paths of each bundle's pages, bundle by bundle as the list file has them."""
    out = []
    for e in listed(site):
        urls = [json.loads(gzip.decompress(f.read_bytes())[len(search.MAGIC):])["url"].lstrip("/")
                for f in (site / "pagefind" / str(e["path"]) / "fragment").iterdir()]
        out.append(sorted(urls))
    return out


def test_a_long_shard_is_two_bundles_parted_by_url(laned: None, monkeypatch: pytest.MonkeyPatch) -> None:
    pages = urls(120)
    bundles = shards.sizes(pages)
    monkeypatch.setattr(shards, "LANE_MIN", 10**9)
    whole = runs(pages)
    assert sum(bundles) == 120 and len(bundles) == 2 * len(whole)  # no lane of 6+ URLs is empty here
    expected = []
    for run in whole:
        expected += [sum(1 for u in run if shards.lane(u) == k) for k in (0, 1)]
    assert bundles == expected
    assert {shards.lane(u) for u in pages} == {0, 1}


def test_lanes_index_byte_identical_and_an_edit_reindexes_one_lane(
        laned: None, counted: type[Counted], tmp_path: Path) -> None:
    site, fresh = tmp_path / "site", tmp_path / "fresh"
    site.mkdir()
    fresh.mkdir()
    write_site(site, 40)
    result = SimpleNamespace(diagnostics=[])
    search.index(site, SimpleNamespace(files={}), result)
    entries = listed(site)
    indexed = [f"p{i:02}.html" for i in range(40)]
    assert [e["pages"] for e in entries] == shards.sizes(indexed) and len(entries) >= 4
    assert counted.started == len(entries) and counted.most <= 4  # two shards' lanes at most
    # each bundle holds one lane of one run of URLs, and the bundles hold every page once
    held = fragments(site)
    assert sorted(u for b in held for u in b) == indexed
    assert all(len({shards.lane(u) for u in b}) == 1 for b in held)
    # an edit: the edited page's lane is indexed again, nothing else, and the index is a fresh one's
    write_site(site, 40, {17: "zqchanged words"})
    counted.started = 0
    search.index(site, SimpleNamespace(files={"p17.html": (site / "p17.html").read_bytes()}), result,
                 incremental=True)
    assert counted.started == 1
    changed = [e for e, old in zip(listed(site), entries) if e["digest"] != old["digest"]]
    assert len(changed) == 1 and "p17.html" in held[listed(site).index(changed[0])]
    write_site(fresh, 40, {17: "zqchanged words"})
    search.index(fresh, SimpleNamespace(files={}), result)
    assert not result.diagnostics and tree(site / "pagefind") == tree(fresh / "pagefind")


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_build_in_lanes_equals_a_reindex(laned: None, sharded_vault: Path, tmp_path: Path, jobs: int,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import kbgen.output
    monkeypatch.setattr(kbgen.output, "PARALLEL_PAGES", 1)
    one = build(sharded_vault, tmp_path / "one", jobs=jobs)
    indexed = [p for p in search.site_pages(one) if search.BODY in (one / p).read_bytes()]
    sizes = shards.sizes(indexed)
    assert [e["pages"] for e in listed(one)] == sizes and len(sizes) >= 4
    assert reindexed(site=one, into=tmp_path / "again") == tree(one / "pagefind")


def test_a_build_writes_each_bundle_as_pagefind_finishes_it(small: None, sharded_vault: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Bundles are written into the index folder as they are collected, not all after the last:
    the build's end no longer waits for thousands of files written one after another."""
    batches: list[list[str]] = []
    put = search.IndexFolder.put

    def recorded(self: search.IndexFolder, files: dict[str, bytes]) -> None:
        batches.append(sorted(files))
        put(self, files)
    monkeypatch.setattr(search.IndexFolder, "put", recorded)
    out = build(sharded_vault, tmp_path / "out")
    entries = listed(out)
    assert len(entries) >= 3 and len(batches) == len(entries) + 1  # one per bundle, then the list
    # each batch is one bundle's files, in any order: the last bundles are collected from two threads
    folders = [str(e["path"]) for e in entries]
    owners = [[f for f in folders if f and all(n.startswith(f) for n in names)] for names in batches[:-1]]
    assert all(batches[:-1]) and sorted(o[0] if o else "" for o in owners) == sorted(folders)
    assert batches[-1] == [shards.LIST]
    assert reindexed(site=out, into=tmp_path / "again") == tree(out / "pagefind")
