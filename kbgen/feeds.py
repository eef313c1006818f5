"""Files for the world outside the site: sitemap.xml, an Atom feed of updated notes, redirect pages.

The sitemap and the feed need absolute URLs, so they are written only when `base_url` is set.
Redirect pages use relative URLs (they work under any sub-path); they are made for front-matter
`aliases` (an old path kept as an alias, as Obsidian Publish does) and for `permalink` (the URL
the note would have had without it). Dates come from front matter only, never from the clock or
the file system, so the same vault gives the same bytes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import quote

from kbgen import __version__
from kbgen.diagnostics import Diagnostic, make
from kbgen.model import ParsedNote, SourcePath, Url
from kbgen.site import Site
from kbgen.urls import note_url, relative

SITEMAP = "sitemap.xml"
FEED = "feed.xml"
FEED_LIMIT = 30
"""The feed lists at most this many notes, the most recently updated first."""
DATE_KEYS = ("updated", "date", "created")
"""Front-matter keys read as a note's last change, first found wins (as the note page shows it)."""
_SAFE = "/-._~!$&'()*+,;=:@"


@dataclass(frozen=True)
class Redirect:
    """A page at `url` that sends the reader to `target` (both site-relative)."""

    url: Url
    target: Url
    source: SourcePath
    """The note that asked for it."""
    why: str
    """`alias 'Old/Path'` or `permalink`, for `deploy --dry-run` and diagnostics."""


def files(site: Site, pages: Iterable[Any]) -> dict[str, bytes]:
    """Every file of this module for one build: redirects always, sitemap and feed with a base_url."""
    page_list = list(pages)
    return {**redirect_files(site, page_list), **dated_files(site, page_list)}


def redirect_files(site: Site, pages: list[Any]) -> dict[str, bytes]:
    """The redirect pages: they depend on URLs, aliases and permalinks only."""
    taken = {p.url for p in pages} | set(site.urls.values())
    return {r.url: redirect_page(site, r) for r in redirects(site, taken)[0]}


def dated_files(site: Site, pages: list[Any]) -> dict[str, bytes]:
    """The sitemap and the feed (with a base_url): they show the notes' dates."""
    if not site.config.base_url:
        return {}
    return {SITEMAP: sitemap(site, pages), FEED: feed(site)}


# -- absolute URLs and dates ------------------------------------------------------------------


def absolute(base_url: str, url: str) -> str:
    """`url` (site-relative) under `base_url`, percent-encoded; `index.html` stays explicit."""
    return base_url.rstrip("/") + "/" + quote(url, safe=_SAFE)


def note_date(meta: dict[str, Any]) -> datetime | None:
    """The note's last change from front matter (UTC), or None when absent or unreadable."""
    for key in DATE_KEYS:
        if meta.get(key) not in (None, ""):
            return parse_date(meta[key])
    return None


def parse_date(value: Any) -> datetime | None:
    """ISO 8601 dates and date-times as Obsidian writes them; naive times are taken as UTC."""
    if isinstance(value, datetime):
        stamp = value
    elif isinstance(value, date):
        stamp = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            stamp = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    else:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=timezone.utc)
    return stamp.astimezone(timezone.utc)


def _stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def date_diagnostics(notes: dict[SourcePath, ParsedNote], files: dict[SourcePath, Path]) -> list[Diagnostic]:
    """An `invalid-date` for each date property that cannot be read (the note is left out of the feed)."""
    diags = []
    for path, note in notes.items():
        hit = _bad_dates.get(note.digest, _UNSEEN)
        if hit is _UNSEEN:  # once per note's content: serve asks at every edit
            hit = _bad_dates[note.digest] = _bad_date(note)
        if hit is not None:
            key, value = hit
            diags.append(make(path, _key_line(files.get(path), key), "invalid-date",
                              f"{key}: {str(value)!r} is not a date (YYYY-MM-DD or ISO 8601); "
                              "the note is left out of the feed"))
    if len(_bad_dates) > 4 * len(notes) + 1000:
        _bad_dates.clear()
    return diags


_bad_dates: dict[str, tuple[str, Any] | None] = {}
"""A note's digest (its content: the same front matter) → its bad date property, if any. Keyed by
the digest, not the note: holding the notes kept every parsed version alive until a clear (4 per
note of the vault and 1 000 more), with its tokens in a one-process build."""
_UNSEEN = object()


def _bad_date(note: ParsedNote) -> tuple[str, Any] | None:
    """The date property the note's date is read from, with its value, when it is no date."""
    for key in DATE_KEYS:
        value = note.meta.get(key)
        if value in (None, ""):
            continue
        return (key, value) if parse_date(value) is None else None
    return None


def _key_line(file: Path | None, key: str) -> int:
    """The line of `key:` in the front matter, found again only for the rare bad date."""
    if file is None:
        return 0
    try:
        lines = file.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return 0
    pattern = re.compile(rf"^{re.escape(key)}\s*:")
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() == "---":
            break
        if pattern.match(line):
            return number
    return 0


# -- sitemap and feed ---------------------------------------------------------------------------


