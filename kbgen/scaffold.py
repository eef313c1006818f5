"""`kbgen init`: scaffold a vault (notes, attachments, a commented kbgen.toml, .gitignore, a home note)
and, on request, the GitHub Actions workflow that publishes it to GitHub Pages.

Nothing is ever overwritten: when a file to be written exists, init stops before writing any.
In a folder that already holds notes, only the config, .gitignore and workflow are added, so the
notes stay where Obsidian keeps them.
"""
from __future__ import annotations

import argparse
import ast
import inspect
import json
import subprocess
import sys
from dataclasses import fields
from importlib import metadata
from pathlib import Path
from typing import Any

from kbgen import __version__, config as config_module
from kbgen.config import CONFIG_NAME, Config

WORKFLOW = Path(".github/workflows/pages.yml")
IGNORES = ["site/", ".kbgen-cache/", ".obsidian/workspace.json", ".obsidian/workspace-mobile.json"]


class InitError(Exception):
    """init cannot go on without overwriting or guessing; the message says what to do."""


def add_command(sub: Any) -> None:
    p = sub.add_parser("init", help="start a vault: notes/, attachments/, kbgen.toml, .gitignore, a home note",
                       description="Scaffold a kbgen vault in DIR (default: the current folder). Existing "
                                   "files are never overwritten.")
    p.add_argument("dir", nargs="?", type=Path, default=Path("."), help="folder of the vault (default: .)")
    p.add_argument("--github-actions", action="store_true",
                   help="also write .github/workflows/pages.yml, which builds and publishes the site "
                        "with GitHub Pages on every push")
    p.add_argument("--pip-spec", help="what the workflow installs with pip (default: this kbgen, "
                                      "from where it was installed)")
    p.add_argument("--title", help="site title (default: the folder's name)")
    p.set_defaults(func=cmd_init)


def cmd_init(args: argparse.Namespace) -> int:
    try:
        written, notes = init(args.dir, github_actions=args.github_actions, pip_spec=args.pip_spec,
                              title=args.title)
    except InitError as exc:
        print(f"kbgen: init refused: {exc}", file=sys.stderr)
        return 2
    for line in notes:
        print(f"kbgen: {line}", file=sys.stderr)
    for path in written:
        print(f"  created {path}")
    root = args.dir
    print(f"\nNext: kbgen serve {root}   (live preview)\n      kbgen build {root}   (the site in {root / 'site'})")
    if args.github_actions:
        print("Publish: push to GitHub, then in the repository's Settings → Pages → Build and deployment,\n"
              "         set Source to \"GitHub Actions\".")
    else:
        print(f"Publish: kbgen deploy {root}   (to the gh-pages branch; or rerun init with --github-actions)")
    return 0


def init(root: Path, *, github_actions: bool = False, pip_spec: str | None = None,
         title: str | None = None) -> tuple[list[Path], list[str]]:
    """Write the scaffold; returns (files written, remarks). Refuses before writing anything when
    a file it would write exists."""
    root = root.resolve()
    if root.exists() and not root.is_dir():
        raise InitError(f"{root} exists and is not a folder")
    existing_vault = _has_notes(root)
    files: dict[Path, str] = {root / CONFIG_NAME: config_text(title)}
    if not existing_vault:
        files[root / "notes" / "Home.md"] = home_note(title or root.name)
        files[root / "attachments" / ".gitkeep"] = ""
    repo_top = _git_top(root)
    if github_actions:
        top = repo_top or root
        files[top / WORKFLOW] = workflow(vault=_rel(root, top), branch=_branch(top),
                                         pip_spec=pip_spec or install_spec(root))
    clash = sorted(str(p) for p in files if p.exists() or p.is_symlink())
    if clash:
        raise InitError("these files exist and kbgen never overwrites: " + ", ".join(clash)
                        + " (move them away, or edit them by hand)")
    remarks = []
    if existing_vault:
        remarks.append(f"{root} already holds notes: left as they are (no notes/ or home note added)")
    gitignore = (repo_top or root) / ".gitignore"
    if gitignore.exists():
        have = {line.strip() for line in gitignore.read_text(encoding="utf-8", errors="replace").splitlines()}
        missing = [i for i in IGNORES if i not in have and i.rstrip("/") not in have]
        if missing:
            remarks.append(f"{gitignore} exists and was not changed; consider adding: " + " ".join(missing))
    else:
        files[gitignore] = gitignore_text(_rel(root, repo_top or root))
    written = []
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8", newline="\n") as fh:  # "x": never replace a file
            fh.write(text)
        written.append(path)
    return written, remarks


