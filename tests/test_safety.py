"""Never lose data: unsafe output folders are refused, only generated files are ever removed, and a
failed or killed build leaves the previous site as it was."""
from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, build, write_vault
from kbgen.build import Builder
from kbgen.cli import main
import kbgen.output
import kbgen.write
from kbgen.write import MARK


def tree(root: Path, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """Every file under root (symlinks as their target) → a digest of its bytes."""
    out = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        if any(rel == s or rel.startswith(s + "/") for s in skip):
            continue
        if p.is_symlink():
            out[rel] = "-> " + os.readlink(p)
        elif p.is_file():
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def kbgen_build(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(["build", "--no-search", "--quiet", *argv])
    return code, capsys.readouterr().err


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    return write_vault(tmp_path / "vault", {
        "notes/Home.md": "# Home\n\n[[Other]] ![[pic.png]]\n",
        "notes/Other.md": "# Other\n\nback [[Home]]\n",
        "notes/sub/Deep.md": "deep\n",
        "attachments/pic.png": b"\x89PNG fake",
        "kbgen.toml": 'title = "Safety"\n',
    })


# -- refusals -------------------------------------------------------------------------------

@pytest.mark.parametrize("where, why", [
    (".", "is the vault itself"),
    ("..", "contains the vault"),
    ("notes", "inside the notes folder"),
    ("notes/sub/site", "inside the notes folder"),
    ("attachments/site", "inside the notes folder"),
    ("../mine", "not empty and was not made by kbgen"),
    ("../afile", "not a directory"),
])
def test_unsafe_output_folders_are_refused_and_nothing_is_written(
        vault: Path, capsys: pytest.CaptureFixture[str], where: str, why: str) -> None:
    (vault.parent / "mine").mkdir()
    (vault.parent / "mine" / "thesis.docx").write_bytes(b"years of work")
    (vault.parent / "afile").write_bytes(b"a file")
    before = tree(vault.parent)
    code, err = kbgen_build(capsys, str(vault), "--out", str(vault / where))
    assert code == 2 and why in err
    assert tree(vault.parent) == before  # not even a staging folder or a cache


@pytest.mark.parametrize("where", [".", "..", "notes"])
def test_force_does_not_override_the_vault_refusals(vault: Path, capsys: pytest.CaptureFixture[str],
                                                   where: str) -> None:
    before = tree(vault.parent)
    code, _ = kbgen_build(capsys, str(vault), "--out", str(vault / where), "--force")
    assert code == 2 and tree(vault.parent) == before


def test_force_writes_into_a_foreign_folder_and_keeps_its_files(vault: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    out = vault.parent / "mine"
    write_vault(out, {"thesis.docx": b"years of work", "drafts/ch1.txt": "chapter one\n"})
    mine = tree(out)
    assert kbgen_build(capsys, str(vault), "--out", str(out), "--force")[0] == 0
    (vault / "notes" / "New.md").write_text("new\n")
    assert kbgen_build(capsys, str(vault), "--out", str(out))[0] == 0  # marked now: no --force needed
    assert (out / "new.html").is_file()
    assert {k: v for k, v in tree(out).items() if k in mine} == mine
    listed = json.loads((out / MARK).read_text())["files"]
    assert not set(mine) & set(listed)


# -- cleaning removes only what kbgen wrote ---------------------------------------------------

def test_user_files_in_the_site_survive_every_kind_of_rebuild(vault: Path) -> None:
    result, out = build(vault)
    assert not result.errors
    write_vault(out, {"CNAME": "notes.example.org\n", "extra/keep.html": "<p>mine</p>\n",
                      "_static/my.css": "body{}\n"})
    mine = {k: v for k, v in tree(out).items() if k in ("CNAME", "extra/keep.html", "_static/my.css")}
    assert len(mine) == 3
    for step in range(3):  # each full build has something new to write
        (vault / "notes" / f"Step{step}.md").write_text(f"step {step}\n")
        build(vault)
        assert {k: v for k, v in tree(out).items() if k in mine} == mine, step
    (vault / "notes" / "Other.md").unlink()
    builder = Builder(vault, out, quiet=True, search=False)
    builder.build()
    assert not (out / "other.html").exists()  # a generated page of a deleted note is removed
    (vault / "notes" / "Home.md").write_text("# Home\n\nchanged\n")
    builder.rebuild({vault / "notes" / "Home.md"})  # the incremental path of `serve`
    assert "changed" in (out / "index.html").read_text()
    assert {k: v for k, v in tree(out).items() if k in mine} == mine


def test_a_tampered_manifest_cannot_make_kbgen_delete_anything_outside_the_site(vault: Path) -> None:
    _, out = build(vault)
    victim = vault.parent / "victim.txt"
    victim.write_text("do not delete\n")
    manifest = json.loads((out / MARK).read_text())
    manifest["files"] += ["../victim.txt", str(victim), "a/../../victim.txt"]
    (out / MARK).write_text(json.dumps(manifest))
    builder = Builder(vault, out, quiet=True, search=False)
    (vault / "notes" / "Other.md").write_text("changed\n")
    builder.rebuild({vault / "notes" / "Other.md"})
    (vault / "notes" / "Other.md").write_text("changed again\n")
    builder.build()
    assert victim.read_text() == "do not delete\n"


def test_building_writes_only_the_output_and_the_cache(vault: Path) -> None:
    before = tree(vault.parent)
    mtimes = {p: p.stat().st_mtime_ns for p in vault.rglob("*") if p.is_file()}
    _, out = build(vault)
    after = tree(vault.parent, skip=(out.relative_to(vault.parent).as_posix(), "vault/.kbgen-cache"))
    assert after == before
    assert {p: p.stat().st_mtime_ns for p in mtimes} == mtimes
    assert sorted(p.name for p in vault.parent.iterdir()) == ["site", "vault"]  # no staging left over


# -- a failed or killed build leaves the previous site -----------------------------------------

def test_a_build_that_fails_midway_leaves_the_previous_site(vault: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    _, out = build(vault)
    before = tree(out)
    (vault / "notes" / "Other.md").write_text("# Other\n\nrewritten\n")
    written = []
    real_write = kbgen.write.stage_file

    def disk_full_after_three(out: Path, staging: Path, rel: str, data: bytes) -> None:
        if len(written) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(rel)
        real_write(out, staging, rel, data)

    # every file of a build is staged through stage_file, pages by the renderer, the rest by Staging
    monkeypatch.setattr(kbgen.write, "stage_file", disk_full_after_three)
    monkeypatch.setattr(kbgen.output, "stage_file", disk_full_after_three)
    with pytest.raises(OSError):
        build(vault)
    assert len(written) == 3
    assert tree(out) == before
    assert sorted(p.name for p in vault.parent.iterdir()) == ["site", "vault"]  # staging removed
    monkeypatch.undo()
    build(vault)
    assert "rewritten" in (out / "other.html").read_text()


def test_a_build_killed_during_the_swap_is_recovered_by_the_next(vault: Path) -> None:
    """Killed between moving the old site aside and moving the new one in: the next build
    brings the old one back first, so the user's files in it are carried over, not dropped."""
    _, out = build(vault)
    (out / "CNAME").write_text("mine\n")
    aside = out.with_name(f".{out.name}.kbgen-old")
    out.rename(aside)
    (vault / "notes" / "Other.md").write_text("after the crash\n")
    build(vault)
    build(vault)  # and once more, when the old folder is gone for good
    assert (out / "CNAME").read_text() == "mine\n"
    assert "after the crash" in (out / "other.html").read_text()
    assert not aside.exists()


def test_killing_a_real_build_midway_leaves_the_previous_site(tmp_path: Path) -> None:
    vault = write_vault(tmp_path / "vault", {"Home.md": "# Home\n\n[[Note 1]]\n", "Note 1.md": "one\n"})
    out = tmp_path / "site"
    cmd = [sys.executable, "-m", "kbgen", "build", str(vault), "--out", str(out), "--no-search",
           "--no-cache", "--quiet"]
    env = dict(os.environ, PYTHONPATH=str(REPO))
    subprocess.run(cmd, check=True, env=env, capture_output=True, timeout=300)
    (out / "my-notes.txt").write_text("the user's own file\n")
    before = tree(out)

    # a vault big enough that writing its site takes a while
    write_vault(vault, {f"Note {i}.md": f"# Note {i}\n\nlinks [[Note {(i + 1) % 2000}]] #tag{i % 20}\n"
                        for i in range(2000)})
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    staged = 0
    try:
        deadline = time.monotonic() + 600
        while proc.poll() is None and time.monotonic() < deadline:
            stages = [p for p in tmp_path.glob(".site.kbgen-*") if p.name != ".site.kbgen-old"]
            if stages:
                staged = sum(1 for _ in stages[0].rglob("*.html"))
                if staged >= 50:  # the new site is half-written: kill the build now
                    proc.send_signal(signal.SIGKILL)
                    break
            time.sleep(0.002)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "the build finished before it could be killed"
    assert staged >= 50

    assert tree(out) == before  # the previous site, byte for byte, with the user's file
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert (out / "note-1999.html").is_file() and (out / "my-notes.txt").read_text() == "the user's own file\n"
    # the killed build's staging folder is gone; a folder of the same shape whose process lives is kept
    assert not [p for p in tmp_path.glob(".site.kbgen-*") if p.name != ".site.kbgen-old"]


def test_only_staging_folders_of_dead_builds_are_removed(tmp_path: Path) -> None:
    vault = write_vault(tmp_path / "vault", {"Home.md": "# Home\n"})
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    abandoned = tmp_path / f".site.kbgen-{dead.pid}-abcd"
    running = tmp_path / f".site.kbgen-{os.getpid()}-efgh"
    unknown = tmp_path / ".site.kbgen-notmine"
    for folder in (abandoned, running, unknown):
        (folder / "page.html").parent.mkdir(parents=True)
        (folder / "page.html").write_text("half a site")
    build(vault, tmp_path / "site")
    assert not abandoned.exists()
    assert (running / "page.html").is_file() and (unknown / "page.html").is_file()


def test_a_removed_staging_folder_is_not_brought_back_by_a_late_writer(tmp_path: Path) -> None:
    """A render worker that outlives its killed build must not recreate the staging folder the
    next build swept away (it would be left behind for good)."""
    from kbgen.write import stage_file
    out, staging = tmp_path / "site", tmp_path / ".site.kbgen-1-x"
    staging.mkdir()
    stage_file(out, staging, "deep/er/page.html", b"<p>kept</p>")
    assert (staging / "deep/er/page.html").read_bytes() == b"<p>kept</p>"  # folders below it are made
    shutil.rmtree(staging)
    with pytest.raises(FileNotFoundError):
        stage_file(out, staging, "deep/page.html", b"<p>late</p>")
    assert not staging.exists()


def test_render_workers_are_killed_with_their_build() -> None:
    """The pool's initializer asks Linux to kill a worker when its build dies."""
    # only the child writes (its pid once the request is made): two writers' lines could come in either order
    code = ("import os, sys, time; from kbgen.parallel import _die_with_parent\n"
            "pid = os.fork()\n"
            "if pid == 0:\n"
            "    _die_with_parent(os.getppid()); print('ready', os.getpid(), flush=True); time.sleep(60); os._exit(0)\n"
            "else:\n"
            "    time.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                            env=dict(os.environ, PYTHONPATH=str(REPO)))
    assert proc.stdout is not None
    word, pid = proc.stdout.readline().split()
    assert word == "ready"
    child = int(pid)
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 30
    while Path(f"/proc/{child}").exists() and open(f"/proc/{child}/stat").read().split()[2] != "Z":
        assert time.monotonic() < deadline, "the worker outlived its build"
        time.sleep(0.01)