def sitemap(site: Site, pages: list[Any]) -> bytes:
    """Every page but the 404 page, in page order, with `lastmod` from the note's front matter."""
    from xml.sax.saxutils import escape  # here, not at import: it imports urllib.request (~20 ms)
    base = site.config.base_url
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for page in pages:
        if page.kind == "404":
            continue
        lines.append(f"  <url><loc>{escape(absolute(base, page.url))}</loc>")
        note = site.notes.get(page.source) if page.source else None
        when = note_date(note.meta) if note else None
        if when is not None:
            lines.append(f"    <lastmod>{_stamp(when)}</lastmod>")
        lines.append("  </url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def recent(site: Site, limit: int = FEED_LIMIT) -> list[tuple[datetime, SourcePath]]:
    """Published notes with a readable date, newest first (ties by path, so the order is stable)."""
    dated = [(when, path) for path, note in site.notes.items()
             if (when := note_date(note.meta)) is not None]
    dated.sort(key=lambda item: (-item[0].timestamp(), item[1]))
    return dated[:limit]


def feed(site: Site) -> bytes:
    """An Atom feed of the most recently updated notes; its `updated` is the newest entry's date."""
    from xml.sax.saxutils import escape, quoteattr  # (see sitemap)
    config = site.config
    base = config.base_url
    entries = recent(site)
    newest = entries[0][0] if entries else datetime(1970, 1, 1, tzinfo=timezone.utc)
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang={quoteattr(config.language)}>',
           f"  <title>{escape(config.site_title)}</title>",
           f"  <id>{escape(absolute(base, ''))}</id>",
           f'  <link rel="alternate" type="text/html" href={quoteattr(absolute(base, ""))}/>',
           f'  <link rel="self" type="application/atom+xml" href={quoteattr(absolute(base, FEED))}/>',
           f"  <updated>{_stamp(newest)}</updated>",
           f"  <author><name>{escape(config.site_title)}</name></author>",
           f'  <generator version="{escape(__version__)}">kbgen</generator>']
    for when, path in entries:
        note = site.notes[path]
        url = absolute(base, site.urls[path])
        out.append("  <entry>")
        out.append(f"    <title>{escape(note.title)}</title>")
        out.append(f"    <id>{escape(url)}</id>")
        out.append(f'    <link rel="alternate" type="text/html" href={quoteattr(url)}/>')
        out.append(f"    <updated>{_stamp(when)}</updated>")
        created = parse_date(note.meta.get("created") or note.meta.get("date"))
        if created is not None and created <= when:
            out.append(f"    <published>{_stamp(created)}</published>")
        for tag in note.tags:
            out.append(f"    <category term={quoteattr(tag)}/>")
        if note.description:
            out.append(f"    <summary>{escape(note.description)}</summary>")
        out.append("  </entry>")
    out.append("</feed>")
    return ("\n".join(out) + "\n").encode("utf-8")


# -- redirects ----------------------------------------------------------------------------------


def redirects(site: Site, taken: set[str]) -> tuple[list[Redirect], list[Diagnostic]]:
    """Redirect pages for aliases and permalinks that do not take a URL something else has.

    `taken` holds every URL of the site (pages, attachments); those always win. Between two notes
    asking for the same redirect, the first in path order wins and the other gets a diagnostic.
    """
    found: dict[str, Redirect] = {}
    diags: list[Diagnostic] = []
    taken_folded = {u.casefold() for u in taken}
    for path, note in site.notes.items():
        own = site.urls[path]
        wanted: list[tuple[Url, str]] = []
        if str(note.meta.get("permalink") or "").strip().strip("/"):
            wanted.append((note_url(path, site.strip), "permalink"))
        for alias in note.aliases:
            url = alias_url(alias, site.strip)
            if url is not None:
                wanted.append((url, f"alias {alias!r}"))
        for url, why in wanted:
            key = url.casefold()
            if url == own or key in taken_folded:
                continue  # the note itself, or a real page, lives there
            if key in found:
                if found[key].source != path:
                    diags.append(make(path, 0, "redirect-conflict",
                                      f"{why} would redirect {url}, which already redirects to "
                                      f"{found[key].source}; no redirect made"))
                continue
            found[key] = Redirect(url, own, path, why)
    return sorted(found.values(), key=lambda r: r.url), diags


def alias_url(alias: str, strip: str) -> Url | None:
    """The URL an alias names when read as a path from the notes root (`Old/Path` → `old/path.html`)."""
    text = alias.strip().strip("/")
    if text.lower().endswith(".md"):
        text = text[:-3]
    if not text or text in (".", ".."):
        return None
    return note_url(SourcePath(text + ".md"), strip)


def redirect_page(site: Site, redirect: Redirect) -> bytes:
    """A tiny page that moves on at once: meta refresh, canonical link and a link to follow."""
    from xml.sax.saxutils import escape, quoteattr  # (see sitemap)
    href = relative(redirect.url, redirect.target)
    canonical = absolute(site.config.base_url, redirect.target) if site.config.base_url else href
    title = site.title(redirect.source)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang={quoteattr(site.config.language)}>\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n"
        '<meta name="robots" content="noindex">\n'
        f'<link rel="canonical" href={quoteattr(canonical)}>\n'
        f'<meta http-equiv="refresh" content={quoteattr("0; url=" + href)}>\n'
        "</head>\n<body>\n"
        f"<p>This page has moved to <a href={quoteattr(href)}>{escape(title)}</a>.</p>\n"
        "</body>\n</html>\n"
    ).encode("utf-8")


__all__ = ["SITEMAP", "FEED", "Redirect", "files", "absolute", "note_date", "parse_date", "sitemap",
           "feed", "recent", "redirects", "alias_url", "redirect_page", "date_diagnostics"]
