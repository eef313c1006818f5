"""A non-editable install carries the theme: every theme file is named by pyproject's data-files."""
from __future__ import annotations

import fnmatch
import tomllib

from conftest import REPO


def test_every_theme_file_is_installed():
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = [p for globs in config["tool"]["setuptools"]["data-files"].values() for p in globs]
    files = [p.relative_to(REPO).as_posix() for p in (REPO / "themes").rglob("*") if p.is_file()]
    assert files
    missing = [f for f in files if not any(fnmatch.fnmatch(f, pat) and f.count("/") == pat.count("/")
                                           for pat in patterns)]
    assert not missing, f"add these to [tool.setuptools.data-files]: {missing}"


def test_themes_found_under_the_install_prefix(tmp_path, monkeypatch):
    import kbgen.render as render
    share = tmp_path / "share" / "kbgen" / "themes"
    share.mkdir(parents=True)
    monkeypatch.setattr(render.sys, "prefix", str(tmp_path))
    monkeypatch.setattr(render, "__file__", str(tmp_path / "site-packages" / "kbgen" / "render.py"))
    assert render._themes_dir() == share
