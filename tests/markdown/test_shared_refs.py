"""A link written like the one just before it, on its line and in its paragraph, shares that
LinkRef (wikilinks._scan, plainlinks._make): equal values, one object; any difference, a new one."""
from __future__ import annotations

import dataclasses

import pytest

from kbgen.markdown import make_parser
from kbgen.model import LinkRef
from kbgen.parse import parse_note


def _links(text: str) -> tuple[LinkRef, ...]:
    return parse_note("n.md", text.encode(), make_parser()).links


def _fresh(refs: tuple[LinkRef, ...]) -> list[LinkRef]:
    return [dataclasses.replace(r) for r in refs]


@pytest.mark.parametrize("text", [
    "[[x]] [[x]] [[x]]\n",  # the plain path
    "*a**[[x]] *a**[[x]] *a**[[x]]\n",  # markdown-it's inline loop
])
def test_equal_neighbours_are_one_object(text: str) -> None:
    refs = _links(text)
    assert len(refs) == 3 and refs[0] is refs[1] is refs[2]
    assert list(refs) == _fresh(refs)


@pytest.mark.parametrize("text", [
    "[[x]] ![[x]] [[x]] [[x|x]] [[ x]] [[x]]\n[[x]]\n\n[[x]]\n",
    "*a* [[x]] ![[x]] [[x]] [[x|x]] [[ x]] [[x]]\n[[x]]\n\n*a* [[x]]\n",
    "[[x]] [x](x) [[x]] [[x]] [x](x) [x](x)\n",
])
def test_neighbours_that_differ_are_not_shared(text: str) -> None:
    refs = _links(text)
    for a, b in zip(refs, refs[1:]):
        assert (a is b) == (a == b and a.kind == "wiki")
    if "\n\n" in text:  # the same link on the next line and in the next paragraph: new ones
        assert [r.line for r in refs][-3:] == [1, 2, 4] and refs[-1].context != refs[-2].context


@pytest.mark.parametrize("text", ["[[x]] %%[[x]]%% [[x]] [[x]]\n", "%%[[x]]%%[[x]] [[x]]\n", "[[x]] [[x]]%%[[x]]%%\n"])
def test_a_commented_link_among_equal_ones_is_its_own(text: str) -> None:
    refs = _links(text)
    assert sum(r.commented for r in refs) == 1 and len(refs) >= 3
    assert all(a is not b for a in refs for b in refs if a.commented != b.commented)
    assert list(refs) == _fresh(refs)
