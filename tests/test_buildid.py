"""A change of kbgen's code or of the libraries that write its HTML remakes every page on the next build."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import kbgen
from kbgen import build as build_module, buildid, cache, output
from kbgen.build import Builder

from conftest import write_vault


def test_the_digest_follows_the_code_and_the_library_versions(tmp_path: Path) -> None:
    package = tmp_path / "kbgen"
    shutil.copytree(Path(kbgen.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__"))
    first = buildid.code_digest(package, ["markdown_it=4.0.0"])
    assert buildid.code_digest(package, ["markdown_it=4.0.0"]) == first
    assert buildid.code_digest(package, ["markdown_it=4.0.1"]) != first
    body = package / "body.py"
    body.write_text(body.read_text(encoding="utf-8") + "\n# one more line\n", encoding="utf-8")
    assert buildid.code_digest(package, ["markdown_it=4.0.0"]) != first
    (package / "extra.py").write_text("", encoding="utf-8")  # a new module counts too
    assert len({first, buildid.code_digest(package, ["markdown_it=4.0.0"])}) == 2
    assert buildid.build_id().startswith(kbgen.__version__ + "+")


def _build(vault: Path, out: Path) -> build_module.BuildResult:
    return Builder(vault, out, quiet=True, search=False, jobs=1).build()


def test_a_new_build_id_remakes_the_pages_and_ignores_the_parse_cache(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    vault = write_vault(tmp_path / "vault", {"A.md": "# A\n\n[[B]]\n", "B.md": "b [[A]]\n"})
    out = tmp_path / "site"
    cold = _build(vault, out)
    assert cold.rendered > 0
    assert _build(vault, out).rendered == 0  # the same code: nothing to do
    for module in (build_module, cache, output):  # as after `git pull` or an upgrade
        monkeypatch.setattr(module, "build_id", lambda: kbgen.__version__ + "+another")
    assert _build(vault, out).rendered == cold.rendered
    # the parse cache of the old code is not read, and it is removed once the new one is written,
    # but not a folder of the user's that merely looks like one
    mine = vault / ".kbgen-cache" / "parse-0123456789abcdef"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine", encoding="utf-8")
    monkeypatch.setattr(cache, "build_id", lambda: kbgen.__version__ + "+a third")
    vault.joinpath("B.md").write_text("b [[A]] changed\n", encoding="utf-8")
    _build(vault, out)
    left = sorted(p.name for p in (vault / ".kbgen-cache").iterdir() if p.name.startswith("parse-"))
    assert len(left) == 2 and "parse-0123456789abcdef" in left
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_the_id_is_the_same_whatever_a_process_has_imported() -> None:
    """(It once named a library imported by its `__version__` and one not yet imported by its
    dist-info folder: `kbgen build` and an in-process build missed each other's parse cache.)"""
    ask = "from kbgen.buildid import build_id, LIBRARIES; {}print(build_id())"
    bare = subprocess.run([sys.executable, "-c", ask.format("")], capture_output=True, text=True, check=True)
    loaded = subprocess.run([sys.executable, "-c", ask.format("import importlib; [importlib.import_module(m) for m in LIBRARIES]; ")],
                            capture_output=True, text=True, check=True)
    assert bare.stdout == loaded.stdout and bare.stdout.startswith(kbgen.__version__ + "+")
    assert all(buildid._version(package, dist) != "-" for package, dist in buildid.LIBRARIES.items())
