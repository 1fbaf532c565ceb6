WITH rec AS (
  SELECT
    r.subject_id,
    r.item_code,
    r.severity,
    r.decided_on
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
      'N26',
      'N27',
      'N28',
      'N29',
      'N30',
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
    COUNT(CASE WHEN severity IN (3) THEN 1 ELSE NULL END) AS c0
  FROM rec
  GROUP BY
    subject_id,
    item_code
), w AS (
  SELECT
    'N01' AS item_code,
    -1 AS pts,
    30 AS cap,
    0 AS i0,
    0 AS i1
  UNION ALL
  SELECT
    'N02' AS item_code,
    -2 AS pts,
    30 AS cap,
    0 AS i0,
    0 AS i1
  UNION ALL
  SELECT
    'N03' AS item_code,
    -3 AS pts,
    30 AS cap,
    0 AS i0,
    0 AS i1
  UNION ALL
  SELECT
    'N04' AS item_code,
    -4 AS pts,
    30 AS cap,
    0 AS i0,
    0 AS i1
  UNION ALL
  SELECT
    'N05' AS item_code,
    -5 AS pts,
    30 AS cap,
    0 AS i0,
    1 AS i1
  UNION ALL
  SELECT
    'N06' AS item_code,
    -6 AS pts,
    30 AS cap,
    0 AS i0,
    0 AS i1
  UNION ALL
  SELECT
    'N07' AS item_code,
    -7 AS pts,
    30 AS cap,
    0 AS i0,
    0 AS i1
  UNION ALL
  SELECT
    'N08' AS item_code,
    -8 AS pts,
    30 AS cap,
    0 AS i0,
    0 AS i1
  UNION ALL
  SELECT
    'N09' AS item_code,
    -9 AS pts,
    30 AS cap,
    0 AS i0,
    0 AS i1
  UNION ALL
  SELECT
    'N10' AS item_code,
    -10 AS pts,
    30 AS cap,
    0 AS i0,
    0 AS i1
  UNION ALL
  SELECT
    'N11' AS item_code,
    -11 AS pts,
    30 AS cap,
    0 AS i0,
    0 AS i1
  UNION ALL
  SELECT
    'N12' AS item_code,
    -12 AS pts,
    30 AS cap,
    0 AS i0,
    1 AS i1
  UNION ALL
  SELECT
    'N13' AS item_code,
    -13 AS pts,
    30 AS cap,
    0 AS i0,
    0 AS i1
  UNION ALL
  SELECT
    'N14' AS item_code,
    -14 AS pts,
    30 AS cap,
    0 AS i0,
    0 AS i1
  UNION ALL
  SELECT
    'N15' AS item_code,
    -15 AS pts,
    30 AS cap,
    0 AS i0,
    0 AS i1
  UNION ALL
  SELECT
    'N16' AS item_code,
    -16 AS pts,
    30 AS cap,
    0 AS i0,
    0 AS i1
  UNION ALL
  SELECT
    'N17' AS item_code,
    -17 AS pts,
    30 AS cap,
    0 AS i0,
    0 AS i1
  UNION ALL
  SELECT
    'N18' AS item_code,
    -18 AS pts,
    30 AS cap,
    0 AS i0,
    0 AS i1
  UNION ALL
  SELECT
    'N19' AS item_code,
    -19 AS pts,
    30 AS cap,
    0 AS i0,
    1 AS i1
  UNION ALL
  SELECT
    'N20' AS item_code,
    -20 AS pts,
    30 AS cap,
    0 AS i0,
    0 AS i1
  UNION ALL
  SELECT
    'N21' AS item_code,
    -1 AS pts,
    30 AS cap,
    0 AS i0,
    0 AS i1
  UNION ALL
  SELECT
    'N22' AS item_code,
    -2 AS pts,
    30 AS cap,
    0 AS i0,
    0 AS i1
  UNION ALL
  SELECT
    'N23' AS item_code,
    -3 AS pts,
    30 AS cap,
    0 AS i0,
    0 AS i1
  UNION ALL
  SELECT
    'N24' AS item_code,
    -4 AS pts,
    30 AS cap,
    0 AS i0,
    0 AS i1
  UNION ALL
  SELECT
    'N25' AS item_code,
    -5 AS pts,
    30 AS cap,
    0 AS i0,
    0 AS i1
  UNION ALL
  SELECT
    'N26' AS item_code,
    -6 AS pts,
    30 AS cap,
    0 AS i0,
    1 AS i1
  UNION ALL
  SELECT
    'N27' AS item_code,
    -7 AS pts,
    30 AS cap,
    0 AS i0,
    0 AS i1
  UNION ALL
  SELECT
    'N28' AS item_code,
    -8 AS pts,
    30 AS cap,
    0 AS i0,
    0 AS i1
  UNION ALL
  SELECT
    'N29' AS item_code,
    -9 AS pts,
    30 AS cap,
    0 AS i0,
    0 AS i1
  UNION ALL
  SELECT
    'N30' AS item_code,
    -10 AS pts,
    30 AS cap,
    0 AS i0,
    0 AS i1
  UNION ALL
  SELECT
    'N31' AS item_code,
    -11 AS pts,
    30 AS cap,
    0 AS i0,
    0 AS i1
  UNION ALL
  SELECT
    'N32' AS item_code,
    -12 AS pts,
    30 AS cap,
    0 AS i0,
    0 AS i1
  UNION ALL
  SELECT
    'N33' AS item_code,
    -13 AS pts,
    30 AS cap,
    0 AS i0,
    1 AS i1
  UNION ALL
  SELECT
    'N34' AS item_code,
    -14 AS pts,
    30 AS cap,
    0 AS i0,
    0 AS i1
  UNION ALL
  SELECT
    'N35' AS item_code,
    -15 AS pts,
    30 AS cap,
    0 AS i0,
    0 AS i1
  UNION ALL
  SELECT
    'N36' AS item_code,
    -16 AS pts,
    30 AS cap,
    0 AS i0,
    0 AS i1
  UNION ALL
  SELECT
    'N37' AS item_code,
    -17 AS pts,
    30 AS cap,
    0 AS i0,
    0 AS i1
  UNION ALL
  SELECT
    'N38' AS item_code,
    -18 AS pts,
    30 AS cap,
    0 AS i0,
    0 AS i1
  UNION ALL
  SELECT
    'N39' AS item_code,
    -19 AS pts,
    30 AS cap,
    0 AS i0,
    0 AS i1
  UNION ALL
  SELECT
    'N40' AS item_code,
    -20 AS pts,
    30 AS cap,
    0 AS i0,
    0 AS i1
  UNION ALL
  SELECT
    'P01' AS item_code,
    0 AS pts,
    0 AS cap,
    1 AS i0,
    0 AS i1
  UNION ALL
  SELECT
    'P02' AS item_code,
    0 AS pts,
    0 AS cap,
    1 AS i0,
    0 AS i1
), p AS (
  SELECT
    k.subject_id,
    CAST(SUM(CASE WHEN w.i0 = 1 THEN k.n ELSE 0 END) AS BIGINT) AS m40,
    CAST(SUM(CASE WHEN w.i1 = 1 THEN k.c0 ELSE 0 END) AS BIGINT) AS m41,
    CAST(SUM(GREATEST(LEAST(w.pts * k.n, w.cap), -w.cap)) AS BIGINT) AS points
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
    COALESCE(p.m40, 0) AS m40,
    COALESCE(p.m41, 0) AS m41,
    100 + COALESCE(p.points, 0) + GREATEST(LEAST(5 * COALESCE(p.m40, 0), 10), -10) AS score
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
    CASE WHEN m41 >= 1 THEN 3 END AS forced_index
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
  m40,
  m41
FROM graded
