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
), p AS (
  SELECT
    k.subject_id,
    CAST(SUM(CASE WHEN k.item_code IN ('P01', 'P02') THEN k.n ELSE 0 END) AS BIGINT) AS m40,
    CAST(SUM(
      CASE WHEN k.item_code IN ('N05', 'N12', 'N19', 'N26', 'N33') THEN k.c0 ELSE 0 END
    ) AS BIGINT) AS m41,
    CAST(SUM(
      CASE k.item_code
        WHEN 'N01'
        THEN GREATEST(LEAST(-1 * k.n, 30), -30)
        WHEN 'N02'
        THEN GREATEST(LEAST(-2 * k.n, 30), -30)
        WHEN 'N03'
        THEN GREATEST(LEAST(-3 * k.n, 30), -30)
        WHEN 'N04'
        THEN GREATEST(LEAST(-4 * k.n, 30), -30)
        WHEN 'N05'
        THEN GREATEST(LEAST(-5 * k.n, 30), -30)
        WHEN 'N06'
        THEN GREATEST(LEAST(-6 * k.n, 30), -30)
        WHEN 'N07'
        THEN GREATEST(LEAST(-7 * k.n, 30), -30)
        WHEN 'N08'
        THEN GREATEST(LEAST(-8 * k.n, 30), -30)
        WHEN 'N09'
        THEN GREATEST(LEAST(-9 * k.n, 30), -30)
        WHEN 'N10'
        THEN GREATEST(LEAST(-10 * k.n, 30), -30)
        WHEN 'N11'
        THEN GREATEST(LEAST(-11 * k.n, 30), -30)
        WHEN 'N12'
        THEN GREATEST(LEAST(-12 * k.n, 30), -30)
        WHEN 'N13'
        THEN GREATEST(LEAST(-13 * k.n, 30), -30)
        WHEN 'N14'
        THEN GREATEST(LEAST(-14 * k.n, 30), -30)
        WHEN 'N15'
        THEN GREATEST(LEAST(-15 * k.n, 30), -30)
        WHEN 'N16'
        THEN GREATEST(LEAST(-16 * k.n, 30), -30)
        WHEN 'N17'
        THEN GREATEST(LEAST(-17 * k.n, 30), -30)
        WHEN 'N18'
        THEN GREATEST(LEAST(-18 * k.n, 30), -30)
        WHEN 'N19'
        THEN GREATEST(LEAST(-19 * k.n, 30), -30)
        WHEN 'N20'
        THEN GREATEST(LEAST(-20 * k.n, 30), -30)
        WHEN 'N21'
        THEN GREATEST(LEAST(-1 * k.n, 30), -30)
        WHEN 'N22'
        THEN GREATEST(LEAST(-2 * k.n, 30), -30)
        WHEN 'N23'
        THEN GREATEST(LEAST(-3 * k.n, 30), -30)
        WHEN 'N24'
        THEN GREATEST(LEAST(-4 * k.n, 30), -30)
        WHEN 'N25'
        THEN GREATEST(LEAST(-5 * k.n, 30), -30)
        WHEN 'N26'
        THEN GREATEST(LEAST(-6 * k.n, 30), -30)
        WHEN 'N27'
        THEN GREATEST(LEAST(-7 * k.n, 30), -30)
        WHEN 'N28'
        THEN GREATEST(LEAST(-8 * k.n, 30), -30)
        WHEN 'N29'
        THEN GREATEST(LEAST(-9 * k.n, 30), -30)
        WHEN 'N30'
        THEN GREATEST(LEAST(-10 * k.n, 30), -30)
        WHEN 'N31'
        THEN GREATEST(LEAST(-11 * k.n, 30), -30)
        WHEN 'N32'
        THEN GREATEST(LEAST(-12 * k.n, 30), -30)
        WHEN 'N33'
        THEN GREATEST(LEAST(-13 * k.n, 30), -30)
        WHEN 'N34'
        THEN GREATEST(LEAST(-14 * k.n, 30), -30)
        WHEN 'N35'
        THEN GREATEST(LEAST(-15 * k.n, 30), -30)
        WHEN 'N36'
        THEN GREATEST(LEAST(-16 * k.n, 30), -30)
        WHEN 'N37'
        THEN GREATEST(LEAST(-17 * k.n, 30), -30)
        WHEN 'N38'
        THEN GREATEST(LEAST(-18 * k.n, 30), -30)
        WHEN 'N39'
        THEN GREATEST(LEAST(-19 * k.n, 30), -30)
        WHEN 'N40'
        THEN GREATEST(LEAST(-20 * k.n, 30), -30)
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
