"""`kbgen deploy` into real git repositories: a vault repository pushing to a bare `file://` remote."""
from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path

import pytest

from conftest import write_vault
from kbgen.cli import main
from kbgen.deploy import guess_base_url
from kbgen.write import read_manifest

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8cfc0f01f0005000201a5d6c2a90000000049454e44ae426082")

VAULT = {
    "kbgen.toml": 'cname = "notes.example.org"\nsearch = false\n',
    ".gitignore": "site/\n.kbgen-cache/\n",
    "notes/Home.md": "---\ndate: 2024-05-01\naliases: [Old/Start page]\n---\n# Home\nSee [[Other note]].\n",
    "notes/Other note.md": "Other. ![[diagram one.png]]\n",
    "notes/Private.md": "---\npublish: false\n---\nnot for the site ![[secret.png]]\n",
    "attachments/diagram one.png": PNG,
    "attachments/secret.png": PNG,
}


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(cwd), *args], check=True, capture_output=True,
                          text=True).stdout.strip()


@pytest.fixture(autouse=True)
def git_identity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A private git configuration, so the tests do not depend on (or touch) the machine's."""
    config = tmp_path / "gitconfig"
    config.write_text("[user]\n\tname = Student\n\temail = student@example.org\n"
                      "[init]\n\tdefaultBranch = main\n", encoding="utf-8")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    bare = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    return bare


@pytest.fixture
def vault(tmp_path: Path, remote: Path) -> Path:
    root = write_vault(tmp_path / "vault", VAULT)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "notes")
    git(root, "remote", "add", "origin", remote.as_uri())
    return root


def deploy(vault: Path, *args: str) -> int:
    return main(["deploy", str(vault), "--quiet", *args])


def tree(repo: Path, ref: str) -> dict[str, bytes]:
    names = git(repo, "ls-tree", "-r", "-z", "--name-only", ref).split("\0")
    return {n: subprocess.run(["git", "-C", str(repo), "cat-file", "blob", f"{ref}:{n}"], check=True,
                              capture_output=True).stdout for n in names if n}


def commits(repo: Path, ref: str = "gh-pages") -> list[str]:
    return git(repo, "rev-list", ref).split()


def test_deploy_pushes_the_site_with_nojekyll_and_cname(vault: Path, remote: Path) -> None:
    assert deploy(vault) == 0
    published = tree(remote, "gh-pages")
    # the same site, built the same way (base_url from the custom domain), byte for byte
    assert main(["build", str(vault), "--quiet", "--base-url", "https://notes.example.org/"]) == 0
    site = vault / "site"
    made = [f for f in read_manifest(site)["files"] if f != ".kbgen-site"]
    assert sorted(published) == sorted(made + [".nojekyll", "CNAME"])
    for name in made:
        assert published[name] == (site / name).read_bytes(), name
    assert published[".nojekyll"] == b"" and published["CNAME"] == b"notes.example.org\n"
    assert "attachments/diagram one.png" in published and "attachments/secret.png" not in published
    assert "old/start-page.html" in published  # the alias redirect
    assert ".kbgen-site" not in published  # build bookkeeping stays home
    # base_url from the custom domain: absolute URLs where they are needed
    assert b"https://notes.example.org/other-note.html" in published["sitemap.xml"]
    message = git(remote, "log", "-1", "--format=%B", "gh-pages")
    assert git(vault, "rev-parse", "HEAD") in message and "kbgen" in message
    assert git(vault, "rev-parse", "gh-pages") == git(remote, "rev-parse", "gh-pages")


def test_an_unchanged_site_makes_no_new_commit_and_a_change_makes_one(vault: Path, remote: Path) -> None:
    assert deploy(vault) == 0
    first = commits(remote)
    assert len(first) == 1
    assert deploy(vault) == 0
    assert commits(remote) == first
    (vault / "notes" / "Other note.md").write_text("Changed. ![[diagram one.png]]\n", encoding="utf-8")
    git(vault, "commit", "-q", "-am", "edit")
    assert deploy(vault) == 0
    after = commits(remote)
    assert len(after) == 2 and git(remote, "rev-parse", "gh-pages^") == first[0]
    assert b"Changed." in tree(remote, "gh-pages")["other-note.html"]
    assert git(vault, "rev-parse", "HEAD") in git(remote, "log", "-1", "--format=%B", "gh-pages")


