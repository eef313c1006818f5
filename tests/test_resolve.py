"""Link resolution, table-driven: (linking note, link as written) → file reached, anchor, problem."""
from __future__ import annotations

import pytest

from kbgen.model import Heading, LinkRef, SourcePath
from kbgen.resolve import NoteInfo, Resolver, find_heading, norm_heading

NOTES = {
    "notes/Home.md": NoteInfo(),
    "notes/IAM/IAM Role.md": NoteInfo(headings=(
        Heading(2, "When to use a role", "when-to-use-a-role", 5),
        Heading(2, "Trust and permissions", "trust-and-permissions", 9),
        Heading(3, "Trust policy", "trust-policy", 10),
        Heading(2, "Other", "other", 20),
        Heading(3, "Trust policy", "trust-policy-1", 21),
    ), blocks={"lifetime": 30}),
    "notes/IAM/Step.md": NoteInfo(headings=(Heading(2, "Step 1: Create the role", "step-1-create-the-role", 3),)),
    "notes/notes.with.dots.md": NoteInfo(),
    "notes/Note.1.md": NoteInfo(),
    "notes/Security.md": NoteInfo(),
    "notes/Sync/Security.md": NoteInfo(),
    "notes/Publish/Security.md": NoteInfo(),
    "notes/Sync/Deep/Guide.md": NoteInfo(),
    "notes/Other/Guide.md": NoteInfo(),
    "notes/Alpha/Guide.md": NoteInfo(),
    "notes/Caf\u00e9.md": NoteInfo(),
    "notes/Aliased.md": NoteInfo(aliases=("Alt name",)),
}
ASSETS = ["attachments/Pasted image 20230131141528.png", "attachments/diagram.png",
          "attachments/deep/Figure 1.png"]

# (source, target, subpath) → (expected path or None, anchor, problem code or "")
CASES = [
    ("notes/Home.md", "IAM Role", "", "notes/IAM/IAM Role.md", "", ""),
    ("notes/Home.md", "IAM role", "", "notes/IAM/IAM Role.md", "", ""),          # case-insensitive
    ("notes/Home.md", "  IAM Role  ", "", "notes/IAM/IAM Role.md", "", ""),      # trimmed
    ("notes/Home.md", "IAM Role.md", "", "notes/IAM/IAM Role.md", "", ""),       # with .md
    ("notes/Home.md", "IAM/IAM Role", "", "notes/IAM/IAM Role.md", "", ""),      # path suffix
    ("notes/Home.md", "notes/IAM/IAM Role", "", "notes/IAM/IAM Role.md", "", ""),  # vault-root path
    ("notes/Home.md", "X/IAM Role", "", None, "", ""),                          # wrong folder
    ("notes/Home.md", "notes.with.dots", "", "notes/notes.with.dots.md", "", ""),  # .md appended
    ("notes/Home.md", "Note.1", "", "notes/Note.1.md", "", ""),
    ("notes/Home.md", "Cafe\u0301", "", "notes/Caf\u00e9.md", "", ""),             # NFD → NFC
    ("notes/Home.md", "diagram.png", "", "attachments/diagram.png", "", ""),    # attachment anywhere
    ("notes/Home.md", "Figure 1.png", "", "attachments/deep/Figure 1.png", "", ""),
    ("notes/Home.md", "diagram", "", None, "", ""),                             # needs its extension
    ("notes/Home.md", "Pasted image 20230131141528.png", "",
     "attachments/Pasted image 20230131141528.png", "", ""),
    # repeated names: own folder, then fewest segments, then alphabetical — always warned
    ("notes/Sync/Other.md", "Security", "", "notes/Security.md", "", ""),  # exact root path first
    ("notes/Sync/Deep/x.md", "Guide", "", "notes/Sync/Deep/Guide.md", "", "ambiguous-link"),
    ("notes/Other/x.md", "Guide", "", "notes/Other/Guide.md", "", "ambiguous-link"),
    ("notes/Home.md", "Guide", "", "notes/Alpha/Guide.md", "", "ambiguous-link"),  # then alphabetical
    ("notes/Sync/x.md", "Sync/Deep/Guide", "", "notes/Sync/Deep/Guide.md", "", ""),
    ("notes/Home.md", "Deep/Guide", "", "notes/Sync/Deep/Guide.md", "", ""),
    ("notes/Sync/x.md", "Sync/Security", "", "notes/Sync/Security.md", "", ""),
    # headings and blocks
    ("notes/Home.md", "IAM Role", "When to use a role", "notes/IAM/IAM Role.md", "when-to-use-a-role", ""),
    ("notes/Home.md", "IAM Role", "when TO use a ROLE", "notes/IAM/IAM Role.md", "when-to-use-a-role", ""),
    ("notes/Home.md", "IAM Role", "Trust and permissions#Trust policy", "notes/IAM/IAM Role.md", "trust-policy", ""),
    ("notes/Home.md", "IAM Role", "Other#Trust policy", "notes/IAM/IAM Role.md", "trust-policy-1", ""),
    ("notes/Home.md", "IAM Role", "When to use a role#Trust policy", "notes/IAM/IAM Role.md", "", "missing-heading"),
    ("notes/Home.md", "Step", "Step 1 Create the role", "notes/IAM/Step.md", "step-1-create-the-role", ""),
    ("notes/Home.md", "IAM Role", "No such heading", "notes/IAM/IAM Role.md", "", "missing-heading"),
    ("notes/Home.md", "IAM Role", "^lifetime", "notes/IAM/IAM Role.md", "^lifetime", ""),
    ("notes/Home.md", "IAM Role", "^nope", "notes/IAM/IAM Role.md", "", "missing-block"),
    ("notes/IAM/IAM Role.md", "", "Trust policy", "notes/IAM/IAM Role.md", "trust-policy", ""),  # [[#H]]
    # unresolved, aliases and escapes
    ("notes/Home.md", "Identity Federation", "", None, "", ""),
    ("notes/Home.md", "Alt name", "", None, "", ""),           # aliases do not resolve (Obsidian)
    ("notes/Home.md", "../../etc/passwd", "", None, "", "outside-vault"),
    ("notes/Home.md", "/etc/passwd", "", None, "", ""),
    ("notes/Home.md", "%2e%2e/secret.png", "", None, "", ""),
    ("notes/IAM/x.md", "../Home", "", "notes/Home.md", "", ""),  # relative path format
    ("notes/IAM/x.md", "./IAM Role", "", "notes/IAM/IAM Role.md", "", ""),
]


