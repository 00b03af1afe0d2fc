"""Text normalisation shared by headers, names and values."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_QUOTES = str.maketrans("", "", "\"'“”‘’「」『』《》")


def clean(value: object) -> str:
    """NFKC-normalise (full-width to half-width) and strip surrounding spaces."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return text.replace("\u3000", " ").strip()


def squash(value: object) -> str:
    """`clean` and drop every inner space and line break (for matching)."""
    return _SPACES.sub("", clean(value))


def key(value: object) -> str:
    """A matching key: squashed, without quotes, lower-case."""
    return squash(value).translate(_QUOTES).lower()
