"""Sub-path correctness: the bundled vault served under `/repo/` (as GitHub Pages serves a project
site) with a real HTTP server, crawled page by page.

Every internal href, src, srcset, stylesheet, script, data file and search asset must answer 200,
every `#anchor` must exist on its page, URLs must never leave `/repo/`, and an unknown URL at any
depth gets the 404 page (status 404) whose links work. A build without `base_url` is served
under a different prefix to show everything but the deep 404 is relative.
"""
from __future__ import annotations

import json
import mimetypes
import re
import shutil
import threading
import urllib.error
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar
from urllib.parse import quote, unquote, urldefrag, urljoin, urlsplit

import pytest

from conftest import REPO, build

PREFIX = "/repo/"
T = TypeVar("T")


# -- a GitHub-Pages-like static server ---------------------------------------------------------


class PagesServer:
    """Serves `site` at `prefix` on 127.0.0.1 (port 0); anything else gets 404.html with status 404.
    `/prefix/dir/` serves `dir/index.html`; `/prefix/dir` redirects to `/prefix/dir/`."""

    def __init__(self, site: Path, prefix: str = PREFIX) -> None:
        self.site, self.prefix = site, prefix
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                outer.answer(self, body=True)

            def do_HEAD(self) -> None:  # noqa: N802
                outer.answer(self, body=False)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{self.prefix}"

    def __enter__(self) -> "PagesServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def answer(self, handler: BaseHTTPRequestHandler, body: bool) -> None:
        path = unquote(urlsplit(handler.path).path)
        file = None
        if path.startswith(self.prefix):
            rel = path[len(self.prefix):]
            candidate = (self.site / rel).resolve()
            if candidate.is_relative_to(self.site.resolve()):
                if candidate.is_dir() and not path.endswith("/") and rel:
                    handler.send_response(301)
                    handler.send_header("Location", quote(path + "/"))
                    handler.end_headers()
                    return
                if candidate.is_dir():
                    candidate = candidate / "index.html"
                if candidate.is_file():
                    file = candidate
        status = 200 if file else 404
        file = file or self.site / "404.html"
        data = file.read_bytes()
        handler.send_response(status)
        handler.send_header("Content-Type", mimetypes.guess_type(file.name)[0] or "application/octet-stream")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        if body:
            handler.wfile.write(data)


# -- reading pages ---------------------------------------------------------------------------


URL_ATTRS = {"href", "src", "poster", "data", "action"}
DATA_URL = re.compile(r"\.(json|js|mjs|css|html|xml)(\?|#|$)")


