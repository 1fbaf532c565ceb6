WITH rec AS (
  SELECT
    r.subject_id,
    r.item_code,
    r.severity,
    r.decided_on,
    CAST(JSONB_EXTRACT_PATH_TEXT(r.attributes, 'amount') AS DOUBLE PRECISION) AS a_amount,
    CAST(JSONB_EXTRACT_PATH_TEXT(r.attributes, 'contract') AS DOUBLE PRECISION) AS a_contract
  FROM records AS r
  WHERE
    (
      r.decided_on > '2022-06-30' AND r.decided_on <= '2025-06-30'
    )
    AND r.item_code IN (
      'N01',
      'N02',
      'N03',
      'N04',
      'N05',
      'N06',
      'N07',
      'N08',
      'N09',
      'N10',
      'N11',
      'N12',
      'N13',
      'N14',
      'N15',
      'N16',
      'N17',
      'N18',
      'N19',
      'N20',
      'N21',
      'N22',
      'N23',
      'N24',
      'N25',
      'N31',
      'N32',
      'N33',
      'N34',
      'N35',
      'N36',
      'N37',
      'N38',
      'N39',
      'N40',
      'P01',
      'P02'
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
    SUM(a_amount) AS c0,
    SUM(
      CASE
        WHEN decided_on > '2024-06-30' AND decided_on <= '2025-06-30'
        THEN a_amount
        ELSE NULL
      END
    ) AS c1,
    SUM(a_amount * a_contract) AS c2,
    SUM(CASE WHEN NOT a_amount IS NULL THEN a_contract ELSE NULL END) AS c3,
    COUNT(CASE WHEN severity IN (3) THEN 1 ELSE NULL END) AS c4
  FROM rec
  GROUP BY
    subject_id,
    item_code
), p AS (
  SELECT
    k.subject_id,
    SUM(
      CASE
        WHEN k.item_code IN ('N01', 'N02', 'N03', 'N04', 'N05', 'N06', 'N07', 'N08', 'N09', 'N10')
        THEN k.c0
        ELSE NULL
      END
    ) AS m0,
    SUM(
      CASE
        WHEN k.item_code IN ('N31', 'N32', 'N33', 'N34', 'N35', 'N36', 'N37', 'N38', 'N39', 'N40')
        THEN k.c1
        ELSE NULL
      END
    ) AS m1,
    CAST(SUM(
      CASE
        WHEN k.item_code IN ('N11', 'N12', 'N13', 'N14', 'N15', 'N16', 'N17', 'N18', 'N19', 'N20')
        THEN k.c2
        ELSE NULL
      END
    ) AS DOUBLE PRECISION) / NULLIF(
      SUM(
        CASE
          WHEN k.item_code IN ('N11', 'N12', 'N13', 'N14', 'N15', 'N16', 'N17', 'N18', 'N19', 'N20')
          THEN k.c3
          ELSE NULL
        END
      ),
      0
    ) AS m2,
    CAST(SUM(CASE WHEN k.item_code IN ('N05') THEN k.c4 ELSE 0 END) AS BIGINT) AS m3,
    CAST(SUM(CASE WHEN k.item_code IN ('P01', 'P02') THEN k.n ELSE 0 END) AS BIGINT) AS m9,
    CAST(SUM(
      CASE k.item_code
        WHEN 'N21'
        THEN GREATEST(LEAST(-3 * k.n, 30), -30)
        WHEN 'N22'
        THEN GREATEST(LEAST(-3 * k.n, 30), -30)
        WHEN 'N23'
        THEN GREATEST(LEAST(-3 * k.n, 30), -30)
        WHEN 'N24'
        THEN GREATEST(LEAST(-3 * k.n, 30), -30)
        WHEN 'N25'
        THEN GREATEST(LEAST(-3 * k.n, 30), -30)
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
    p.m2 AS m2,
    COALESCE(p.m3, 0) AS m3,
    COALESCE(p.m9, 0) AS m9,
    100 + COALESCE(p.points, 0) + -2 * COALESCE(p.m2, 0) + GREATEST(LEAST(5 * COALESCE(p.m9, 0), 10), -10) AS score
  FROM subjects AS s
  LEFT JOIN p
    ON p.subject_id = s.id
  WHERE
    s.kind IN ('agency', 'enterprise', 'individual', 'organisation')
    AND s.status IN ('active')
    AND (
      s.registered_on IS NULL OR s.registered_on <= '2025-06-30'
    )
), ranked AS (
  SELECT
    *,
    CASE
      WHEN score >= CAST(89.999999999 AS DOUBLE PRECISION)
      THEN 0
      WHEN score >= CAST(69.999999999 AS DOUBLE PRECISION)
      THEN 1
      WHEN score >= CAST(39.999999999 AS DOUBLE PRECISION)
      THEN 2
      ELSE 3
    END AS band_index,
    CASE WHEN m0 > 3 * m1 THEN 3 END AS forced_index
  FROM scored
), graded AS (
  SELECT
    *,
    GREATEST(COALESCE(forced_index, band_index), CASE WHEN m3 >= 2 THEN 1 ELSE 0 END) AS grade_index
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
    WHEN grade_index > COALESCE(forced_index, band_index)
    THEN 'bar'
    WHEN NOT forced_index IS NULL
    THEN 'override'
    ELSE 'band'
  END AS decided_by,
  CASE WHEN (
    m3 >= 1 OR m0 >= 40
  ) THEN 1 ELSE 0 END AS list_blacklist,
  m0,
  m1,
  m2,
  m3,
  m9
FROM graded
