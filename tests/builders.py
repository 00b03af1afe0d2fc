"""Build throw-away databases for the metrics and warnings tests from REAL workbooks.

Every scenario is written as an .xlsx file with openpyxl (title row, header,
data rows, optional 合计 row) and stored through the same path a user takes:
`rectlens.ingest.service.ingest_bytes` (and `replace_region_master` for the
地区表). Nothing is inserted into the database behind the reader's back.

    lens = Lens(tmp_path / "t.duckdb")          # region master loaded
    lens.ledger("江城市", "2026-10", [Item("A1", status="已完成", done="2026-10-05")])
    lens.checks(Check("A1", "江城市", "2026-10-20", "整改到位"))
    lens.row("2026-10", "江城市", WG)["pass_rate"]
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from actors import OPERATOR
from openpyxl import Workbook

from rectlens import domain
from rectlens.ingest import service

# The four projects by their full names, and the short names staff type.
WG, XS, WF, YS = domain.PROJECTS
SHORT = {WG: "违规吃喝", XS: "形式主义官僚主义", WF: "微腐败", YS: "营商环境"}

# A fictional region master: unit, zone. No counties (县区 stays optional).
UNITS: tuple[tuple[str, str], ...] = (
    ("江城市", "南片"),
    ("山阳市", "北片"),
    ("白河", "中片"),
    ("青石市", "中片"),
)

LEDGER_HEADER = (
    "问题编号",
    "地区",
    "县区",
    "责任单位",
    "整治项目",
    "问题来源",
    "问题描述",
    "根源类别",
    "整改措施",
    "发现日期",
    "整改时限",
    "整改状态",
    "完成日期",
    "佐证材料",
    "报送月份",
)
SUMMARY_HEADER = ("地区", "整治项目", "问题总数", "已完成数", "整改完成率", "报送月份")
CHECKS_HEADER = ("问题编号", "地区", "核查日期", "核查方式", "核查结论", "核查人", "备注", "抽样方式")
SATISFACTION_HEADER = ("地区", "整治项目", "报送月份", "满意度", "样本数")

DateLike = dt.date | str | None


def month_of(value: dt.date | str) -> dt.date:
    """'2026-10' or any date in the month -> the first day of that month."""
    if isinstance(value, str):
        year, month = value.split("-")[:2]
        return dt.date(int(year), int(month), 1)
    return value.replace(day=1)


def day(value: DateLike) -> dt.date | None:
    """'2026-10-05' -> date; a date or None passes through."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def month_end(value: dt.date | str) -> dt.date:
    first = month_of(value)
    return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def label(value: dt.date | str) -> str:
    first = month_of(value)
    return f"{first.year}-{first.month:02d}"


AUTO = "<auto>"


@dataclass(frozen=True)
class Item:
    """One ledger row. `done` is the 完成日期; `deadline` a date, a text such as 长期坚持, or None."""

    id: str
    project: str = WG
    status: str = "推进中"
    done: DateLike = None
    found: DateLike = "2026-01-05"
    deadline: DateLike = None
    evidence: str | None = "整改报告.pdf"
    description: str | None = AUTO  # AUTO: a specific text naming the item (never VAGUE); None: blank
    measures: str | None = "整改措施"  # too short to qualify for BOILERPLATE
    source: str | None = "信访举报"
    root_cause: str | None = None

    @staticmethod
    def completed(item_id: str, done: DateLike, project: str = WG, **options: Any) -> Item:
        return Item(item_id, project, "已完成", done, **options)


@dataclass(frozen=True)
class SummaryRow:
    project: str
    total: int
    completed: int
    rate: Any = None  # as written in the cell: 0.8, 80, "80%", or None


@dataclass(frozen=True)
class Check:
    item: str
    region: str
    date: DateLike
    result: str = "整改到位"
    inspector: str = "督导一组"
    sampling: str | None = "随机抽查"


def _cell(value: Any) -> Any:
    """Dates as real Excel dates; text as text."""
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value) if len(value) == 10 and value[4] == "-" else value
        except ValueError:
            return value
    return value