def test_files_left_in_the_output_folder_are_not_published(vault: Path, remote: Path) -> None:
    assert main(["build", str(vault), "--quiet"]) == 0
    (vault / "site" / "scratch.txt").write_text("put here by hand\n", encoding="utf-8")
    assert deploy(vault) == 0
    assert "scratch.txt" not in tree(remote, "gh-pages")
    assert (vault / "site" / "scratch.txt").is_file()  # and deploy leaves it where it is


def test_working_tree_index_and_branch_are_untouched(vault: Path) -> None:
    (vault / "notes" / "Home.md").write_text("# Home\nStaged change.\n", encoding="utf-8")
    git(vault, "add", "notes/Home.md")
    (vault / "notes" / "Other note.md").write_text("Unstaged change.\n", encoding="utf-8")
    (vault / "notes" / "New.md").write_text("Untracked note.\n", encoding="utf-8")
    index = vault / ".git" / "index"

    def state() -> tuple[str, str, str, str, str]:
        return (git(vault, "status", "--porcelain"), hashlib.sha256(index.read_bytes()).hexdigest(),
                git(vault, "symbolic-ref", "HEAD"), git(vault, "rev-parse", "HEAD"),
                git(vault, "diff", "--cached"))

    before = state()
    assert deploy(vault) == 0
    assert state() == before
    published = tree(vault, "gh-pages")
    assert b"Staged change." in published["index.html"] and "new.html" in published
    assert "with uncommitted changes" in git(vault, "log", "-1", "--format=%B", "gh-pages")