@pytest.fixture(scope="module")
def resolver() -> Resolver:
    return Resolver({SourcePath(k): v for k, v in NOTES.items()}, [SourcePath(a) for a in ASSETS],
                    content_dirs=("notes", "attachments"))


@pytest.mark.parametrize("source,target,subpath,path,anchor,problem", CASES)
def test_resolution_table(resolver: Resolver, source: str, target: str, subpath: str,
                          path: str | None, anchor: str, problem: str) -> None:
    ref = LinkRef(target, subpath, None, False, "wiki", 7, f"[[{target}#{subpath}]]")
    result, diags = resolver.resolve(SourcePath(source), ref)
    assert result.path == path
    assert result.kind == ("unresolved" if path is None else ("asset" if path.startswith("attachments/") else "note"))
    if path and not path.startswith("attachments/"):
        assert result.anchor == anchor
    assert [d.code for d in diags] == ([problem] if problem else [])
    for d in diags:
        assert d.path == source and d.line == 7


def test_ambiguous_warning_names_every_candidate(resolver: Resolver) -> None:
    ref = LinkRef("Guide", "", None, False, "wiki", 3, "[[Guide]]")
    _, diags = resolver.resolve(SourcePath("notes/Home.md"), ref)
    msg = diags[0].message
    for cand in ("notes/Alpha/Guide.md", "notes/Other/Guide.md", "notes/Sync/Deep/Guide.md"):
        assert cand in msg


def test_aliases_resolve_only_when_asked() -> None:
    r = Resolver({SourcePath(k): v for k, v in NOTES.items()}, [], resolve_aliases=True)
    path, _, _ = r.find(SourcePath("notes/Home.md"), "alt NAME")
    assert path == "notes/Aliased.md"


def test_heading_normalization() -> None:
    assert norm_heading("Step 1: Create the role") == norm_heading("step 1 create the role")
    assert norm_heading("CI/CD && DevOps") == "ci cd devops"
    heads = (Heading(2, "Using [[AssumeRole]]", "using-assumerole", 1),)
    assert find_heading(heads, "Using AssumeRole") is heads[0]
