"""Validation findings: errors (the workbook is refused) and notices."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Problem:
    """One finding, located to the cell. `row` is the Excel row number."""

    sheet: str
    row: int | None
    column: str
    value: str
    expected: str
    file: str = ""
    column_letter: str = ""

    def text(self) -> str:
        where = [f"文件「{self.file}」"] if self.file else []
        if self.sheet:
            where.append(f"工作表「{self.sheet}」")
        if self.row:
            where.append(f"第 {self.row} 行")
        if self.column:
            letter = f"（{self.column_letter} 列）" if self.column_letter else ""
            where.append(f"「{self.column}」列{letter}")
        location = " ".join(where)
        value = f"值「{self.value}」有误，" if self.value else ""
        return f"{location}：{value}{self.expected}"

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def problems_table(problems: list[Problem]) -> list[dict[str, object]]:
    """Rows for a Chinese error table (UI and CLI)."""
    return [
        {
            "文件": p.file,
            "工作表": p.sheet,
            "行": p.row,
            "列": p.column,
            "列号": p.column_letter,
            "填写的值": p.value,
            "问题与改法": p.expected,
        }
        for p in problems
    ]
