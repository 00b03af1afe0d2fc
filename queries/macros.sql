-- Statistical helpers used by every metric query: defined once, here.
-- 95% Wilson score interval for passed out of checked (z = 1.959963984540054).
CREATE OR REPLACE TEMP MACRO wilson_low(passed, checked) AS
    CASE WHEN checked > 0 THEN greatest(0.0,
        (passed / checked + 3.841458820694124 / (2 * checked)
         - 1.959963984540054 * sqrt((passed / checked) * (1 - passed / checked) / checked
                                    + 3.841458820694124 / (4 * checked * checked)))
        / (1 + 3.841458820694124 / checked)) END;

CREATE OR REPLACE TEMP MACRO wilson_high(passed, checked) AS
    CASE WHEN checked > 0 THEN least(1.0,
        (passed / checked + 3.841458820694124 / (2 * checked)
         + 1.959963984540054 * sqrt((passed / checked) * (1 - passed / checked) / checked
                                    + 3.841458820694124 / (4 * checked * checked)))
        / (1 + 3.841458820694124 / checked)) END;

-- A ratio that is empty (not zero) when its denominator is zero.
CREATE OR REPLACE TEMP MACRO ratio(part, whole) AS
    CASE WHEN whole > 0 THEN part / whole END;

-- reported_rate: the summary's stated 整改完成率 when given, else completed / total.
-- (Above the unit x project level there is no stated rate: the sums decide.)
CREATE OR REPLACE TEMP MACRO reported_rate_of(stated_rate, completed, total) AS
    coalesce(stated_rate, ratio(completed, total));

-- Threshold comparisons are inclusive as written. Both sides are rounded: 0.7 - 0.4
-- must not fall a hair short of 0.30, and a threshold that is itself computed
-- (SLOW's schedule_rate - 0.10: 0.8 - 0.1 is 0.7000000000000001) must not sit a
-- hair above a rate of 0.70.
CREATE OR REPLACE TEMP MACRO at_least(value, threshold) AS round(value, 9) >= round(threshold, 9);
CREATE OR REPLACE TEMP MACRO below(value, threshold) AS round(value, 9) < round(threshold, 9);

-- GAP 纸面整改风险 fires: enough checks and even the optimistic pass rate is low.
-- Defined once: flag_gap uses it, and so does JUMP's severity ("high when GAP also fires").
CREATE OR REPLACE TEMP MACRO gap_fires(passed, checked, min_checked, max_pass_high) AS
    checked >= min_checked AND below(wilson_high(passed, checked), max_pass_high);
