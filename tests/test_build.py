"""The core build on small vaults: pages, links, backlinks, concepts, attachments, encoding, CLI."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import build, codes, write_vault

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8cfc0f01f0005000201a5d6c2a90000000049454e44ae426082")


def html(out: Path, url: str) -> str:
    return (out / url).read_text(encoding="utf-8")


def body(out: Path, url: str) -> str:
    page = html(out, url)
    return page.split('<div class="note-body markdown-rendered">', 1)[1].split("</article>", 1)[0]


@pytest.fixture
def vault(make_vault):
    return make_vault({
        "notes/Home.md": "# Welcome\nStart with [[IAM Role]] and [[IAM role|roles]].\n",
        "notes/IAM/IAM Role.md": (
            "---\ntitle: IAM Role\naliases: [Role]\ntags: [iam, aws/iam]\ndate: 2024-01-31\n---\n"
            "# Heading one\nA role for [[IAM user]]s and [[Trust policy]]are here.\n\n"
            "## Using [[AssumeRole]]\nCall it. ![[Pasted image 20230131141528.png|300]]\n"
            "See [[#Heading one]] and [[Missing concept]].\n"),
        "notes/IAM/IAM user.md": "Users assume an [[IAM Role#Using AssumeRole]].\n\n- item with [[IAM Role]] link\n",
        "notes/Policies/Trust policy.md": "A [text](../IAM/IAM%20Role.md) and [b](<IAM user>) link.\n",
        "notes/notes.with.dots.md": "dots [[Home]]\n",
        "notes/Code.md": "`[[not a link]]` and \\[\\[escaped]] and [[unclosed and [[]].\n\n```\n[[nope]]\n```\n",
        "attachments/Pasted image 20230131141528.png": PNG,
        "attachments/unused.png": PNG,
    })


def test_every_note_is_a_page_with_readable_urls(vault):
    result, out = build(vault)
    assert result.notes == 6
    for url in ("index.html", "iam/iam-role.html", "iam/iam-user.html", "policies/trust-policy.html",
                "notes.with.dots.html", "code.html"):
        assert (out / url).is_file(), url
    assert "<title>IAM Role" in html(out, "iam/iam-role.html")


def test_links_resolve_like_obsidian(vault):
    _, out = build(vault)
    home = body(out, "index.html")
    # both letter cases reach the same page; hrefs are relative
    assert home.count('href="iam/iam-role.html"') == 2
    role = body(out, "iam/iam-role.html")
    assert '<a class="internal-link" href="iam-user.html" data-href="IAM user">IAM user</a>s' in role
    assert re.search(r'href="\.\./policies/trust-policy\.html"[^>]*>Trust policy</a>are', role)
    assert 'href="#heading-one"' in role
    assert '<h2 id="using-assumerole">' in role
    user = body(out, "iam/iam-user.html")
    assert 'href="iam-role.html#using-assumerole"' in user
    assert ">IAM Role &gt; Using AssumeRole</a>" in user
    trust = body(out, "policies/trust-policy.html")
    assert 'href="../iam/iam-role.html"' in trust and 'href="../iam/iam-user.html"' in trust


def test_not_links(vault):
    _, out = build(vault)
    code = body(out, "code.html")
    assert "<code>[[not a link]]</code>" in code
    assert "[[escaped]]" in code and "[[unclosed and [[]]" in code
    assert "internal-link" not in code


def test_unresolved_links_render_and_get_concept_pages(vault):
    result, out = build(vault)
    role = body(out, "iam/iam-role.html")
    assert 'class="internal-link is-unresolved" href="../concepts/missing-concept.html"' in role
    concept = html(out, "concepts/missing-concept.html")
    assert "no note on <strong>Missing concept</strong>" in concept
    assert "<mark>Missing concept</mark>" in concept  # the mention, in context
    assert ("notes/IAM/IAM Role.md", 12, "unresolved-link") in codes(result)


def test_concept_pages_can_be_turned_off(vault):
    (vault / "kbgen.toml").write_text("concept_pages = false\n")
    _, out = build(vault)
    assert not (out / "concepts").exists()
    assert '<span class="internal-link is-unresolved" data-href="Missing concept">' in body(out, "iam/iam-role.html")


def test_backlinks_with_context(vault):
    _, out = build(vault)
    page = html(out, "iam/iam-role.html")
    back = page.split('class="backlinks"', 1)[1]
    assert "Users assume an <mark>roles" not in back
    assert "Users assume an <mark>IAM Role &gt; Using AssumeRole</mark>." in back
    assert "item with <mark>IAM Role</mark> link" in back
    assert "Start with <mark>IAM Role</mark> and <mark>roles</mark>." in back


def test_attachments_copied_only_when_referenced(vault):
    result, out = build(vault)
    assert (out / "attachments/Pasted image 20230131141528.png").read_bytes() == PNG
    assert not (out / "attachments/unused.png").exists()
    assert '<img src="../attachments/Pasted%20image%2020230131141528.png" alt="Pasted image 20230131141528.png" width="300"' in \
        body(out, "iam/iam-role.html")
    assert result.missing_attachments == 0


def test_missing_attachment_placeholder(make_vault):
    vault = make_vault({"notes/A.md": "x\n\n![[Pasted image 1.png]]\n"})
    result, out = build(vault)
    assert 'class="embed-missing"' in body(out, "a.html")
    assert "Missing attachment: Pasted image 1.png" in body(out, "a.html")
    assert ("notes/A.md", 3, "missing-attachment") in codes(result)


def test_front_matter_kept_for_templates_and_title(vault):
    _, out = build(vault)
    page = html(out, "iam/iam-role.html")
    assert 'href="../tags/iam.html"' in page and 'href="../tags/aws/iam.html"' in page
    assert "2024-01-31" in page
    tag = html(out, "tags/aws.html")  # a parent tag lists the nested tag's notes
    assert "IAM Role" in tag


def test_title_is_file_name_not_first_heading(make_vault):
    vault = make_vault({"notes/My Note.md": "# A different heading\ntext\n"})
    _, out = build(vault)
    assert '<h1 class="note-title" data-pagefind-meta="title">My Note</h1>' in html(out, "my-note.html")


def test_invalid_front_matter_is_reported_and_note_renders(make_vault):
    vault = make_vault({"notes/Bad.md": "---\ntitle: [unclosed\ntags: x\n---\nBody text\n"})
    result, out = build(vault)
    assert any(c[0] == "notes/Bad.md" and c[2] == "invalid-front-matter" and c[1] >= 2 for c in codes(result))
    assert "Body text" in body(out, "bad.html")


def test_non_utf8_is_reported_and_built(make_vault):
    vault = make_vault({"notes/Latin.md": b"line one\ncaf\xe9 au lait\n", "notes/Bom.md": b"\xef\xbb\xbf# Hi\nbom\n"})
    result, out = build(vault)
    assert ("notes/Latin.md", 2, "encoding") in codes(result)
    assert "caf\ufffd au lait" in body(out, "latin.html")
    assert '<h1 id="hi">Hi</h1>' in body(out, "bom.html")


def test_duplicate_names_in_two_folders(make_vault):
    vault = make_vault({
        "notes/A/Note.md": "in A [[Note]]\n", "notes/B/Note.md": "in B [[Note]]\n",
        "notes/C/Other.md": "from C [[Note]]\n",
    })
    result, out = build(vault)
    assert 'href="note.html"' in body(out, "a/note.html")   # own folder first
    assert 'href="note.html"' in body(out, "b/note.html")
    assert 'href="../a/note.html"' in body(out, "c/other.html")  # then alphabetical
    assert ("notes/C/Other.md", 1, "ambiguous-link") in codes(result)


def test_url_collisions_are_reported_not_overwritten(make_vault):
    vault = make_vault({"notes/A b.md": "one\n", "notes/a-b.md": "two\n"})
    result, out = build(vault)
    assert "url-collision" in [c[2] for c in codes(result)]
    texts = {body(out, "a-b.html").strip(), body(out, "a-b-2.html").strip()}
    assert any("one" in t for t in texts) and any("two" in t for t in texts)


def test_line_breaks_follow_obsidian_by_default(make_vault):
    vault = make_vault({"notes/A.md": "one\ntwo\n"})
    _, out = build(vault)
    assert "one<br />\ntwo" in body(out, "a.html")
    (vault / "kbgen.toml").write_text("strict_line_breaks = true\n")
    _, out = build(vault)
    assert "one\ntwo" in body(out, "a.html")


def test_code_is_highlighted_at_build_time(make_vault):
    vault = make_vault({"notes/A.md": "```python\ndef f():\n    return 1\n```\n"})
    _, out = build(vault)
    assert "<script" not in body(out, "a.html")
    assert 'class="k"' in body(out, "a.html") or 'class="kn"' in body(out, "a.html")


def test_output_is_deterministic(vault, tmp_path):
    _, out1 = build(vault, tmp_path / "one")
    _, out2 = build(vault, tmp_path / "two")
    files1 = sorted(p.relative_to(out1).as_posix() for p in out1.rglob("*") if p.is_file())
    files2 = sorted(p.relative_to(out2).as_posix() for p in out2.rglob("*") if p.is_file())
    assert files1 == files2
    for rel in files1:
        assert (out1 / rel).read_bytes() == (out2 / rel).read_bytes(), rel


def test_cli_build_summary_and_strict(vault):
    proc = subprocess.run([sys.executable, "-m", "kbgen", "build", str(vault), "--no-search"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"kbgen: 6 notes → \d+ pages", proc.stderr)
    assert re.search(r"^notes/IAM/IAM Role\.md:12: unresolved-link: ", proc.stderr, re.M)
    strict = subprocess.run([sys.executable, "-m", "kbgen", "build", str(vault), "--no-search", "--strict"],
                            capture_output=True, text=True)
    assert strict.returncode == 1


def test_graph_export_has_obsidian_shape(vault):
    proc = subprocess.run([sys.executable, "-m", "kbgen", "graph", str(vault)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["resolved"]["notes/Home.md"] == {"notes/IAM/IAM Role.md": 2}
    assert data["resolved"]["notes/IAM/IAM Role.md"]["notes/IAM/IAM Role.md"] == 1  # self-link counted
    assert data["resolved"]["notes/IAM/IAM Role.md"]["attachments/Pasted image 20230131141528.png"] == 1
    assert data["unresolved"]["notes/IAM/IAM Role.md"] == {"AssumeRole": 1, "Missing concept": 1}
    graphml = subprocess.run([sys.executable, "-m", "kbgen", "graph", str(vault), "--format", "graphml"],
                             capture_output=True, text=True)
    assert "<graphml" in graphml.stdout and "note:notes/Home.md" in graphml.stdout


def test_theme_override_from_vault(vault):
    (vault / "theme/templates").mkdir(parents=True)
    (vault / "theme/templates/tags.html").write_text("CUSTOM {{ tags | length }}\n")
    (vault / "theme/static/css").mkdir(parents=True)
    (vault / "theme/static/css/kbgen.css").write_text("body{}\n")
    _, out = build(vault)
    assert html(out, "tags/index.html").startswith("CUSTOM 3")
    assert (out / "_static/css/kbgen.css").read_text() == "body{}\n"


def test_warm_build_with_nothing_changed_does_nothing(vault):
    first, out = build(vault)
    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    again, _ = build(vault)
    assert again.rendered == 0 and again.notes == first.notes
    assert [d.format() for d in again.diagnostics] == [d.format() for d in first.diagnostics]
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == mtimes
    (vault / "notes/Home.md").write_text("# Welcome\nChanged [[IAM Role]].\n", encoding="utf-8")
    third, _ = build(vault)
    assert 0 < third.rendered < first.rendered     # only pages whose inputs changed
    assert "Changed" in (out / "index.html").read_text(encoding="utf-8")


def test_cold_warm_and_incremental_builds_are_identical(vault, tmp_path):
    from kbgen.build import Builder
    builder = Builder(vault, tmp_path / "inc", quiet=True, search=False)
    builder.build()
    (vault / "notes/New.md").write_text("links [[Home]] and [[IAM Role#Heading one]]\n", encoding="utf-8")
    (vault / "notes/Code.md").unlink()
    builder.rebuild({vault / "notes/New.md", vault / "notes/Code.md"})
    _, cold = build(vault, tmp_path / "cold", cache=False)
    files = sorted(p.relative_to(cold).as_posix() for p in cold.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(tmp_path / "inc").as_posix()
                           for p in (tmp_path / "inc").rglob("*") if p.is_file())
    for rel in files:
        assert (cold / rel).read_bytes() == (tmp_path / "inc" / rel).read_bytes(), rel


def test_corrupt_cache_is_ignored_with_a_warning(vault):
    build(vault)
    for meta in (vault / ".kbgen-cache").rglob("meta.pickle"):
        meta.write_bytes(b"not a pickle")
    (vault / "notes/Home.md").write_text("# Welcome\nEdited.\n", encoding="utf-8")
    result, out = build(vault)
    assert any(d.code == "cache" and "unreadable" in d.message for d in result.diagnostics)
    assert "Edited." in (out / "index.html").read_text(encoding="utf-8")


def test_no_autolink_inside_a_wikilink(make_vault):
    vault = make_vault({"notes/A.md": "Mail me@x.org about [[B|see www.example.com]] or www.example.org\n",
                        "notes/B.md": "b\n"})
    _, out = build(vault)
    page = body(out, "a.html")
    assert '<a class="internal-link" href="b.html" data-href="B">see www.example.com</a>' in page
    assert 'href="http://www.example.org"' in page and 'href="mailto:me@x.org"' in page


def test_broken_template_is_a_diagnostic_and_keeps_the_site(vault):
    _, out = build(vault)
    before = (out / "index.html").read_bytes()
    (vault / "theme/templates").mkdir(parents=True)
    (vault / "theme/templates/note.html").write_text("{% extends 'base.html' %}\n{% block content %}\n{% if %}\n")
    proc = subprocess.run([sys.executable, "-m", "kbgen", "build", str(vault), "--out", str(out), "--no-search"],
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert re.search(r"^theme/templates/note\.html:3: template: ", proc.stderr, re.M), proc.stderr
    assert "Traceback" not in proc.stderr
    assert (out / "index.html").read_bytes() == before


def test_settings_from_pyproject_tool_kbgen(make_vault):
    vault = make_vault({"notes/A.md": "a\n", "pyproject.toml": '[project]\nname = "x"\n\n[tool.kbgen]\ntitle = "From pyproject"\n'})
    _, out = build(vault)
    assert "<title>A · From pyproject</title>" in (out / "a.html").read_text(encoding="utf-8")
    (vault / "kbgen.toml").write_text('title = "From kbgen.toml"\n')
    _, out = build(vault)
    assert "From kbgen.toml" in (out / "a.html").read_text(encoding="utf-8")


def test_a_backlink_deep_in_a_long_paragraph_is_shown_in_view(tmp_path: Path) -> None:
    filler = " ".join(f"word{i}" for i in range(300))
    vault = write_vault(tmp_path / "vault", {
        "notes/Target.md": "The target.\n",
        "notes/Long.md": f"{filler} then [[Target]] at last & {filler.replace('word', 'after')}\n",
    })
    _, out = build(vault, tmp_path / "site")
    html = (out / "target.html").read_text(encoding="utf-8")
    section = html[html.index('class="backlinks"'):]
    context = section[:section.index("</li>")]
    assert "<mark>Target</mark> at last &amp; after0" in context
    assert "word299 then" in context and "…word" in context  # the words just before, not the start
    assert "word5 " not in context and len(context) < 2000


def test_a_note_mentioning_a_page_in_every_paragraph_shows_a_few_of_them(tmp_path: Path) -> None:
    vault = write_vault(tmp_path / "vault", {
        "notes/Target.md": "The target.\n",
        "notes/Chatty.md": "".join(f"Paragraph {i} mentions [[Target]].\n\n" for i in range(40)),
    })
    _, out = build(vault, tmp_path / "site")
    html = (out / "target.html").read_text(encoding="utf-8")
    assert html.count('class="backlink-context"') == 5
    assert "Paragraph 0 mentions" in html and "Paragraph 5 mentions" not in html
    assert "and 35 more mentions in" in html


def test_the_parse_cache_written_while_workers_render_is_whole(tmp_path, monkeypatch):
    """A cold parallel build writes the parse cache in a thread while the pages render; the next
    build of the vault must find every note in it and parse none."""
    from kbgen import build as build_module, output, parallel
    from kbgen.build import Builder
    notes = {f"notes/N{i}.md": f"# N{i}\n\n[[N{(i + 1) % 30}]] and some *text* {i}\n" for i in range(30)}
    vault = tmp_path / "vault"
    for rel, text in notes.items():
        (vault / rel).parent.mkdir(parents=True, exist_ok=True)
        (vault / rel).write_text(text, encoding="utf-8")
    monkeypatch.setattr(output, "PARALLEL_PAGES", 2)
    monkeypatch.setattr(build_module, "PARALLEL_MIN", 2)
    threads = []
    real = parallel._Alongside
    monkeypatch.setattr(parallel, "_Alongside", lambda func: threads.append(func) or real(func))
    Builder(vault, tmp_path / "one", quiet=True, search=False, jobs=2).build()
    assert len(threads) == 1  # the cache was written alongside the rendering
    parsed = []
    monkeypatch.setattr(build_module, "_parse_one", lambda *a: parsed.append(a) or pytest.fail("parsed again"))
    second = Builder(vault, tmp_path / "two", quiet=True, search=False, jobs=2)
    result = second.build()
    assert parsed == [] and result.notes == 30
    assert (tmp_path / "one" / "n3.html").read_bytes() == (tmp_path / "two" / "n3.html").read_bytes()


def test_an_error_alongside_the_workers_is_raised(tmp_path):
    from kbgen import parallel

    def fail() -> None:
        raise OSError("disk full")
    with pytest.raises(OSError, match="disk full"):
        parallel._map(list, [1, 2, 3], 2, lambda n: None, alongside=fail)


def test_finished_pools_are_closed_not_terminated(monkeypatch):
    """terminate() stops idle workers with SIGTERM, which serve's workers inherit a handler for;
    a pool whose work is done must let its workers leave on their own."""
    import multiprocessing.pool
    from kbgen import parallel
    terminated = []
    real = multiprocessing.pool.Pool.terminate
    monkeypatch.setattr(multiprocessing.pool.Pool, "terminate", lambda self: terminated.append(self) or real(self))
    assert parallel._map(list, list(range(20)), 2, lambda n: None) == list(range(20))
    assert terminated == []

    def fail(_: list) -> None:
        raise RuntimeError("stop")
    with pytest.raises(RuntimeError, match="stop"):  # a failure still stops the workers at once
        parallel._map(list, [1, 2, 3], 2, lambda n: None, each=fail)
    assert len(terminated) == 1


def _tag_with_pid(chunk: list) -> list:
    """Each item with the process that handled it (a worker, or the one that forked it)."""
    import os
    import time
    time.sleep(0.002 * len(chunk))  # some work, so that both sides take chunks
    return [(item, os.getpid()) for item in chunk]


def _fail_on_seven(chunk: list) -> list:
    if 7 in chunk:
        raise ValueError("seven")
    return chunk


def test_the_parent_renders_alongside_one_worker_in_input_order():
    """render_all's scheduling (helps=True): one worker fewer, this process takes chunks too;
    the long `alone` jobs go to a worker; results come back in input order, chunk sizes shrink."""
    import os
    from kbgen import parallel
    sizes = [len(c) for c in parallel._guided(list(range(500)), 2, alone=2)]
    assert sizes[:2] == [1, 1] and sum(sizes) == 500
    assert sizes[2:] == sorted(sizes[2:], reverse=True) and sizes[-1] <= parallel.GUIDED_MIN < sizes[2]
    chunks: list[int] = []
    got = parallel._map(_tag_with_pid, list(range(500)), 2, chunks.append, alone=2, helps=True)
    assert [item for item, _ in got] == list(range(500))
    pids = {pid for _, pid in got}
    assert os.getpid() in pids and len(pids) == 2  # the parent and exactly one worker
    assert all(pid != os.getpid() for _, pid in got[:2])  # the alone jobs went to the worker
    assert sum(chunks) == 500
    in_parent = [100 + i for i in range(100)]
    in_parent[30] = 7  # chunks of 12: two go to the worker first, the third (24-35) to the parent
    for items in ([7] + list(range(100)), in_parent):  # a worker's failure, the parent's
        with pytest.raises(ValueError, match="seven"):
            parallel._map(_fail_on_seven, items, 2, lambda n: None, alone=1, helps=True)


def test_the_bundled_vault_builds_byte_identical_under_any_string_hashing(tmp_path):
    """Python salts str hashes per process: nothing kbgen writes — pages, data, the manifest
    with every page's fingerprint (a hash of its context, whose keys go unsorted) — may depend on
    the order of a set or of a dict built from one."""
    import os
    root = Path(__file__).resolve().parent.parent
    sites = []
    for seed in ("1", "2"):
        out = tmp_path / f"site-{seed}"
        subprocess.run([sys.executable, "-m", "kbgen", "build", str(root), "--out", str(out), "--quiet",
                        "--no-search", "--no-cache"], check=True, cwd=root, env=dict(os.environ, PYTHONHASHSEED=seed))
        sites.append({p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert ".kbgen-site" in sites[0] and len(sites[0]) > 50
    assert sites[0].keys() == sites[1].keys()
    assert [rel for rel in sites[0] if sites[0][rel] != sites[1][rel]] == []


def test_the_command_line_leaves_without_freeing_but_loses_nothing(vault, tmp_path, monkeypatch):
    """`kbgen build` ends with os._exit (cli.leave) once the site is written: its output, the
    summary on stderr, the parse cache (a later build parses nothing) and what atexit handlers do
    must all be there, as after an ordinary exit."""
    import kbgen.build as build_module
    out = tmp_path / "site"
    proc = subprocess.run([sys.executable, "-m", "kbgen", "build", str(vault), "--out", str(out), "--no-search"],
                          capture_output=True, text=True)
    assert proc.returncode == 0 and " notes → " in proc.stderr and "unresolved-link" in proc.stderr
    _, fresh = build(vault, tmp_path / "fresh", cache=False)
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == sorted(p.relative_to(fresh) for p in fresh.rglob("*"))
    monkeypatch.setattr(build_module, "_parse_one", lambda *a: pytest.fail("parsed again: the cache was lost"))
    result, _ = build(vault, out)
    assert result.rendered == 0
    # atexit handlers still run, and a thread the command left is waited for
    from kbgen import cli
    script = ("import atexit, sys, threading, time\n"
              "from kbgen import cli\n"
              "atexit.register(lambda: print('atexit ran', flush=True))\n"
              "threading.Thread(target=lambda: (time.sleep(0.2), print('thread done', flush=True))).start()\n"
              "cli.leave(3)\n")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode == 3 and proc.stdout.splitlines() == ["thread done", "atexit ran"]
    assert cli.leave.__module__ == "kbgen.cli"
    # main() leaves that way when it runs the process's own command line, and only then
    script = ("import sys\n"
              "from kbgen import cli\n"
              "def leave(code):\n"
              "    print('left', code, flush=True)\n"
              "    raise SystemExit(code)\n"
              "cli.leave = leave\n"
              "args = ['build', sys.argv[1], '--out', sys.argv[2], '--no-search', '--quiet']\n"
              "print('returned', cli.main(args), flush=True)\n"
              "sys.argv = ['kbgen', *args]\n"
              "cli.main()\n"
              "print('returned again', flush=True)\n")
    proc = subprocess.run([sys.executable, "-c", script, str(vault), str(tmp_path / "third")],
                          capture_output=True, text=True)
    assert proc.stdout.splitlines() == ["returned 0", "left 0"], proc.stderr


def test_render_workers_are_forked_with_highlighters_and_templates_ready(tmp_path, monkeypatch):
    """The parent compiles the code highlighters the notes use and the templates while the
    parse workers work; the render worker it forks later compiles neither again."""
    import os
    import jinja2
    import pygments.lexer
    import kbgen.build as build_module
    import kbgen.output
    log = tmp_path / "log"
    log.mkdir()

    def logging(real, what):
        def logged(*args, **kw):  # compiled in this process
            with open(log / f"{what}-{os.getpid()}", "a") as f:
                f.write(".")
            return real(*args, **kw)
        return logged
    monkeypatch.setattr(pygments.lexer.RegexLexerMeta, "_process_regex",
                        logging(pygments.lexer.RegexLexerMeta._process_regex, "lexer"))
    monkeypatch.setattr(jinja2.Environment, "compile", logging(jinja2.Environment.compile, "template"))
    monkeypatch.setattr(build_module, "PARALLEL_MIN", 2)
    monkeypatch.setattr(kbgen.output, "PARALLEL_PAGES", 2)
    files = {f"N{i}.md": f"# N{i}\n\n```{lang}\nx = {i}\n```\n[[N{(i + 1) % 12}]]\n"
             for i, lang in enumerate(["python", "sql", "rust", "haskell"] * 3)}
    vault = write_vault(tmp_path / "vault", files)
    result, out = build(vault, tmp_path / "site", jobs=2, cache=False)
    assert result.rendered > 10 and '<span class="' in (out / "n3.html").read_text()  # highlighted
    assert sorted(p.name for p in log.iterdir()) == [f"lexer-{os.getpid()}", f"template-{os.getpid()}"]


def test_a_worker_that_dies_fails_the_work_instead_of_hanging():
    """multiprocessing.Pool replaces a killed worker but never delivers the result it held: the
    build waited forever after the out-of-memory killer took a worker. Now it raises WorkerDied
    (which `kbgen build` reports as an error, leaving the previous site), with and without the
    parent taking chunks too. In a subprocess, so a regression fails by its timeout, not a hang."""
    import os
    root = Path(__file__).resolve().parent.parent
    script = ("import os, signal\n"
              "from kbgen import parallel\n"
              "def die(chunk):\n"
              "    if 7 in chunk:\n"
              "        os.kill(os.getpid(), signal.SIGKILL)\n"
              "    return chunk\n"
              "for helps in (False, True):  # chunk 0 holds 7 and goes to a worker either way\n"
              "    try:\n"
              "        parallel._map(die, list(range(100)), 2, lambda n: None, helps=helps)\n"
              "        print('finished', helps, flush=True)\n"
              "    except parallel.WorkerDied as exc:\n"
              "        print('died', helps, 'killed' in str(exc), flush=True)\n")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, PYTHONPATH=str(root)))
    assert proc.stdout.splitlines() == ["died False True", "died True True"], proc.stderr


def _tree_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_one_off_build_from_the_parse_cache_holds_few_token_lists_and_builds_the_same(tmp_path: Path) -> None:
    from kbgen import build as build_module
    from kbgen.build import Builder
    count = build_module.RECENT_TOKENS + 20
    files: dict[str, str | bytes] = {f"notes/N{i}.md": f"# N{i}\n\nSee [[N{(i + 1) % count}]].\n\n![[Shared]]\n"
                                     for i in range(count)}
    files["notes/Shared.md"] = "Shared text, embedded on every page.\n"
    vault = write_vault(tmp_path / "vault", files)
    Builder(vault, tmp_path / "first", quiet=True, jobs=1, search=False, rebuilds=False).build()
    # the parse cache is there now: a second build into a new folder renders every page from it
    once = Builder(vault, tmp_path / "second", quiet=True, jobs=1, search=False, rebuilds=False)
    once.build()
    assert not once._tokens and 0 < len(once._recent) <= build_module.RECENT_TOKENS
    kept = Builder(vault, tmp_path / "third", quiet=True, jobs=1, search=False)  # rebuild() may follow
    kept.build()
    assert len(kept._tokens) == count + 1  # every note's, for the edits to come
    first, second, third = (_tree_bytes(tmp_path / name) for name in ("first", "second", "third"))
    assert first == second == third


def test_tokens_kept_pickled_are_unpickled_once_while_in_use(tmp_path: Path) -> None:
    """A note embedded on many pages, its tokens kept pickled (as a parallel parse leaves them), is
    unpickled once while it is in use, not once per page: 1 000 pages embedding sections of a note
    of 10 000 headings took 187 s so."""
    import pickle
    from kbgen.build import Builder
    vault = tmp_path / "v"
    vault.mkdir()
    (vault / "a.md").write_text("# h\n\ntext\n", encoding="utf-8")
    (vault / "b.md").write_text("b\n", encoding="utf-8")
    builder = Builder(vault, tmp_path / "out", quiet=True, search=False, cache=False, jobs=1)
    builder.build()
    site = builder.site
    assert site is not None
    a, b = site.notes["a.md"], site.notes["b.md"]
    tokens = builder._tokens.pop(a.digest)
    builder._pickled_bodies[a.digest] = pickle.dumps(tokens)
    first = builder._tokens_of("a.md", a)
    assert [t.type for t in first] == [t.type for t in tokens]
    builder._tokens_of("b.md", b)  # another note's page between two uses
    assert builder._tokens_of("a.md", a) is first
