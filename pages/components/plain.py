"""Text that came from a user's file (column names, cells, series names) shown as text: every
Markdown character is escaped, so `[x](http://...)` or `![x](...)` is never a live link or an
image fetched by every browser that opens the run."""

from __future__ import annotations

import re

# Markdown's punctuation plus Streamlit's own directives (:red[...], :material/...:) and LaTeX ($).
_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#!|~$:&])")
# At the start of the text only: a list item (- + or 1.); # and > are escaped everywhere.
_LEADING = re.compile(r"^(\s*)([-+]|\d+)(?=[.)\s]|$)")


# A bare address (http://..., www.) becomes a link even when escaped: an invisible space
# after its scheme or "www" keeps it text.
_ADDRESS = re.compile(r"(?i)(://|\bwww)")
_INVISIBLE_SPACE = "\u200b"


def plain(text: object) -> str:
    """`text` with Markdown/HTML characters backslash-escaped, bare addresses left unlinked and
    line breaks as spaces."""
    flat = _ADDRESS.sub(
        lambda match: match.group(1) + _INVISIBLE_SPACE, " ".join(str(text).splitlines())
    )
    escaped = _SPECIAL.sub(r"\\\1", flat)
    return _LEADING.sub(_escape_leading, escaped)


def _escape_leading(match: re.Match) -> str:
    mark = match.group(2)
    return match.group(1) + (mark + "\\" if mark.isdigit() else "\\" + mark)


__all__ = ["plain"]
