"""Slug rules and URLs: where each note, attachment and generated page lands, and relative hrefs.

Slug rules (documented in the README): each path segment is NFC-normalized and lowercased;
whitespace and the characters `? # % & : * " < > | \\ / [ ] { } ^ ' ` , ; = + ! @ $ ( )` become `-`;
runs of `-` collapse and are trimmed; letters of any script, digits, emoji, `.`, `_` and `~` stay.
A note `notes/IAM/IAM Role.md` becomes `iam/iam-role.html` (the `notes/` folder is the site root);
attachments keep their own path and name (`attachments/Pasted image 1.png`), percent-encoded in hrefs.
"""
from __future__ import annotations

import hashlib
import posixpath
from functools import lru_cache
import re
import unicodedata
from urllib.parse import quote

from kbgen.model import SourcePath, Url

_UNSAFE = re.compile(r"""[\s?#%&:*"<>|\\/\[\]{}^'`,;=+!@$()]+""")
_DASHES = re.compile(r"-{2,}")
MAX_SEGMENT = 120
"""Longer slugs are cut and given a digest suffix, so file names stay under file-system limits."""


def _clean(text: str) -> str:
    """slugify() before its special cases: normalized, lowercased, unsafe runs made one `-`."""
    s = unicodedata.normalize("NFC", text).lower()
    s = _UNSAFE.sub("-", s)
    return _DASHES.sub("-", s).strip("-")


@lru_cache(maxsize=1 << 16)
def slugify(text: str) -> str:
    """One URL segment from a file or folder name (see the module docstring)."""
    s = _clean(text)
    if s in ("", ".", ".."):
        s = "_" + hashlib.sha1(text.encode()).hexdigest()[:8] if text.strip(". ") else "_"
    if len(s.encode()) > MAX_SEGMENT:
        digest = hashlib.sha1(s.encode()).hexdigest()[:8]
        cut = s.encode()[:MAX_SEGMENT - 9].decode("utf-8", "ignore").rstrip("-")
        s = f"{cut}-{digest}"
    return s


def heading_anchor(text: str) -> str:
    """The `id` of a heading: like slugify, keeping `.` out so ids stay simple to select."""
    s = slugify(text).replace(".", "")
    return s or "section"


def note_url(path: SourcePath, strip: str = "") -> Url:
    """The page of a note: each folder slugified, `.md` replaced by `.html`; `strip` is the
    content folder (`notes/`) that maps to the site root."""
    rel = path[len(strip):] if strip and path.startswith(strip) else path
    folder, name = posixpath.split(rel)
    stem = name[:-3] if name.lower().endswith(".md") else name
    parts = [slugify(p) for p in folder.split("/") if p] + [slugify(stem)]
    return Url("/".join(parts) + ".html")


@lru_cache(maxsize=1 << 16)
def folder_url(folder: str, strip: str = "") -> Url:
    rel = folder[len(strip):] if strip and (folder + "/").startswith(strip) else folder
    parts = [slugify(p) for p in rel.split("/") if p]
    return Url("/".join(parts + ["index.html"]))


def asset_url(path: SourcePath) -> Url:
    """Attachments keep their vault path, so a user recognises their files in the site."""
    return Url(path)


TAG_FOLDERS = 16
"""Levels of a nested tag that are folders of its URL (taglimit.TAG_PARENTS: the levels with
pages); deeper levels go into the file name, so `#a/a/…/a` of 4 000 levels makes no folder tree
4 000 deep (PATH_MAX is 4 096 bytes)."""


@lru_cache(maxsize=1 << 16)
def tag_url(tag: str) -> Url:
    """The page of a tag, in any case (`#Tag` and `#TAG` are one tag): a folder per level,
    `tags/a/b.html`, the levels past TAG_FOLDERS joined by `~~` into the file name (cut to
    MAX_SEGMENT bytes with a digest, as slugify cuts). Two different tags never share a URL:
    see _tag_segment, and no segment holds `~~`."""
    segments = [_tag_segment(p) for p in tag.casefold().split("/")]
    if len(segments) > TAG_FOLDERS + 1:
        name = "~~".join(segments[TAG_FOLDERS:])
        if len(name.encode()) > MAX_SEGMENT:
            digest = hashlib.sha1(name.encode()).hexdigest()[:8]
            name = name.encode()[:MAX_SEGMENT - 9].decode("utf-8", "ignore").rstrip("~") + "~" + digest
        segments[TAG_FOLDERS:] = [name]
    if len(segments) == 1 and segments[0] == "index":
        segments[0] = _decorated("index")  # tags/index.html lists the tags
    return Url("tags/" + "/".join(segments) + ".html")


def _tag_segment(part: str) -> str:
    """One casefolded level of a tag as a URL segment: its slug when the slug is the level as
    written (most tags), else the slug with a digest of the level (`#a--b` and `#a-b`, `#a//b`
    and `#a/b` are different tags). Such a segment holds one `~`; a plain one none, nor `.`
    (a front-matter tag `x.page-2` would take the continuation page of `#x`)."""
    if part and _clean(part) == part and "~" not in part and "." not in part:
        return slugify(part)  # (cut with a digest past MAX_SEGMENT bytes)
    return _decorated(part)


def _decorated(part: str) -> str:
    return slugify(part).replace("~", "-").replace(".", "-") + "~" + hashlib.sha1(part.encode()).hexdigest()[:8]


def concept_url(name: str) -> Url:
    return Url("concepts/" + slugify(name.replace("/", " ")) + ".html")


def relative(from_url: str, to_url: str) -> str:
    """An href from page `from_url` to `to_url` (both site-relative), percent-encoded."""
    target, _, frag = to_url.partition("#")
    out = relative_path(from_url.rpartition("/")[0], target) if target else \
        _quote(from_url.rpartition("/")[2])
    if frag:
        # most fragments are heading anchors (slugs): nothing to encode, quote() not called
        out += "#" + (frag if _UNQUOTED_FRAGMENT(frag) else quote(frag, safe=_FRAGMENT_SAFE))
    return out


_FRAGMENT_SAFE = "/-._~!$&'()*+,;=:@^"
_UNQUOTED_FRAGMENT = re.compile(r"[A-Za-z0-9/._~!$&'()*+,;=:@^-]*\Z").match
"""Whether a fragment is the same percent-encoded (what quote() with _FRAGMENT_SAFE leaves alone)."""


@lru_cache(maxsize=65536)
def relative_path(base: str, target: str) -> str:
    """`target` seen from folder `base` (both site-relative, no leading slash)."""
    b = base.split("/") if base else []
    t = target.split("/")
    common = 0
    while common < len(b) and common < len(t) - 1 and b[common] == t[common]:
        common += 1
    rel = "../" * (len(b) - common) + "/".join(t[common:])
    return _quote(rel or "./")


@lru_cache(maxsize=65536)
def _quote(path: str) -> str:
    return quote(path, safe="/-._~!$&'()*+,;=:@")


_UNQUOTED = re.compile(r"[A-Za-z0-9/._~!$&'()*+,;=:@-]*\Z").match
"""Whether a path is the same percent-encoded (what _quote leaves alone)."""


def quote_path(path: str) -> str:
    """A site-relative path as an href, percent-encoded (_quote without its cache, for paths
    met once: the tags index links to each of 100 000 tags)."""
    return path if _UNQUOTED(path) else quote(path, safe="/-._~!$&'()*+,;=:@")


def root_prefix(from_url: str) -> str:
    """The relative path from a page to the site root (`""`, `"../"`, …)."""
    depth = from_url.count("/")
    return "../" * depth
