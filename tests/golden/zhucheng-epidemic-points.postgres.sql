WITH rec AS (
  SELECT
    r.subject_id,
    r.item_code,
    r.severity,
    r.decided_on,
    JSONB_EXTRACT_PATH_TEXT(r.attributes, 'conduct') AS a_conduct,
    JSONB_EXTRACT_PATH_TEXT(r.attributes, 'contribution') AS a_contribution
  FROM records AS r
  WHERE
    (
      r.decided_on > '2023-06-30' AND r.decided_on <= '2025-06-30'
    )
    AND r.item_code IN ('EPIDEMIC_CONTRIBUTION', 'EPIDEMIC_ENDANGERING')
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
        WHEN (
          decided_on > '2024-06-30' AND decided_on <= '2025-06-30'
        )
        AND a_contribution IN ('frontline')
        THEN 1
        ELSE NULL
      END
    ) AS c0,
    COUNT(
      CASE
        WHEN (
          decided_on > '2024-06-30' AND decided_on <= '2025-06-30'
        )
        AND a_contribution IN ('volunteer', 'reporting')
        THEN 1
        ELSE NULL
      END
    ) AS c1,
    COUNT(
      CASE
        WHEN (
          decided_on > '2024-06-30' AND decided_on <= '2025-06-30'
        )
        AND a_contribution IN ('donation')
        THEN 1
        ELSE NULL
      END
    ) AS c2,
    COUNT(
      CASE
        WHEN a_conduct IN ('concealing_travel', 'refusing_quarantine')
        THEN 1
        ELSE NULL
      END
    ) AS c3,
    COUNT(CASE WHEN a_conduct IN ('gathering', 'rumour', 'other') THEN 1 ELSE NULL END) AS c4
  FROM rec
  GROUP BY
    subject_id,
    item_code
), p AS (
  SELECT
    k.subject_id,
    CAST(SUM(CASE WHEN k.item_code IN ('EPIDEMIC_CONTRIBUTION') THEN k.c0 ELSE 0 END) AS BIGINT) AS m0,
    CAST(SUM(CASE WHEN k.item_code IN ('EPIDEMIC_CONTRIBUTION') THEN k.c1 ELSE 0 END) AS BIGINT) AS m1,
    CAST(SUM(CASE WHEN k.item_code IN ('EPIDEMIC_CONTRIBUTION') THEN k.c2 ELSE 0 END) AS BIGINT) AS m2,
    CAST(SUM(CASE WHEN k.item_code IN ('EPIDEMIC_ENDANGERING') THEN k.c3 ELSE 0 END) AS BIGINT) AS m3,
    CAST(SUM(CASE WHEN k.item_code IN ('EPIDEMIC_ENDANGERING') THEN k.c4 ELSE 0 END) AS BIGINT) AS m4
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
    0 + GREATEST(LEAST(10 * COALESCE(p.m0, 0), 30), -30) + GREATEST(LEAST(3 * COALESCE(p.m1, 0), 15), -15) + GREATEST(LEAST(2 * COALESCE(p.m2, 0), 10), -10) + -20 * COALESCE(p.m3, 0) + GREATEST(LEAST(-5 * COALESCE(p.m4, 0), 15), -15) AS score
  FROM subjects AS s
  LEFT JOIN p
    ON p.subject_id = s.id
  WHERE
    s.kind IN ('individual')
    AND s.status IN ('active')
    AND s.region_code LIKE '370782%'
    AND (
      s.registered_on IS NULL OR s.registered_on <= '2025-06-30'
    )
), ranked AS (
  SELECT
    *,
    0 AS band_index
  FROM scored
), graded AS (
  SELECT
    *,
    band_index AS grade_index
  FROM ranked
)
SELECT
  subject_id,
  score,
  NULL AS grade,
  CAST(NULL AS TEXT) AS decided_by,
  CASE WHEN score >= CAST(19.999999999 AS DOUBLE PRECISION) THEN 1 ELSE 0 END AS list_honour_roll,
  CASE WHEN score < CAST(-10.000000001 AS DOUBLE PRECISION) THEN 1 ELSE 0 END AS list_key_attention,
  m0,
  m1,
  m2,
  m3,
  m4
FROM graded
