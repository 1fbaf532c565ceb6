WITH rec AS (
  SELECT
    r.subject_id,
    r.item_code,
    r.severity,
    r.decided_on,
    JSONB_EXTRACT_PATH_TEXT(r.attributes, 'grave_harm') AS a_grave_harm,
    JSONB_EXTRACT_PATH_TEXT(r.attributes, 'not_performed') AS a_not_performed,
    JSONB_EXTRACT_PATH_TEXT(r.attributes, 'penalty') AS a_penalty
  FROM records AS r
  WHERE
    (
      r.decided_on > '2024-06-30' AND r.decided_on <= '2025-06-30'
    )
    AND r.item_code IN ('NET_INTERVIEW', 'NET_VIOLATION')
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
        WHEN a_penalty IN ('site_closed', 'licence_revoked', 'business_licence_revoked', 'filing_cancelled')
        THEN 1
        ELSE NULL
      END
    ) AS c0,
    COUNT(
      CASE
        WHEN LOWER(CAST(a_not_performed AS TEXT)) IN ('1', 'true')
        AND a_penalty IN ('other_penalty')
        THEN 1
        ELSE NULL
      END
    ) AS c1,
    COUNT(
      CASE WHEN LOWER(CAST(a_grave_harm AS TEXT)) IN ('1', 'true') THEN 1 ELSE NULL END
    ) AS c2,
    COUNT(CASE WHEN a_penalty IN ('other_penalty') THEN 1 ELSE NULL END) AS c3
  FROM rec
  GROUP BY
    subject_id,
    item_code
), p AS (
  SELECT
    k.subject_id,
    CAST(SUM(CASE WHEN k.item_code IN ('NET_VIOLATION') THEN k.c0 ELSE 0 END) AS BIGINT) AS m0,
    CAST(SUM(CASE WHEN k.item_code IN ('NET_VIOLATION') THEN k.c1 ELSE 0 END) AS BIGINT) AS m1,
    CAST(SUM(CASE WHEN k.item_code IN ('NET_VIOLATION') THEN k.c2 ELSE 0 END) AS BIGINT) AS m2,
    CAST(SUM(CASE WHEN k.item_code IN ('NET_VIOLATION') THEN k.c3 ELSE 0 END) AS BIGINT) AS m3,
    CAST(SUM(CASE WHEN k.item_code IN ('NET_INTERVIEW') THEN k.n ELSE 0 END) AS BIGINT) AS m4
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
    0 AS score
  FROM subjects AS s
  LEFT JOIN p
    ON p.subject_id = s.id
  WHERE
    s.kind IN ('enterprise', 'individual', 'organisation')
    AND s.status IN ('active')
    AND (
      s.kind <> 'individual' OR s.registered_on <= '2007-06-30'
    )
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
  CASE WHEN (
    m0 >= 1 OR m1 >= 1 OR m2 >= 1
  ) THEN 1 ELSE 0 END AS list_blacklist,
  CASE WHEN (
    m3 >= 1 OR m4 >= 3
  ) THEN 1 ELSE 0 END AS list_key_attention,
  m0,
  m1,
  m2,
  m3,
  m4
FROM graded
