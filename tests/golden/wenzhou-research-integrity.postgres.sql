WITH rec AS (
  SELECT
    r.subject_id,
    r.item_code,
    r.severity,
    r.decided_on,
    JSONB_EXTRACT_PATH_TEXT(r.attributes, 'conduct') AS a_conduct,
    JSONB_EXTRACT_PATH_TEXT(r.attributes, 'handling') AS a_handling,
    JSONB_EXTRACT_PATH_TEXT(r.attributes, 'result') AS a_result
  FROM records AS r
  WHERE
    (
      r.decided_on > '2020-06-30' AND r.decided_on <= '2025-06-30'
    )
    AND r.item_code IN ('HON_AWARD', 'RESEARCH_MISCONDUCT', 'RESEARCH_PROJECT_RESULT')
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
    COUNT(CASE WHEN a_result IN ('failed') THEN 1 ELSE NULL END) AS c0,
    COUNT(CASE WHEN a_result IN ('excellent') THEN 1 ELSE NULL END) AS c1,
    COUNT(CASE WHEN a_handling IN ('warning', 'notice') THEN 1 ELSE NULL END) AS c2,
    COUNT(
      CASE
        WHEN decided_on > '2022-06-30' AND decided_on <= '2025-06-30'
        THEN 1
        ELSE NULL
      END
    ) AS c3,
    COUNT(
      CASE
        WHEN a_handling IN ('project_suspended', 'project_terminated', 'funds_recovered')
        THEN 1
        ELSE NULL
      END
    ) AS c4,
    COUNT(
      CASE
        WHEN a_conduct IN ('bribery', 'fabrication', 'falsification', 'plagiarism', 'fund_misuse')
        THEN 1
        ELSE NULL
      END
    ) AS c5
  FROM rec
  GROUP BY
    subject_id,
    item_code
), p AS (
  SELECT
    k.subject_id,
    CAST(SUM(CASE WHEN k.item_code IN ('RESEARCH_PROJECT_RESULT') THEN k.c0 ELSE 0 END) AS BIGINT) AS m0,
    CAST(SUM(CASE WHEN k.item_code IN ('RESEARCH_PROJECT_RESULT') THEN k.c1 ELSE 0 END) AS BIGINT) AS m1,
    CAST(SUM(CASE WHEN k.item_code IN ('RESEARCH_MISCONDUCT') THEN k.c2 ELSE 0 END) AS BIGINT) AS m2,
    CAST(SUM(CASE WHEN k.item_code IN ('HON_AWARD') THEN k.c3 ELSE 0 END) AS BIGINT) AS m3,
    CAST(SUM(CASE WHEN k.item_code IN ('RESEARCH_MISCONDUCT') THEN k.c4 ELSE 0 END) AS BIGINT) AS m4,
    CAST(SUM(CASE WHEN k.item_code IN ('RESEARCH_MISCONDUCT') THEN k.c5 ELSE 0 END) AS BIGINT) AS m5
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
        90 + GREATEST(LEAST(-10 * COALESCE(p.m0, 0), 30), -30) + GREATEST(LEAST(5 * COALESCE(p.m1, 0), 10), -10) + GREATEST(LEAST(-20 * COALESCE(p.m2, 0), 40), -40) + GREATEST(LEAST(5 * COALESCE(p.m3, 0), 10), -10),
        100
      ),
      0
    ) AS score
  FROM subjects AS s
  LEFT JOIN p
    ON p.subject_id = s.id
  WHERE
    s.kind IN ('enterprise', 'individual', 'organisation')
    AND s.status IN ('active')
    AND s.region_code LIKE '3303%'
    AND (
      s.registered_on IS NULL OR s.registered_on <= '2025-06-30'
    )
), ranked AS (
  SELECT
    *,
    CASE
      WHEN score >= CAST(94.999999999 AS DOUBLE PRECISION)
      THEN 0
      WHEN score >= CAST(79.999999999 AS DOUBLE PRECISION)
      THEN 1
      WHEN score >= CAST(59.999999999 AS DOUBLE PRECISION)
      THEN 2
      ELSE 3
    END AS band_index,
    CASE WHEN m4 >= 1 THEN 3 WHEN m5 >= 1 THEN 2 END AS forced_index
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
  CASE WHEN m4 >= 1 THEN 1 ELSE 0 END AS list_blacklist,
  m0,
  m1,
  m2,
  m3,
  m4,
  m5
FROM graded
