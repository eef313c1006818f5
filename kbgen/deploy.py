"""`kbgen deploy`: build, then commit the site to the `gh-pages` branch of the vault's git repository and push.

Plain git, nothing else: the site's files are hashed into the object store, a tree is written
through a temporary index file, and `git commit-tree` makes the commit, so the user's working
tree, index and current branch are never touched. An unchanged site makes no new commit.
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kbgen import __version__

NOJEKYLL = ".nojekyll"
CNAME = "CNAME"
DEFAULT_MESSAGE = "Deploy site built from {sha} (kbgen {version})"
_FALLBACK_IDENTITY = {"GIT_AUTHOR_NAME": "kbgen", "GIT_AUTHOR_EMAIL": "kbgen@localhost",
                      "GIT_COMMITTER_NAME": "kbgen", "GIT_COMMITTER_EMAIL": "kbgen@localhost"}


class DeployError(Exception):
    """Deploy cannot go on; the message says why and what to do. `code` is the exit status."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def add_command(sub: Any) -> None:
    d = sub.add_parser("deploy", help="build and publish the site to the gh-pages branch (GitHub Pages)",
                       description="Build the site, commit it to the gh-pages branch of the vault's git "
                                   "repository and push it. Your working tree and index are not touched.")
    d.add_argument("vault", nargs="?", type=Path, default=Path("."), help="vault folder (default: .)")
    d.add_argument("--config", type=Path, help="config file (default: VAULT/kbgen.toml)")
    d.add_argument("--remote", default="origin", help="git remote to push to (default: origin)")
    d.add_argument("--branch", default="gh-pages", help="branch that holds the site (default: gh-pages)")
    d.add_argument("--message", "-m", help="commit message; {sha} and {version} are filled in "
                                           f"(default: {DEFAULT_MESSAGE!r})")
    d.add_argument("--base-url", help="absolute URL the site is published at (default: the config's "
                                      "base_url, else https://USER.github.io/REPO/ from the remote)")
    d.add_argument("--no-push", action="store_true", help="commit to the local branch only")
    d.add_argument("--force", action="store_true", help="push even when the remote branch has other commits")
    d.add_argument("--strict", action="store_true", help="refuse to deploy when the build has warnings")
    d.add_argument("--dry-run", action="store_true",
                   help="build, then list every file that would become public and why; commit nothing")
    d.add_argument("--quiet", "-q", action="store_true", help="print only diagnostics and errors")
    d.set_defaults(func=cmd_deploy)


def cmd_deploy(args: argparse.Namespace) -> int:
    from kbgen.config import ConfigError
    from kbgen.write import OutputError
    try:
        return deploy(args)
    except DeployError as exc:
        print(f"kbgen: deploy refused: {exc}" if exc.code == 2 else f"kbgen: error: {exc}", file=sys.stderr)
        return exc.code
    except (ConfigError, OutputError) as exc:
        print(f"kbgen: error: {exc}", file=sys.stderr)
        return 2


