"""Fair comparison of units whose numbers of spot checks differ.

- Funnel plot control limits for a pass rate against the number checked
  (Spiegelhalter 2005, "Funnel plots for comparing institutional
  performance"), with a multiplicative over-dispersion factor estimated
  from winsorised z-scores.
- Empirical-Bayes (beta-binomial) shrinkage of each unit's pass rate
  towards the overall rate, by the method of moments, for rankings.

The per-group Wilson interval itself is defined once, in queries/macros.sql.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd

Z_95 = NormalDist().inv_cdf(0.975)
Z_998 = NormalDist().inv_cdf(0.999)
WINSOR = 0.10


@dataclass(frozen=True)
class Funnel:
    target: float  # overall pass rate, Σpassed / Σchecked
    phi: float  # over-dispersion factor (1 when none is detected)
    units: int

    def limits(self, checked: np.ndarray | float, z: float) -> tuple[np.ndarray, np.ndarray]:
        n = np.asarray(checked, dtype=float)
        spread = z * np.sqrt(self.phi * self.target * (1 - self.target) / n)
        return np.clip(self.target - spread, 0, 1), np.clip(self.target + spread, 0, 1)

    def curve(self, max_checked: int, points: int = 200) -> pd.DataFrame:
        """Limit lines for plotting, from 1 check to `max_checked`."""
        n = np.unique(np.linspace(1, max(max_checked, 2), points).round().astype(int))
        low95, high95 = self.limits(n, Z_95)
        low998, high998 = self.limits(n, Z_998)
        return pd.DataFrame({"checked": n, "low_95": low95, "high_95": high95, "low_998": low998, "high_998": high998})


def funnel(passed: pd.Series, checked: pd.Series) -> Funnel | None:
    """Funnel parameters from the units with at least one check; None if there are none."""
    mask = checked > 0
    y, n = passed[mask].astype(float).to_numpy(), checked[mask].astype(float).to_numpy()
    if n.sum() == 0:
        return None
    target = y.sum() / n.sum()
    if target in (0.0, 1.0) or len(n) < 2:
        return Funnel(target, 1.0, len(n))
    z = (y / n - target) / np.sqrt(target * (1 - target) / n)
    low, high = np.quantile(z, [WINSOR, 1 - WINSOR])
    z_winsorised = np.clip(z, low, high)
    phi = float(np.mean(z_winsorised**2))
    # Only inflate the limits when the excess variation is real (phi > 1).
    return Funnel(target, max(phi, 1.0), len(n))


def funnel_position(passed: int, checked: int, model: Funnel) -> str:
    """Where a unit lies: 'below_998', 'below_95', 'within', 'above_95', 'above_998', or 'no_checks'."""
    if checked <= 0:
        return "no_checks"
    rate = passed / checked
    low95, high95 = (float(v) for v in model.limits(checked, Z_95))
    low998, high998 = (float(v) for v in model.limits(checked, Z_998))
    if rate < low998:
        return "below_998"
    if rate < low95:
        return "below_95"
    if rate > high998:
        return "above_998"
    if rate > high95:
        return "above_95"
    return "within"


@dataclass(frozen=True)
class BetaPrior:
    alpha: float
    beta: float

    @property
    def mean(self) -> float:
        return self.alpha / (self.alpha + self.beta)


def beta_prior(passed: pd.Series, checked: pd.Series) -> BetaPrior | None:
    """Method-of-moments beta prior from the units' pass rates (weighted by checks)."""
    mask = checked > 0
    y, n = passed[mask].astype(float).to_numpy(), checked[mask].astype(float).to_numpy()
    if n.sum() == 0:
        return None
    mean = y.sum() / n.sum()
    mean = min(max(mean, 1e-6), 1 - 1e-6)
    rates = y / n
    if len(n) < 2:
        strength = 1e12
    else:
        observed = float(np.sum(n * (rates - mean) ** 2) / n.sum())
        sampling = mean * (1 - mean) * float(np.mean(1 / n))
        between = observed - sampling
        # No variation beyond sampling noise: pool fully (a very strong prior).
        strength = 1e12 if between <= 0 else max(mean * (1 - mean) / between - 1, 1e-3)
    return BetaPrior(mean * strength, (1 - mean) * strength)


def shrunk_rate(passed: pd.Series, checked: pd.Series, prior: BetaPrior | None = None) -> pd.Series:
    """Posterior mean pass rate of each unit; empty where a unit has no checks."""
    prior = prior or beta_prior(passed, checked)
    if prior is None:
        return pd.Series([math.nan] * len(passed), index=passed.index, dtype=float)
    estimate = (passed.astype(float) + prior.alpha) / (checked.astype(float) + prior.alpha + prior.beta)
    return estimate.where(checked > 0)


def compare_units(table: pd.DataFrame, passed: str = "passed", checked: str = "checked") -> tuple[pd.DataFrame, Funnel | None]:
    """Add `shrunk_pass_rate`, `funnel_position` and a rank to per-unit metrics, from the counts in the columns
    `passed` and `checked` (all checks, or `random_passed` / `random_checked` for the random draws)."""
    result = table.copy()
    model = funnel(result[passed], result[checked])
    result["shrunk_pass_rate"] = shrunk_rate(result[passed], result[checked])
    result["funnel_position"] = [
        funnel_position(int(p), int(c), model) if model else "no_checks" for p, c in zip(result[passed], result[checked], strict=True)
    ]
    # rounded so that fully pooled (equal) estimates tie instead of ranking by float noise
    result["shrunk_rank"] = result["shrunk_pass_rate"].round(9).rank(ascending=False, method="min")
    return result, model


def poisson_limits(expected: np.ndarray, probability: float) -> np.ndarray:
    """The `probability` quantile of Poisson(expected), interpolated between integers so that funnel
    limits for counts are smooth lines (Spiegelhalter 2005, appendix): r - alpha, where r is the
    smallest count with P(X <= r) >= probability."""
    means = np.atleast_1d(np.asarray(expected, dtype=float))
    limits = np.empty_like(means)
    for index, mean in enumerate(means):
        if mean <= 0:
            limits[index] = 0.0
            continue
        if mean > 600:  # exp(-mean) would underflow; the normal approximation is exact enough here
            limits[index] = max(mean + NormalDist().inv_cdf(probability) * math.sqrt(mean), 0.0)
            continue
        term = math.exp(-mean)  # P(X = 0)
        below, count = term, 0
        while below < probability:
            count += 1
            term *= mean / count
            below += term
        previous = below - term
        alpha = (below - probability) / (below - previous) if below > previous else 0.0
        limits[index] = max(count - alpha, 0.0)
    return limits