def test_refuses_outside_a_git_repository(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    loose = write_vault(tmp_path / "loose", {"notes/Home.md": "hi\n"})
    assert deploy(loose) == 2
    err = capsys.readouterr().err
    assert "not in a git repository" in err and "kbgen init --github-actions" in err
    assert not (loose / "site").exists()  # refused before building


def test_refuses_without_the_remote(vault: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert deploy(vault, "--remote", "upstream") == 2
    assert "git remote add upstream" in capsys.readouterr().err
    assert git(vault, "branch", "--list", "gh-pages") == ""


def test_strict_refuses_a_site_with_warnings(vault: Path, remote: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    (vault / "notes" / "Other note.md").write_text("Broken [[No such note]].\n", encoding="utf-8")
    assert deploy(vault, "--strict") == 1
    err = capsys.readouterr().err
    assert "unresolved-link" in err and "--strict" in err
    assert git(vault, "branch", "--list", "gh-pages") == "" and git(remote, "branch", "--list") == ""
    assert deploy(vault) == 0  # without --strict a warning does not stop the deploy


def test_no_push_commits_locally_with_a_custom_message(vault: Path, remote: Path) -> None:
    assert deploy(vault, "--no-push", "--branch", "site", "--message", "Publish {sha} via {version}") == 0
    assert git(remote, "branch", "--list") == ""
    message = git(vault, "log", "-1", "--format=%B", "site", "--")
    from kbgen import __version__
    assert message == f"Publish {git(vault, 'rev-parse', 'HEAD')} via {__version__}"
    assert ".nojekyll" in tree(vault, "site")


def test_a_fresh_clone_continues_the_published_history(vault: Path, remote: Path, tmp_path: Path) -> None:
    assert deploy(vault) == 0
    first = git(remote, "rev-parse", "gh-pages")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(vault), str(clone)], check=True)
    git(clone, "remote", "set-url", "origin", remote.as_uri())
    (clone / "notes" / "Home.md").write_text("# Home\nFrom the laptop.\n", encoding="utf-8")
    git(clone, "commit", "-q", "-am", "laptop edit")
    assert deploy(clone) == 0
    assert git(remote, "rev-parse", "gh-pages^") == first


def test_a_diverged_remote_needs_force(vault: Path, remote: Path, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert deploy(vault, "--no-push") == 0  # a local gh-pages the remote never saw
    other = tmp_path / "other"
    subprocess.run(["git", "clone", "-q", str(vault), str(other)], check=True)
    git(other, "remote", "set-url", "origin", remote.as_uri())
    git(other, "branch", "-D", "gh-pages") if git(other, "branch", "--list", "gh-pages") else None
    (other / "notes" / "Home.md").write_text("# Home\nElsewhere.\n", encoding="utf-8")
    git(other, "commit", "-q", "-am", "elsewhere")
    assert deploy(other) == 0  # the remote now has a gh-pages unrelated to ours
    theirs = git(remote, "rev-parse", "gh-pages")
    (vault / "notes" / "Home.md").write_text("# Home\nMine.\n", encoding="utf-8")
    git(vault, "commit", "-q", "-am", "mine")
    capsys.readouterr()
    assert deploy(vault) == 1
    assert "--force" in capsys.readouterr().err
    assert git(remote, "rev-parse", "gh-pages") == theirs
    assert deploy(vault, "--force") == 0
    assert git(remote, "rev-parse", "gh-pages") == git(vault, "rev-parse", "gh-pages") != theirs
    assert b"Mine." in tree(remote, "gh-pages")["index.html"]


def test_refuses_a_branch_checked_out_in_a_worktree(vault: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert deploy(vault, "--no-push") == 0
    git(vault, "worktree", "add", "-q", str(tmp_path / "pages"), "gh-pages")
    before = git(vault, "rev-parse", "gh-pages")
    (vault / "notes" / "Home.md").write_text("# Home\nchanged\n", encoding="utf-8")
    assert deploy(vault, "--no-push") == 2
    assert "checked out" in capsys.readouterr().err
    assert git(vault, "rev-parse", "gh-pages") == before


def test_commits_without_a_configured_identity(vault: Path, remote: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    bare_config = tmp_path / "noident"
    bare_config.write_text("[user]\n\tuseConfigOnly = true\n", encoding="utf-8")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(bare_config))
    for var in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "EMAIL"):
        monkeypatch.delenv(var, raising=False)
    assert deploy(vault) == 0
    assert git(remote, "log", "-1", "--format=%an <%ae>", "gh-pages") == "kbgen <kbgen@localhost>"


def test_dry_run_lists_every_public_file_and_why(vault: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", str(vault), "--quiet"]) == 0
    capsys.readouterr()
    assert deploy(vault, "--dry-run") == 0
    out, err = capsys.readouterr()
    rows = dict(re.split(r"\s{2,}", line, maxsplit=1) for line in out.splitlines())
    manifest = {f for f in read_manifest(vault / "site")["files"] if f != ".kbgen-site"}
    assert set(rows) - {"sitemap.xml", "feed.xml"} == manifest | {".nojekyll", "CNAME"}
    assert {"sitemap.xml", "feed.xml"} <= set(rows)  # deploy knows the base_url (from the cname)
    assert rows["index.html"] == "note notes/Home.md (home page)"
    assert rows["other-note.html"] == "note notes/Other note.md"
    assert rows["attachments/diagram one.png"] == "attachment attachments/diagram one.png, used by notes/Other note.md"
    assert rows["old/start-page.html"].startswith("redirect to index.html: alias 'Old/Start page'")
    assert "custom domain notes.example.org" in rows["CNAME"]
    assert all(reason for reason in rows.values())
    assert "secret" not in out.lower() and "private" not in out.lower()
    assert f"{len(rows)} files would become public" in err
    assert git(vault, "branch", "--list", "gh-pages") == ""  # nothing committed


def test_dry_run_works_outside_git(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    loose = write_vault(tmp_path / "loose", {"notes/Home.md": "hi\n", "kbgen.toml": "search = false\n"})
    assert deploy(loose, "--dry-run") == 0
    assert "index.html" in capsys.readouterr().out


def test_base_url_comes_from_the_github_remote(vault: Path) -> None:
    (vault / "kbgen.toml").write_text("search = false\n", encoding="utf-8")
    git(vault, "remote", "set-url", "origin", "git@github.com:Alice/study-notes.git")
    assert deploy(vault, "--no-push") == 0
    sitemap = tree(vault, "gh-pages")["sitemap.xml"]
    assert b"<loc>https://alice.github.io/study-notes/other-note.html</loc>" in sitemap
    assert "CNAME" not in tree(vault, "gh-pages")


@pytest.mark.parametrize("cname, remote, expected", [
    ("", "https://github.com/alice/notes.git", "https://alice.github.io/notes/"),
    ("", "https://github.com/Alice/notes", "https://alice.github.io/notes/"),
    ("", "git@github.com:alice/notes.git", "https://alice.github.io/notes/"),
    ("", "ssh://git@github.com/alice/notes.git", "https://alice.github.io/notes/"),
    ("", "https://token@github.com/alice/notes.git", "https://alice.github.io/notes/"),
    ("", "https://github.com/alice/alice.github.io.git", "https://alice.github.io/"),
    ("", "https://gitlab.com/alice/notes.git", ""),
    ("", "file:///tmp/remote.git", ""),
    ("docs.example.org", "https://github.com/alice/notes.git", "https://docs.example.org/"),
])
def test_guess_base_url(cname: str, remote: str, expected: str) -> None:
    assert guess_base_url(cname, remote) == expected
