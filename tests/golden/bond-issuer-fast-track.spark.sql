WITH rec AS (
  SELECT
    r.subject_id,
    r.item_code,
    r.severity,
    r.decided_on,
    GET_JSON_OBJECT(r.attributes, '$.outlook') AS a_outlook,
    GET_JSON_OBJECT(r.attributes, '$.rating') AS a_rating
  FROM records AS r
  WHERE
    (
      r.decided_on > '2022-06-30' AND r.decided_on <= '2025-06-30'
    )
    AND r.item_code IN (
      'ADM_PENALTY_SERIOUS',
      'AGENCY_CREDIT_RATING',
      'JUD_DEFAULTER',
      'SUL_MARKET',
      'SUL_TAX'
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
        WHEN (
          decided_on > '2024-06-30' AND decided_on <= '2025-06-30'
        )
        AND a_outlook IN ('positive', 'stable', 'developing')
        AND a_rating IN ('AAA', 'AA+')
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
    'ADM_PENALTY_SERIOUS' AS item_code,
    1 AS i0,
    0 AS i1
  UNION ALL
  SELECT
    'AGENCY_CREDIT_RATING' AS item_code,
    0 AS i0,
    1 AS i1
  UNION ALL
  SELECT
    'JUD_DEFAULTER' AS item_code,
    1 AS i0,
    0 AS i1
  UNION ALL
  SELECT
    'SUL_MARKET' AS item_code,
    1 AS i0,
    0 AS i1
  UNION ALL
  SELECT
    'SUL_TAX' AS item_code,
    1 AS i0,
    0 AS i1
), p AS (
  SELECT
    k.subject_id,
    CAST(SUM(CASE WHEN w.i0 = 1 THEN k.n ELSE 0 END) AS BIGINT) AS m0,
    CAST(SUM(CASE WHEN w.i1 = 1 THEN k.c0 ELSE 0 END) AS BIGINT) AS m1
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
    0 AS score
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
  CAST(NULL AS STRING) AS decided_by,
  CASE WHEN m1 >= 1 AND m0 = 0 THEN 1 ELSE 0 END AS list_fast_track,
  m0,
  m1
FROM graded