class PageLinks(HTMLParser):
    """The ids of a page and every URL it refers to (attribute, value), including `srcset`,
    meta refresh, Open Graph URLs and `data-*` attributes that name a file."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.urls: list[tuple[str, str]] = []
        self.base: str | None = None
        self.pagefind: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and "name" in a:
            self.ids.add(a["name"])
        if tag == "base" and "href" in a and self.base is None:
            self.base = a["href"]
            return
        for name, value in a.items():
            if name in URL_ATTRS and value:
                self.urls.append((f"{tag}[{name}]", value))
            elif name == "srcset":
                for item in value.split(","):
                    if item.strip():
                        self.urls.append((f"{tag}[srcset]", item.strip().split()[0]))
            elif name == "data-pagefind":
                self.pagefind.append(value)
            elif name.startswith("data-") and DATA_URL.search(value) and " " not in value.strip():
                self.urls.append((f"{tag}[{name}]", value))
        if tag == "meta":
            if a.get("http-equiv", "").lower() == "refresh" and "url=" in a.get("content", ""):
                self.urls.append(("meta[refresh]", a["content"].split("url=", 1)[1].strip()))
            if a.get("property") in ("og:url", "og:image") and a.get("content"):
                self.urls.append((f"meta[{a['property']}]", a["content"]))


@dataclass
class Crawl:
    """What a crawl found: every problem as `page: what`, and the pages and files it fetched."""

    root: str
    problems: list[str] = field(default_factory=list)
    fetched: dict[str, int] = field(default_factory=dict)
    pages: dict[str, PageLinks] = field(default_factory=dict)
    anchors: list[tuple[str, str, str]] = field(default_factory=list)


def fetch(url: str) -> tuple[int, bytes, str]:
    url = quote(url, safe="".join(chr(c) for c in range(33, 127)))  # non-ASCII as UTF-8, as browsers do
    request = urllib.request.Request(url, headers={"User-Agent": "kbgen-test-crawler"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read(), response.headers.get_content_type()
    except urllib.error.HTTPError as err:
        return err.code, err.read(), err.headers.get_content_type()


def crawl(root: str, seeds: list[str]) -> Crawl:
    """Fetch every seed and everything internal they refer to, breadth first."""
    result = Crawl(root)
    host = urlsplit(root).netloc
    queue = deque((url, "(seed)") for url in seeds)
    while queue:
        url, referrer = queue.popleft()
        if url in result.fetched:
            continue
        status, data, ctype = fetch(url)
        result.fetched[url] = status
        if status != 200:
            result.problems.append(f"{referrer}: {url} answered {status}")
            continue
        for ref_url, where in _refers_to(result, url, data, ctype):
            if any(ch.isspace() for ch in ref_url):
                result.problems.append(f"{url}: {where} has whitespace in {ref_url!r}")
                continue
            parts = urlsplit(ref_url)
            if parts.scheme not in ("http", "https") or parts.netloc != host:
                continue  # external, mailto:, data: …
            if not parts.path.startswith(urlsplit(root).path):
                result.problems.append(f"{url}: {where} leaves the sub-path: {ref_url}")
                continue
            target, frag = urldefrag(ref_url)
            if frag:
                result.anchors.append((url, target, frag))
            if target not in result.fetched:
                queue.append((target, url))
    for page, target, frag in result.anchors:
        links = result.pages.get(target)
        if links is not None and unquote(frag) not in links.ids:
            result.problems.append(f"{page}: #{unquote(frag)} is not an id on {target}")
    return result


def _refers_to(result: Crawl, url: str, data: bytes, ctype: str) -> Iterator[tuple[str, str]]:
    if ctype == "text/html":
        links = PageLinks()
        links.feed(data.decode("utf-8"))
        result.pages[url] = links
        base = urljoin(url, links.base) if links.base else url
        for where, value in links.urls:
            yield urljoin(base, value.strip()), where
        for value in links.pagefind:  # the search bundle the page loads
            for name in ("pagefind.js", "pagefind-entry.json", "kbgen-shards.json"):
                yield urljoin(urljoin(base, value), name), "data-pagefind"
    elif ctype == "text/css":
        for value in re.findall(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)""", data.decode("utf-8")):
            if not value.startswith("data:"):
                yield urljoin(url, value), "css url()"
    elif url.endswith(".json"):
        doc = json.loads(data)
        if url.endswith("pagefind-entry.json"):
            for lang in doc["languages"].values():  # the index the search script loads first
                yield urljoin(url, f"pagefind.{lang['hash']}.pf_meta"), "pagefind entry"
                yield urljoin(url, f"wasm.{lang['wasm']}.pagefind"), "pagefind entry"
        elif url.endswith("kbgen-shards.json"):  # the further bundles the search script merges
            for shard in doc["shards"]:
                if shard["path"]:
                    yield urljoin(urljoin(url, shard["path"]), "pagefind-entry.json"), "shard list"
        else:  # kbgen's data files hold site-relative URLs
            for value in _json_urls(doc):
                yield urljoin(result.root, value), f"{url.rsplit('/', 1)[-1]} url"


def _json_urls(doc: object) -> Iterator[str]:
    if isinstance(doc, dict):
        for key, value in doc.items():
            if key in ("url", "href") and isinstance(value, str) and value:
                yield value
            else:
                yield from _json_urls(value)
    elif isinstance(doc, list):
        for item in doc:
            yield from _json_urls(item)


