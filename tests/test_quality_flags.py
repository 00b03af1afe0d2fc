"""BOILERPLATE, VAGUE and FEW_PROBLEMS: each fires, and a near miss on the other side of every threshold does not.

Every scenario is a real workbook stored through the upload path (tests/builders.py).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from builders import WF, WG, XS, Item, Lens

from rectlens import config, flags
from rectlens.quality.similarity import grams

OCT = "2026-10"
PEERS = ("江城市", "山阳市", "白河", "青石市")

def jaccard(a: str, b: str) -> float:
    ga, gb = grams(a), grams(b)
    return len(ga & gb) / len(ga | gb)


def measure_items(prefix: str, measures: list[str | None], project: str = WG) -> list[Item]:
    return [Item(f"{prefix}{n}", project, measures=text) for n, text in enumerate(measures, start=1)]


def distinct_texts(count: int, tag: str, length: int = 20) -> list[str]:
    """Texts of CJK characters used nowhere else in the test (one block per tag): alike to nothing."""
    start = 0x4E00 + (sum(map(ord, tag)) * 613) % 12000
    return ["".join(chr(start + n * length + k) for k in range(length)) for n in range(count)]


# --- BOILERPLATE 措施雷同 ------------------------------------------------------------


def test_copied_measures_fire_with_the_other_units_item(tmp_path: Path) -> None:
    lens = Lens(tmp_path / "copy.duckdb")
    copied = distinct_texts(3, "copy")
    lens.ledger("山阳市", OCT, measure_items("SY", [*copied]))
    lens.ledger("江城市", OCT, measure_items("JC", [*copied, *distinct_texts(12, "own")]))
    found = lens.flagged(OCT, "BOILERPLATE", "江城市")
    assert len(found) == 1 and found[0]["project"] == WG and found[0]["severity"] == "medium"
    assert found[0]["facts"]["copied"] == 3 and found[0]["facts"]["qualifying"] == 15
    assert "15 项中有 3 项（20.0%）" in found[0]["reason"] and "山阳市" in found[0]["reason"]
    rows = flags.rows_behind(lens.path, "BOILERPLATE", "江城市", WG, lens.flags(OCT)["month"][0])["雷同的整改措施"]
    assert list(rows["item_id"]) == ["JC1", "JC2", "JC3"]
    assert list(rows["other_region"]) == ["山阳市"] * 3
    assert list(rows["other_item_id"]) == ["SY1", "SY2", "SY3"]
    assert list(rows["measures"]) == copied and list(rows["other_measures"]) == copied
    assert list(rows["jaccard"]) == [1.0, 1.0, 1.0]
    assert int(rows["excel_row"].iloc[0]) >= 3  # back to the Excel row under the title and header


def test_share_just_below_twenty_percent_does_not_fire(tmp_path: Path) -> None:
    lens = Lens(tmp_path / "share.duckdb")
    copied = distinct_texts(3, "copy")
    lens.ledger("山阳市", OCT, measure_items("SY", [*copied]))
    lens.ledger("江城市", OCT, measure_items("JC", [*copied, *distinct_texts(13, "own")]))  # 3 of 16 = 18.75%
    assert lens.flagged(OCT, "BOILERPLATE", "江城市") == []


def test_two_copies_are_too_few(tmp_path: Path) -> None:
    lens = Lens(tmp_path / "two.duckdb")
    copied = distinct_texts(2, "copy")
    lens.ledger("山阳市", OCT, measure_items("SY", copied))
    lens.ledger("江城市", OCT, measure_items("JC", copied))  # 2 of 2 = 100%, but fewer than 3
    assert lens.flagged(OCT, "BOILERPLATE") == []


def test_fifteen_characters_qualify_fourteen_do_not(tmp_path: Path) -> None:
    lens = Lens(tmp_path / "length.duckdb")
    fifteen = [text[:15] for text in distinct_texts(3, "len")]
    # punctuation and spaces are not characters of the measure: norm() removes them
    fourteen = [f"{text[:7]}，{text[7:14]} 。" for text in distinct_texts(3, "short")]
    lens.ledger("山阳市", OCT, [*measure_items("SY", fifteen), *measure_items("SX", fourteen, XS)])
    lens.ledger("江城市", OCT, [*measure_items("JC", fifteen), *measure_items("JX", fourteen, XS)])
    found = {(f["region"], f["project"]) for f in lens.flagged(OCT, "BOILERPLATE")}
    assert found == {("江城市", WG), ("山阳市", WG)}  # both sides of a copy are alike to each other


@pytest.mark.parametrize(("base_length", "alike"), [(18, True), (17, False)])
def test_jaccard_at_080_is_alike_just_below_is_not(tmp_path: Path, base_length: int, alike: bool) -> None:
    # base_length distinct characters have base_length - 2 grams; four new characters add four grams:
    # 16/20 = 0.80 exactly, 15/19 = 0.789
    bases = [text[:base_length] for text in distinct_texts(3, "base")]
    near = [base + extra[:4] for base, extra in zip(bases, distinct_texts(3, "tail"), strict=True)]
    expected = 0.80 if alike else 15 / 19
    assert all(jaccard(a, b) == pytest.approx(expected) for a, b in zip(bases, near, strict=True))
    lens = Lens(tmp_path / "jaccard.duckdb")
    lens.ledger("山阳市", OCT, measure_items("SY", bases))
    lens.ledger("江城市", OCT, measure_items("JC", near))
    fired = {f["region"] for f in lens.flagged(OCT, "BOILERPLATE")}
    assert fired == ({"江城市", "山阳市"} if alike else set())


def test_alike_only_to_its_own_units_items_does_not_count(tmp_path: Path) -> None:
    lens = Lens(tmp_path / "own.duckdb")
    text = distinct_texts(1, "self")[0]
    lens.ledger("江城市", OCT, measure_items("JC", [text, text, text + "。", text[:-1] + "事"]))
    lens.ledger("山阳市", OCT, measure_items("SY", distinct_texts(4, "other")))
    assert lens.flagged(OCT, "BOILERPLATE") == []


# --- VAGUE 描述笼统 ----------------------------------------------------------------


def vague_items(descriptions: list[str | None], project: str = WG) -> list[Item]:
    return [Item(f"V{n}", project, description=text) for n, text in enumerate(descriptions, start=1)]


SEVEN_LEFT = "存在食堂超标准接待现象问题"  # 食堂超标准接待: 7 characters once 存在, 现象, 问题 are gone
EIGHT_LEFT = "存在食堂超标准接待费现象问题"  # 8 left


def test_vague_fires_at_seven_characters_left_not_at_eight(tmp_path: Path) -> None:
    lens = Lens(tmp_path / "vague.duckdb")
    lens.ledger("江城市", OCT, vague_items([SEVEN_LEFT] * 3 + ["具体描述：某局干部在农家乐接受宴请"] * 12))
    lens.ledger("山阳市", OCT, vague_items([EIGHT_LEFT] * 3 + ["具体描述：某局干部在农家乐接受宴请"] * 12))
    found = lens.flagged(OCT, "VAGUE")
    assert [(f["region"], f["project"], f["severity"]) for f in found] == [("江城市", WG, "low")]
    assert "15 个问题中有 3 项（20.0%）" in found[0]["reason"]
    rows = flags.rows_behind(lens.path, "VAGUE", "江城市", WG, lens.flags(OCT)["month"][0])["笼统的问题描述"]
    assert list(rows["description"]) == [SEVEN_LEFT] * 3
    assert list(rows["description_left"]) == ["食堂超标准接待"] * 3


def test_vague_share_just_below_twenty_percent(tmp_path: Path) -> None:
    lens = Lens(tmp_path / "vague_share.duckdb")
    lens.ledger("江城市", OCT, vague_items([SEVEN_LEFT] * 3 + ["具体描述：某局干部在农家乐接受宴请"] * 13))  # 18.75%
    assert lens.flagged(OCT, "VAGUE") == []


def test_blank_descriptions_and_a_ledger_without_the_column_are_vague(tmp_path: Path) -> None:
    lens = Lens(tmp_path / "blank.duckdb")
    lens.ledger("江城市", OCT, vague_items([None, None, "   ", "具体描述：某局干部在农家乐接受宴请"]))
    assert [f["facts"]["vague"] for f in lens.flagged(OCT, "VAGUE", "江城市")] == [3]


def test_stock_phrases_go_longest_first_then_in_list_order() -> None:
    import pyarrow as pa

    from rectlens.quality.text import norm, reference_without_phrases, without_phrases

    cases = [
        ("进一步加强", ["进一", "一步加"], "进强"),  # the longer phrase first, though listed second
        ("甲乙丙", ["甲乙", "乙丙"], "丙"),  # equal length: the list's order
        ("甲乙丙", ["乙丙", "甲乙"], "甲"),
        ("形式主义问题不到位，情况不够", config.settings()["quality"]["stock_phrases"], ""),
        ("存存在在", ["存在"], "存在"),  # each phrase removes its occurrences once, from what is left
    ]
    for text, phrases, left in cases:
        assert reference_without_phrases(text, phrases) == left
        assert without_phrases(norm(pa.array([text])), phrases).to_pylist() == [left]


# --- FEW_PROBLEMS 查摆不全 ---------------------------------------------------------------


def scaled_lens(path: Path, scales: dict[str, float | None]) -> Lens:
    zones = dict(zip(PEERS, ("南片", "北片", "中片", "中片"), strict=True))
    return Lens(path, units=[(unit, zones[unit], scales.get(unit)) for unit in PEERS])


def few(count: int, prefix: str) -> list[Item]:
    return [Item(f"{prefix}{n}", (WG, XS, WF)[n % 3]) for n in range(count)]


@pytest.mark.parametrize(
    ("own_scale", "own_problems", "fires"),
    [
        (1000, 4, True),  # expected 10, 4 < 5
        (1000, 5, False),  # exactly half of the expected: not fewer
        (990, 1, False),  # expected 9.9 < 10: too little to judge
    ],
)
def test_few_problems_against_scale(tmp_path: Path, own_scale: float, own_problems: int, fires: bool) -> None:
    lens = scaled_lens(tmp_path / "few.duckdb", {"江城市": own_scale, "山阳市": 1000, "白河": 2000, "青石市": 3000})
    lens.ledger("山阳市", OCT, few(10, "S"))
    lens.ledger("白河", OCT, few(20, "B"))
    lens.ledger("青石市", OCT, few(30, "Q"))  # others: 60 problems per 6,000 of 规模
    lens.ledger("江城市", OCT, few(own_problems, "J"))
    found = lens.flagged(OCT, "FEW_PROBLEMS")
    assert [(f["region"], f["project"]) for f in found] == ([("江城市", None)] if fires else [])
    if fires:
        assert found[0]["facts"]["expected"] == pytest.approx(10.0)
        assert "应查摆约 10.0 个，台账仅 4 个" in found[0]["reason"]


def test_few_problems_needs_three_other_units_with_scale_and_ledger(tmp_path: Path) -> None:
    lens = scaled_lens(tmp_path / "few2.duckdb", {"江城市": 5000, "山阳市": 1000, "白河": 2000, "青石市": None})
    lens.ledger("山阳市", OCT, few(10, "S"))
    lens.ledger("白河", OCT, few(20, "B"))
    lens.ledger("青石市", OCT, few(30, "Q"))  # a ledger but no 规模: not a comparison unit
    lens.ledger("江城市", OCT, few(1, "J"))
    assert lens.flagged(OCT, "FEW_PROBLEMS") == []


def test_flags_cli_prints_the_new_codes(tmp_path: Path) -> None:
    lens = scaled_lens(tmp_path / "cli.duckdb", {"江城市": 1000, "山阳市": 1000, "白河": 2000, "青石市": 3000})
    lens.ledger("山阳市", OCT, few(10, "S"))
    lens.ledger("白河", OCT, few(20, "B"))
    lens.ledger("青石市", OCT, few(30, "Q"))
    lens.ledger("江城市", OCT, vague_items([None] * 4))
    done = subprocess.run(
        [sys.executable, "-m", "rectlens", "flags", "--month", OCT, "--db", str(lens.path)],
        capture_output=True,
        text=True,
        check=True,
    )
    lines = done.stdout.splitlines()
    assert lines[0] == "code,severity,region,project,month,reason"
    assert any(line.startswith("FEW_PROBLEMS,medium,江城市,,2026-10,") for line in lines)
    assert any(line.startswith(f"VAGUE,low,江城市,{WG},2026-10,") for line in lines)
