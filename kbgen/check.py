"""`kbgen check`: lint a vault without building it, for people and CI (exit 1 on any error-level problem).

It runs the build's own discover → parse → resolve (`Builder.collect()`), so it reports exactly
what a build would about links, embeds, front matter, names and encodings, and adds what only a
linter asks: orphan notes, empty notes, duplicate titles and mojibake (with ftfy's repair).
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from kbgen import diagnostics as diag
from kbgen import mojibake
from kbgen.diagnostics import Diagnostic, Level, make

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
LEVELS = ("error", "warning", "info", "off")


class UsageError(Exception):
    """A bad `--level` or `[levels]` entry; the message names it."""


@dataclass
class Report:
    """What `kbgen check` found: diagnostics at their final levels, plus repair data for mojibake."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    notes: int = 0
    fixes: dict[tuple[str, int, str], dict[str, str]] = field(default_factory=dict)
    """(path, line, message) of a mojibake diagnostic → {"bad", "good", "misread_as"}, for JSON."""
    repaired: list[tuple[str, int, Path]] = field(default_factory=list)
    """(note, lines repaired, backup) for each file `--fix-encoding` changed."""

    def count(self, level: Level) -> int:
        return sum(d.level == level for d in self.diagnostics)


def add_command(sub: Any) -> None:
    c = sub.add_parser(
        "check", help="lint the vault without building it (exit 1 when anything is at error level)",
        description="Report broken, ambiguous and outside links, missing headings, blocks, attachments "
                    "and embeds, invalid front matter, orphan and empty notes, duplicate titles, "
                    "unsafe file names and mojibake, as `path:line: code: message`. Levels per code "
                    "come from kbgen.toml [levels] and --level; exit 1 when any problem is at "
                    "error level.")
    c.add_argument("vault", nargs="?", type=Path, default=Path("."), help="vault folder (default: .)")
    c.add_argument("--config", type=Path, help="config file (default: VAULT/kbgen.toml)")
    c.add_argument("--format", choices=["text", "json"], default="text",
                   help="text: one `path:line: code: message` per line; json: one document")
    c.add_argument("--level", action="append", default=[], metavar="CODE=LEVEL",
                   help="set a code's level (error, warning, info, off); repeatable, "
                        "wins over kbgen.toml [levels]")
    c.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    c.add_argument("--fix-encoding", action="store_true",
                   help=f"repair mojibake in place; each changed file is first copied to "
                        f"VAULT/{mojibake.BACKUP_DIR}/ under its vault path")
    c.add_argument("--no-cache", action="store_true", help="ignore and do not write the parse cache")
    c.add_argument("--quiet", "-q", action="store_true", help="no summary line")
    c.set_defaults(func=cmd_check)


