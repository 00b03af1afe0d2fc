-- Synthetic register: one file and one ledger upload per unit and month, one checks upload.
INSERT INTO files
SELECT i, 'sha-' || i, 'bench_' || i || '.xlsx', 0, TIMESTAMP '2026-11-01', 'bench', NULL, NULL
FROM range(1, $units * $months + 2) AS t(i);

INSERT INTO uploads
SELECT u * $months + m + 1, u * $months + m + 1, 'ledger', '单位' || lpad(CAST(u AS VARCHAR), 2, '0'),
       CAST(DATE '2024-11-01' + INTERVAL (m) MONTH AS DATE), '问题台账', 0, 'active', TIMESTAMP '2026-11-01'
FROM range(0, $units) AS a(u), range(0, $months) AS b(m);

INSERT INTO uploads
VALUES ($units * $months + 1, $units * $months + 1, 'checks', NULL, NULL, '核查结果', $checks, 'active', TIMESTAMP '2026-11-01');

INSERT INTO regions (region, zone, sort_order)
SELECT '单位' || lpad(CAST(u AS VARCHAR), 2, '0'), ['南片', '中片', '北片'][CAST(u % 3 AS BIGINT) + 1], u
FROM range(0, $units) AS t(u);
