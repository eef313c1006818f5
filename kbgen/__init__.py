"""kbgen: turn an Obsidian vault into a cross-linked static study site."""
from __future__ import annotations

__version__ = "0.1.0"
