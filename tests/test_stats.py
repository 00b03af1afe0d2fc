"""Funnel limits and empirical-Bayes shrinkage for comparing units fairly."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from rectlens import stats


def test_funnel_target_is_pooled_rate_and_limits_narrow_with_checks() -> None:
    passed = pd.Series([8, 40, 90])
    checked = pd.Series([10, 50, 100])
    model = stats.funnel(passed, checked)
    assert model is not None
    assert model.target == pytest.approx(138 / 160)
    low_small, high_small = model.limits(10, stats.Z_95)
    low_large, high_large = model.limits(100, stats.Z_95)
    assert low_small < low_large <= model.target <= high_large < high_small


def test_funnel_without_overdispersion_matches_binomial_formula() -> None:
    # identical rates: no excess variation, so phi stays 1
    model = stats.funnel(pd.Series([8, 16, 40]), pd.Series([10, 20, 50]))
    assert model is not None and model.phi == 1.0
    low, high = model.limits(np.array([25]), stats.Z_998)
    spread = stats.Z_998 * math.sqrt(0.8 * 0.2 / 25)
    assert float(low[0]) == pytest.approx(0.8 - spread)
    assert float(high[0]) == pytest.approx(min(1.0, 0.8 + spread))


def test_overdispersion_widens_the_limits() -> None:
    passed = pd.Series([10, 95, 50, 99, 20, 80, 60, 100])
    checked = pd.Series([100] * 8)
    model = stats.funnel(passed, checked)
    assert model is not None and model.phi > 1
    plain = stats.Funnel(model.target, 1.0, model.units)
    assert model.limits(100, stats.Z_95)[0] < plain.limits(100, stats.Z_95)[0]


def test_funnel_position_flags_a_unit_far_below() -> None:
    passed = pd.Series([90, 92, 88, 91, 30])
    checked = pd.Series([100, 100, 100, 100, 100])
    model = stats.Funnel(0.9, 1.0, 5)
    assert stats.funnel_position(30, 100, model) == "below_998"
    assert stats.funnel_position(90, 100, model) == "within"
    assert stats.funnel_position(0, 0, model) == "no_checks"
    assert stats.funnel(passed, checked) is not None


def test_funnel_is_none_without_checks() -> None:
    assert stats.funnel(pd.Series([0, 0]), pd.Series([0, 0])) is None


def test_shrinkage_pulls_small_samples_harder_towards_the_mean() -> None:
    passed = pd.Series([0, 0, 45, 30, 40, 20])
    checked = pd.Series([2, 50, 50, 40, 50, 25])
    shrunk = stats.shrunk_rate(passed, checked)
    prior = stats.beta_prior(passed, checked)
    assert prior is not None
    mean = prior.mean
    # each estimate lies between the raw rate and the overall mean
    raw = passed / checked
    for estimate, rate in zip(shrunk, raw, strict=True):
        assert min(rate, mean) - 1e-12 <= estimate <= max(rate, mean) + 1e-12
    # 0 of 2 moves further from 0 than 0 of 50
    assert shrunk[0] > shrunk[1]


def test_shrinkage_leaves_units_without_checks_empty() -> None:
    shrunk = stats.shrunk_rate(pd.Series([3, 0]), pd.Series([4, 0]))
    assert not math.isnan(shrunk[0])
    assert math.isnan(shrunk[1])


def test_compare_units_ranks_by_shrunk_rate() -> None:
    table = pd.DataFrame({"region": ["甲", "乙", "丙"], "passed": [9, 1, 45], "checked": [10, 1, 50]})
    compared, model = stats.compare_units(table)
    assert model is not None
    # 1 of 1 is not ranked above 45 of 50 once shrunk
    ranks = dict(zip(compared["region"], compared["shrunk_rank"], strict=True))
    assert ranks["丙"] <= ranks["乙"]