def deploy(args: argparse.Namespace) -> int:
    from kbgen.build import Builder
    from kbgen.cli import summary
    from kbgen.config import load
    from kbgen.diagnostics import report

    vault = Path(args.vault).resolve()
    say = (lambda *_: None) if args.quiet else (lambda text: print(f"kbgen: {text}", file=sys.stderr))
    repo = Repo.find(vault)
    if repo is None and not args.dry_run:
        raise DeployError(f"{vault} is not in a git repository. `kbgen deploy` commits the site to a "
                          f"branch of the vault's repository: run `git init` and add a GitHub remote, "
                          f"or publish with GitHub Actions (`kbgen init --github-actions`).", 2)
    if repo is not None and not args.dry_run:
        repo.check_branch_free(args.branch)
        if not args.no_push:
            repo.remote_url(args.remote)  # fails early, before the build, when it does not exist
    config = load(vault, args.config)
    base_url = args.base_url or config.base_url
    if not base_url:
        base_url = guess_base_url(config.cname, repo.remote_url(args.remote, required=False) if repo else "")
        if base_url:
            say(f"base_url is not set; using {base_url} (set base_url in kbgen.toml to choose)")
        else:
            say("base_url is not set and the remote is not on GitHub: no sitemap or feed, and the 404 "
                "page works only at the top level (set base_url in kbgen.toml)")
    extra = {NOJEKYLL: b""}
    if config.cname:
        extra[CNAME] = config.cname.strip().encode() + b"\n"
    # A fresh build of its own: exactly what kbgen makes is published, never files left in site/
    with tempfile.TemporaryDirectory(prefix="kbgen-deploy-") as tmp:
        builder = Builder(vault, Path(tmp) / "site", config_file=args.config, quiet=args.quiet,
                          base_url=base_url or None, rebuilds=False)
        result = builder.build()
        report(result.diagnostics, sys.stderr)
        if not args.quiet:
            print(summary(result, builder.out), file=sys.stderr)
        if result.errors:
            raise DeployError(f"the build has {result.errors} errors; fix them, then deploy again")
        if args.strict and result.warnings:
            raise DeployError(f"the build has {result.warnings} warnings and --strict is set; nothing deployed")
        files = site_files(builder.out)
        if args.dry_run:
            return dry_run(builder, files, extra, config.cname)
        assert repo is not None
        source = repo.describe_source(vault, (vault / "site", vault / config.cache_dir))
        template = args.message or DEFAULT_MESSAGE
        message = template.replace("{sha}", source).replace("{version}", __version__)
        commit, made = repo.commit_site(builder.out, files, extra, args.branch, message,
                                        remote=None if args.no_push else args.remote)
    short = commit[:10]
    if made:
        say(f"committed {len(files) + len(extra)} files to {args.branch} as {short}")
    else:
        say(f"{args.branch} already holds this site ({short}); no new commit")
    if args.no_push:
        say(f"not pushed (--no-push); publish later with: git push {args.remote} {args.branch}")
        return 0
    repo.push(args.remote, args.branch, args.force)
    say(f"pushed {args.branch} to {args.remote}" + (f"; the site will be at {base_url}" if base_url else ""))
    return 0


# -- what gets published ----------------------------------------------------------------------


def site_files(out: Path) -> list[str]:
    """The files of a fresh build (its manifest), without the manifest itself (build bookkeeping)."""
    from kbgen.write import MARK, read_manifest
    files = read_manifest(out).get("files", [])
    kept = sorted(f for f in files if f != MARK and (out / f).is_file())
    bad = [f for f in kept if "\n" in f or "\0" in f]
    if bad:
        raise DeployError(f"cannot publish file names with line breaks: {bad[:3]}")
    return kept


def dry_run(builder: Any, files: list[str], extra: dict[str, bytes], cname: str) -> int:
    """Print each file that would become public with the note or rule that put it there."""
    reasons = provenance(builder)
    reasons[NOJEKYLL] = "deploy: tells GitHub Pages to serve the files as they are (no Jekyll)"
    if CNAME in extra:
        reasons[CNAME] = f"deploy: custom domain {cname.strip()} (config cname)"
    names = sorted(set(files) | set(extra))
    width = min(max(len(n) for n in names), 60)
    for name in names:
        print(f"{name:<{width}}  {reasons.get(name, 'made by kbgen')}")
    print(f"kbgen: {len(names)} files would become public (dry run: nothing committed)", file=sys.stderr)
    return 0


def provenance(builder: Any) -> dict[str, str]:
    """Site file → why it is there: the note, attachment reference or rule behind it."""
    from kbgen import assemble, feeds
    from kbgen.discover import discover
    from kbgen.render import STATIC_PREFIX, Theme
    from kbgen.sitedata import DATA_PREFIX

    site, _ = builder.collect()
    vault = discover(site.config, exclude=(builder.out, builder.root / site.config.cache_dir))
    pages = assemble.pages(site, vault)
    reasons: dict[str, str] = {}
    for page in pages:
        reasons[page.url] = _page_reason(site, page)
    taken = {p.url for p in pages} | set(site.urls.values())
    for r in feeds.redirects(site, taken)[0]:
        reasons[r.url] = f"redirect to {r.target}: {r.why} of {r.source}"
    users: dict[str, set[str]] = {}
    for source, table in site.targets.items():
        for ref, target in table.items():
            if target.kind == "asset" and target.path and not ref.commented:
                users.setdefault(target.path, set()).add(source)
    for path, url in site.urls.items():
        if path in site.notes:
            continue
        if path in users:
            notes = sorted(users[path])
            more = f" (+{len(notes) - 3} more)" if len(notes) > 3 else ""
            reasons[url] = f"attachment {path}, used by {', '.join(notes[:3])}{more}"
        else:
            reasons[url] = f"attachment {path} (publish_all_attachments = true)"
    root = site.config.root
    for name, src in Theme(site.config).static_files().items():
        where = src.relative_to(root).as_posix() if src.is_relative_to(root) else \
            f"{name} of the {site.config.theme!r} theme"
        reasons[STATIC_PREFIX + name] = f"theme file {where}"
    reasons[DATA_PREFIX + "explorer.json"] = "explorer tree of the published notes"
    reasons[DATA_PREFIX + "graph.json"] = "link graph of the published notes"
    reasons[feeds.SITEMAP] = "sitemap of the pages (base_url is set)"
    reasons[feeds.FEED] = f"Atom feed of the {len(feeds.recent(site))} most recently updated notes"
    for f in builder.out.joinpath("pagefind").rglob("*"):
        if f.is_file():
            reasons[f.relative_to(builder.out).as_posix()] = "search index of the published pages (Pagefind)"
    return reasons


