"""Where inline tokens are: a body line for each, so problems can point at them."""

from __future__ import annotations

import bisect

from markdown_it.rules_core import StateCore


def locate(state: StateCore) -> None:
    """Give inline tokens of interest a 0-based body line, for problems that point at them."""
    for block in state.tokens:
        if block.type != "inline" or not block.children or not block.map:
            continue
        # newlines found once per block, then bisected: counting them up to each token was
        # quadratic in a paragraph of thousands of links
        newlines = [i for i, char in enumerate(block.content) if char == "\n"]
        for child in block.children:
            pos = child.meta.get("pos") if child.meta else None
            if pos is None:
                needle = child.attrGet("href") or child.attrGet("src") or child.content
                pos = block.content.find(str(needle)) if needle else -1
            line = block.map[0] + (bisect.bisect_left(newlines, pos) if pos and pos > 0 else 0)
            child.meta = {**(child.meta or {}), "line": line}
