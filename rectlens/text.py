"""Text normalisation shared by headers, names and values."""

from __future__ import annotations

import unicodedata

_QUOTES = str.maketrans("", "", "\"'“”‘’「」『』《》")


def clean(value: object) -> str:
    """NFKC-normalise (full-width to half-width) and strip surrounding spaces."""
    if value is None:
        return ""
    text = value if type(value) is str else str(value)
    # Most cells are already normal: checking is much cheaper than normalising.
    if not text.isascii() and not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return text.strip()


def squash(value: object) -> str:
    """`clean` and drop every inner space and line break (for matching)."""
    return "".join(clean(value).split())  # str.split() splits on every Unicode space


def key(value: object) -> str:
    """A matching key: squashed, without quotes, lower-case."""
    return squash(value).translate(_QUOTES).lower()
