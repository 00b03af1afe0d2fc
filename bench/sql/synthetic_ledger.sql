-- Every problem appears in every monthly snapshot and is completed from its completion month on.
-- Rows are inserted month by month, as monthly uploads arrive.
INSERT INTO ledger_items
WITH problems AS (
    SELECT i,
           i % $units AS unit,
           ['整治违规吃喝隐形变异问题', '整治加重基层负担的形式主义官僚主义突出问题',
            '整治群众身边不正之风和"微腐败"问题', '整治影响营商环境优化提升的作风顽疾'][CAST(hash(i) % 4 AS BIGINT) + 1] AS project,
           CAST(hash(i * 31) % 30 AS INTEGER) AS done_month,
           CAST(hash(i * 17) % 28 AS INTEGER) AS done_day,
           CAST(hash(i * 13) % 36 AS INTEGER) AS deadline_month,
           hash(i * 7) % 20 = 0 AS no_evidence
    FROM range(0, $problems) AS t(i)
),
snapshots AS (
    SELECT p.*, m, CAST(DATE '2024-11-01' + INTERVAL (m) MONTH AS DATE) AS month
    FROM problems AS p, range(0, $months) AS s(m)
)
SELECT unit * $months + m + 1, '问题台账', CAST(i / $units AS INTEGER) + 4,
       '单位' || lpad(CAST(unit AS VARCHAR), 2, '0'), month, 'P' || i, NULL, NULL, project, '信访举报',
       NULL, NULL, NULL, DATE '2024-10-01',
       CAST(DATE '2024-11-01' + INTERVAL (deadline_month) MONTH AS DATE),
       CASE WHEN m >= done_month THEN '已完成' WHEN m >= done_month - 3 THEN '推进中' ELSE '未启动' END,
       CASE WHEN m >= done_month THEN CAST(DATE '2024-11-01' + INTERVAL (done_month) MONTH + INTERVAL (done_day) DAY AS DATE) END,
       CASE WHEN m >= done_month AND NOT no_evidence THEN '佐证.pdf' END,
       NULL
FROM snapshots
ORDER BY m, unit, i;
