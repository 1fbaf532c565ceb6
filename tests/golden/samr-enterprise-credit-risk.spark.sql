WITH rec AS (
  SELECT
    r.subject_id,
    r.item_code,
    r.severity,
    r.decided_on,
    GET_JSON_OBJECT(r.attributes, '$.result') AS a_result
  FROM records AS r
  WHERE
    (
      r.decided_on > '2022-06-30' AND r.decided_on <= '2025-06-30'
    )
    AND r.item_code IN (
      'ABN_OPERATION',
      'ADM_INSPECTION',
      'ADM_PENALTY_GENERAL',
      'ADM_PENALTY_MINOR',
      'ADM_PENALTY_SERIOUS',
      'SUL_MARKET'
    )
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
        WHEN a_result IN ('problems_found', 'ordered_to_rectify', 'penalised', 'not_found_at_address')
        THEN 1
        ELSE NULL
      END
    ) AS c0
  FROM rec
  GROUP BY
    subject_id,
    item_code
), w AS (
  SELECT
    'ABN_OPERATION' AS item_code,
    -20 AS pts,
    40 AS cap,
    0 AS i0,
    0 AS i1
  UNION ALL
  SELECT
    'ADM_INSPECTION' AS item_code,
    0 AS pts,
    0 AS cap,
    1 AS i0,
    0 AS i1
  UNION ALL
  SELECT
    'ADM_PENALTY_GENERAL' AS item_code,
    -10 AS pts,
    30 AS cap,
    0 AS i0,
    0 AS i1
  UNION ALL
  SELECT
    'ADM_PENALTY_MINOR' AS item_code,
    -3 AS pts,
    15 AS cap,
    0 AS i0,
    0 AS i1
  UNION ALL
  SELECT
    'ADM_PENALTY_SERIOUS' AS item_code,
    -25 AS pts,
    50 AS cap,
    0 AS i0,
    0 AS i1
  UNION ALL
  SELECT
    'SUL_MARKET' AS item_code,
    0 AS pts,
    0 AS cap,
    0 AS i0,
    1 AS i1
), p AS (
  SELECT
    k.subject_id,
    CAST(SUM(CASE WHEN w.i0 = 1 THEN k.c0 ELSE 0 END) AS BIGINT) AS m4,
    CAST(SUM(CASE WHEN w.i1 = 1 THEN k.n ELSE 0 END) AS BIGINT) AS m5,
    CAST(SUM(GREATEST(LEAST(w.pts * k.n, w.cap), -w.cap)) AS BIGINT) AS points
  FROM k AS k
  JOIN w AS w
    ON w.item_code = k.item_code
  GROUP BY
    k.subject_id
), scored AS (
  SELECT
    s.id AS subject_id,
    s.registered_on,
    s.kind,
    s.industry_code,
    COALESCE(p.m4, 0) AS m4,
    COALESCE(p.m5, 0) AS m5,
    GREATEST(
      LEAST(
        100 + COALESCE(p.points, 0) + GREATEST(LEAST(-5 * COALESCE(p.m4, 0), 10), -10),
        100
      ),
      0
    ) AS score
  FROM subjects AS s
  LEFT JOIN p
    ON p.subject_id = s.id
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
      WHEN score >= CAST(89.999999999 AS DOUBLE)
      THEN 0
      WHEN score >= CAST(74.999999999 AS DOUBLE)
      THEN 1
      WHEN score >= CAST(59.999999999 AS DOUBLE)
      THEN 2
      ELSE 3
    END AS band_index,
    CASE WHEN m5 >= 1 THEN 3 END AS forced_index
  FROM scored
), graded AS (
  SELECT
    *,
    COALESCE(forced_index, band_index) AS grade_index
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
  END AS grade,
  CASE
    WHEN grade_index = -1
    THEN 'new_subject'
    WHEN NOT forced_index IS NULL
    THEN 'override'
    ELSE 'band'
  END AS decided_by,
  m4,
  m5
FROM graded
