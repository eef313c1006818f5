"""Recently updated notes: front-matter date, else the last git commit, else the file's time."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest

from conftest import build, write_vault
from kbgen import history
from kbgen.build import Builder

pytestmark = pytest.mark.skipif(not shutil.which("git"), reason="git is not installed")


def git(root: Path, *args: str, when: str = "") -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
    if when:
        env.update(GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when)
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    root = write_vault(tmp_path / "vault", {
        "Home.md": "# Home\n\n[[Dated]] [[Committed early]] [[Committed late]] [[Untracked]]\n",
        "Dated.md": "---\nupdated: 2021-05-06\n---\n# Dated\n",
        "Committed early.md": "# Committed early\n",
        "Committed late.md": "---\ndate: not a date\n---\n# Committed late\n",
        "Folder/Deep.md": "# Deep\n",
    })
    git(root, "init", "-q")
    git(root, "add", "Home.md", "Dated.md", "Committed early.md", "Folder/Deep.md")
    git(root, "commit", "-q", "-m", "first", when="2022-01-01T10:00:00+00:00")
    git(root, "add", "Committed late.md")
    git(root, "commit", "-q", "-m", "second", when="2023-03-03T10:00:00+00:00")
    (root / "Folder" / "Deep.md").write_text("# Deep\n\nedited\n")
    git(root, "commit", "-q", "-am", "third", when="2022-06-06T10:00:00+00:00")
    untracked = write_vault(root, {"Untracked.md": "# Untracked\n"}) / "Untracked.md"
    stamp = datetime(2020, 2, 2, tzinfo=timezone.utc).timestamp()
    os.utime(untracked, (stamp, stamp))
    return root


def test_each_note_is_dated_by_the_first_source_that_knows(vault: Path) -> None:
    site, _ = Builder(vault, vault.parent / "site", quiet=True, cache=False).collect()
    dated = history.last_changed(vault, site.notes)
    day = {p: (when.date().isoformat(), source) for p, (when, source) in dated.items()}
    assert day["Dated.md"] == ("2021-05-06", "front matter")
    assert day["Committed early.md"] == ("2022-01-01", "git")
    assert day["Committed late.md"] == ("2023-03-03", "git")  # its date property does not read
    assert day["Folder/Deep.md"] == ("2022-06-06", "git")  # the last commit that touched it
    assert day["Untracked.md"] == ("2020-02-02", "file")


def test_the_home_page_lists_them_newest_first(vault: Path) -> None:
    _, out = build(vault, cache=False)
    html = (out / "index.html").read_text(encoding="utf-8")
    section = html[html.index('class="recent"'):]
    section = section[:section.index("</section>")]
    titles = re.findall(r'class="internal-link" href="[^"]+">([^<]+)</a>', section)
    assert titles == ["Committed late", "Deep", "Committed early", "Dated", "Untracked"]
    assert 'datetime="2023-03-03"' in section


def test_outside_git_the_file_time_is_used(tmp_path: Path) -> None:
    root = write_vault(tmp_path / "plain", {"A.md": "# A\n", "B.md": "# B\n"})
    for name, year in (("A.md", 2019), ("B.md", 2024)):
        stamp = datetime(year, 1, 1, tzinfo=timezone.utc).timestamp()
        os.utime(root / name, (stamp, stamp))
    site, _ = Builder(root, tmp_path / "site", quiet=True, cache=False).collect()
    assert [p for p, _, source in history.recent(root, site.notes) if source == "file"] == ["B.md", "A.md"]


def test_the_dates_follow_commits_and_git_init_without_a_new_parse(tmp_path: Path) -> None:
    """serve keeps the parsed notes between edits: a commit, or a vault put under git, must
    still reach the dates (they are remembered while HEAD stays)."""
    root = write_vault(tmp_path / "later", {"A.md": "# A\n", "B.md": "# B\n"})
    for name in ("A.md", "B.md"):
        stamp = datetime(2019, 1, 1, tzinfo=timezone.utc).timestamp()
        os.utime(root / name, (stamp, stamp))
    site, _ = Builder(root, tmp_path / "site", quiet=True, cache=False).collect()
    assert {s for _, _, s in history.recent(root, site.notes)} == {"file"}
    git(root, "init", "-q")
    git(root, "add", "A.md", "B.md")
    git(root, "commit", "-q", "-m", "first", when="2022-01-01T10:00:00+00:00")
    assert [(p, w.year, s) for p, w, s in history.recent(root, site.notes)] == [("A.md", 2022, "git"),
                                                                               ("B.md", 2022, "git")]
    (root / "B.md").write_text("# B\n\nmore\n")
    git(root, "commit", "-q", "-am", "second", when="2023-01-01T10:00:00+00:00")
    assert [(p, w.year) for p, w, _ in history.recent(root, site.notes)] == [("B.md", 2023), ("A.md", 2022)]
    assert history.last_changed(root, site.notes)["B.md"][0].year == 2023