def site_seeds(root: str, site: Path) -> list[str]:
    """Every HTML page on disk (reached or not), the data files and the feed files."""
    files = sorted(p.relative_to(site).as_posix() for p in site.rglob("*")
                   if p.is_file() and (p.suffix in (".html", ".json", ".xml") and not p.name.startswith(".")))
    return [root + quote(f) for f in files if not f.startswith("pagefind/")]


def bundled_vault(dest: Path) -> Path:
    """A copy of the repository's sample vault, so other work in the checkout cannot disturb it."""
    for name in ("notes", "attachments"):
        shutil.copytree(REPO / name, dest / name)
    if (REPO / "kbgen.toml").is_file():
        shutil.copy(REPO / "kbgen.toml", dest / "kbgen.toml")
    return dest


# -- the tests -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[PagesServer, Path]]:
    base = tmp_path_factory.mktemp("subpath")
    vault = bundled_vault(base / "vault")
    site = base / "site"
    with PagesServer(site) as server:
        result, _ = build(vault, site, base_url=server.root, search=True, cache=False)
        assert result.errors == 0, [d.format() for d in result.diagnostics if d.level == "error"]
        yield server, site


def test_every_internal_url_of_every_page_answers_200(served: tuple[PagesServer, Path]) -> None:
    server, site = served
    result = crawl(server.root, site_seeds(server.root, site))
    assert result.problems == []
    crawled = {unquote(urlsplit(u).path)[len(PREFIX):] or "index.html" for u in result.pages}
    on_disk = {p.relative_to(site).as_posix() for p in site.rglob("*.html")}
    assert crawled == on_disk
    fetched = set(result.fetched)
    # the crawl really reached the assets, the data files, the search bundle and the feed
    for needed in ("_static/css/kbgen.css", "_static/js/kbgen.js", "_kbgen/explorer.json",
                   "_kbgen/graph.json", "pagefind/pagefind.js", "pagefind/pagefind-entry.json",
                   "sitemap.xml", "feed.xml", "attachments/sts-flow.png"):
        assert any(u.split("?")[0] == server.root + needed for u in fetched), needed
    assert any(".pf_meta" in u for u in fetched)
    assert len(result.anchors) > 20  # heading, block and footnote links were checked


def test_sitemap_and_feed_list_live_urls_under_the_sub_path(served: tuple[PagesServer, Path]) -> None:
    server, site = served
    locs = re.findall(r"<loc>([^<]+)</loc>", (site / "sitemap.xml").read_text(encoding="utf-8"))
    links = re.findall(r'<link rel="alternate" type="text/html" href="([^"]+)"',
                       (site / "feed.xml").read_text(encoding="utf-8"))
    assert len(locs) > 40 and len(links) > 10
    for url in locs + links:
        assert url.startswith(server.root)
        assert fetch(url.replace("&amp;", "&"))[0] == 200, url


def test_unknown_urls_get_the_404_page_with_working_links(served: tuple[PagesServer, Path]) -> None:
    server, site = served
    origin = server.root[: -len(PREFIX)]
    expected = (site / "404.html").read_bytes()
    for missing in ("no-such-page.html", "iam/policies/deeper/still/missing.html", "attachments/"):
        status, body, _ = fetch(server.root + missing)
        assert (status, body) == (404, expected), missing
        links = PageLinks()
        links.feed(body.decode("utf-8"))
        base = urljoin(server.root + missing, links.base or "")
        targets = [urljoin(base, v) for _, v in links.urls]
        assert targets and all(t.startswith(server.root) for t in targets if t.startswith(origin))
        deep = crawl(server.root, [t for t in targets if t.startswith(origin)])
        assert deep.problems == [], missing
    assert fetch(origin + "/elsewhere")[0] == 404


