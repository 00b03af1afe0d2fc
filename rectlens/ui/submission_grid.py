"""The 报送情况 grid as a styled table: state as text and as colour.

Colours are from the Okabe–Ito palette (blue versus orange), which stays
distinguishable with every common colour-vision deficiency; every cell
also says its state in words, and a missing month is additionally bold
on a dark fill.
"""

from __future__ import annotations

import pandas as pd
from pandas.io.formats.style import Styler

from rectlens import submissions
from rectlens.access import reviews
from rectlens.ui.formats import literal_cells

CELL_STYLES: dict[str, str] = {
    submissions.COMPLETE: "background-color: #d9eaf7; color: #08456e;",
    submissions.LEDGER_ONLY: "background-color: #fbe7b0; color: #5c4300;",
    submissions.SUMMARY_ONLY: "background-color: #fbe7b0; color: #5c4300;",
    submissions.MISSING: "background-color: #c85200; color: #ffffff; font-weight: 700;",
}
CELL_MEANINGS: dict[str, str] = {
    submissions.COMPLETE: "问题台账和汇总都已报送",
    submissions.LEDGER_ONLY: "缺汇总",
    submissions.SUMMARY_ONLY: "缺问题台账",
    submissions.MISSING: "该月其他单位已报送，本单位都未报送",
}
# 专班审核 per unit and month (the same palette: blue done, amber waiting, dark orange returned).
REVIEW_STYLES: dict[str, str] = {
    reviews.APPROVED_LABEL: "background-color: #d9eaf7; color: #08456e;",
    reviews.PENDING_LABEL: "background-color: #fbe7b0; color: #5c4300;",
    reviews.RETURNED_LABEL: "background-color: #c85200; color: #ffffff; font-weight: 700;",
}
ZONE_COLUMN, UNIT_COLUMN = "片区", "地区"


def legend_html() -> str:
    """A one-line legend whose chips look exactly like the grid's cells."""
    chip = "display:inline-block;padding:0.1rem 0.5rem;margin-right:0.35rem;border-radius:0.25rem;"
    item = '<span style="margin-right:1.25rem;white-space:nowrap;"><span style="{chip}{style}">{state}</span>{meaning}</span>'
    items = [
        item.format(chip=chip, style=CELL_STYLES[state], state=state, meaning=CELL_MEANINGS[state]) for state in submissions.CELL_STATES
    ]
    return f'<div style="line-height:2;font-size:0.9rem;">{"".join(items)}</div>'


def _header(column: str) -> tuple[str, str]:
    """Two header rows keep the columns narrow: ('2026年', '10月'); zone and unit sit in the lower row."""
    if column == "zone":
        return ("", ZONE_COLUMN)
    if column == "region":
        return ("", UNIT_COLUMN)
    year, month = column.split("-")
    return (f"{year}年", f"{int(month)}月")


def styled(table: pd.DataFrame, styles: dict[str, str] = CELL_STYLES) -> Styler:
    """`submissions.wide` output with Chinese two-row headers and a colour per state."""
    month_columns = [column for column in table.columns if column not in ("zone", "region")]
    # st.table reads cells as markdown: unit and zone names are shown as typed (the states are the product's own)
    shown = literal_cells(table, [column for column in ("zone", "region") if column in table.columns])
    shown.columns = pd.MultiIndex.from_tuples([_header(column) for column in table.columns])
    month_headers = [_header(column) for column in month_columns]
    return (
        shown.style.map(lambda state: styles.get(state, ""), subset=month_headers)
        .set_properties(**{"white-space": "nowrap"})
        .hide(axis="index")
    )
