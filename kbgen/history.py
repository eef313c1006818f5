"""When each note last changed, for "recently updated": front matter, else git history, else file time.

The order, per note: the front-matter `updated`, `date` or `created` property (the first that
reads as a date); else the time of the last git commit that touched the file (when the vault is
in a git work tree and the file is tracked); else the file's modification time. Only the last
source depends on the machine, so a vault in git builds the same home page everywhere.
"""
from __future__ import annotations

import heapq
import logging
import subprocess
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, NamedTuple

from kbgen.feeds import note_date
from kbgen.model import ParsedNote, SourcePath

log = logging.getLogger(__name__)
_git_cache: dict[Path, tuple[tuple[object, ...], str, dict[str, int]]] = {}
"""Vault root → (_head_key, HEAD commit, last commit time of each tracked path)."""


def last_changed(root: Path, notes: dict[SourcePath, ParsedNote]) -> dict[SourcePath, tuple[datetime, str]]:
    """Note → (when it last changed, which source said so: "front matter", "git" or "file")."""
    table = _refresh(root, notes)
    return {path: (e.when, e.source) for path in notes if (e := table[path]).when is not None}


def recent(root: Path, notes: dict[SourcePath, ParsedNote], limit: int = 10,
           skip: Iterable[SourcePath] = ()) -> list[tuple[SourcePath, datetime, str]]:
    """The `limit` most recently changed notes, newest first (ties by path, so the order is stable)."""
    skipped = set(skip)
    table = _refresh(root, notes)
    best = heapq.nsmallest(limit + len(skipped), (e.key for e in table.values() if e.when is not None))
    return [(path, table[path].when, table[path].source)  # type: ignore[misc]
            for _, path in best if path not in skipped][:limit]


class _Entry(NamedTuple):
    digest: str
    """The note's digest (its content) when the entry was made: not the note, which would keep
    its tokens alive, and those of every vault a process has built (tests, benchmarks)."""
    basis: object
    """What the date rests on: _FRONT (the note alone), or the git table it was read from."""
    when: datetime | None
    source: str
    key: tuple[float, str]


_FRONT = object()
_entries: dict[Path, dict[SourcePath, _Entry]] = {}
"""Vault root → note → its date. serve asks at every edit (the home page lists the newest), so
an entry stands while its note has the same content and, for git and file dates, the git table it
was read from is current; forget() drops those whose file changed."""
_dates: dict[Path, dict[str, tuple[str, datetime | None]]] = {}
"""Vault root → note → (its digest, its front-matter date)."""
_mtimes: dict[Path, dict[str, float | None]] = {}
"""Vault root → note → modification time, as last read; forget() names the files changed since."""


def _refresh(root: Path, notes: dict[SourcePath, ParsedNote]) -> dict[SourcePath, _Entry]:
    table = _entries.setdefault(root, {})
    commits = git_times(root)
    for path, note in notes.items():
        entry = table.get(path)
        if entry is None or entry.digest != note.digest or (entry.basis is not _FRONT and entry.basis is not commits):
            table[path] = _entry(root, path, note, commits)
    if len(table) != len(notes):  # every note has an entry: the extra ones are notes gone since
        for path in [p for p in table if p not in notes]:
            del table[path]
    return table


def _entry(root: Path, path: SourcePath, note: ParsedNote, commits: dict[str, int]) -> _Entry:
    known = _dates.setdefault(root, {})
    hit = known.get(path)
    if hit is None or hit[0] != note.digest:  # a note changed since: read its date again
        hit = known[path] = (note.digest, note_date(note.meta))
    when, basis, source = hit[1], _FRONT, "front matter"
    if when is None:
        basis = commits
        if path in commits:
            when, source = datetime.fromtimestamp(commits[path], timezone.utc), "git"
        elif (stamp := _mtime(root, path)) is not None:
            when, source = datetime.fromtimestamp(stamp, timezone.utc), "file"
    return _Entry(note.digest, basis, when, source, (-when.timestamp() if when else 0.0, path))


def _mtime(root: Path, path: str) -> float | None:
    known = _mtimes.setdefault(root, {})
    if path not in known:
        try:
            known[path] = (root / path).stat().st_mtime
        except OSError:
            known[path] = None
    return known[path]


def forget(root: Path, paths: Iterable[str] | None = None) -> None:
    """Read these notes' modification times again next time (all of them without `paths`)."""
    if paths is None:
        _mtimes.pop(root, None)
        _dates.pop(root, None)
        _entries.pop(root, None)
    else:
        known, entries = _mtimes.get(root, {}), _entries.get(root, {})
        for p in paths:
            known.pop(p, None)
            entries.pop(p, None)


def git_times(root: Path) -> dict[str, int]:
    """Vault-relative path → Unix time of the last commit touching it; {} outside git.

    The same dict object while HEAD stays: `git log` runs once per commit, and `git rev-parse`
    only when a file that moves with HEAD (.git markers, HEAD, the branch's ref) has changed."""
    key = _head_key(root)
    cached = _git_cache.get(root)
    if cached and cached[0] == key:
        return cached[2]
    head = (_git(root, "rev-parse", "HEAD") or "").strip()
    if cached and cached[1] == head:
        _git_cache[root] = (key, head, cached[2])
        return cached[2]
    times: dict[str, int] = {}
    raw = _git(root, "log", "-z", "--relative", "--name-only", "--no-renames", "--format=%x01%ct", "--", ".") \
        if head else None
    for chunk in (raw or "").split("\x01")[1:]:
        fields = chunk.split("\0")
        try:
            stamp = int(fields[0].strip())
        except ValueError:
            continue
        for name in fields[1:]:
            name = name.strip("\n")
            if name and name not in times:  # newest commit first: the first sighting wins
                times[name] = stamp
    _git_cache[root] = (key, head, times)
    return times


def _head_key(root: Path) -> tuple[object, ...]:
    """The state of the files git reads HEAD's commit from: the `.git` of the vault's folder and
    each folder above it up to the first found, and in that repository HEAD, packed-refs and the
    ref HEAD names. Any commit, checkout or `git init` changes one of them."""
    key: list[object] = []
    folder = root.resolve()
    for d in (folder, *folder.parents):
        st = _stat(d / ".git")
        key.append(st)
        if st is not None:
            gitdir = d / ".git"
            if gitdir.is_file():  # a worktree or submodule: "gitdir: <path>"
                text = _read(gitdir)
                gitdir = (d / text[len("gitdir:"):].strip()) if text.startswith("gitdir:") else gitdir
            head = _read(gitdir / "HEAD")
            common = _read(gitdir / "commondir").strip()
            base = (gitdir / common) if common else gitdir
            key += [head, _stat(base / "packed-refs")]
            if head.startswith("ref:"):
                ref = head[4:].strip()
                key += [_stat(gitdir / ref), _stat(base / ref)]
            break
    return tuple(key)


def _stat(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _git(root: Path, *args: str) -> str | None:
    try:
        proc = subprocess.run(["git", "-C", str(root), *args], capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.debug("git %s: %s", args[0], exc)
        return None
    if proc.returncode != 0:
        return None
    return proc.stdout.decode("utf-8", "surrogateescape")