def test_without_base_url_everything_is_relative(tmp_path: Path) -> None:
    """No absolute URL anywhere, and the site works under any prefix (here two levels deep)."""
    vault = bundled_vault(tmp_path / "vault")
    site = tmp_path / "site"
    build(vault, site, search=True, cache=False)
    for page in site.rglob("*.html"):
        if "pagefind" in page.parts:
            continue
        links = PageLinks()
        links.feed(page.read_text(encoding="utf-8"))
        for where, value in links.urls:
            assert not value.startswith(("/", "http://127.", "file:")), (page.name, where, value)
    assert not (site / "sitemap.xml").exists() and not (site / "feed.xml").exists()
    with PagesServer(site, prefix="/other/deeper/") as server:
        result = crawl(server.root, site_seeds(server.root, site))
        assert result.problems == []


# -- in Chromium: what the scripts load, and search results -------------------------------------


CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def in_browser() -> Callable[[Callable[[Any], T]], T]:
    """Runs `fn(browser)` with a headless Chromium of its own, in a thread of its own: Playwright's
    sync API refuses a thread whose event loop another module's browser fixture already holds."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent: the browser part of the sub-path test needs Debian's chromium")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")

    def run(fn: Callable[[Any], T]) -> T:
        outcome: dict[str, Any] = {}

        def work() -> None:
            try:
                with sync_api.sync_playwright() as p:
                    browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
                    try:
                        outcome["value"] = fn(browser)
                    finally:
                        browser.close()
            except BaseException as exc:  # handed back to the test's thread
                outcome["error"] = exc

        thread = threading.Thread(target=work, name="subpath-browser")
        thread.start()
        thread.join()
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]

    return run


def _visit(browser: Any, url: str, root: str) -> tuple[list[str], int]:
    """Open `url`; return the failed same-server requests the page made, and the document status."""
    page = browser.new_page()
    origin = root[: -len(PREFIX)]
    failures: list[str] = []
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(origin)
               else route.abort())
    page.on("response", lambda r: failures.append(f"{r.status} {r.url}")
            if r.url.startswith(origin) and r.status >= 400 and r.url != url else None)
    page.on("requestfailed", lambda r: failures.append(f"failed {r.url}")
            if r.url.startswith(origin) else None)
    response = page.goto(url, wait_until="networkidle")
    status = response.status if response else 0
    page.close()
    return failures, status


@pytest.mark.browser
def test_pages_load_every_asset_under_the_sub_path(in_browser, served: tuple[PagesServer, Path]) -> None:
    server, _ = served
    pages = ("index.html", "iam/policies/trust-policy.html", "tags/iam/roles.html", "graph.html",
             "sts/api/index.html", "concepts/mfa.html", "role.html")
    seen = in_browser(lambda browser: {rel: _visit(browser, server.root + rel, server.root) for rel in pages})
    assert seen == {rel: ([], 200) for rel in pages}
    deep = in_browser(lambda browser: _visit(browser, server.root + "some/deep/missing/page.html", server.root))
    assert deep == ([], 404)


SEARCH = """async (root) => {
    const pagefind = await import(new URL("pagefind/pagefind.js", root).href);
    const search = await pagefind.search("AssumeRole");
    const data = await Promise.all(search.results.slice(0, 8).map(r => r.data()));
    return data.map(d => [d.url, d.sub_results.map(s => s.url)]);
}"""


@pytest.mark.browser
def test_search_results_point_into_the_sub_path(in_browser, served: tuple[PagesServer, Path]) -> None:
    """Pagefind, loaded the way a page loads it, returns result and heading URLs that work."""
    server, _ = served

    def search(browser: Any) -> list[list[Any]]:
        page = browser.new_page()
        page.goto(server.root + "iam/policies/trust-policy.html")
        found = page.evaluate(SEARCH, server.root)
        page.close()
        return found

    found = in_browser(search)
    assert len(found) >= 3
    origin = server.root[: -len(PREFIX)]
    urls = [origin + u for u, subs in found] + [origin + s for _, subs in found for s in subs]
    for url in urls:
        assert url.startswith(server.root), url
        target, frag = urldefrag(url)
        status, body, _ = fetch(target)
        assert status == 200, url
        if frag:
            links = PageLinks()
            links.feed(body.decode("utf-8"))
            assert unquote(frag) in links.ids, url
