-- A new LQAS round; its number is the next one (the caller holds the write lock).
INSERT INTO lqas_rounds (round_id, month, sample_size, p_high, p_low, alpha, beta, seed, scope, fingerprint, created_by, created_at)
SELECT coalesce(max(round_id), 0) + 1, $month, $sample_size, $p_high, $p_low, $alpha, $beta, $seed, $scope, $fingerprint,
       $created_by, $created_at
FROM lqas_rounds
RETURNING round_id