def workbook(sheets: Iterable[tuple[str, Sequence[Any], Sequence[Sequence[Any]], Sequence[str], Sequence[Sequence[Any]]]]) -> bytes:
    """An .xlsx file: per sheet (name, header, rows, title rows, trailing rows)."""
    book = Workbook()
    book.remove(book.active)
    for name, header, rows, titles, after in sheets:
        sheet = book.create_sheet(name)
        line = 1
        for title in titles:
            sheet.cell(line, 1, title)
            sheet.merge_cells(start_row=line, start_column=1, end_row=line, end_column=len(header))
            line += 1
        for col, value in enumerate(header, start=1):
            sheet.cell(line, col, value)
        for row in (*rows, *after):
            line += 1
            for col, value in enumerate(row, start=1):
                if value is not None:
                    cell = sheet.cell(line, col, _cell(value))
                    if isinstance(cell.value, dt.date):
                        cell.number_format = "yyyy-mm-dd"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def ledger_sheet(region: str, month: dt.date | str, items: Sequence[Item], *, short_names: bool = True) -> tuple:
    m = month_of(month)
    rows = [
        (
            item.id,
            region,
            None,
            "市纪委监委",
            SHORT[item.project] if short_names else item.project,
            item.source,
            f"{region}{item.id}号：机关食堂超标准接待检查组" if item.description == AUTO else item.description,
            item.root_cause,
            item.measures,
            day(item.found),
            day(item.deadline) if isinstance(item.deadline, dt.date) or _is_iso(item.deadline) else item.deadline,
            item.status,
            day(item.done),
            item.evidence,
            label(m),
        )
        for item in items
    ]
    titles = [f"{region}整改整治问题台账（{m.year}年{m.month}月）"]
    return ("问题台账", LEDGER_HEADER, rows, titles, [])


