"""The spec's text rules, column-wise: norm(), qualifying measures and vague descriptions.

norm(t): NFKC, then every whitespace character and every character of
Unicode category P* (punctuation) or S* (symbols) removed. It runs on
whole Arrow columns (utf8proc's NFKC, RE2's Unicode classes), so a month
of 100,000 items is normalised in C. `reference_norm` is the same rule
written character by character with Python's `unicodedata`; the tests
hold the two equal.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import pyarrow as pa
import pyarrow.compute as pc

# RE2 classes: separators (Z*), punctuation (P*), symbols (S*), and the control characters
# that str.isspace() counts as whitespace (tab to carriage return, file/group/record/unit
# separators, next line).
_REMOVED = r"[\p{Z}\p{P}\p{S}\t-\r\x{1c}-\x{1f}\x{85}]"


def norm(texts: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """norm() of every text of a string column (nulls stay null)."""
    return pc.replace_substring_regex(pc.utf8_normalize(texts, "NFKC"), _REMOVED, "")


def reference_norm(text: str) -> str:
    """norm() of one text, character by character: the definition the column-wise version must equal."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if not ch.isspace() and unicodedata.category(ch)[0] not in "PS")


def phrase_order(phrases: Sequence[str]) -> list[str]:
    """Stock phrases as they are removed: longest first, ties in the list's order; normalised like the texts."""
    normalised = [reference_norm(phrase) for phrase in phrases]
    ranked = sorted(range(len(normalised)), key=lambda position: (-len(normalised[position]), position))
    return [normalised[position] for position in ranked if normalised[position]]


def without_phrases(normed: pa.Array | pa.ChunkedArray, phrases: Sequence[str]) -> pa.Array | pa.ChunkedArray:
    """What is left of normalised texts once each stock phrase in turn has removed all its occurrences."""
    left = normed
    for phrase in phrase_order(phrases):
        left = pc.replace_substring(left, phrase, "")
    return left


def reference_without_phrases(text: str, phrases: Sequence[str]) -> str:
    left = reference_norm(text)
    for phrase in phrase_order(phrases):
        left = left.replace(phrase, "")
    return left


def char_length(texts: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Characters (code points) of each text."""
    return pc.utf8_length(texts)
