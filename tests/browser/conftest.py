"""Browser fixtures: the bundled vault built once, served under /repo/ by a real HTTP server on
port 0, and Debian's Chromium driven by Playwright. Without /usr/bin/chromium (or Playwright)
every browser test is skipped with the reason shown."""
from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import tarfile
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest

from kbgen.build import Builder

REPO = Path(__file__).resolve().parents[2]

CHROMIUM = Path("/usr/bin/chromium")
PREFIX = "/repo/"
"""The site is served under a sub-path, as GitHub Pages serves a project site."""
ARTIFACTS = REPO / "tests" / "_artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

try:
    from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
except ImportError:  # pragma: no cover - the test extra is not installed
    sync_playwright = None  # type: ignore[assignment]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = ""
    if sync_playwright is None:
        reason = "Playwright for Python is not installed (pip install -e .[test])"
    elif not CHROMIUM.exists():
        reason = f"{CHROMIUM} is absent (apt-get install chromium)"
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


class Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the site under PREFIX only: a link that forgets the sub-path gets a 404."""

    def translate_path(self, path: str) -> str:
        clean = path.split("?", 1)[0].split("#", 1)[0]
        if not clean.startswith(PREFIX):
            return str(Path(self.directory) / "__outside_the_sub_path__" / "missing")
        return super().translate_path("/" + clean[len(PREFIX):])

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled vault, built once per session with its search index."""
    out = tmp_path_factory.mktemp("browser") / "site"
    result = Builder(REPO, out, quiet=True, search=True).build()
    assert not [d for d in result.diagnostics if d.code == "search"], result.diagnostics
    return out


@pytest.fixture(scope="session")
def base_url(site: Path) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}{PREFIX}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def mermaid_js() -> bytes | None:
    """mermaid.min.js from the npm `mermaid` package (fetched once into tests/_artifacts/), or
    None where npm cannot reach the registry: the CDN script is then answered with an empty one."""
    target = ARTIFACTS / "mermaid" / "mermaid.min.js"
    if not target.exists() and shutil.which("npm"):
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            proc = subprocess.run(["npm", "pack", "mermaid@11", "--silent", "--pack-destination", str(target.parent)],
                                  capture_output=True, text=True, timeout=120)
            tarball = target.parent / proc.stdout.strip().splitlines()[-1] if proc.returncode == 0 else None
            if tarball and tarball.exists():
                with tarfile.open(tarball) as tar:
                    member = tar.extractfile("package/dist/mermaid.min.js")
                    if member is not None:
                        target.write_bytes(member.read())
                tarball.unlink()
        except (OSError, subprocess.SubprocessError, tarfile.TarError, KeyError, IndexError):
            pass
    return target.read_bytes() if target.exists() else None


@pytest.fixture(scope="session")
def browser() -> Iterator["Browser"]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield b
        b.close()


class Watch:
    """Console errors, uncaught exceptions, failed requests and HTTP errors seen by a context."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def attach(self, page: "Page") -> None:
        page.on("console", lambda m: self.problems.append(f"console {m.type}: {m.text} ({page.url})")
                if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: self.problems.append(f"uncaught: {e} ({page.url})"))
        # the browser's own resources (its PDF viewer, error pages) are not the site's, and
        # ERR_ABORTED is a request cancelled by the next navigation (a late favicon): a missing
        # file shows as an HTTP error below, an unreachable one as another failure
        page.on("requestfailed", lambda r: None if r.url.startswith(("chrome:", "chrome-extension:"))
                or r.failure == "net::ERR_ABORTED"
                else self.problems.append(f"request failed: {r.url} {r.failure}"))
        page.on("response", lambda r: self.problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)


def new_context(browser: "Browser", mermaid: bytes | None, **options: Any) -> tuple["BrowserContext", Watch]:
    from kbgen.config import Config
    context = browser.new_context(**options)
    watch = Watch()
    context.on("page", watch.attach)
    body = mermaid if mermaid is not None else b"/* mermaid is not available offline: diagrams stay as source */"
    context.route(Config().mermaid_url, lambda route: route.fulfill(status=200, body=body,
                                                                   content_type="text/javascript"))
    # any other web address would be a request to the internet: refuse it (the test then fails)
    context.route(lambda url: url.startswith(("http:", "https:")) and not url.startswith("http://127.0.0.1:")
                  and url != Config().mermaid_url, lambda route: route.abort())
    return context, watch


@pytest.fixture
def context(browser: "Browser", mermaid_js: bytes | None) -> Iterator[tuple["BrowserContext", Watch]]:
    ctx, watch = new_context(browser, mermaid_js, viewport={"width": 1280, "height": 900})
    yield ctx, watch
    ctx.close()


@pytest.fixture
def page(context: tuple["BrowserContext", Watch]) -> Iterator["Page"]:
    """A desktop-sized page; the test fails if the browser saw any error meanwhile."""
    ctx, watch = context
    pg = ctx.new_page()
    yield pg
    assert not watch.problems, "\n".join(watch.problems)
