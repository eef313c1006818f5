"""The output directory: refuse unsafe places, stage a full build and swap it in, write only changed bytes.

kbgen marks the directories it creates with `.kbgen-site` (a manifest of the files it wrote).
It never writes into a non-empty directory without that mark (unless forced), never deletes a
file it did not write, and swaps a staged build in only once it is complete.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import stat
import tempfile
from pathlib import Path
from typing import Any, Callable

MARK = ".kbgen-site"


class OutputError(Exception):
    """The output directory is unsafe to write to; the message says why."""


def check_output(out: Path, root: Path, content_dirs: tuple[str, ...], force: bool = False) -> None:
    out, root = out.resolve(), root.resolve()
    if out == root:
        raise OutputError(f"output directory {out} is the vault itself")
    if root.is_relative_to(out):
        raise OutputError(f"output directory {out} contains the vault {root}")
    for content in content_dirs:
        folder = (root / content).resolve()
        if content not in (".", "") and out.is_relative_to(folder):
            raise OutputError(f"output directory {out} lies inside the notes folder {folder}")
    if out.exists() and not out.is_dir():
        raise OutputError(f"output path {out} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not (out / MARK).exists() and not force:
        raise OutputError(f"output directory {out} is not empty and was not made by kbgen "
                          f"(use --force to write there anyway)")


_parsed: dict[Path, tuple[tuple[int, int, int], dict]] = {}
"""The last manifest read per mark file, by its (inode, size, mtime): serve reads it several
times per edit, and at 10 000 notes parsing it costs tens of milliseconds."""


def read_manifest(out: Path) -> dict:
    """The mark's manifest; its `files` never name a path outside `out` (they may be deleted).
    A shallow copy: callers may replace its keys, never change its values in place."""
    mark = out / MARK
    try:
        st = os.stat(mark)
        key = (st.st_ino, st.st_size, st.st_mtime_ns)
        hit = _parsed.get(mark)
        if hit is not None and hit[0] == key:
            return dict(hit[1])
        data = json.loads(mark.read_bytes().decode("utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    if "files" in data:
        files = data["files"] if isinstance(data["files"], list) else []
        data["files"] = [f for f in files if isinstance(f, str) and _within(f)]
    _parsed.clear()
    _parsed[mark] = (key, data)
    return dict(data)


def _within(rel: str) -> bool:
    parts = rel.split("/")
    return bool(rel) and not rel.startswith("/") and "\\" not in rel and ".." not in parts and "" not in parts


def _manifest_bytes(manifest: dict) -> bytes:
    """The manifest as JSON: keys sorted, no indent (the encoder is several times slower with one).

    serve writes it at every edit, and at 10 000 notes encoding its "pages" (a small dict per
    page) took 15-25 ms: each page's part is remembered with the entry it was made from, so an
    edit encodes only the pages it rendered. Entries are never changed once in a manifest."""
    pages = manifest.get("pages")
    if not isinstance(pages, dict) or not all(isinstance(k, str) for k in manifest):
        return (json.dumps(manifest, sort_keys=True, separators=(",", ":")) + "\n").encode()
    parts = []
    for key in sorted(manifest):
        value = manifest[key]
        parts.append(json.dumps(key) + ":" + (_pages_json(value) if key == "pages" else _json(key, value)))
    return ("{" + ",".join(parts) + "}\n").encode()


_LAST: dict[str, tuple[object, str]] = {}
"""Manifest key → (a copy of its last value, a list of strings, and its JSON): the file list
rarely changes, and comparing it is cheaper than encoding it."""


def _json(key: str, value: object) -> str:
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):  # the summary
        return "{" + ",".join(json.dumps(k) + ":" + _json(f"{key}.{k}", value[k]) for k in sorted(value)) + "}"
    if not isinstance(value, list) or not all(type(v) is str for v in value):
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    hit = _LAST.get(key)
    if hit is None or hit[0] != value:
        hit = _LAST[key] = (list(value), json.dumps(value, separators=(",", ":")))
    return hit[1]


_ENCODED: dict[str, tuple[object, str]] = {}
"""Page URL → (its manifest entry, that entry's JSON with its key)."""


_string = json.encoder.encode_basestring_ascii  # type: ignore[attr-defined]
"""json.dumps of a string."""
_sorted_json = json.JSONEncoder(sort_keys=True, separators=(",", ":")).encode
"""json.dumps(value, sort_keys=True, separators=(",", ":")) without an encoder made at each call."""


def _entry_json(entry: object) -> str:
    """A page's manifest entry as _sorted_json() writes it; the usual one (a fingerprint, no
    diagnostics) written out: a tag page per 7 bytes of input makes 150 000 entries a MB, at
    ~3 µs each through json.dumps."""
    if type(entry) is dict and len(entry) == 2 and entry.get("diags") == [] and type(entry.get("fp")) is str:
        return '{"diags":[],"fp":' + _string(entry["fp"]) + "}"
    return _sorted_json(entry)


def _pages_json(pages: dict) -> str:
    out = []
    for url in sorted(pages):
        entry = pages[url]
        hit = _ENCODED.get(url)
        if hit is None or hit[0] is not entry:
            hit = _ENCODED[url] = (entry, _string(url) + ":" + _entry_json(entry))
        out.append(hit[1])
    if len(_ENCODED) > 2 * len(pages) + 1000:  # pages gone since: forget them
        for url in [u for u in _ENCODED if u not in pages]:
            del _ENCODED[url]
    return "{" + ",".join(out) + "}"


def _remove_abandoned(out: Path) -> None:
    """Delete the staging folders of builds of `out` that were killed: named after the process
    that made them (`.site.kbgen-PID-xxxx`), they are abandoned when that process is gone."""
    pattern = re.compile(re.escape(f".{out.name}.kbgen-") + r"(\d+)-[^/]+")
    try:
        entries = list(os.scandir(out.parent))
    except OSError:
        return
    for entry in entries:
        m = pattern.fullmatch(entry.name)
        if m and entry.is_dir(follow_symlinks=False) and not _alive(int(m.group(1))):
            shutil.rmtree(entry.path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process: alive
    return True


def stage_file(out: Path, staging: Path, rel: str, data: bytes) -> None:
    """Write `rel` into a staging folder for `out`; the same bytes as the file in `out` are
    hard-linked instead (the old file and its mtime are kept). Safe from worker processes.
    Paths are strings and the bytes go through os.write: two Path joins, a stat through a Path
    and Path.write_bytes' file objects were ~10 µs of the ~20 µs a page (a vault of tiny notes
    writes one page per 200 bytes of input)."""
    old = f"{out}/{rel}"
    target = f"{staging}/{rel}"
    if _old_folder(str(staging), old):
        try:
            st = os.stat(old)
            if stat.S_ISREG(st.st_mode) and st.st_size == len(data) and _read(old) == data:
                _in_folder(staging, target, os.link, old)
                return
        except OSError:
            pass
    _in_folder(staging, target, _write, data)


_FOLDERS: tuple[str, dict[str, bool]] = ("", {})
"""The staging folder last written to, and whether each folder of the site it replaces exists.
A first build (or a new folder) has no old files: a failed stat per page was ~3 µs of the ~14.
The old site is not written to while a build is staged, so what was found holds for the build
(and a wrong answer would only write a file that could have been linked: the same bytes)."""


def _old_folder(staging: str, old: str) -> bool:
    """Whether the old site has the folder of its file `old` (when False, it has no such file)."""
    global _FOLDERS
    if _FOLDERS[0] != staging:
        _FOLDERS = (staging, {})
    folder = old.rpartition("/")[0]
    found = _FOLDERS[1].get(folder)
    if found is None:
        found = _FOLDERS[1][folder] = os.path.isdir(folder)
    return found


def _read(path: str) -> bytes:
    with open(path, "rb") as fh:
        return fh.read()


_WRITE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC
"""open()'s flags for mode "wb" (its permissions too: 0o666 less the umask)."""


def _write(data: bytes, target: str) -> None:
    fd = os.open(target, _WRITE, 0o666)
    try:
        view = memoryview(data)
        while view:  # a regular file takes it all at once, short of a signal or a full disk
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def _in_folder(root: Path, target: str, make: Callable[[Any, str], object], arg: Any) -> None:
    """make(arg, target) the file, creating its folder first only when it is missing: most pages
    share a folder, and asking for it at every page cost a failed mkdir (and its stats) each.
    Folders are made below `root` only, never `root` itself: a worker that outlives its killed
    build must not bring back the staging folder the next build has removed."""
    try:
        make(arg, target)
    except FileNotFoundError:
        folder = root
        for part in Path(target).parent.relative_to(root).parts:
            folder = folder / part
            try:
                folder.mkdir()
            except FileExistsError:
                pass
        make(arg, target)


class Staging:
    """A full build written beside `out` and swapped in by commit(); unchanged files are hard-linked."""

    def __init__(self, out: Path) -> None:
        self.out = out.resolve()
        self.out.parent.mkdir(parents=True, exist_ok=True)
        _remove_abandoned(self.out)
        self.dir = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.kbgen-{os.getpid()}-", dir=self.out.parent))
        self.files: set[str] = set()

    def path(self, rel: str) -> Path:
        p = self.dir / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        self.files.add(rel)
        return p

    def write(self, rel: str, data: bytes) -> None:
        self.files.add(rel)
        stage_file(self.out, self.dir, rel, data)

    def copy(self, rel: str, src: Path) -> None:
        old = self.out / rel
        target = self.path(rel)
        try:
            st_old, st_src = old.stat(), src.stat()
            if st_old.st_size == st_src.st_size and old.read_bytes() == src.read_bytes():
                os.link(old, target)
                return
        except OSError:
            pass
        shutil.copyfile(src, target)

    def reuse(self, rel: str) -> bool:
        """Carry an unchanged file over from the current output; False when it is not there."""
        old = self.out / rel
        if not old.is_file():
            return False
        try:
            os.link(old, self.path(rel))
        except OSError:
            shutil.copyfile(old, self.path(rel))
        return True

    def commit(self, manifest: dict) -> None:
        """Keep files in `out` that kbgen did not write, then swap the staged site in."""
        old = self.out.with_name(f".{self.out.name}.kbgen-old")
        if old.is_dir() and not self.out.exists():
            os.replace(old, self.out)  # a build killed mid-swap: bring the previous site back first
        previous = read_manifest(self.out)
        ours = set(previous.get("files", [])) | {MARK}
        users: set[str] = set()
        if self.out.is_dir():
            for f in sorted(self.out.rglob("*")):
                rel = f.relative_to(self.out).as_posix()
                if f.is_file() and rel not in ours and rel not in self.files:
                    self.reuse(rel)  # the user's own file: never lost
                    users.add(rel)
        # The user's files stay out of the manifest: listed there, the next build would count
        # them as its own and drop them.
        manifest = dict(manifest, files=sorted(self.files - users))
        (self.dir / MARK).write_bytes(_manifest_bytes(manifest))
        if self.out.exists():
            if old.exists():
                shutil.rmtree(old)
            os.replace(self.out, old)
        os.replace(self.dir, self.out)
        if old.exists():
            shutil.rmtree(old, ignore_errors=True)

    def abort(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def write_in_place(out: Path, files: dict[str, bytes], copies: dict[str, Path],
                   deleted: set[str], manifest: dict) -> list[str]:
    """An incremental update of a built site: atomic per file, only bytes that changed.
    Returns the files that actually changed."""
    changed = []
    wanted = [(rel, data) for rel, data in files.items()]
    wanted += [(rel, src.read_bytes()) for rel, src in copies.items() if not _copied(src, out / rel)]
    for rel, data in sorted(wanted):
        target = out / rel
        try:
            if target.is_file() and target.read_bytes() == data:
                if rel in copies:
                    os.utime(target)  # newer than its source now: _copied() skips it next time
                continue
        except OSError:
            pass
        _atomic_write(target, data)
        changed.append(rel)
    previous = set(read_manifest(out).get("files", []))
    for rel in sorted(deleted & previous):
        try:
            (out / rel).unlink()
            changed.append(rel)
        except FileNotFoundError:
            pass
    write_manifest(out, manifest)
    return changed


def write_manifest(out: Path, manifest: dict) -> None:
    """Replace the mark's manifest, and remember it as read (serve writes it at every edit)."""
    mark = out / MARK
    _atomic_write(mark, _manifest_bytes(manifest))
    st = os.stat(mark)
    _parsed.clear()  # kbgen's own list of files: read_manifest's checks are for what is on disk
    _parsed[mark] = ((st.st_ino, st.st_size, st.st_mtime_ns), dict(manifest))


def _copied(src: Path, target: Path) -> bool:
    """True when `target` was written after `src` last changed, with its size: a copy that is
    up to date. (A file's ctime moves with any change to it and cannot be set back, unlike its
    mtime.) Saves reading every attachment at every edit."""
    try:
        s, t = src.stat(), target.stat()
    except OSError:
        return False
    return s.st_size == t.st_size and t.st_mtime_ns > s.st_ctime_ns


def _atomic_write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".kbgen-tmp-")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(tmp, 0o644)
    os.replace(tmp, target)
