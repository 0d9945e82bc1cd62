"""``[[target#heading|text]]`` links and ``![[...]]`` embeds, as inline tokens."""

from __future__ import annotations

from markdown_it.rules_inline import StateInline


def wikilink_rule(state: StateInline, silent: bool) -> bool:
    """``[[target#heading|text]]`` and, with a leading ``!``, embeds ``![[...]]``."""
    src, pos = state.src, state.pos
    embed = src.startswith("![[", pos)
    if not embed and not src.startswith("[[", pos):
        return False
    start = pos + (3 if embed else 2)
    # The target cannot contain "[[": look for "]]" only up to the next "[[", so a note full
    # of unclosed brackets costs linear time, not quadratic.
    stop = src.find("[[", start)
    end = src.find("]]", start, len(src) if stop < 0 else stop)
    if end < 0:
        return False
    inner = src[start:end]
    if not inner.strip() or "\n" in inner or "[[" in inner:
        return False
    if not silent:
        target, _, label = inner.replace("\\|", "|").partition("|")
        target, _, heading = target.partition("#")
        token = state.push("wikiembed" if embed else "wikilink", "", 0)
        token.meta = {
            "target": target.strip(),
            "heading": heading.strip(),
            "label": label.strip(),
            "pos": pos,
            "raw": src[pos : end + 2],
        }
        token.content = label.strip() or inner
    state.pos = end + 2
    return True