def _page_reason(site: Any, page: Any) -> str:
    if page.source:
        return f"note {page.source}" + (" (home page)" if page.url == "index.html" else "")
    count = page.context.get("backlinks_total", len(page.context.get("backlinks", [])))  # not only those shown
    return {
        "home": "home page (generated list of notes)",
        "concept": f"concept page: unresolved link '{page.title}' in {count} note{'s' * (count != 1)}",
        "tag": f"tag page {page.title}",
        "tags": "tag index",
        "folder": f"folder page of {page.title}",
        "graph": "graph page",
        "404": "page shown for unknown URLs",
    }.get(page.kind, f"{page.kind} page")


# -- base URL from the remote -------------------------------------------------------------------


_GITHUB = re.compile(r"^(?:https?://(?:[^@/]+@)?|ssh://git@|git@)github\.com[:/]([^/]+)/([^/]+?)(?:\.git)?/?$")


def guess_base_url(cname: str, remote_url: str) -> str:
    """Where GitHub Pages publishes this repository: the custom domain, else USER.github.io/REPO/."""
    if cname.strip():
        return f"https://{cname.strip().strip('/')}/"
    m = _GITHUB.match(remote_url.strip())
    if not m:
        return ""
    user, repo = m.group(1), m.group(2)
    if repo.casefold() == f"{user}.github.io".casefold():
        return f"https://{user.lower()}.github.io/"
    return f"https://{user.lower()}.github.io/{repo}/"


# -- git ----------------------------------------------------------------------------------------


