WITH rec AS (
  SELECT
    r.subject_id,
    r.item_code,
    r.severity,
    r.decided_on,
    CAST(JSONB_EXTRACT_PATH_TEXT(r.attributes, 'amount_10k_cny') AS DOUBLE PRECISION) AS a_amount_10k_cny,
    JSONB_EXTRACT_PATH_TEXT(r.attributes, 'stage') AS a_stage
  FROM records AS r
  WHERE
    r.decided_on <= '2025-06-30'
    AND r.item_code IN (
      'ADM_PENALTY_GENERAL',
      'ADM_PENALTY_MINOR',
      'ADM_PENALTY_SERIOUS',
      'BIKE_OPERATOR_VIOLATION',
      'BIKE_VIOLATION',
      'ENV_VIOLATION',
      'EPIDEMIC_ENDANGERING',
      'EPIDEMIC_MARKET_VIOLATION',
      'HWY_BID_MISCONDUCT',
      'JUD_DEFAULTER',
      'NET_VIOLATION',
      'OBL_SOCIAL_INSURANCE_ARREARS',
      'OBL_TAX_ARREARS',
      'RESEARCH_MISCONDUCT',
      'ROAD_ACCIDENT',
      'ROAD_FREIGHT_VIOLATION',
      'SUL_MARKET',
      'SUL_TAX',
      'VC_LOCAL_INVESTMENT'
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
        WHEN decided_on > '2022-06-30' AND decided_on <= '2025-06-30'
        THEN a_amount_10k_cny
        ELSE NULL
      END
    ) AS c0,
    COUNT(
      CASE
        WHEN (
          decided_on > '2022-06-30' AND decided_on <= '2025-06-30'
        )
        AND a_stage IN ('seed', 'early')
        THEN 1
        ELSE NULL
      END
    ) AS c1,
    COUNT(
      CASE
        WHEN decided_on > '2022-06-30' AND decided_on <= '2025-06-30'
        THEN 1
        ELSE NULL
      END
    ) AS c2
  FROM rec
  GROUP BY
    subject_id,
    item_code
), p AS (
  SELECT
    k.subject_id,
    SUM(CASE WHEN k.item_code IN ('VC_LOCAL_INVESTMENT') THEN k.c0 ELSE NULL END) AS m0,
    CAST(SUM(CASE WHEN k.item_code IN ('VC_LOCAL_INVESTMENT') THEN k.c1 ELSE 0 END) AS BIGINT) AS m1,
    CAST(SUM(
      CASE
        WHEN k.item_code IN (
          'ADM_PENALTY_GENERAL',
          'ADM_PENALTY_MINOR',
          'ADM_PENALTY_SERIOUS',
          'BIKE_OPERATOR_VIOLATION',
          'BIKE_VIOLATION',
          'ENV_VIOLATION',
          'EPIDEMIC_ENDANGERING',
          'EPIDEMIC_MARKET_VIOLATION',
          'HWY_BID_MISCONDUCT',
          'NET_VIOLATION',
          'RESEARCH_MISCONDUCT',
          'ROAD_ACCIDENT',
          'ROAD_FREIGHT_VIOLATION'
        )
        THEN k.c2
        ELSE 0
      END
    ) AS BIGINT) AS m2,
    CAST(SUM(
      CASE
        WHEN k.item_code IN ('OBL_SOCIAL_INSURANCE_ARREARS', 'OBL_TAX_ARREARS')
        THEN k.c2
        ELSE 0
      END
    ) AS BIGINT) AS m3,
    CAST(SUM(
      CASE
        WHEN k.item_code IN ('JUD_DEFAULTER', 'SUL_MARKET', 'SUL_TAX')
        THEN k.n
        ELSE 0
      END
    ) AS BIGINT) AS m4
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
    GREATEST(
      LEAST(
        80 + GREATEST(LEAST(CAST(0.05 AS DOUBLE PRECISION) * COALESCE(p.m0, 0), 15), -15) + CASE WHEN COALESCE(p.m1, 0) >= 2 THEN 5 ELSE 0 END + GREATEST(LEAST(-10 * COALESCE(p.m2, 0), 40), -40) + GREATEST(LEAST(-10 * COALESCE(p.m3, 0), 20), -20) + -50 * COALESCE(p.m4, 0),
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
    AND s.region_code LIKE '63%'
    AND s.industry_code LIKE '67%'
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
    CASE WHEN m4 >= 1 THEN 3 END AS forced_index
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
  CASE WHEN score >= CAST(94.999999999 AS DOUBLE PRECISION) THEN 1 ELSE 0 END AS list_redlist,
  m0,
  m1,
  m2,
  m3,
  m4
FROM graded