# -- what is written --------------------------------------------------------------------------


def config_text(title: str | None = None) -> str:
    """kbgen.toml with every key of Config, commented out at its default, with its description."""
    docs = _field_docs()
    lines = ["# kbgen configuration. Every key is shown at its default, commented out:",
             "# remove the `# ` in front of a key to change it.", ""]
    tables = []
    for f in fields(Config):
        if f.name == "root":
            continue
        default = getattr(Config(), f.name)
        if isinstance(default, dict):
            tables.append(f)
            continue
        for doc_line in _wrap(docs.get(f.name, "")):
            lines.append(f"# {doc_line}")
        value = _toml_value(default)
        if f.name == "title" and title:
            lines.append(f"title = {_toml_value(title)}")
        else:
            lines.append(f"# {f.name} = {value}")
        lines.append("")
    for f in tables:
        for doc_line in _wrap(docs.get(f.name, "")):
            lines.append(f"# {doc_line}")
        lines.append(f"# [{f.name}]")
        if f.name == "levels":
            from kbgen.diagnostics import DEFAULT_LEVELS
            for code, level in sorted(DEFAULT_LEVELS.items()):
                lines.append(f"# {code} = {_toml_value(level)}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _field_docs() -> dict[str, str]:
    """The docstring under each Config field (read from config.py, so the two never drift)."""
    tree = ast.parse(inspect.getsource(config_module))
    docs: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == "Config":
            body = node.body
            for here, after in zip(body, body[1:] + [None]):  # type: ignore[operator]
                if (isinstance(here, ast.AnnAssign) and isinstance(here.target, ast.Name)
                        and isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)
                        and isinstance(after.value.value, str)):
                    docs[here.target.id] = " ".join(after.value.value.split())
    return docs


def _wrap(text: str, width: int = 96) -> list[str]:
    out, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return out + ([line] if line else [])


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a TOML basic string
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML form for {value!r}")


def gitignore_text(vault: str) -> str:
    prefix = "" if vault == "." else vault.rstrip("/") + "/"
    return ("# kbgen: the built site and the parse cache\n"
            f"{prefix}site/\n{prefix}.kbgen-cache/\n"
            "# Obsidian: window layout of each device\n"
            f"{prefix}.obsidian/workspace.json\n{prefix}.obsidian/workspace-mobile.json\n")


def home_note(title: str) -> str:
    return f"""---
title: {json.dumps(title, ensure_ascii=False)}
tags: [start]
---
# {title}

This note is the home page of the site. Write notes in `notes/` with Obsidian (open this folder
as a vault) or any editor, and keep images and PDFs in `attachments/`.

## How notes become pages

- Link notes with `[[Note name]]`, a heading with `[[Note name#Heading]]`, a block with `[[Note name#^id]]`.
- Show an image or another note inside this one with `![[picture.png]]` or `![[Note name]]`.
- Tag with `#topic` or `tags:` in the properties; each tag gets a page.
- A link to a note that does not exist yet gets a page listing where it is mentioned.
- Notes with `publish: false` or `draft: true` in their properties are left out, and so are
  attachments that only they use.

## Commands

- `kbgen serve` shows the site while you write and reloads it on every save.
- `kbgen build` writes the site into `site/`; `kbgen build --strict` fails on broken links.
- `kbgen deploy` publishes it to GitHub Pages (the `gh-pages` branch of this repository).
"""