def _is_iso(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def summary_sheet(
    region: str, month: dt.date | str, rows: Sequence[SummaryRow], total: Sequence[Any] | None = None, *, short_names: bool = True
) -> tuple:
    """`total` = (问题总数, 已完成数, 整改完成率) of a trailing 合计 row, None for none."""
    m = month_of(month)
    body = [(region, SHORT[r.project] if short_names else r.project, r.total, r.completed, r.rate, label(m)) for r in rows]
    after = [("合计", None, *total, None)] if total is not None else []
    titles = [f"{region}整改整治工作进展汇总表（{m.year}年{m.month}月）"]
    return ("汇总", SUMMARY_HEADER, body, titles, after)


def checks_sheet(checks: Sequence[Check]) -> tuple:
    rows = [(c.item, c.region, day(c.date), "暗访", c.result, c.inspector, None, c.sampling) for c in checks]
    return ("核查结果", CHECKS_HEADER, rows, ["“四不两直”暗访抽查核查结果登记表"], [])


def satisfaction_sheet(rows: Sequence[tuple[str, str, dt.date | str, Any, int | None]]) -> tuple:
    body = [(region, SHORT[project], label(month), value, sample) for region, project, month, value, sample in rows]
    return ("群众评议", SATISFACTION_HEADER, body, [], [])


def regions_workbook(units: Sequence[tuple[Any, ...]] = UNITS) -> bytes:
    """(地区, 片区) rows, or (地区, 片区, 规模) rows for a region master with the optional 规模 column."""
    header = ("地区", "片区", "规模") if any(len(unit) > 2 for unit in units) else ("地区", "片区")
    return workbook([("地区表", header, units, [], [])])


_names = itertools.count(1)


def file_name(kind: str, region: str = "") -> str:
    """A file name without digits that could be read as a report month."""
    number, letters = next(_names), ""
    while number:
        number, rest = divmod(number, 26)
        letters = chr(ord("a") + rest) + letters
    return f"{region}{kind}_{letters}.xlsx"


@contextmanager
def default_settings(directory: Path) -> Iterator[None]:
    """The shipped settings only (for module-scoped fixtures, built before the per-test isolation)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RECTLENS_SETTINGS", str(Path(directory) / "no-settings.toml"))
        yield


@contextmanager
def shared_lens(factory: pytest.TempPathFactory, name: str) -> Iterator[Lens]:
    """A fresh database for a module-scoped (read-only) scenario, built under the shipped settings."""
    directory = factory.mktemp(name)
    with default_settings(directory):
        yield Lens(directory / f"{name}.duckdb")


# Set by conftest's `store_kind` while a module runs against the lake: makes a new, empty lake's spec.
LAKES: Callable[[], str] | None = None


class Lens:
    """A test database: region master plus the workbooks a scenario ingests."""

    def __init__(self, path: Path, units: Sequence[tuple[Any, ...]] | None = UNITS) -> None:
        # a module run against both stores (conftest's `store_kind`) gets a new lake instead of the file
        self.path: Path | str = LAKES() if LAKES is not None else Path(path)
        self._memo: dict[tuple[Any, ...], pd.DataFrame] = {}
        if units:
            count, problems, _notices = service.replace_region_master(self.path, regions_workbook(units), "地区表.xlsx", actor=OPERATOR)
            assert not problems, [p.text() for p in problems]
            assert count == len(units)

    # -- ingest ----------------------------------------------------------------

    def ingest(self, data: bytes, name: str) -> service.IngestOutcome:
        self._memo.clear()
        outcome = service.ingest_bytes(self.path, data, name, actor=OPERATOR)
        assert outcome.status == service.STORED, "\n".join(p.text() for p in outcome.problems) or outcome.message
        return outcome

    def restore(self, upload_id: int) -> None:
        from rectlens.storage.uploads import restore

        self._memo.clear()
        restore(self.path, upload_id, OPERATOR)

    def withdraw(self, upload_id: int) -> None:
        from rectlens.storage.uploads import withdraw

        self._memo.clear()
        withdraw(self.path, upload_id, OPERATOR)

    def ledger(self, region: str, month: dt.date | str, items: Sequence[Item], **options: Any) -> service.IngestOutcome:
        return self.ingest(workbook([ledger_sheet(region, month, items, **options)]), file_name("台账", region))

    def summary(
        self, region: str, month: dt.date | str, rows: Sequence[SummaryRow], total: Sequence[Any] | None = None, **options: Any
    ) -> service.IngestOutcome:
        return self.ingest(workbook([summary_sheet(region, month, rows, total, **options)]), file_name("汇总", region))

    def report(
        self, region: str, month: dt.date | str, items: Sequence[Item], rows: Sequence[SummaryRow], total: Sequence[Any] | None = None
    ) -> service.IngestOutcome:
        """One monthly workbook with both a ledger and a summary sheet."""
        data = workbook([ledger_sheet(region, month, items), summary_sheet(region, month, rows, total)])
        return self.ingest(data, file_name("月报", region))

    def checks(self, *checks: Check) -> service.IngestOutcome:
        return self.ingest(workbook([checks_sheet(checks)]), file_name("核查"))

    def satisfaction(self, *rows: tuple[str, str, dt.date | str, Any, int | None]) -> service.IngestOutcome:
        return self.ingest(workbook([satisfaction_sheet(rows)]), file_name("评议"))

    # -- read back -----------------------------------------------------------

    def _remembered(self, key: tuple[Any, ...], compute: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        """Results are kept until the next ingest, per effective settings (a read-only scenario
        shared by many tests computes them once)."""
        override = os.environ.get("RECTLENS_SETTINGS")
        settings = Path(override).read_text(encoding="utf-8") if override and Path(override).exists() else None
        memo_key = (*key, settings)
        if memo_key not in self._memo:
            self._memo[memo_key] = compute()
        return self._memo[memo_key].copy()

    def metrics(self, month: dt.date | str, by: str = "region,project") -> pd.DataFrame:
        from rectlens.metrics import metrics

        return self._remembered(("metrics", month_of(month), by), lambda: metrics(self.path, month_of(month), by))

    def row(self, month: dt.date | str, region: str | None = None, project: str | None = None, by: str | None = None) -> dict[str, Any]:
        """The one metrics row of a group (by region, project or both, from which keys are given)."""
        if by is None:
            by = ",".join(name for name, value in (("region", region), ("project", project)) if value is not None)
        table = self.metrics(month, by)
        if region is not None:
            table = table[table["region"] == region]
        if project is not None:
            table = table[table["project"] == project]
        assert len(table) == 1, table
        return {key: (None if _missing(value) else value) for key, value in table.iloc[0].to_dict().items()}

    def flags(self, month: dt.date | str) -> pd.DataFrame:
        from rectlens.flags import flags

        return self._remembered(("flags", month_of(month)), lambda: flags(self.path, month_of(month)))

    def flagged(self, month: dt.date | str, code: str, region: str | None = None) -> list[dict[str, Any]]:
        table = self.flags(month)
        if table.empty:
            return []
        found = table[table["code"] == code]
        if region is not None:
            found = found[found["region"] == region]
        return [{key: (None if _missing(value) else value) for key, value in record.items()} for record in found.to_dict("records")]


def _missing(value: Any) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
