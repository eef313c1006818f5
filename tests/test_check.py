"""`kbgen check`: what it reports, where, at which level, in text and JSON, its exit codes, and --fix-encoding."""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import shared
from kbgen.check import check
from kbgen.cli import main

SEED_NOTE = "AWS Security Token Service (STS).md"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["check", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def lines_of(out: str) -> list[tuple[str, int, str, str]]:
    """`path:line: code: message` lines → tuples (paths may hold colons and spaces)."""
    found = []
    for line in out.splitlines():
        m = re.match(r"^(.*?):(\d+): ([a-z-]+): (.*)$", line)
        assert m, f"not path:line: code: message: {line!r}"
        found.append((m.group(1), int(m.group(2)), m.group(3), m.group(4)))
    return found


def snapshot(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and ".kbgen-cache" not in p.parts}


@pytest.fixture
def seed_vault(tmp_path: Path) -> Path:
    vault = tmp_path / "seed"
    shutil.copytree(shared("seed"), vault)
    return vault


# -- the user's own first note -------------------------------------------------------------

def test_seed_note_reports_mojibake_missing_image_and_every_unresolved_link(
        seed_vault: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (seed_vault / SEED_NOTE).read_text(encoding="utf-8")
    lines = text.split("\n")
    code, out, _ = run(capsys, str(seed_vault))
    found = lines_of(out)
    assert code == 0  # all of these are warnings by default

    # mojibake: the line with UTF-8 bytes read as Windows-1252, and its repair
    bad_lines = [i for i, line in enumerate(lines, 1) if "â€" in line]
    assert bad_lines
    mojibake = [f for f in found if f[2] == "mojibake"]
    assert [f[1] for f in mojibake] == bad_lines
    for (_, line, _, message) in mojibake:
        garbled = re.search(r"\S*â€\S*", lines[line - 1]).group(0)  # type: ignore[union-attr]
        repaired = garbled.encode("cp1252").decode("utf-8")
        assert repr(garbled) in message and repr(repaired) in message and "Windows-1252" in message

    # the pasted image that is not in the vault
    images = [(i, m.group(1)) for i, line in enumerate(lines, 1)
              for m in re.finditer(r"!\[\[([^\]|#]+\.png)", line)]
    assert images
    missing = {(f[1], f[3]) for f in found if f[2] == "missing-attachment"}
    for line, name in images:
        assert any(ln == line and repr(name) in msg for ln, msg in missing), (line, name)

    # every wikilink (the vault has no other note, so each one is unresolved)
    links = {(i, m.group(0)) for i, line in enumerate(lines, 1)
             for m in re.finditer(r"(?<!!)\[\[[^\]]+\]\]", line)}
    assert len(links) > 10
    unresolved = {(f[1], f[3].split(":")[0].strip("'")) for f in found if f[2] == "unresolved-link"}
    assert unresolved == links
    assert all(f[0] == SEED_NOTE for f in found)


def test_seed_note_as_json_carries_the_fix(seed_vault: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(seed_vault), "--format", "json", "--quiet")
    data = json.loads(out)
    assert code == 0 and data["notes"] == 1
    assert data["counts"]["warning"] == len(data["diagnostics"])
    for item in data["diagnostics"]:
        assert set(item) >= {"path", "line", "code", "level", "message"}
    (moji,) = [d for d in data["diagnostics"] if d["code"] == "mojibake"]
    assert moji["fix"]["bad"].encode("cp1252").decode("utf-8") == moji["fix"]["good"]
    assert moji["fix"]["misread_as"] == "Windows-1252"


def test_check_writes_nothing_into_the_vault_but_its_cache(seed_vault: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(seed_vault)
    run(capsys, str(seed_vault))
    run(capsys, str(seed_vault), "--no-cache")
    assert snapshot(seed_vault) == before
    assert sorted(p.name for p in seed_vault.iterdir()) == sorted([SEED_NOTE, ".kbgen-cache"])


# -- levels and exit codes -----------------------------------------------------------------

def test_levels_from_the_command_line_and_the_config(seed_vault: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(seed_vault), "--level", "unresolved-link=error", "--format", "json")
    data = json.loads(out)
    assert code == 1
    assert {d["level"] for d in data["diagnostics"] if d["code"] == "unresolved-link"} == {"error"}
    assert {d["level"] for d in data["diagnostics"] if d["code"] != "unresolved-link"} == {"warning"}

    assert run(capsys, str(seed_vault), "--strict")[0] == 1
    code, out, _ = run(capsys, str(seed_vault), "--level", "unresolved-link=off", "--level", "mojibake=off")
    assert code == 0 and {f[2] for f in lines_of(out)} == {"missing-attachment"}

    (seed_vault / "kbgen.toml").write_text('[levels]\nmojibake = "error"\nunresolved-link = "off"\n')
    code, out, _ = run(capsys, str(seed_vault))
    assert code == 1
    assert {f[2] for f in lines_of(out)} == {"mojibake", "missing-attachment"}
    # the command line wins over the config
    assert run(capsys, str(seed_vault), "--level", "mojibake=info")[0] == 0


def test_bad_levels_are_refused(seed_vault: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, str(seed_vault), "--level", "unresolved-link=fatal")
    assert code == 2 and "unresolved-link=fatal" in err and "error, warning, info, off" in err
    code, _, err = run(capsys, str(seed_vault), "--level", "unresolved-links=error")
    assert code == 2 and "unknown code" in err
    code, _, err = run(capsys, str(seed_vault), "--level", "mojibake")
    assert code == 2 and "CODE=LEVEL" in err

    (seed_vault / "kbgen.toml").write_text('[levels]\nunresolved-link = "eror"\n')
    code, out, _ = run(capsys, str(seed_vault))
    found = lines_of(out)
    assert code == 1  # a config problem is an error: CI must not pass on a typo
    assert ("kbgen.toml", 0, "config") in {f[:3] for f in found}
    assert any(f[2] == "unresolved-link" for f in found)  # still reported, at its default level


def test_exit_codes_of_the_real_command(seed_vault: Path) -> None:
    def kbgen(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "kbgen", "check", *argv], capture_output=True,
                              text=True, cwd=seed_vault, timeout=120)

    ok = kbgen()
    assert ok.returncode == 0, ok.stderr
    assert f"{SEED_NOTE}:" in ok.stdout and "kbgen check: 1 notes" in ok.stderr
    assert kbgen("--level", "missing-attachment=error").returncode == 1
    assert kbgen("--config", "nope.toml").returncode == 2


# -- each lint, with its path and line ------------------------------------------------------

def test_each_lint_with_its_path_and_line(make_vault) -> None:  # type: ignore[no-untyped-def]
    vault = make_vault({
        "Home.md": "# Home\n\n[[A]] [[B]] [[A#Missing]] [[A#^nope]] [[Dup]]\n\n![[Nowhere]]\n\n![[gone.png]]\n",
        "A.md": "---\ntitle: Same\n---\n# A\n\ntext ^blk\n\n[[Home]] [[Nope]]\n",
        "B.md": "---\ntitle: Same\n---\nback to [[Home]]\n",
        "x/Dup.md": "one\n", "y/Dup.md": "two\n",
        "Lonely.md": "no links at all\n",
        "Empty.md": "",
        "Props.md": "---\ntags: [a]\n---\n\n  \n",
        "Broken.md": "---\ntitle: a: b\n---\ntext [[Home]]\n",
        "Moji.md": "intro [[Home]]\n\nCafÃ© and naÃ¯ve\n\n```\ncode keeps Ã© on purpose\n```\n",
        "Draft.md": "---\npublish: false\n---\n",
    })
    report = check(vault, cache=False)
    got = {(d.path, d.line, d.code) for d in report.diagnostics}
    expected = {
        ("Home.md", 3, "missing-heading"),
        ("Home.md", 3, "missing-block"),
        ("Home.md", 3, "ambiguous-link"),
        ("Home.md", 5, "missing-embed"),
        ("Home.md", 7, "missing-attachment"),
        ("A.md", 8, "unresolved-link"),
        ("B.md", 2, "duplicate-title"),
        ("Lonely.md", 0, "orphan-note"),
        ("Empty.md", 0, "empty-note"),
        ("Props.md", 0, "empty-note"),
        ("Draft.md", 0, "empty-note"),
        ("Broken.md", 2, "invalid-front-matter"),
        ("Moji.md", 3, "mojibake"),
    }
    assert expected <= got, expected - got
    assert not any(d.path == "Moji.md" and d.line == 6 for d in report.diagnostics)  # inside ``` code
    orphans = {d.path for d in report.diagnostics if d.code == "orphan-note"}
    assert "Home.md" not in orphans and "A.md" not in orphans
    empty = {d.path for d in report.diagnostics if d.code == "empty-note"}
    assert empty == {"Empty.md", "Props.md", "Draft.md"}
    levels = {d.code: d.level for d in report.diagnostics}
    assert levels["orphan-note"] == "info" and levels["unresolved-link"] == "warning"
    assert report.notes == 11


def test_check_reports_what_the_build_reports(make_vault) -> None:  # type: ignore[no-untyped-def]
    from conftest import build
    vault = make_vault({
        "Home.md": "[[A]] [[Missing]] ![[gone.png]] ![[A#Nope]] [[../../out]]\n",
        "A.md": "---\ntags: {x: 1}\n---\n[[Home]]\n",
        "bad.md": b"\xff\xfe oops\n",
        "CON.md": "[[Home]]\n",
    })
    result, _ = build(vault)
    built = {(d.path, d.line, d.code) for d in result.diagnostics}
    checked = {(d.path, d.line, d.code) for d in check(vault, cache=False).diagnostics}
    assert built <= checked


# -- --fix-encoding ----------------------------------------------------------------------------

def test_fix_encoding_repairs_in_place_after_a_backup(seed_vault: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    note = seed_vault / SEED_NOTE
    original = note.read_bytes()
    code, out, err = run(capsys, str(seed_vault), "--fix-encoding")
    assert code == 0
    backup = seed_vault / ".kbgen-backup" / SEED_NOTE
    assert backup.read_bytes() == original
    assert f"repaired 1 line(s) of mojibake in {SEED_NOTE}" in err and str(backup) in err
    assert not any(f[2] == "mojibake" for f in lines_of(out))  # the report describes the repaired file

    old_lines, new_lines = original.split(b"\n"), note.read_bytes().split(b"\n")
    changed = [i for i, (a, b) in enumerate(zip(old_lines, new_lines), 1) if a != b]
    assert len(old_lines) == len(new_lines) and len(changed) == 1
    (line,) = changed
    assert old_lines[line - 1].decode().replace("â€™", "’") == new_lines[line - 1].decode()

    # nothing left to repair: no new backup, nothing changed
    again = note.read_bytes()
    run(capsys, str(seed_vault), "--fix-encoding")
    assert note.read_bytes() == again
    assert sorted(p.name for p in backup.parent.iterdir()) == [SEED_NOTE]


def test_fix_encoding_never_replaces_an_older_backup(make_vault) -> None:  # type: ignore[no-untyped-def]
    vault = make_vault({"sub/n.md": "CafÃ©\r\nok\r\n", ".kbgen-backup/sub/n.md": "an older backup\n"})
    report = check(vault, fix_encoding=True, cache=False)
    assert [(p, n) for p, n, _ in report.repaired] == [("sub/n.md", 1)]
    assert (vault / ".kbgen-backup/sub/n.md").read_text() == "an older backup\n"
    assert (vault / ".kbgen-backup/sub/n.md.1").read_bytes() == "CafÃ©\r\nok\r\n".encode()
    assert (vault / "sub/n.md").read_bytes() == "Café\r\nok\r\n".encode()  # line endings kept


def test_without_fix_encoding_nothing_is_repaired(make_vault) -> None:  # type: ignore[no-untyped-def]
    vault = make_vault({"n.md": "theyâ€™re\n", "latin.md": b"caf\xe9 \xc3\xa9\n"})
    before = snapshot(vault)
    report = check(vault, cache=False)
    assert snapshot(vault) == before and not report.repaired
    assert ("n.md", 1, "mojibake") in {(d.path, d.line, d.code) for d in report.diagnostics}
    # a file that is not UTF-8 at all is an encoding problem, not something ftfy can repair
    check(vault, fix_encoding=True, cache=False)
    assert (vault / "latin.md").read_bytes() == b"caf\xe9 \xc3\xa9\n"
    assert not (vault / ".kbgen-backup" / "latin.md").exists()


def test_fix_encoding_finds_a_note_whose_name_is_decomposed(make_vault) -> None:  # type: ignore[no-untyped-def]
    import unicodedata
    nfd = unicodedata.normalize("NFD", "Café.md")
    vault = make_vault({nfd: "na\u00c3\u00afve\n"})
    report = check(vault, fix_encoding=True, cache=False)
    nfc = unicodedata.normalize("NFC", "Café.md")
    assert [(p, n) for p, n, _ in report.repaired] == [(nfc, 1)]
    assert (vault / nfd).read_text(encoding="utf-8") == "naïve\n"
    assert (vault / ".kbgen-backup" / nfc).read_text(encoding="utf-8") == "na\u00c3\u00afve\n"
