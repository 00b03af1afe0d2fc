"""A small two-month scenario for the briefing tests, stored through the real ingest path."""

from __future__ import annotations

import datetime as dt

from builders import WF, WG, XS, YS, Check, Item, Lens

MONTH = dt.date(2026, 10, 1)


def ledger_items(prefix: str, done: int, open_: int, month: str, projects: tuple[str, ...], deadline: str | None) -> list[Item]:
    """`done` completed and `open_` open items (due at `deadline`), taking the projects in turn."""
    items = [Item.completed(f"{prefix}-{n:03d}", f"{month}-05", projects[n % len(projects)]) for n in range(done)]
    items += [Item(f"{prefix}-{n:03d}", projects[n % len(projects)], deadline=deadline) for n in range(done, done + open_)]
    return items


def build_scenario(lens: Lens) -> None:
    """Two months of four units: 江城市's checks of 违规吃喝 mostly fail (GAP), 白河 is never checked
    and most of its items are overdue (OVERDUE)."""
    every = (WG, XS, WF, YS)
    plan = {
        "江城市": ("JC", 12, 4, (WG, XS), None),
        "山阳市": ("SY", 9, 7, every, None),
        "白河": ("BH", 6, 10, every, "2026-06-30"),
        "青石市": ("QS", 14, 2, every, None),
    }
    for month, shrink in (("2026-09", 2), ("2026-10", 0)):
        for unit, (prefix, done, open_, projects, deadline) in plan.items():
            lens.ledger(unit, month, ledger_items(prefix, done - shrink, open_ + shrink, month, projects, deadline))
    checks = [Check(f"JC-{n:03d}", "江城市", "2026-10-20", "整改到位" if n < 2 else "虚假整改") for n in range(0, 12, 2)]
    checks += [Check(f"SY-{n:03d}", "山阳市", "2026-10-21") for n in range(5)]
    checks += [Check(f"QS-{n:03d}", "青石市", "2026-10-22", "整改到位" if n != 3 else "未整改到位") for n in range(8)]
    lens.checks(*checks)
