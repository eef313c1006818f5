"""Tokens crossing processes and the parse cache (parallel.pickle_tokens): loaded back, they are
the tokens that were parsed, sharing the dictionaries they shared (a wikilink's open and close
share their meta), no others."""
from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from markdown_it.token import Token

from kbgen import parallel
from kbgen.build import _parse_one
from kbgen.markdown import make_parser

REPO = Path(__file__).resolve().parent.parent
NOTE = """---
title: Sample
tags: [a, b/c]
---
# Heading with [[Link#Sub|shown]] ^block

> [!note]- Folded *callout*
> - [x] task with `code` and ==mark== %%hidden%%
> - [[Other]] ![[image.png|100]]

| a | b |
|---|:-:|
| $x^2$ | [md](Note.md) |

```python
print("hi")
```

Footnote[^1] and <span class="x">html</span> #tag/nested

[^1]: The note.
"""


def _walk(tokens: list[Token]) -> list[Token]:
    return [x for t in tokens for x in [t, *_walk(t.children or [])]]


@pytest.mark.parametrize("text", [NOTE, *(p.read_text(encoding="utf-8") for p in sorted((REPO / "notes").rglob("*.md"))[:40])])
def test_tokens_come_back_as_parsed(text: str) -> None:
    tokens = _parse_one(make_parser(), "n.md", text.encode(), "k").tokens
    back = pickle.loads(parallel.pickle_tokens(tokens))
    assert back == tokens and all(type(t) is Token for t in _walk(back))
    assert _sharing(back) == _sharing(tokens)


def _sharing(tokens: list[Token]) -> list[tuple[int, int]]:
    """For each token, the first token with the same attrs and the same meta object."""
    flat = _walk(tokens)
    first_attrs: dict[int, int] = {}
    first_meta: dict[int, int] = {}
    return [(first_attrs.setdefault(id(t.attrs), i), first_meta.setdefault(id(t.meta), i))
            for i, t in enumerate(flat)]


def test_a_token_class_with_other_fields_is_pickled_as_usual(monkeypatch: pytest.MonkeyPatch) -> None:
    tokens = _parse_one(make_parser(), "n.md", NOTE.encode(), "k").tokens
    monkeypatch.setattr(parallel, "_SAME_TOKEN", False)
    data = parallel.pickle_tokens(tokens)
    assert b"restore_token" not in data and pickle.loads(data) == tokens
    monkeypatch.undo()
    assert b"restore_token" in parallel.pickle_tokens(tokens)


@pytest.mark.parametrize("bodies", [False, True])
def test_notes_parsed_in_workers_come_back_whole(bodies: bool) -> None:
    """parse_all's notes and tokens (with `bodies`, body templates) equal those made here, in
    order (chunks come back as pickles of the notes' fields, _fields_table)."""
    from dataclasses import replace

    from kbgen.bodytemplate import Template, make
    md = make_parser()
    texts = [NOTE, "# Only a title", "---\ntags: [x]\naliases: [Y]\n---\n[[a#b|c]] ![[d^e]] ^f\n\n- [[g]]\n"] * 7
    todo = [(f"n{i}.md", t.encode(), f"k{i}") for i, t in enumerate(texts)]
    from kbgen.model import LinkRef, ParsedNote
    assert {ParsedNote, LinkRef} <= set(parallel._fields_table())  # the fast path is taken
    got = parallel.parse_all(md, todo, jobs=2, bodies=bodies)
    assert len(got) == len(todo)
    for (path, data, key), (note, body) in zip(todo, got):
        here = _parse_one(md, path, data, key)
        assert note == replace(here, tokens=None)
        if bodies:
            template = pickle.loads(body)
            assert isinstance(template, Template) and template == make(md, here, here.tokens)
        else:
            assert pickle.loads(body) == here.tokens
        assert all(type(h) is type(g) for h, g in zip(here.links + here.headings, note.links + note.headings))


def test_the_pickle_and_the_fast_token_makers_set_the_same_fields() -> None:
    from kbgen.markdown import tokens
    assert parallel._FIELDS == tokens.FIELDS
    assert parallel._SAME_TOKEN == tokens.SAME_FIELDS
