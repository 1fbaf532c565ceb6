WITH rec AS (
  SELECT
    r.subject_id,
    r.item_code,
    r.severity,
    r.decided_on,
    GET_JSON_OBJECT(r.attributes, '$.authority') AS a_authority,
    GET_JSON_OBJECT(r.attributes, '$.decided_by') AS a_decided_by,
    GET_JSON_OBJECT(r.attributes, '$.grade') AS a_grade,
    GET_JSON_OBJECT(r.attributes, '$.industry') AS a_industry,
    GET_JSON_OBJECT(r.attributes, '$.level') AS a_level
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
    a_authority,
    COUNT(*) AS n,
    MAX(CASE WHEN a_industry = '48' AND a_level = 'provincial' THEN 1 ELSE 0 END) AS c0,
    MAX(
      CASE
        WHEN a_decided_by = 'override'
        AND a_grade = 'D'
        AND a_industry = '48'
        AND a_level = 'provincial'
        THEN 1
        ELSE 0
      END
    ) AS c1,
    COUNT(
      CASE
        WHEN a_grade = 'A' AND a_industry = '48' AND a_level = 'provincial'
        THEN 1
        ELSE NULL
      END
    ) AS c2,
    COUNT(
      CASE
        WHEN a_grade = 'B' AND a_industry = '48' AND a_level = 'provincial'
        THEN 1
        ELSE NULL
      END
    ) AS c3,
    COUNT(
      CASE
        WHEN a_grade IN ('C', 'D') AND a_industry = '48' AND a_level = 'provincial'
        THEN 1
        ELSE NULL
      END
    ) AS c4
  FROM rec
  GROUP BY
    subject_id,
    item_code,
    a_authority
), p AS (
  SELECT
    k.subject_id,
    COUNT(DISTINCT CASE WHEN k.c0 = 1 THEN k.a_authority ELSE NULL END) AS m0,
    COUNT(DISTINCT CASE WHEN k.c1 = 1 THEN k.a_authority ELSE NULL END) AS m1,
    CAST(SUM(k.c2) AS BIGINT) AS m2,
    CAST(SUM(k.c3) AS BIGINT) AS m3,
    CAST(SUM(k.c4) AS BIGINT) AS m4
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
    GREATEST(LEAST(0 + GREATEST(LEAST(100 * COALESCE(p.m0, 0), 100), -100), 100), 0) AS score
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
), ranked AS (
  SELECT
    *,
    CASE
      WHEN score >= CAST(99.999999999 AS DOUBLE)
      THEN 0
      WHEN score >= CAST(89.999999999 AS DOUBLE)
      THEN 1
      WHEN score >= CAST(79.999999999 AS DOUBLE)
      THEN 2
      WHEN score >= CAST(69.999999999 AS DOUBLE)
      THEN 3
      WHEN score >= CAST(0.999999999 AS DOUBLE)
      THEN 4
      ELSE 5
    END AS band_index,
    CASE WHEN m1 >= 2 THEN 4 WHEN m1 >= 1 THEN 3 END AS forced_index
  FROM scored
), graded AS (
  SELECT
    *,
    GREATEST(
      GREATEST(
        GREATEST(COALESCE(forced_index, band_index), CASE WHEN m2 >= 1 THEN 1 ELSE 0 END),
        CASE WHEN m3 >= 1 THEN 2 ELSE 0 END
      ),
      CASE WHEN m4 >= 1 THEN 3 ELSE 0 END
    ) AS grade_index
  FROM ranked
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
  m2,
  m3,
  m4
FROM graded
