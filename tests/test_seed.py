"""The user's own first note (../shared/seed/), built as a vault: every link of it checked."""
from __future__ import annotations

import re
import shutil

from conftest import build, codes, shared

CONCEPTS = ["IAM user", "IAM Role", "trust policy", "Temporary security credentials", "API",
            "Identity Federation", "AD", "SSO", "identity-based policy"]


def test_seed_note(tmp_path):
    seed = shared("seed", "AWS Security Token Service (STS).md")
    (tmp_path / "vault/notes").mkdir(parents=True)
    shutil.copy(seed, tmp_path / "vault/notes" / seed.name)
    result, out = build(tmp_path / "vault")
    page = (out / "aws-security-token-service-sts.html").read_text(encoding="utf-8")
    body = page.split('class="note-body', 1)[1].split("</article>", 1)[0]
    # a link glued to letters stays a link followed by the letters
    assert re.search(r'<a [^>]*data-href="IAM user"[^>]*>IAM user</a>s ', body)
    assert re.search(r'>temporary security credentials</a>are ', body)
    # one concept in two letter cases reaches one page
    hrefs = set(re.findall(r'href="([^"]+)" data-href="IAM [Rr]ole"', body))
    assert hrefs == {"concepts/iam-role.html"}
    # the pasted image that is not there shows its placeholder and is reported with its line
    assert "Missing attachment: Pasted image 20230131141528.png" in body
    assert ("notes/" + seed.name, 5, "missing-attachment") in codes(result)
    # every unresolved concept has its page, listing the mention in context
    for concept in CONCEPTS:
        slug = re.sub(r"[\s()]+", "-", concept.lower()).strip("-")
        concept_page = (out / "concepts" / f"{slug}.html").read_text(encoding="utf-8")
        assert "AWS Security Token Service (STS)" in concept_page, concept
        assert "<mark>" in concept_page
    # links inside headings are links
    assert re.search(r'<h5 id="[^"]+"><a [^>]*data-href="Identity Federation"', body)
    assert result.unresolved >= 15
