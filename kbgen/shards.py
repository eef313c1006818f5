"""Where the search index splits into shards: runs of the indexed pages in URL order, each a Pagefind bundle.

Pagefind holds every page it indexes in memory until it writes the index (about 0.19 MB a page), so
one bundle for a large site outgrows the rest of the build; bundles of at most SHARD_MAX pages,
indexed one after another, keep it bounded, and the browser merges them (Pagefind's `mergeIndex`).
Where a shard ends depends on its own pages only (a page whose URL hashes low ends it once it holds
SHARD_MIN pages, on average SHARD_SPAN pages later), so adding or removing a page changes the shard
it is in (now and then the next too), not every shard after it: serve re-indexes just the shards
whose pages changed, known by their digests (kept in the list file).

A shard of LANE_MIN pages or more is two bundles, its pages parted by a bit of their URL's hash:
Pagefind builds a bundle's files on one core, and two halves are built at once on two.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

SHARD_MIN = 500
"""Pages a shard holds at least (all but the last): a site with fewer indexed pages has one bundle.
Smaller shards cost the browser a few more requests per search; they keep Pagefind's memory low and
shorten the build's end, where only the last shard's service is still at work (a 1 000-note site
in two shards builds ~0.15 s sooner: the first shard's files are made while pages still render)."""
SHARD_SPAN = 350
"""Pages a shard runs on past SHARD_MIN on average before a URL ends it (one in SHARD_SPAN does)."""
SHARD_MAX = 1500
"""Pages a shard holds at most (about one shard in seventeen reaches it): Pagefind's peak memory for
1 500 of the 10 000-note benchmark's pages is about 290 MB (2 500: 460-550 MB)."""
LANE_MIN = 300
"""Pages from which a shard is two bundles ("lanes"), each indexed by a service of its own at the
same time. Pagefind builds a bundle's files in about 1 ms a page on one core, and a build waits for
its last shard's: a 1 000-note site in one bundle waited ~1 s after its last page, in two ~0.5 s.
Smaller shards stay whole: each bundle costs the browser a few requests per search."""
LIST = "kbgen-shards.json"
"""The file in the primary bundle that names every shard (the browser merges the others)."""
FORMAT = b"kbgen-shard 1\n"
"""Starts every shard digest: change it when what kbgen makes of the same pages changes."""
DATA_DIRS = ("index", "fragment", "filter")
"""A bundle's folders of data files; its other data files are its entry and meta files."""


class Split:
    """Says, page by page in URL order, where each shard ends: a pure function of the indexed URLs.

    After SHARD_MIN pages a shard ends at the first page whose URL hashes below 1/SHARD_SPAN of
    the range, and at SHARD_MAX pages whatever the URL."""

    def __init__(self) -> None:
        self.low, self.span, self.high = SHARD_MIN, SHARD_SPAN, SHARD_MAX  # read now: tests make them small
        self.count = 0

    def ends(self, url: str) -> bool:
        """Add the page at `url`: True when the shard ends with it."""
        self.count += 1
        if self.count >= self.high or (self.count >= self.low and _low_hash(url, self.span)):
            self.count = 0
            return True
        return False


def sizes(urls: list[str]) -> list[int]:
    """The number of pages of each bundle of these indexed pages (sorted URLs): a shard, or each
    lane of a shard of LANE_MIN pages or more (a lane without pages is no bundle)."""
    split, out, run = Split(), [], []
    for url in urls:
        run.append(url)
        if split.ends(url):
            out += _bundle_sizes(run)
            run = []
    return out + _bundle_sizes(run)


def _bundle_sizes(run: list[str]) -> list[int]:
    if len(run) < LANE_MIN:
        return [len(run)] if run else []
    second = sum(map(lane, run))
    return [n for n in (len(run) - second, second) if n]


def lane(url: str) -> int:
    """Which of a long shard's two bundles the page at `url` is in (0 or 1), always the same."""
    return hashlib.blake2b(url.encode("utf-8"), digest_size=1, person=b"kbgen-lane").digest()[0] & 1


def _low_hash(url: str, span: int) -> bool:
    """True for one URL in `span`, always the same ones."""
    value = int.from_bytes(hashlib.blake2b(url.encode("utf-8"), digest_size=8).digest(), "big")
    return value * span < 1 << 64


class Digest:
    """What one shard's bundle is made of: its pages' URLs and the parts Pagefind reads, in order."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256(FORMAT)
        self.pages = 0

    def add(self, url: str, cut: bytes) -> None:
        raw = url.encode("utf-8")
        self._hash.update(len(raw).to_bytes(4, "big") + raw + len(cut).to_bytes(8, "big"))
        self._hash.update(cut)
        self.pages += 1

    def hexdigest(self) -> str:
        return self._hash.hexdigest()[:32]


def folder(k: int) -> str:
    """Shard k's folder in the index: the primary bundle is the index folder itself."""
    return "" if k == 0 else f"shard-{k}/"


def listing(shards: list[tuple[int, str]]) -> bytes:
    """The list file: each shard's folder (relative to the primary bundle), pages and digest."""
    entries = [{"path": folder(k), "pages": pages, "digest": digest} for k, (pages, digest) in enumerate(shards)]
    return json.dumps({"shards": entries}, separators=(",", ":")).encode("utf-8")


def read(bundle: Path) -> list[dict[str, Any]]:
    """The shards the index in `bundle` lists; [] when it lists none or cannot be read."""
    try:
        data = json.loads((bundle / LIST).read_bytes())
        shards = data["shards"]
        if all(isinstance(s["path"], str) and isinstance(s["digest"], str) for s in shards):
            return shards
    except (OSError, ValueError, TypeError, KeyError):
        pass
    return []


def is_data(name: str) -> bool:
    """A file of one bundle's data (not Pagefind's scripts and WebAssembly, which only the primary has)."""
    return name == "pagefind-entry.json" or name.endswith(".pf_meta") or name.split("/", 1)[0] in DATA_DIRS


def data_files(bundle: Path) -> list[str]:
    """The data files of the bundle in folder `bundle`, relative to it (its shard folders left out)."""
    found = [p.name for p in bundle.iterdir() if p.is_file() and is_data(p.name)]
    for sub in DATA_DIRS:
        if (bundle / sub).is_dir():
            found.extend(f"{sub}/{p.name}" for p in (bundle / sub).iterdir() if p.is_file())
    return sorted(found)
