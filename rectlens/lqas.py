"""批质量保证抽样 (LQAS): the decision rule and the classification of a unit.

A unit's n checked items are a lot sample: X of them pass, X ~ Binomial(n, p)
where p is the unit's true pass rate. The rule "达标 when X ≥ d" is built for
two rates: a unit at p_high (0.80) should pass, one at p_low (0.50) should
not. d is the smallest number for which

    P(X < d | p_high) ≤ alpha   (a good unit judged 未达标)
    P(X ≥ d | p_low)  ≤ beta    (a bad unit judged 达标)

— n = 19 with the defaults gives d = 13. The first risk grows with d and the
second shrinks, so the smallest d meeting the second is the only candidate;
when it misses the first, n is too small for both risks (every n below 19
with the defaults). Such a unit (one with fewer candidates than n gets all of
them) still gets that d, which keeps the risk of passing a bad unit within
beta, and the rule says how large the other risk then is.

The binomial CDF is computed here exactly as a sum of terms (math.comb), so
the product needs no statistics library.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rectlens import config

PASS, FAIL, PENDING, TOO_FEW = "达标", "未达标", "待完成", "样本过少"
# Probabilities are compared with this slack: the sum of terms may differ from the exact value in the last bits.
TOLERANCE = 1e-12


def binomial_cdf(k: int, n: int, p: float) -> float:
    """P(X ≤ k) for X ~ Binomial(n, p)."""
    if k < 0:
        return 0.0
    if k >= n:
        return 1.0
    return min(1.0, math.fsum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k + 1)))


@dataclass(frozen=True)
class Rule:
    n: int
    d: int
    p_high: float
    p_low: float
    alpha: float  # as designed
    beta: float
    alpha_actual: float  # P(X < d | p_high)
    beta_actual: float  # P(X ≥ d | p_low)

    @property
    def meets_design(self) -> bool:
        """Whether both risks stay within what the rule was built for."""
        return self.alpha_actual <= self.alpha + TOLERANCE and self.beta_actual <= self.beta + TOLERANCE

    @property
    def decidable(self) -> bool:
        """A unit can reach 达标 at all (d ≤ n): not so for a sample of a very few items."""
        return self.d <= self.n

    def text(self) -> str:
        """'抽 19 项，通过不少于 13 项为达标（…）' in plain Chinese, with both risks."""
        if not self.decidable:
            return f"只有 {self.n} 项可抽，即使全部通过也不足以判定达标（通过率 {_pct(self.p_low)} 的单位也有较大可能全部通过）"
        risks = (
            f"通过率 {_pct(self.p_high)} 的单位被判为未达标的概率 {_pct(self.alpha_actual, 1)}，"
            f"通过率 {_pct(self.p_low)} 的单位被判为达标的概率 {_pct(self.beta_actual, 1)}"
        )
        rule = f"抽 {self.n} 项，通过不少于 {self.d} 项为达标（{risks}）"
        if not self.meets_design:
            rule += f"；样本少于设计所需，误判为未达标的概率超过设计的 {_pct(self.alpha)}"
        return rule


def _pct(value: float, digits: int = 0) -> str:
    return f"{value * 100:.{digits}f}%"


def rule(
    n: int,
    p_high: float | None = None,
    p_low: float | None = None,
    alpha: float | None = None,
    beta: float | None = None,
) -> Rule:
    """The decision rule for a sample of n (thresholds from the settings unless given)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    chosen = config.planner()
    p_high = chosen.lqas_p_high if p_high is None else p_high
    p_low = chosen.lqas_p_low if p_low is None else p_low
    alpha = chosen.lqas_alpha if alpha is None else alpha
    beta = chosen.lqas_beta if beta is None else beta
    if not 0 < p_low < p_high < 1:
        raise ValueError("need 0 < p_low < p_high < 1")
    # smallest d with P(X ≥ d | p_low) = 1 − P(X ≤ d − 1 | p_low) ≤ beta (d = n + 1 always qualifies)
    d = next(d for d in range(n + 2) if 1 - binomial_cdf(d - 1, n, p_low) <= beta + TOLERANCE)
    return Rule(
        n=n,
        d=d,
        p_high=p_high,
        p_low=p_low,
        alpha=alpha,
        beta=beta,
        alpha_actual=binomial_cdf(d - 1, n, p_high),
        beta_actual=1 - binomial_cdf(d - 1, n, p_low),
    )


def classify(planned: int, checked: int, passed: int, unit_rule: Rule) -> str:
    """达标 / 未达标 once all `planned` items are checked, 待完成 before; 样本过少 when d > n."""
    if not unit_rule.decidable:
        return TOO_FEW
    if checked < planned:
        return PENDING
    return PASS if passed >= unit_rule.d else FAIL