def workflow(vault: str = ".", branch: str = "main", pip_spec: str = f"kbgen=={__version__}") -> str:
    """A GitHub Actions workflow: build with kbgen, upload the site, deploy it with GitHub Pages."""
    vault_arg = "" if vault == "." else f" {_shell_quote(vault)}"
    site = "site" if vault == "." else f"{vault.rstrip('/')}/site"
    return f"""# Publishes the kbgen site of this repository to GitHub Pages on every push to {branch}.
# Switch it on once: repository Settings → Pages → Build and deployment → Source: GitHub Actions.
name: Publish site

on:
  push:
    branches: [{json.dumps(branch)}]
  workflow_dispatch:

# The deploy job needs to write to Pages and to prove where it runs (OIDC token).
permissions:
  contents: read
  pages: write
  id-token: write

# One deployment at a time; a newer push waits rather than cancelling a deployment midway.
concurrency:
  group: pages
  cancel-in-progress: false

jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - name: Check out the notes
        uses: actions/checkout@v4
      - name: Set up Python
        uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - name: Install kbgen
        # Or pin another version, or install from git: "kbgen @ git+https://github.com/OWNER/kbgen@TAG"
        run: python -m pip install {_shell_quote(pip_spec)}
      - name: Find the site's address
        id: pages
        uses: actions/configure-pages@v5
      - name: Build the site
        run: kbgen build{vault_arg} --base-url "${{{{ steps.pages.outputs.base_url }}}}/"
      - name: Upload the site
        uses: actions/upload-pages-artifact@v3
        with:
          path: {site}

  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{{{ steps.deployment.outputs.page_url }}}}
    steps:
      - name: Publish to GitHub Pages
        id: deployment
        uses: actions/deploy-pages@v4
"""


def install_spec(root: Path) -> str:
    """What the workflow installs: kbgen's own repository when the vault is kbgen's source tree,
    the exact git commit kbgen was installed from when it came from git, else the release."""
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        import tomllib
        try:
            if tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {}).get("name") == "kbgen":
                return "."
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            pass
    try:
        direct = metadata.distribution("kbgen").read_text("direct_url.json")
        info = json.loads(direct) if direct else {}
    except (metadata.PackageNotFoundError, ValueError):
        info = {}
    vcs = info.get("vcs_info", {})
    if vcs.get("vcs") == "git" and str(info.get("url", "")).startswith("https://"):
        return f"kbgen @ git+{info['url']}@{vcs.get('commit_id') or vcs.get('requested_revision', '')}".rstrip("@")
    return f"kbgen=={__version__}"


# -- helpers ----------------------------------------------------------------------------------


def _has_notes(root: Path) -> bool:
    """True when the folder already holds markdown notes (outside hidden folders)."""
    if not root.is_dir():
        return False
    for path in root.rglob("*.md"):
        rel = path.relative_to(root).parts
        if not any(part.startswith(".") for part in rel) and rel[0] not in ("site", "node_modules"):
            return True
    return False


def _git_top(root: Path) -> Path | None:
    probe = root if root.is_dir() else next((p for p in root.parents if p.is_dir()), root)
    try:
        proc = subprocess.run(["git", "-C", str(probe), "rev-parse", "--show-toplevel"],
                              capture_output=True, text=True)
    except FileNotFoundError:
        return None
    return Path(proc.stdout.strip()).resolve() if proc.returncode == 0 else None


def _branch(top: Path) -> str:
    try:
        proc = subprocess.run(["git", "-C", str(top), "symbolic-ref", "--short", "HEAD"],
                              capture_output=True, text=True)
    except FileNotFoundError:
        return "main"
    return proc.stdout.strip() if proc.returncode == 0 and proc.stdout.strip() else "main"


def _rel(path: Path, top: Path) -> str:
    rel = path.resolve().relative_to(top.resolve()).as_posix()
    return rel or "."


def _shell_quote(text: str) -> str:
    """Quoted for the `run:` shell line (and safe inside YAML's plain scalar)."""
    return "'" + text.replace("'", "'\"'\"'") + "'"
