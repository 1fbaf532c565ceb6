WITH rec AS (
  SELECT
    r.subject_id,
    r.item_code,
    r.severity,
    r.decided_on,
    JSONB_EXTRACT_PATH_TEXT(r.attributes, 'conduct') AS a_conduct,
    CAST(JSONB_EXTRACT_PATH_TEXT(r.attributes, 'contract_10k_cny') AS DOUBLE PRECISION) AS a_contract_10k_cny,
    CAST(JSONB_EXTRACT_PATH_TEXT(r.attributes, 'score') AS DOUBLE PRECISION) AS a_score
  FROM records AS r
  WHERE
    r.decided_on <= '2025-06-30'
    AND r.item_code IN (
      'ADM_PENALTY_GENERAL',
      'ADM_PENALTY_SERIOUS',
      'HWY_BID_MISCONDUCT',
      'HWY_CONDUCT',
      'HWY_PROJECT_EVALUATION',
      'JUD_DEFAULTER'
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
    SUM(
      CASE
        WHEN decided_on > '2023-12-31' AND decided_on <= '2024-12-31'
        THEN a_score * a_contract_10k_cny
        ELSE NULL
      END
    ) AS c0,
    SUM(
      CASE
        WHEN (
          decided_on > '2023-12-31' AND decided_on <= '2024-12-31'
        )
        AND NOT a_score IS NULL
        THEN a_contract_10k_cny
        ELSE NULL
      END
    ) AS c1,
    COUNT(
      CASE
        WHEN decided_on > '2023-12-31' AND decided_on <= '2024-12-31'
        THEN 1
        ELSE NULL
      END
    ) AS c2,
    COUNT(
      CASE
        WHEN (
          decided_on > '2023-12-31' AND decided_on <= '2024-12-31'
        )
        AND a_conduct IN ('bid_withdrawal', 'refusal_to_sign', 'malicious_complaint', 'other')
        THEN 1
        ELSE NULL
      END
    ) AS c3,
    COUNT(
      CASE
        WHEN (
          decided_on > '2023-12-31' AND decided_on <= '2024-12-31'
        )
        AND a_conduct IN ('collusion', 'bribery', 'false_materials')
        THEN 1
        ELSE NULL
      END
    ) AS c4,
    COUNT(
      CASE
        WHEN (
          decided_on > '2023-12-31' AND decided_on <= '2024-12-31'
        )
        AND a_conduct IN ('illegal_subcontracting', 'lending_qualification', 'major_accident')
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
    CAST(SUM(CASE WHEN k.item_code IN ('HWY_PROJECT_EVALUATION') THEN k.c0 ELSE NULL END) AS DOUBLE PRECISION) / NULLIF(
      SUM(CASE WHEN k.item_code IN ('HWY_PROJECT_EVALUATION') THEN k.c1 ELSE NULL END),
      0
    ) AS m0,
    CAST(SUM(CASE WHEN k.item_code IN ('HWY_PROJECT_EVALUATION') THEN k.c2 ELSE 0 END) AS BIGINT) AS m1,
    CAST(SUM(CASE WHEN k.item_code IN ('HWY_BID_MISCONDUCT') THEN k.c3 ELSE 0 END) AS BIGINT) AS m2,
    CAST(SUM(CASE WHEN k.item_code IN ('ADM_PENALTY_GENERAL') THEN k.c2 ELSE 0 END) AS BIGINT) AS m3,
    CAST(SUM(CASE WHEN k.item_code IN ('ADM_PENALTY_SERIOUS') THEN k.c2 ELSE 0 END) AS BIGINT) AS m4,
    CAST(SUM(CASE WHEN k.item_code IN ('HWY_BID_MISCONDUCT') THEN k.c4 ELSE 0 END) AS BIGINT) AS m5,
    CAST(SUM(CASE WHEN k.item_code IN ('HWY_CONDUCT') THEN k.c5 ELSE 0 END) AS BIGINT) AS m6,
    CAST(SUM(CASE WHEN k.item_code IN ('JUD_DEFAULTER') THEN k.n ELSE 0 END) AS BIGINT) AS m7
  FROM k AS k
  GROUP BY
    k.subject_id
), scored AS (
  SELECT
    s.id AS subject_id,
    s.registered_on,
    s.kind,
    s.industry_code,
    p.m0 AS m0,
    COALESCE(p.m1, 0) AS m1,
    COALESCE(p.m2, 0) AS m2,
    COALESCE(p.m3, 0) AS m3,
    COALESCE(p.m4, 0) AS m4,
    COALESCE(p.m5, 0) AS m5,
    COALESCE(p.m6, 0) AS m6,
    COALESCE(p.m7, 0) AS m7,
    GREATEST(
      LEAST(
        0 + 1 * COALESCE(p.m0, 0) + GREATEST(LEAST(-5 * COALESCE(p.m2, 0), 20), -20) + GREATEST(LEAST(-3 * COALESCE(p.m3, 0), 15), -15) + GREATEST(LEAST(-10 * COALESCE(p.m4, 0), 30), -30),
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
      s.region_code LIKE '32%'
      OR s.id IN (
        SELECT
          o.subject_id
        FROM records AS o
        WHERE
          o.decided_in LIKE '32%'
          AND o.item_code IN (
            'ADM_PENALTY_GENERAL',
            'ADM_PENALTY_SERIOUS',
            'HWY_BID_MISCONDUCT',
            'HWY_CONDUCT',
            'HWY_PROJECT_EVALUATION',
            'JUD_DEFAULTER'
          )
          AND o.decided_on <= '2025-06-30'
      )
    )
    AND s.industry_code LIKE '48%'
    AND (
      s.registered_on IS NULL OR s.registered_on <= '2025-06-30'
    )
), ranked AS (
  SELECT
    *,
    CASE
      WHEN score >= CAST(94.999999999 AS DOUBLE PRECISION)
      THEN 0
      WHEN score >= CAST(84.999999999 AS DOUBLE PRECISION)
      THEN 1
      WHEN score >= CAST(74.999999999 AS DOUBLE PRECISION)
      THEN 2
      WHEN score >= CAST(59.999999999 AS DOUBLE PRECISION)
      THEN 3
      ELSE 4
    END AS band_index,
    CASE WHEN m5 >= 1 THEN 4 WHEN m6 >= 1 THEN 4 END AS forced_index
  FROM scored
), graded AS (
  SELECT
    *,
    CASE
      WHEN m1 < 1
      THEN -1
      ELSE GREATEST(
        GREATEST(
          COALESCE(forced_index, band_index),
          CASE WHEN registered_on > '2024-06-30' THEN 1 ELSE 0 END
        ),
        CASE WHEN m7 >= 1 THEN 2 ELSE 0 END
      )
    END AS grade_index
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
    WHEN grade_index = -1
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
  m4,
  m5,
  m6,
  m7
FROM graded
