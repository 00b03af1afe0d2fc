-- A new LQAS round under the number `lqas_next_round_id` chose (the caller holds the write lock).
INSERT INTO lqas_rounds (round_id, month, sample_size, p_high, p_low, alpha, beta, seed, scope, fingerprint, created_by, created_at)
VALUES ($round_id, $month, $sample_size, $p_high, $p_low, $alpha, $beta, $seed, $scope, $fingerprint, $created_by, $created_at)
