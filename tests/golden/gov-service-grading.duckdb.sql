WITH rec AS (
  SELECT
    r.subject_id,
    r.item_code,
    r.severity,
    r.decided_on,
    CAST(r.attributes ->> '$.level' AS DOUBLE) AS a_level,
    CAST(r.attributes ->> '$.on_time' AS DOUBLE) AS a_on_time
  FROM records AS r
  WHERE
    (
      r.decided_on > '2025-05-30' AND r.decided_on <= '2025-06-30'
    )
    AND r.item_code IN (
      'GOV_SERVICE_COMPLAINT_UPHELD',
      'GOV_SERVICE_RATING',
      'GOV_SERVICE_RECTIFICATION'
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
    COUNT(CASE WHEN a_level >= 4 THEN 1 ELSE NULL END) AS c0,
    SUM(a_level) AS c1,
    COUNT(a_level) AS c2,
    COUNT(CASE WHEN a_on_time = 1 THEN 1 ELSE NULL END) AS c3
  FROM rec
  GROUP BY
    subject_id,
    item_code
), w AS (
  SELECT
    'GOV_SERVICE_COMPLAINT_UPHELD' AS item_code,
    -5 AS pts,
    30 AS cap,
    0 AS i0,
    0 AS i1
  UNION ALL
  SELECT
    'GOV_SERVICE_RATING' AS item_code,
    0 AS pts,
    0 AS cap,
    1 AS i0,
    0 AS i1
  UNION ALL
  SELECT
    'GOV_SERVICE_RECTIFICATION' AS item_code,
    0 AS pts,
    0 AS cap,
    0 AS i0,
    1 AS i1
), p AS (
  SELECT
    k.subject_id,
    CAST(SUM(CASE WHEN w.i0 = 1 THEN k.n ELSE 0 END) AS BIGINT) AS m0,
    CAST(SUM(CASE WHEN w.i0 = 1 THEN k.c0 ELSE 0 END) AS BIGINT) AS m1,
    SUM(CASE WHEN w.i0 = 1 THEN k.c1 ELSE NULL END) / NULLIF(SUM(CASE WHEN w.i0 = 1 THEN k.c2 ELSE NULL END), 0) AS m2,
    CAST(SUM(CASE WHEN w.i1 = 1 THEN k.n ELSE 0 END) AS BIGINT) AS m3,
    CAST(SUM(CASE WHEN w.i1 = 1 THEN k.c3 ELSE 0 END) AS BIGINT) AS m4,
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
    COALESCE(p.m0, 0) AS m0,
    COALESCE(p.m1, 0) AS m1,
    p.m2 AS m2,
    COALESCE(p.m3, 0) AS m3,
    COALESCE(p.m4, 0) AS m4,
    GREATEST(LEAST(0 + COALESCE(p.points, 0) + 20 * COALESCE(p.m2, 0), 100), 0) AS score
  FROM subjects AS s
  LEFT JOIN p
    ON p.subject_id = s.id
  WHERE
    s.kind IN ('agency')
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
      WHEN score >= CAST(79.999999999 AS DOUBLE)
      THEN 1
      WHEN score >= CAST(69.999999999 AS DOUBLE)
      THEN 2
      ELSE 3
    END AS band_index
  FROM scored
), graded AS (
  SELECT
    *,
    CASE
      WHEN m0 < 10
      THEN -1
      ELSE GREATEST(
        GREATEST(band_index, CASE WHEN m1 < CAST(0.9 AS DOUBLE) * m0 THEN 1 ELSE 0 END),
        CASE WHEN m4 < CAST(0.8 AS DOUBLE) * m3 THEN 2 ELSE 0 END
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
    THEN '未评价'
  END AS grade,
  CASE
    WHEN grade_index = -1
    THEN 'new_subject'
    WHEN grade_index > band_index
    THEN 'bar'
    ELSE 'band'
  END AS decided_by,
  m0,
  m1,
  m2,
  m3,
  m4
FROM graded
