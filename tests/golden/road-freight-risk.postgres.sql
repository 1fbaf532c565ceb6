WITH rec AS (
  SELECT
    r.subject_id,
    r.item_code,
    r.severity,
    r.decided_on,
    JSONB_EXTRACT_PATH_TEXT(r.attributes, 'conduct') AS a_conduct,
    JSONB_EXTRACT_PATH_TEXT(r.attributes, 'level') AS a_level
  FROM records AS r
  WHERE
    (
      r.decided_on > '2024-06-30' AND r.decided_on <= '2025-06-30'
    )
    AND r.item_code IN ('ROAD_ACCIDENT', 'ROAD_FREIGHT_VIOLATION')
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
      CASE WHEN a_conduct IN ('overloading', 'illegal_modification') THEN 1 ELSE NULL END
    ) AS c0,
    COUNT(
      CASE
        WHEN a_conduct IN ('unlicensed', 'fatigue_driving', 'other')
        THEN 1
        ELSE NULL
      END
    ) AS c1,
    COUNT(CASE WHEN a_conduct IN ('dangerous_goods') THEN 1 ELSE NULL END) AS c2,
    COUNT(CASE WHEN a_level IN ('major', 'severe') THEN 1 ELSE NULL END) AS c3
  FROM rec
  GROUP BY
    subject_id,
    item_code
), p AS (
  SELECT
    k.subject_id,
    CAST(SUM(CASE WHEN k.item_code IN ('ROAD_FREIGHT_VIOLATION') THEN k.c0 ELSE 0 END) AS BIGINT) AS m0,
    CAST(SUM(CASE WHEN k.item_code IN ('ROAD_FREIGHT_VIOLATION') THEN k.c1 ELSE 0 END) AS BIGINT) AS m1,
    CAST(SUM(CASE WHEN k.item_code IN ('ROAD_FREIGHT_VIOLATION') THEN k.c2 ELSE 0 END) AS BIGINT) AS m3,
    CAST(SUM(CASE WHEN k.item_code IN ('ROAD_ACCIDENT') THEN k.c3 ELSE 0 END) AS BIGINT) AS m4,
    CAST(SUM(
      CASE k.item_code
        WHEN 'ROAD_ACCIDENT'
        THEN GREATEST(LEAST(-20 * k.n, 40), -40)
        ELSE 0
      END
    ) AS BIGINT) AS points
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
    COALESCE(p.m3, 0) AS m3,
    COALESCE(p.m4, 0) AS m4,
    GREATEST(
      LEAST(
        100 + COALESCE(p.points, 0) + GREATEST(LEAST(-8 * COALESCE(p.m0, 0), 40), -40) + GREATEST(LEAST(-5 * COALESCE(p.m1, 0), 25), -25),
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
    AND s.industry_code LIKE '54%'
    AND (
      s.registered_on IS NULL OR s.registered_on <= '2025-06-30'
    )
), ranked AS (
  SELECT
    *,
    CASE
      WHEN score >= CAST(89.999999999 AS DOUBLE PRECISION)
      THEN 0
      WHEN score >= CAST(74.999999999 AS DOUBLE PRECISION)
      THEN 1
      WHEN score >= CAST(59.999999999 AS DOUBLE PRECISION)
      THEN 2
      ELSE 3
    END AS band_index,
    CASE WHEN (
      m3 >= 1 OR m4 >= 1
    ) THEN 3 END AS forced_index
  FROM scored
), graded AS (
  SELECT
    *,
    GREATEST(
      COALESCE(forced_index, band_index),
      CASE WHEN registered_on > '2024-06-30' THEN 1 ELSE 0 END
    ) AS grade_index
  FROM ranked
)
SELECT
  subject_id,
  score,
  CASE
    WHEN grade_index = 0
    THEN '低风险'
    WHEN grade_index = 1
    THEN '中风险'
    WHEN grade_index = 2
    THEN '较高风险'
    WHEN grade_index = 3
    THEN '高风险'
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
  m1,
  m3,
  m4
FROM graded