@dataclass
class Repo:
    """The git repository that holds the vault, driven through the `git` command."""

    top: Path

    @classmethod
    def find(cls, path: Path) -> "Repo | None":
        try:
            proc = subprocess.run(["git", "-C", str(path), "rev-parse", "--show-toplevel"],
                                  capture_output=True, text=True, env=_env())
        except FileNotFoundError:
            raise DeployError("git is not installed (or not on PATH); kbgen deploy needs it", 2)
        if proc.returncode != 0:
            return None
        return cls(Path(proc.stdout.strip()))

    def git(self, *args: str, input: bytes | None = None, env: dict[str, str] | None = None,
            check: bool = True) -> subprocess.CompletedProcess[bytes]:
        proc = subprocess.run(["git", "-C", str(self.top), *args], input=input, capture_output=True,
                              env=_env(env))
        if check and proc.returncode != 0:
            detail = proc.stderr.decode("utf-8", "replace").strip()
            raise DeployError(f"git {args[0]} failed: {detail}")
        return proc

    def out(self, *args: str, **kw: Any) -> str:
        return self.git(*args, **kw).stdout.decode("utf-8", "replace").strip()

    def rev(self, ref: str) -> str:
        proc = self.git("rev-parse", "--verify", "--quiet", ref + "^{commit}", check=False)
        return proc.stdout.decode().strip() if proc.returncode == 0 else ""

    def remote_url(self, remote: str, required: bool = True) -> str:
        proc = self.git("remote", "get-url", remote, check=False)
        if proc.returncode != 0:
            if required:
                raise DeployError(f"the repository has no remote {remote!r}: add one with "
                                  f"`git remote add {remote} URL`, or deploy with --no-push", 2)
            return ""
        return proc.stdout.decode().strip()

    def check_branch_free(self, branch: str) -> None:
        """Refuse a branch checked out in a worktree: moving it would change the user's files."""
        listing = self.out("worktree", "list", "--porcelain")
        for line in listing.splitlines():
            if line == f"branch refs/heads/{branch}":
                raise DeployError(f"the branch {branch!r} is checked out in a worktree of {self.top}; "
                                  f"switch to your notes branch (or pass --branch) and deploy again", 2)

    def describe_source(self, vault: Path, skip: tuple[Path, ...] = ()) -> str:
        """The commit the site is built from, marked when the vault has uncommitted changes
        (kbgen's own output and cache folders, in `skip`, do not count)."""
        head = self.rev("HEAD")
        if not head:
            return "a vault with no commits yet"
        specs = [os.path.relpath(vault, self.top)]
        specs += [":(exclude)" + os.path.relpath(p, self.top) for p in skip if p.resolve().is_relative_to(self.top)]
        dirty = self.out("status", "--porcelain", "--", *specs)
        return head + (" with uncommitted changes" if dirty else "")

    def commit_site(self, out: Path, files: list[str], extra: dict[str, bytes], branch: str,
                    message: str, remote: str | None) -> tuple[str, bool]:
        """Commit the site onto `branch`; returns (commit, made) — made is False when the branch
        already holds exactly this tree. With a remote, its branch is fetched first so a fresh
        clone continues the published history."""
        tree = self.write_tree(out, files, extra)
        ref = f"refs/heads/{branch}"
        local = self.rev(ref)
        parent = local
        if remote is not None:
            theirs = self.fetch(remote, branch)
            if theirs and (not local or self.is_ancestor(local, theirs)):
                parent = theirs
        if parent and self.out("rev-parse", parent + "^{tree}") == tree:
            commit, made = parent, False
        else:
            args = ["commit-tree", tree] + (["-p", parent] if parent else [])
            env = None if self.git("var", "GIT_COMMITTER_IDENT", check=False).returncode == 0 \
                else _FALLBACK_IDENTITY
            commit = self.out(*args, input=message.encode("utf-8"), env=env)
            made = True
        if commit != local:
            self.git("update-ref", "-m", "kbgen deploy", ref, commit, local)
        return commit, made

    def write_tree(self, out: Path, files: list[str], extra: dict[str, bytes]) -> str:
        """Hash every file (as bytes: no filters, no ignore rules) and write their tree through a
        temporary index, so the repository's own index is never read or written."""
        paths = "".join(str(out / f) + "\n" for f in files).encode("utf-8")
        shas = self.out("hash-object", "-w", "--no-filters", "--stdin-paths", input=paths).split()
        entries = dict(zip(files, shas))
        for name, data in extra.items():
            entries[name] = self.out("hash-object", "-w", "--no-filters", "--stdin", input=data)
        info = "".join(f"100644 blob {sha}\t{name}\0" for name, sha in sorted(entries.items()))
        with tempfile.TemporaryDirectory(prefix="kbgen-deploy-") as tmp:
            env = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
            self.git("update-index", "--add", "-z", "--index-info", input=info.encode("utf-8"), env=env)
            return self.out("write-tree", env=env)

    def fetch(self, remote: str, branch: str) -> str:
        """The remote's branch tip ('' when the remote has no such branch yet)."""
        tracking = f"refs/remotes/{remote}/{branch}"
        proc = self.git("fetch", "--quiet", "--no-tags", remote, f"+refs/heads/{branch}:{tracking}", check=False)
        if proc.returncode != 0:
            detail = proc.stderr.decode("utf-8", "replace")
            if "couldn't find remote ref" in detail:
                return ""
            raise DeployError(f"cannot fetch {branch} from {remote}: {detail.strip()}")
        return self.rev(tracking)

    def is_ancestor(self, a: str, b: str) -> bool:
        return self.git("merge-base", "--is-ancestor", a, b, check=False).returncode == 0

    def push(self, remote: str, branch: str, force: bool) -> None:
        ref = f"refs/heads/{branch}"
        proc = self.git("push", *(["--force"] if force else []), remote, f"{ref}:{ref}", check=False)
        if proc.returncode != 0:
            detail = proc.stderr.decode("utf-8", "replace").strip()
            hint = ("" if force else f"\nThe remote {branch} has commits this one does not build on "
                    "(deployed from elsewhere?); run again with --force to replace it.")
            raise DeployError(f"git push to {remote} failed: {detail}" + (hint if "rejected" in detail else ""))


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """git's environment: no optional locks (read-only commands must not refresh the user's index)."""
    env = dict(os.environ, GIT_OPTIONAL_LOCKS="0", LC_ALL="C", GIT_TERMINAL_PROMPT="0")
    env.update(extra or {})
    return env
