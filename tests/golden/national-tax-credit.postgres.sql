WITH rec AS (
  SELECT
    r.subject_id,
    r.item_code,
    r.severity,
    r.decided_on,
    CAST(JSONB_EXTRACT_PATH_TEXT(r.attributes, 'points') AS DOUBLE PRECISION) AS a_points
  FROM records AS r
  WHERE
    (
      r.decided_on > '2023-12-31' AND r.decided_on <= '2025-06-30'
    )
    AND r.item_code IN ('SUL_TAX', 'TAX_CREDIT_DEDUCTION')
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
    COUNT(
      CASE
        WHEN decided_on > '2023-12-31' AND decided_on <= '2024-12-31'
        THEN 1
        ELSE NULL
      END
    ) AS c0,
    SUM(
      CASE
        WHEN decided_on > '2023-12-31' AND decided_on <= '2024-12-31'
        THEN a_points
        ELSE NULL
      END
    ) AS c1
  FROM rec
  GROUP BY
    subject_id,
    item_code
), p AS (
  SELECT
    k.subject_id,
    CAST(SUM(CASE WHEN k.item_code IN ('SUL_TAX') THEN k.c0 ELSE 0 END) AS BIGINT) AS m0,
    SUM(CASE WHEN k.item_code IN ('TAX_CREDIT_DEDUCTION') THEN k.c1 ELSE NULL END) AS m1
  FROM k AS k
  GROUP BY
    k.subject_id
), prev AS (
  SELECT
    h.subject_id,
    h.grade AS previous_grade
  FROM (
    SELECT
      e.subject_id,
      e.grade,
      ROW_NUMBER() OVER (PARTITION BY e.subject_id ORDER BY u.as_of DESC NULLS LAST, u.id DESC NULLS LAST) AS n
    FROM evaluation_results AS e
    JOIN evaluation_runs AS u
      ON u.id = e.run_id
    WHERE
      u.scheme_id = 'national-tax-credit'
      AND u.as_of < '2025-01-01'
      AND u.as_of >= '2024-01-01'
  ) AS h
  WHERE
    h.n = 1
), scored AS (
  SELECT
    s.id AS subject_id,
    s.registered_on,
    s.kind,
    s.industry_code,
    COALESCE(p.m0, 0) AS m0,
    COALESCE(p.m1, 0) AS m1,
    GREATEST(LEAST(100 + -1 * COALESCE(p.m1, 0), 100), 0) AS score,
    h.previous_grade
  FROM subjects AS s
  LEFT JOIN p
    ON p.subject_id = s.id
  LEFT JOIN prev AS h
    ON h.subject_id = s.id
  WHERE
    s.kind IN ('enterprise')
    AND s.status IN ('active')
    AND (
      s.registered_on IS NULL OR s.registered_on <= '2025-06-30'
    )
), ranked AS (
  SELECT
    *,
    CASE
      WHEN score >= CAST(89.999999999 AS DOUBLE PRECISION)
      THEN 0
      WHEN score >= CAST(69.999999999 AS DOUBLE PRECISION)
      THEN 1
      WHEN score >= CAST(39.999999999 AS DOUBLE PRECISION)
      THEN 2
      ELSE 3
    END AS band_index,
    CASE WHEN m0 >= 1 THEN 3 END AS forced_index
  FROM scored
), graded AS (
  SELECT
    *,
    CASE
      WHEN registered_on > '2023-12-31' AND m0 < 1
      THEN -1
      ELSE GREATEST(
        GREATEST(
          COALESCE(forced_index, band_index),
          CASE WHEN registered_on > '2021-12-31' THEN 1 ELSE 0 END
        ),
        CASE WHEN previous_grade IN ('D') THEN 1 ELSE 0 END
      )
    END AS grade_index
  FROM ranked
)
SELECT
  subject_id,
  score,
  CASE
    WHEN grade_index = 0
    THEN 'A'
    WHEN grade_index = 1
    THEN 'B'
    WHEN grade_index = 2
    THEN 'C'
    WHEN grade_index = 3
    THEN 'D'
    WHEN grade_index = -1
    THEN 'M'
  END AS grade,
  CASE
    WHEN grade_index = -1
    THEN 'new_subject'
    WHEN grade_index > COALESCE(forced_index, band_index)
    THEN 'bar'
    WHEN NOT forced_index IS NULL
    THEN 'override'
    ELSE 'band'
  END AS decided_by,
  m0,
  m1
FROM graded
