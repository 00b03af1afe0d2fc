"""Writing untrusted text into spreadsheet cells so that no spreadsheet program runs it.

A text that begins with =, +, -, @, a tab or a carriage return is read by
Excel, WPS and LibreOffice as the start of a formula (=HYPERLINK(…) opens a
link, =cmd|… once started programs through DDE). Every workbook the product
writes from uploaded or stored text therefore writes such text as a string
cell and gives it the quote prefix (Excel's leading apostrophe), so that
editing the cell later does not turn it into a formula either.

openpyxl itself makes any str that begins with "=" a formula; `set_text`
and `set_value` are the one way product code puts text into an openpyxl
cell. The xlsxwriter export (rectlens.export.excel) uses `needs_quote`.
"""

from __future__ import annotations

from openpyxl.cell.cell import Cell

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def needs_quote(text: str) -> bool:
    """Would a spreadsheet program read this text as the start of a formula?"""
    return text.startswith(FORMULA_TRIGGERS)


def set_text(cell: Cell, text: str) -> Cell:
    """Put `text` into an openpyxl cell as literal text: a string cell, quote-prefixed when it looks like a formula."""
    cell.value = text  # openpyxl's setter makes "=…" a formula; the type is set back to string below
    cell.data_type = "s"
    if needs_quote(text):
        cell.quotePrefix = True
    return cell


def set_value(cell: Cell, value: object) -> Cell:
    """Put a value into an openpyxl cell: text as literal text (`set_text`), numbers, dates and blanks as they are."""
    if isinstance(value, str):
        return set_text(cell, value)
    cell.value = value
    return cell
