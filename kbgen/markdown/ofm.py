"""The rest of Obsidian Flavored Markdown, applied in order (callouts, comments, tags, ...)."""
from __future__ import annotations

from markdown_it import MarkdownIt

from kbgen.markdown.blockids import blockids_plugin
from kbgen.markdown.callouts import callouts_plugin
from kbgen.markdown.code import code_plugin
from kbgen.markdown.comments import comments_plugin
from kbgen.markdown.highlight import highlight_plugin
from kbgen.markdown.mathml import mathml_plugin
from kbgen.markdown.rawhtml import rawhtml_plugin
from kbgen.markdown.tags import tags_plugin
from kbgen.markdown.tasks import tasks_plugin


def apply(md: MarkdownIt, *, trust_html: bool = False) -> None:
    """Register every OFM plugin on `md`; make_parser() calls this at its fixed place.

    Order matters where rules share a stage. Core rules run: `block` → callouts, tasks (they
    reshape blocks before `inline`) → `inline` → comment spans (hide what an unclosed `%%`
    covers, before anything is collected) → tags, math, block ids, mermaid (collect from what is
    left). Inline rules only compete for their own characters (`%`, `=`, `#`, `$`).
    """
    md.use(comments_plugin)      # block rule before table; inline rule; core right after inline
    md.use(callouts_plugin)      # core after block
    md.use(tasks_plugin)         # core after block
    md.use(highlight_plugin)     # inline `==` before emphasis
    md.use(mathml_plugin)        # dollarmath (inline before escape, block before fence); core
    md.use(tags_plugin)          # inline `#` before emphasis; core collects
    md.use(blockids_plugin)      # core, after the inline rules and comment spans
    md.use(code_plugin)          # fence/code_block render; core mermaid flag
    if not trust_html:
        md.use(rawhtml_plugin)   # html_block/html_inline render through nh3
