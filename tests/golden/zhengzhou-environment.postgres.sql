WITH rec AS (
  SELECT
    r.subject_id,
    r.item_code,
    r.severity,
    r.decided_on,
    JSONB_EXTRACT_PATH_TEXT(r.attributes, 'conduct') AS a_conduct,
    CAST(JSONB_EXTRACT_PATH_TEXT(r.attributes, 'fine_10k_cny') AS DOUBLE PRECISION) AS a_fine_10k_cny
  FROM records AS r
  WHERE
    (
      r.decided_on > '2023-06-30' AND r.decided_on <= '2025-06-30'
    )
    AND r.item_code IN ('ENV_VIOLATION')
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
    COUNT(CASE WHEN a_conduct IN ('exceedance') THEN 1 ELSE NULL END) AS c0,
    COUNT(CASE WHEN a_conduct IN ('no_permit') THEN 1 ELSE NULL END) AS c1,
    COUNT(CASE WHEN a_conduct IN ('dust', 'waste', 'other') THEN 1 ELSE NULL END) AS c2,
    COUNT(CASE WHEN a_fine_10k_cny >= 10 THEN 1 ELSE NULL END) AS c3,
    COUNT(
      CASE
        WHEN decided_on > '2024-06-30' AND decided_on <= '2025-06-30'
        THEN 1
        ELSE NULL
      END
    ) AS c4,
    COUNT(CASE WHEN a_conduct IN ('falsified_monitoring') THEN 1 ELSE NULL END) AS c5
  FROM rec
  GROUP BY
    subject_id,
    item_code
), p AS (
  SELECT
    k.subject_id,
    CAST(SUM(k.c0) AS BIGINT) AS m0,
    CAST(SUM(k.c1) AS BIGINT) AS m1,
    CAST(SUM(k.c2) AS BIGINT) AS m2,
    CAST(SUM(k.c3) AS BIGINT) AS m3,
    CAST(SUM(k.c4) AS BIGINT) AS m4,
    CAST(SUM(k.c5) AS BIGINT) AS m5
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
    COALESCE(p.m5, 0) AS m5,
    GREATEST(
      LEAST(
        100 + GREATEST(LEAST(-10 * COALESCE(p.m0, 0), 40), -40) + GREATEST(LEAST(-15 * COALESCE(p.m1, 0), 45), -45) + GREATEST(LEAST(-5 * COALESCE(p.m2, 0), 20), -20) + GREATEST(LEAST(-5 * COALESCE(p.m3, 0), 15), -15) + CASE WHEN COALESCE(p.m4, 0) >= 3 THEN -10 ELSE 0 END,
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
    AND s.region_code LIKE '4101%'
    AND (
      s.industry_code LIKE '13%'
      OR s.industry_code LIKE '14%'
      OR s.industry_code LIKE '15%'
      OR s.industry_code LIKE '16%'
      OR s.industry_code LIKE '17%'
      OR s.industry_code LIKE '18%'
      OR s.industry_code LIKE '19%'
      OR s.industry_code LIKE '20%'
      OR s.industry_code LIKE '21%'
      OR s.industry_code LIKE '22%'
      OR s.industry_code LIKE '23%'
      OR s.industry_code LIKE '24%'
      OR s.industry_code LIKE '25%'
      OR s.industry_code LIKE '26%'
      OR s.industry_code LIKE '27%'
      OR s.industry_code LIKE '28%'
      OR s.industry_code LIKE '29%'
      OR s.industry_code LIKE '30%'
      OR s.industry_code LIKE '31%'
      OR s.industry_code LIKE '32%'
      OR s.industry_code LIKE '33%'
      OR s.industry_code LIKE '34%'
      OR s.industry_code LIKE '35%'
      OR s.industry_code LIKE '36%'
      OR s.industry_code LIKE '37%'
      OR s.industry_code LIKE '38%'
      OR s.industry_code LIKE '39%'
      OR s.industry_code LIKE '40%'
      OR s.industry_code LIKE '41%'
      OR s.industry_code LIKE '42%'
      OR s.industry_code LIKE '43%'
      OR s.industry_code LIKE '47%'
      OR s.industry_code LIKE '48%'
      OR s.industry_code LIKE '49%'
      OR s.industry_code LIKE '50%'
    )
    AND (
      s.registered_on IS NULL OR s.registered_on <= '2025-06-30'
    )
), ranked AS (
  SELECT
    *,
    CASE
      WHEN score >= CAST(99.999999999 AS DOUBLE PRECISION)
      THEN 0
      WHEN score >= CAST(79.999999999 AS DOUBLE PRECISION)
      THEN 1
      WHEN score >= CAST(59.999999999 AS DOUBLE PRECISION)
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
    THEN '环保诚信'
    WHEN grade_index = 1
    THEN '环保良好'
    WHEN grade_index = 2
    THEN '环保警示'
    WHEN grade_index = 3
    THEN '环保不良'
  END AS grade,
  CASE
    WHEN grade_index = -1
    THEN 'new_subject'
    WHEN NOT forced_index IS NULL
    THEN 'override'
    ELSE 'band'
  END AS decided_by,
  CASE WHEN score >= CAST(99.999999999 AS DOUBLE PRECISION) THEN 1 ELSE 0 END AS list_redlist,
  CASE
    WHEN score < CAST(79.999999999 AS DOUBLE PRECISION)
    AND score >= CAST(59.999999999 AS DOUBLE PRECISION)
    THEN 1
    ELSE 0
  END AS list_warning,
  CASE WHEN score < CAST(59.999999999 AS DOUBLE PRECISION) THEN 1 ELSE 0 END AS list_blacklist,
  m0,
  m1,
  m2,
  m3,
  m4,
  m5
FROM graded
