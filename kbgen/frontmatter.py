"""Front matter: YAML (or JSON) properties, with dates kept as written and bad types reported."""
from __future__ import annotations

import re
from typing import Any

import yaml

from kbgen.diagnostics import Diagnostic, make


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """SafeLoader (libyaml's when present: several times faster) without the timestamp
    resolver: Obsidian keeps `2024-01-31` as a string."""


_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

_WIKILINK = re.compile(r"^\s*!?\[\[([^\[\]]+)\]\]\s*$")


def parse(raw: str, path: str) -> tuple[dict[str, Any], list[Diagnostic]]:
    """Parse the text between the `---` lines; line numbers count the opening `---` as line 1."""
    diags: list[Diagnostic] = []
    try:
        data = yaml.load(raw, Loader=_Loader) if raw.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        diags.append(make(path, line, "invalid-front-matter", f"YAML error: {problem}; properties ignored"))
        return {}, diags
    except RecursionError:
        diags.append(make(path, 1, "invalid-front-matter", "front matter nested too deeply; ignored"))
        return {}, diags
    if data is None:
        return {}, diags
    if not isinstance(data, dict):
        diags.append(make(path, 1, "invalid-front-matter",
                          f"front matter is a {type(data).__name__}, not a mapping; ignored"))
        return {}, diags
    try:
        meta = _plain(data)
    except ValueError as exc:
        diags.append(make(path, 1, "invalid-front-matter", f"{exc}; properties ignored"))
        return {}, diags
    for key in ("tags", "aliases", "cssclasses"):
        if key in meta:
            meta[key], problem = string_list(meta[key], split_commas=False)
            if problem:
                diags.append(make(path, key_line(raw, key), "invalid-front-matter",
                                  f"{key!r} should be a list of strings; {problem}"))
    for key in ("title", "description", "permalink"):
        if key in meta and meta[key] is not None and not isinstance(meta[key], str):
            diags.append(make(path, key_line(raw, key), "invalid-front-matter",
                              f"{key!r} should be a string; used as {str(meta[key])!r}"))
            meta[key] = str(meta[key])
    return meta, diags


def string_list(value: Any, *, split_commas: bool) -> tuple[list[str], str]:
    """A property that should be a list of strings: a scalar counts as one item (Obsidian)."""
    if value is None:
        return [], ""
    if isinstance(value, str):
        return ([value.strip()] if value.strip() else []), ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [str(value)], ""
    if isinstance(value, list):
        out, bad = [], 0
        for item in value:
            if isinstance(item, (str, int, float)) and not isinstance(item, bool) and str(item).strip():
                out.append(str(item).strip())
            elif item is not None:
                bad += 1
        return out, (f"{bad} item(s) that are not text ignored" if bad else "")
    return [], f"a {type(value).__name__} was ignored"


def links(meta: dict[str, Any], raw: str) -> list[tuple[str, str, int]]:
    """Wikilinks written as property values: (property, link inner text, file line)."""
    found = []
    for key, value in meta.items():
        for item in (value if isinstance(value, list) else [value]):
            if isinstance(item, str):
                m = _WIKILINK.match(item)
                if m:
                    found.append((key, m.group(1), key_line(raw, key)))
    return found


def key_line(raw: str, key: str) -> int:
    """The file line of a top-level key in front matter `raw` (the `---` line is line 1); 1 if absent."""
    m = re.search(rf"^{re.escape(key)}\s*:", raw, re.MULTILINE)
    return raw.count("\n", 0, m.start()) + 2 if m else 1


MAX_VALUES = 10_000
"""Values front matter may hold once YAML aliases are expanded: nine lines of anchors and
aliases can stand for 9^9 strings (a "billion laughs"), which must not be walked or published."""


def _plain(data: Any) -> Any:
    """Make YAML values JSON- and template-friendly (keys to strings, recursively).

    Raises ValueError for a value that contains itself (`a: &a [*a]`) or that holds more than
    MAX_VALUES values once aliases are expanded."""
    count = 0

    def walk(value: Any, inside: frozenset[int]) -> Any:
        nonlocal count
        count += 1
        if count > MAX_VALUES:
            raise ValueError(f"more than {MAX_VALUES} values once YAML aliases are expanded")
        if isinstance(value, (dict, list)):
            if id(value) in inside:
                raise ValueError("a value contains itself (a YAML alias to its own anchor)")
            inside = inside | {id(value)}
            if isinstance(value, dict):
                return {str(k): walk(v, inside) for k, v in value.items()}
            return [walk(v, inside) for v in value]
        if isinstance(value, (bytes, bytearray)):
            return value.decode("utf-8", "replace")
        return value

    return walk(data, frozenset())
