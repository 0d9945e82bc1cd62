"""Where inline tokens are: a body line for each, so problems can point at them."""

from __future__ import annotations

from markdown_it.rules_core import StateCore


def locate(state: StateCore) -> None:
    """Give inline tokens of interest a 0-based body line, for problems that point at them."""
    for block in state.tokens:
        if block.type != "inline" or not block.children or not block.map:
            continue
        for child in block.children:
            pos = child.meta.get("pos") if child.meta else None
            if pos is None:
                needle = child.attrGet("href") or child.attrGet("src") or child.content
                pos = block.content.find(str(needle)) if needle else -1
            line = block.map[0] + (block.content.count("\n", 0, pos) if pos and pos > 0 else 0)
            child.meta = {**(child.meta or {}), "line": line}
