WITH rec AS (
  SELECT
    r.subject_id,
    r.item_code,
    r.severity,
    r.decided_on,
    r.attributes ->> '$.grade' AS a_grade,
    r.attributes ->> '$.scheme' AS a_scheme
  FROM records AS r
  WHERE
    (
      r.decided_on > '2024-06-30' AND r.decided_on <= '2025-06-30'
    )
    AND r.item_code IN ('EVAL_INDUSTRY_GRADE')
    AND NOT r.id IN (
      SELECT
        n.supersedes_id
      FROM records AS n
      WHERE
        n.supersedes_id >= 1 AND n.decided_on <= '2025-06-30'
      UNION ALL
      SELECT
        e.record_id
      FROM record_events AS e
      WHERE
        e.effective_on <= '2025-06-30'
    )
), k AS (
  SELECT
    subject_id,
    item_code,
    COUNT(*) AS n,
    COUNT(CASE WHEN a_scheme IN ('jiangsu-highway-construction') THEN 1 ELSE NULL END) AS c0,
    COUNT(
      CASE
        WHEN a_grade IN ('D') AND a_scheme IN ('jiangsu-highway-construction')
        THEN 1
        ELSE NULL
      END
    ) AS c1,
    COUNT(
      CASE
        WHEN a_grade IN ('A') AND a_scheme IN ('jiangsu-highway-construction')
        THEN 1
        ELSE NULL
      END
    ) AS c2,
    COUNT(
      CASE
        WHEN a_grade IN ('B') AND a_scheme IN ('jiangsu-highway-construction')
        THEN 1
        ELSE NULL
      END
    ) AS c3,
    COUNT(
      CASE
        WHEN a_grade IN ('C') AND a_scheme IN ('jiangsu-highway-construction')
        THEN 1
        ELSE NULL
      END
    ) AS c4
  FROM rec
  GROUP BY
    subject_id,
    item_code
), p AS (
  SELECT
    k.subject_id,
    CAST(SUM(k.c0) AS INTEGER) AS m0,
    CAST(SUM(k.c1) AS INTEGER) AS m1,
    CAST(SUM(k.c2) AS INTEGER) AS m2,
    CAST(SUM(k.c3) AS INTEGER) AS m3,
    CAST(SUM(k.c4) AS INTEGER) AS m4
  FROM k AS k
  GROUP BY
    k.subject_id
), scored AS (
  SELECT
    s.id AS subject_id,
    s.registered_on,
    s.kind,
    s.industry_code,
    COALESCE(p.m0, 0) AS m0,
    COALESCE(p.m1, 0) AS m1,
    COALESCE(p.m2, 0) AS m2,
    COALESCE(p.m3, 0) AS m3,
    COALESCE(p.m4, 0) AS m4,
    MAX(MIN(0 + CASE WHEN COALESCE(p.m0, 0) >= 1 THEN 100 ELSE 0 END, 100), 0) AS score
  FROM subjects AS s
  LEFT JOIN p
    ON p.subject_id = s.id
  WHERE
    s.kind IN ('enterprise')
    AND s.status IN ('active')
    AND s.industry_code LIKE '48%'
    AND (
      s.registered_on IS NULL OR s.registered_on <= '2025-06-30'
    )
), graded AS (
  SELECT
    *,
    MAX(
      MAX(
        MAX(
          CASE
            WHEN m1 >= 2
            THEN 4
            WHEN m1 >= 1
            THEN 3
            ELSE CASE
              WHEN score >= CAST(99.999999999 AS REAL)
              THEN 0
              WHEN score >= CAST(89.999999999 AS REAL)
              THEN 1
              WHEN score >= CAST(79.999999999 AS REAL)
              THEN 2
              WHEN score >= CAST(69.999999999 AS REAL)
              THEN 3
              WHEN score >= CAST(0.999999999 AS REAL)
              THEN 4
              ELSE 5
            END
          END,
          CASE WHEN m2 >= 1 THEN 1 ELSE 0 END
        ),
        CASE WHEN m3 >= 1 THEN 2 ELSE 0 END
      ),
      CASE WHEN m4 >= 1 THEN 3 ELSE 0 END
    ) AS grade_index
  FROM scored
)
SELECT
  subject_id,
  score,
  CASE
    WHEN grade_index = 0
    THEN 'AA'
    WHEN grade_index = 1
    THEN 'A'
    WHEN grade_index = 2
    THEN 'B'
    WHEN grade_index = 3
    THEN 'C'
    WHEN grade_index = 4
    THEN 'D'
    WHEN grade_index = 5
    THEN '未评价'
  END AS grade,
  m0,
  m1,
  m2,
  m3,
  m4
FROM graded
