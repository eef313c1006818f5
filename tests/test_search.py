"""The search index: Pagefind run by the build, made byte-identical between builds; its CBOR codec."""
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


def test_a_failing_indexer_is_an_error_diagnostic(tmp_path: Path) -> None:
    empty = tmp_path / "site"
    empty.mkdir()
    result = SimpleNamespace(diagnostics=[])
    assert search.index(empty, SimpleNamespace(files={}), result) == []
    (diag,) = result.diagnostics
    assert diag.code == "search" and diag.level == "error" and "Pagefind failed" in diag.message
    assert not (empty / "pagefind").exists() and not (empty / "pagefind.new").exists()


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
