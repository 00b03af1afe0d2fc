"""Three months of four units for the leaders' pages, stored through the real ingest path.

Small enough to build in seconds, and planted so that every leader page has
something to show in 2026-10:

- 江城市 (南片): 违规吃喝 goes from 2 of 12 done in September to 12 of 12 in
  October, 6 of them on 30 October (JUMP and RUSH); 微腐败 from 3 to 9 of 12,
  and 5 of its 8 spot checks fail (GAP, high, so its JUMP is high too).
- 山阳市 (北片): steady progress, every check passes.
- 白河 (中片): most items past their 2026-06-30 deadline (OVERDUE), never checked.
- 青石市 (中片): sends August and September, not October (MISSING).
"""

from __future__ import annotations

import datetime as dt

from builders import WF, WG, XS, YS, Check, Item, Lens

MONTHS = ("2026-08", "2026-09", "2026-10")
LATEST = dt.date(2026, 10, 1)
UNITS = ("江城市", "山阳市", "白河", "青石市")  # region master order (builders.UNITS)
ZONES = {"江城市": "南片", "山阳市": "北片", "白河": "中片", "青石市": "中片"}


def _jiangcheng(month: str) -> list[Item]:
    """JC-000..011 违规吃喝, JC-012..023 微腐败."""
    done: dict[str, str] = {}
    for n in (0, 1):
        done[f"JC-{n:03d}"] = "2026-08-10"
    for n in (12, 13):
        done[f"JC-{n:03d}"] = "2026-08-10"
    if month >= "2026-09":
        done["JC-014"] = "2026-09-10"
    if month >= "2026-10":
        for n in range(2, 6):
            done[f"JC-{n:03d}"] = "2026-10-05"
        for n in range(6, 12):
            done[f"JC-{n:03d}"] = "2026-10-30"
        for n in range(15, 21):
            done[f"JC-{n:03d}"] = "2026-10-10"
    items = []
    for n in range(24):
        item_id, project = f"JC-{n:03d}", WG if n < 12 else WF
        if item_id in done:
            items.append(Item.completed(item_id, done[item_id], project))
        else:
            items.append(Item(item_id, project, deadline="2026-12-31"))
    return items


def _steady(prefix: str, total: int, done: int, month: str, deadline: str | None) -> list[Item]:
    """`done` of `total` items completed on the 8th of the month they first appear done, projects in turn."""
    every = (WG, XS, WF, YS)
    items = []
    for n in range(total):
        project = every[n % 4]
        if n < done:
            items.append(Item.completed(f"{prefix}-{n:03d}", f"{month}-08", project))
        else:
            items.append(Item(f"{prefix}-{n:03d}", project, deadline=deadline))
    return items


def build_leader_scenario(lens: Lens) -> None:
    for index, month in enumerate(MONTHS):
        lens.ledger("江城市", month, _jiangcheng(month))
        lens.ledger("山阳市", month, _steady("SY", 10, 5 + index, MONTHS[0], None))
        lens.ledger("白河", month, _steady("BH", 8, 2, MONTHS[0], "2026-06-30"))
        if month != "2026-10":
            lens.ledger("青石市", month, _steady("QS", 6, 3 + index, MONTHS[0], None))
    checks = [Check(f"JC-{n:03d}", "江城市", "2026-10-20", "整改到位" if n != 4 else "未整改到位") for n in range(6)]
    checks += [Check(f"JC-{n:03d}", "江城市", "2026-10-20", "整改到位" if n < 15 else "虚假整改") for n in range(12, 20)]
    checks += [Check(f"SY-{n:03d}", "山阳市", "2026-10-21") for n in range(5)]
    checks += [Check(f"QS-{n:03d}", "青石市", "2026-09-21") for n in range(3)]
    lens.checks(*checks)
