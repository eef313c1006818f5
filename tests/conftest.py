"""Shared fixtures: write a vault from a dict, build it, read the output."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from kbgen.build import Builder, BuildResult

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


def write_vault(root: Path, files: dict[str, str | bytes]) -> Path:
    """Create files under `root` (str content is written as UTF-8)."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


@pytest.fixture
def make_vault(tmp_path: Path) -> Callable[[dict[str, str | bytes]], Path]:
    def make(files: dict[str, str | bytes]) -> Path:
        return write_vault(tmp_path / "vault", files)
    return make


def build(vault: Path, out: Path | None = None, **kw: object) -> tuple[BuildResult, Path]:
    """Build without the search index unless asked (Pagefind is slow and has its own tests)."""
    kw.setdefault("search", False)
    builder = Builder(vault, out or vault.parent / "site", quiet=True, **kw)  # type: ignore[arg-type]
    return builder.build(), builder.out


def codes(result: BuildResult) -> list[tuple[str, int, str]]:
    return [(d.path, d.line, d.code) for d in result.diagnostics]


def shared(*parts: str) -> Path:
    """A path under ../shared; tests skip visibly when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (../shared is not beside this checkout)")
    return path


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite tests/golden/ from the current output instead of comparing")
