"""The site's manifest is encoded piecemeal (write._manifest_bytes remembers each page's part):
it must always equal encoding the whole manifest afresh."""
from __future__ import annotations

import json
import random

from kbgen import write


def plain(manifest: dict) -> bytes:
    return (json.dumps(manifest, sort_keys=True, separators=(",", ":")) + "\n").encode()


def test_piecemeal_encoding_equals_a_fresh_one_through_edits() -> None:
    rng = random.Random(7)
    pages = {f"notes/n{i}.html": {"diags": [], "fp": f"{i:032x}"} for i in range(300)}
    manifest = {"kbgen": "0.1", "inputs": "abc", "pages": pages, "files": sorted(pages),
                "summary": {"notes": 300, "ok": True}}
    assert write._manifest_bytes(manifest) == plain(manifest)
    for step in range(60):
        pages = dict(manifest["pages"])
        for url in rng.sample(sorted(pages), 5):  # re-rendered pages: new entries
            pages[url] = {"diags": [[url, 3, "unresolved-link", "é \"x\" </script>", "warning"]] if step % 2 else [],
                          "fp": f"{rng.getrandbits(128):032x}"}
        if step % 7 == 0:  # a page gone, another new
            del pages[rng.choice(sorted(pages))]
            pages[f"notes/new{step}.html"] = {"diags": [], "fp": "f" * 32}
        files = sorted(pages) if step % 5 else sorted(pages) + ["extra.css"]
        manifest = dict(manifest, pages=dict(sorted(pages.items())), files=files,
                        summary={"notes": len(pages), "ok": step % 3 == 0})
        assert write._manifest_bytes(manifest) == plain(manifest), step


def test_values_equal_in_python_but_not_in_json_are_not_confused() -> None:
    a = {"pages": {}, "files": ["x"], "summary": {"errors": 1}}
    b = {"pages": {}, "files": ["x"], "summary": {"errors": True}}
    assert write._manifest_bytes(a) == plain(a)
    assert write._manifest_bytes(b) == plain(b)


def test_the_summary_rows_are_encoded_as_a_whole_would_be() -> None:
    rows = [["a.md", 3, "unresolved-link", "‘x’ \\ \"y\"", "warning"], ["b.md", 0, "cache", "p", "error"]]
    for summary in ({"diagnostics": rows, "notes": 2}, {"diagnostics": rows[:1] + [["c.md", True, "x", "y", "z"]]},
                    {"diagnostics": [], "links": 0}, {"diagnostics": [[1, 2.5, None]]}):
        manifest = {"pages": {}, "summary": summary, "files": []}
        assert write._manifest_bytes(manifest) == plain(manifest)
        manifest["summary"] = dict(summary, diagnostics=[list(r) for r in summary["diagnostics"]])
        assert write._manifest_bytes(manifest) == plain(manifest)


def test_a_row_equal_in_python_but_not_in_json_is_not_taken_from_the_cache() -> None:
    for line in (1, True, 1.0):
        manifest = {"pages": {}, "summary": {"diagnostics": [["c.md", line, "x", "y", "z"]]}}
        assert write._manifest_bytes(manifest) == plain(manifest), line


def test_page_entries_of_any_shape_are_encoded_as_json_would() -> None:
    entries = [{"diags": [], "fp": "0" * 32}, {"fp": "é\"\\</x>\n", "diags": []}, {"fp": "a", "diags": [[1]]},
               {"fp": "a"}, {"diags": []}, {"fp": 3, "diags": []}, {"fp": "a", "diags": [], "x": 1},
               {"diags": (), "fp": "a"}, ["fp", "diags"], "text", {"b": 1, "a": {"d": 2, "c": 3}}]
    manifest = {"pages": {f"p{i}.html": e for i, e in enumerate(entries)}, "files": []}
    assert write._manifest_bytes(manifest) == plain(manifest)
