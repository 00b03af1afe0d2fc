-- Schema version 4: the region master's optional 规模 (how much there is to
-- examine in a unit, e.g. its Party members and cadres), the base of the
-- expected number of problems (FEW_PROBLEMS 查摆不全).
ALTER TABLE regions ADD COLUMN scale DOUBLE;
