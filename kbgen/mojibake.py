"""Mojibake (text decoded with the wrong encoding, like `theyâ€™re`): find it line by line with ftfy, and repair it.

Only ftfy's encoding repair is used (`fix_encoding`), never its other cleanups (quotes, HTML
entities, widths), so a line is changed only where ftfy is confident the bytes were misread.
Fenced code blocks are left alone: code may hold such text on purpose.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import ftfy

BACKUP_DIR = ".kbgen-backup"
"""Folder at the vault root that keeps each file as it was before `--fix-encoding` changed it."""

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CONTEXT = 40
"""Characters of the garbled text shown in a message, at most."""


@dataclass(frozen=True)
class Mojibake:
    """One garbled line: where, what, and ftfy's repair."""

    line: int
    """1-based line in the file."""
    bad: str
    """The garbled words, as written."""
    good: str
    """The same words repaired."""
    misread_as: str
    """The encoding the UTF-8 bytes were wrongly decoded with (`Windows-1252`); '' when ftfy names none."""
    fixed_line: str
    """The whole line repaired."""

    def message(self) -> str:
        how = f"UTF-8 read as {self.misread_as}" if self.misread_as else "garbled UTF-8"
        return f"{self.bad!r} looks like {how}; it should read {self.good!r} (kbgen check --fix-encoding)"


def scan(text: str) -> list[Mojibake]:
    """Every line of `text` (split on `\\n`) that ftfy would repair, outside fenced code blocks."""
    found = []
    fence = ""
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        m = _FENCE.match(line)
        if m:
            mark = m.group(1)
            if not fence:
                fence = mark
            elif mark[0] == fence[0] and len(mark) >= len(fence) and not line.strip()[len(mark):].strip():
                fence = ""
            continue
        if fence or line.isascii():
            continue
        fixed, steps = ftfy.fix_encoding_and_explain(line)
        if fixed != line:
            bad, good = _changed_words(line, fixed)
            found.append(Mojibake(number, bad, good, _misread_as(steps or []), fixed))
    return found


def repair(text: str, found: list[Mojibake]) -> str:
    """`text` with the lines of `found` replaced by their repairs; everything else byte for byte."""
    lines = text.split("\n")
    for m in found:
        raw = lines[m.line - 1]
        lines[m.line - 1] = m.fixed_line + ("\r" if raw.endswith("\r") else "")
    return "\n".join(lines)


def fix_file(path: Path, backup: Path) -> tuple[list[Mojibake], Path | None]:
    """Repair the mojibake of `path` in place, after copying the file as it was to `backup`
    (`VAULT/.kbgen-backup/<vault path>`); an existing backup is never replaced: `.1`, `.2`, …
    are added.

    Returns what was repaired and the backup written; nothing is written when there is nothing
    to repair or the file is not UTF-8 (ftfy repairs text, not undecodable bytes)."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return [], None
    found = scan(text)
    if not found:
        return [], None
    backup = _free_name(backup)
    backup.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(path, backup)
    _replace(path, repair(text, found).encode("utf-8"))
    return found, backup


def _changed_words(line: str, fixed: str) -> tuple[str, str]:
    """The part of the line that differs, widened to whole words and cut to a readable length."""
    start = 0
    limit = min(len(line), len(fixed))
    while start < limit and line[start] == fixed[start]:
        start += 1
    end_bad, end_good = len(line), len(fixed)
    while end_bad > start and end_good > start and line[end_bad - 1] == fixed[end_good - 1]:
        end_bad -= 1
        end_good -= 1
    while start > 0 and not line[start - 1].isspace():
        start -= 1
    while end_bad < len(line) and not line[end_bad].isspace():
        end_bad += 1
        end_good += 1
    return _cut(line[start:end_bad]), _cut(fixed[start:end_good])


def _cut(text: str) -> str:
    return text if len(text) <= _CONTEXT else text[:_CONTEXT - 1] + "…"


def _misread_as(steps: list[tuple[str, str]]) -> str:
    for action, name in steps:
        if action == "encode":
            name = name.removeprefix("sloppy-")
            return {"windows-1252": "Windows-1252", "latin-1": "Latin-1", "macroman": "Mac Roman",
                    "cp437": "IBM code page 437"}.get(name, name)
    return ""


def _free_name(path: Path) -> Path:
    if not path.exists():
        return path
    n = 1
    while path.with_name(f"{path.name}.{n}").exists():
        n += 1
    return path.with_name(f"{path.name}.{n}")


def _replace(path: Path, data: bytes) -> None:
    """Write `data` over `path` atomically, keeping its permissions: a crash leaves old or new, never half."""
    mode = path.stat().st_mode & 0o7777
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".kbgen-fix-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
