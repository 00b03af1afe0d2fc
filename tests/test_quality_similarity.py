"""The LSH path finds exactly the alike pairs of the brute-force definition; norm() equals its reference."""

from __future__ import annotations

import random
import sys
import unicodedata

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

from rectlens.quality import similarity, text

WORDS = (
    "召开专题会议研究部署", "制定整改方案", "严格执行接待审批", "逐笔核对报销凭证", "责令退赔相关费用",
    "开展警示教育", "建立长效机制", "压减审批环节", "公示涉企收费清单", "回访群众", "清理规范考核事项",
    "整合关停政务APP", "明确履职事项清单", "对涉事人员提醒谈话", "追缴违规资金", "推行阳光公开",
)


def mutate(base: str, rng: random.Random) -> str:
    """A near copy: a few characters changed, inserted or deleted, or two clauses swapped."""
    chars = list(base)
    for _ in range(rng.randint(1, 4)):
        action = rng.random()
        position = rng.randrange(len(chars))
        if action < 0.4:
            chars[position] = rng.choice("的了和在对把将县区市镇局")
        elif action < 0.7:
            chars.insert(position, rng.choice("并及与等"))
        elif len(chars) > 16:
            del chars[position]
    text_out = "".join(chars)
    if rng.random() < 0.2 and "；" in text_out:
        first, _sep, rest = text_out.partition("；")
        text_out = rest + "；" + first
    return text_out


def corpus(seed: int, size: int) -> list[str]:
    rng = random.Random(seed)
    texts: list[str] = []
    while len(texts) < size:
        if texts and rng.random() < 0.5:
            texts.append(mutate(rng.choice(texts), rng))
        else:
            texts.append("；".join(rng.sample(WORDS, rng.randint(2, 4))) + rng.choice(("", f"，涉及{rng.randint(2, 99)}人")))
    return texts


def lsh_pairs(norms: list[str], jaccard: float = 0.80) -> set[tuple[int, int]]:
    con = duckdb.connect()
    frame = pd.DataFrame(
        {"text_id": range(1, len(norms) + 1), "norm": norms, "regions": [[f"单位{n}"] for n in range(len(norms))]}
    )
    con.register("measure_texts_source", frame)
    con.execute("CREATE TEMP TABLE measure_texts AS SELECT * FROM measure_texts_source")
    found = similarity.alike_pairs(con, jaccard)
    return {(int(a), int(b)) for a, b in zip(found["text_a"], found["text_b"], strict=True)}


def brute_pairs(norms: list[str], jaccard: float = 0.80) -> set[tuple[int, int]]:
    frame = pd.DataFrame({"text_id": range(1, len(norms) + 1), "norm": norms})
    found = similarity.brute_force_pairs(frame, jaccard)
    return {(int(a), int(b)) for a, b in zip(found["text_a"], found["text_b"], strict=True)}


@pytest.mark.parametrize("seed", range(12))
def test_lsh_equals_brute_force_on_random_corpora(seed: int) -> None:
    raw = corpus(seed, 160)
    norms = sorted({text.reference_norm(t) for t in raw if len(text.reference_norm(t)) >= 15})
    expected = brute_pairs(norms)
    assert expected, "the corpus must hold alike pairs for the comparison to mean anything"
    assert lsh_pairs(norms) == expected


@pytest.mark.parametrize("threshold", [0.5, 0.7, 0.9])
def test_lsh_equals_brute_force_at_other_thresholds(threshold: float) -> None:
    norms = sorted({text.reference_norm(t) for t in corpus(99, 150)})
    norms = [n for n in norms if len(n) >= 15]
    assert lsh_pairs(norms, threshold) == brute_pairs(norms, threshold)


def test_band_layout_meets_the_miss_probability() -> None:
    assert similarity.band_layout(0.8, 3e-6) == (33, 5)
    for threshold in (0.5, 0.6, 0.7, 0.8, 0.9, 0.95):
        bands, rows = similarity.band_layout(threshold, 3e-6)
        assert (1 - threshold**rows) ** bands <= 3e-6


def test_pairs_only_in_one_unit_are_not_candidates() -> None:
    con = duckdb.connect()
    base = "召开专题会议研究部署逐笔核对报销凭证责令退赔相关费用"
    frame = pd.DataFrame({"text_id": [1, 2, 3], "norm": [base, base + "甲", base + "乙"], "regions": [["江城市"], ["江城市"], ["山阳市"]]})
    con.register("source", frame)
    con.execute("CREATE TEMP TABLE measure_texts AS SELECT * FROM source")
    found = similarity.alike_pairs(con, 0.8)
    assert {(int(a), int(b)) for a, b in zip(found["text_a"], found["text_b"], strict=True)} == {(1, 3), (2, 3)}
    assert (found["shared"] * 5 >= found["union_size"] * 4).all()


def test_column_norm_equals_the_reference_for_every_assigned_character() -> None:
    # every character Python's Unicode database assigns (the reference's version), between two letters
    chars = [
        chr(c)
        for c in range(0x20, sys.maxunicode + 1)
        if not 0xD800 <= c < 0xE000 and unicodedata.category(chr(c)) not in ("Cn", "Co", "Cs")
    ]
    samples = ["a" + ch + "b" for ch in chars]
    got = text.norm(pa.array(samples)).to_pylist()
    differing = [(hex(ord(ch)), g) for ch, s, g in zip(chars, samples, got, strict=True) if g != text.reference_norm(s)]
    assert differing == []


def test_norm_of_staff_text() -> None:
    typed = "  对ＡＢＣ局（县区）干部进行\n提醒谈话；追缴资金１２０００元！【已完成】  "
    assert text.reference_norm(typed) == "对ABC局县区干部进行提醒谈话追缴资金12000元已完成"
    assert text.norm(pa.array([typed, None])).to_pylist() == [text.reference_norm(typed), None]