def cmd_check(args: argparse.Namespace) -> int:
    from kbgen.config import ConfigError

    try:
        report = check(args.vault, config_file=args.config, levels=args.level,
                       fix_encoding=args.fix_encoding, cache=not args.no_cache)
    except (ConfigError, UsageError) as exc:
        print(f"kbgen: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.format == "json":
        json.dump(as_json(report), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        diag.report(report.diagnostics, sys.stdout)
    if not args.quiet:
        summary(report, sys.stderr)
    if report.count("error") or (args.strict and report.count("warning")):
        return EXIT_PROBLEMS
    return EXIT_OK


def check(vault: Path, *, config_file: Path | None = None, levels: list[str] | tuple[str, ...] = (),
          fix_encoding: bool = False, cache: bool = True) -> Report:
    """Lint `vault`; with `fix_encoding`, repair mojibake first (backups in `.kbgen-backup/`)."""
    from kbgen.build import Builder
    from kbgen.config import load
    from kbgen.discover import discover

    root = Path(vault).resolve()
    config = load(root, config_file)
    wanted, level_diags = _levels(config.levels, levels, config_file or root / "kbgen.toml")
    report = Report()
    builder = Builder(root, None, config_file=config_file, quiet=True, search=False, cache=cache)
    notes = discover(config, exclude=(builder.out, root / config.cache_dir)).notes
    if fix_encoding:  # before collecting, so the report describes the repaired files
        for path, file in notes.items():
            found, backup = mojibake.fix_file(file, root / mojibake.BACKUP_DIR / path)
            if backup is not None:
                report.repaired.append((path, len(found), backup))
    site, found = builder.collect()
    texts = _texts(notes)
    found += level_diags + _missing_embeds(site) + _orphans(site) + _duplicate_titles(site, texts)
    found += _empty_notes(texts)
    for path, text in texts.items():
        for m in mojibake.scan(text):
            message = m.message()
            found.append(make(path, m.line, "mojibake", message))
            report.fixes[(path, m.line, message)] = {"bad": m.bad, "good": m.good, "misread_as": m.misread_as}
    report.diagnostics = diag.with_levels(found, wanted)
    report.notes = len(texts)
    return report


def as_json(report: Report) -> dict[str, Any]:
    items = []
    for d in report.diagnostics:
        item = d.as_dict()
        fix = report.fixes.get((d.path, d.line, d.message)) if d.code == "mojibake" else None
        if fix:
            item["fix"] = fix
        items.append(item)
    return {"notes": report.notes,
            "counts": {level: report.count(level) for level in ("error", "warning", "info")},
            "diagnostics": items,
            "repaired": [{"path": p, "lines": n, "backup": str(b)} for p, n, b in report.repaired]}


def summary(report: Report, stream: TextIO) -> None:
    for path, n, backup in report.repaired:
        print(f"kbgen: repaired {n} line(s) of mojibake in {path} (was saved as {backup})", file=stream)
    print(f"kbgen check: {report.notes} notes: {report.count('error')} errors, "
          f"{report.count('warning')} warnings, {report.count('info')} notes for information", file=stream)


# -- levels ------------------------------------------------------------------------------

def _levels(configured: dict[str, Any], given: list[str] | tuple[str, ...],
            config_file: Path) -> tuple[dict[str, Level], list[Diagnostic]]:
    """Default levels, then kbgen.toml [levels], then --level. A bad --level is a usage error;
    a bad [levels] entry is a `config` problem (an error by default) and is ignored."""
    levels: dict[str, Level] = dict(diag.DEFAULT_LEVELS)
    problems = []
    for code, level in sorted(configured.items()):
        why = _bad_level(code, level)
        if why:
            problems.append(make(config_file.name, 0, "config", f"[levels] {code} = {level!r}: {why}"))
        else:
            levels[code] = level
    for item in given:
        code, sep, level = item.partition("=")
        code, level = code.strip(), level.strip()
        why = "expected CODE=LEVEL" if not sep else _bad_level(code, level)
        if why:
            raise UsageError(f"--level {item!r}: {why}")
        levels[code] = level  # type: ignore[assignment]
    return levels, problems


def _bad_level(code: str, level: object) -> str:
    if code not in diag.DEFAULT_LEVELS:
        return f"unknown code (known: {', '.join(sorted(diag.DEFAULT_LEVELS))})"
    if level not in LEVELS:
        return f"level must be one of {', '.join(LEVELS)}"
    return ""


# -- what only a linter asks ---------------------------------------------------------------

def _missing_embeds(site: Any) -> list[Diagnostic]:
    """Embeds of files or notes that do not exist: found by the renderer in a build."""
    from kbgen.body import missing_embed

    out = []
    for source, table in site.targets.items():
        for ref, target in table.items():
            if ref.embed:
                problem = missing_embed(source, ref, target)
                if problem is not None:
                    out.append(problem)
    return out


def _orphans(site: Any) -> list[Diagnostic]:
    """Notes with no links in or out (the home page is linked from every page)."""
    out = []
    for node in site.graph.orphans():
        path = site.graph.g.nodes[node]["path"]
        if path != site.home:
            out.append(make(path, 0, "orphan-note", "no note links here and it links nowhere"))
    return out


def _duplicate_titles(site: Any, texts: dict[str, str]) -> list[Diagnostic]:
    """Notes that would show the same title; each one after the first names the first."""
    by_title: dict[str, list[str]] = defaultdict(list)
    for path, note in site.notes.items():
        by_title[note.title.strip().casefold()].append(path)
    out = []
    for paths in by_title.values():
        first = paths[0]
        for path in paths[1:]:
            note = site.notes[path]
            line = _title_line(texts.get(path, "")) if "title" in note.meta else 0
            out.append(make(path, line, "duplicate-title", f"title {note.title!r} is also the title of {first}"))
    return out


def _title_line(text: str) -> int:
    """The line of the `title:` property (the opening `---` is line 1), else 0."""
    for i, line in enumerate(text.split("\n")[1:], start=2):
        if line.startswith("title:"):
            return i
        if line.rstrip() in ("---", "..."):
            break
    return 0


def _texts(notes: dict[str, Path]) -> dict[str, str]:
    """Each note's text, decoded as parse decodes it (undecodable bytes are reported by parse)."""
    from kbgen.parse import decode

    out = {}
    for path, file in notes.items():
        try:
            out[path] = decode(file.read_bytes(), path)[0]
        except OSError:
            continue  # reported as unreadable by collect()
    return out


def _empty_notes(texts: dict[str, str]) -> list[Diagnostic]:
    from kbgen.parse import front_matter_source  # the one definition of where front matter ends

    out = []
    for path, text in texts.items():
        body = text
        fm = front_matter_source(text)
        if fm is not None:  # skip the opening line, the properties, then the closing line
            body = text[text.index("\n") + 1 + len(fm):].partition("\n")[2]
        if not body.strip():
            what = "has only front matter" if fm is not None else "is empty"
            out.append(make(path, 0, "empty-note", f"the note {what}"))
    return out
