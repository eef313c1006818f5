"""write.stage_file: new bytes written as Path.write_bytes wrote them, unchanged files hard-linked."""
from __future__ import annotations

import os
import stat
from pathlib import Path

from kbgen.write import stage_file


def test_staged_files(tmp_path: Path) -> None:
    out, staging = tmp_path / "site", tmp_path / ".site.kbgen-1-x"
    (out / "a").mkdir(parents=True)
    staging.mkdir()
    (out / "a" / "same.html").write_bytes(b"<p>same</p>")
    (out / "a" / "edited.html").write_bytes(b"<p>old!</p>")
    big = bytes(range(256)) * 5000
    stage_file(out, staging, "a/same.html", b"<p>same</p>")
    stage_file(out, staging, "a/edited.html", b"<p>new!</p>")  # the same size, other bytes
    stage_file(out, staging, "b/c/new.html", big)  # its folders made
    stage_file(out, staging, "empty.html", b"")
    assert os.stat(staging / "a/same.html").st_ino == os.stat(out / "a/same.html").st_ino
    assert os.stat(staging / "a/edited.html").st_ino != os.stat(out / "a/edited.html").st_ino
    assert (staging / "a/edited.html").read_bytes() == b"<p>new!</p>"
    assert (out / "a/edited.html").read_bytes() == b"<p>old!</p>"
    assert (staging / "b/c/new.html").read_bytes() == big
    assert (staging / "empty.html").read_bytes() == b""
    (tmp_path / "plain").write_bytes(b"x")  # the permissions Path.write_bytes gives, umask applied
    mode = stat.S_IMODE(os.stat(tmp_path / "plain").st_mode)
    assert {stat.S_IMODE(os.stat(staging / f).st_mode) for f in ("a/edited.html", "b/c/new.html")} == {mode}


def test_old_folders_are_looked_for_once_per_staging_folder(tmp_path: Path) -> None:
    """A folder the old site lacks has no file to link; the next build (a new staging folder)
    looks again, and finds what the last one left."""
    out = tmp_path / "site"
    first, second = tmp_path / ".site.kbgen-1-a", tmp_path / ".site.kbgen-1-b"
    first.mkdir()
    second.mkdir()
    stage_file(out, first, "t/x.html", b"x")  # no old site at all
    stage_file(out, first, "t/y.html", b"y")
    (out / "t").mkdir(parents=True)
    (out / "t/x.html").write_bytes(b"x")
    (out / "t/y.html").write_bytes(b"y")
    stage_file(out, second, "t/x.html", b"x")
    stage_file(out, second, "t/y.html", b"other")
    assert os.stat(second / "t/x.html").st_ino == os.stat(out / "t/x.html").st_ino
    assert (second / "t/y.html").read_bytes() == b"other" and (out / "t/y.html").read_bytes() == b"y"
    assert (first / "t/x.html").read_bytes() == b"x" and (first / "t/y.html").read_bytes() == b"y"
