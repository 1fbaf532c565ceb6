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
        NOT n.supersedes_id IS NULL AND n.decided_on <= '2025-06-30'
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
    SUM(CASE WHEN severity IN (3) THEN 1 ELSE 0 END) AS c0
  FROM rec
  GROUP BY
    subject_id,
    item_code
), ri AS (
  SELECT
    'N01' AS item_code,
    0 AS rule_no,
    -1.0 AS per_unit,
    30.0 AS cap
  UNION ALL
  SELECT
    'N02',
    1,
    -2.0,
    30.0
  UNION ALL
  SELECT
    'N03',
    2,
    -3.0,
    30.0
  UNION ALL
  SELECT
    'N04',
    3,
    -4.0,
    30.0
  UNION ALL
  SELECT
    'N05',
    4,
    -5.0,
    30.0
  UNION ALL
  SELECT
    'N06',
    5,
    -6.0,
    30.0
  UNION ALL
  SELECT
    'N07',
    6,
    -7.0,
    30.0
  UNION ALL
  SELECT
    'N08',
    7,
    -8.0,
    30.0
  UNION ALL
  SELECT
    'N09',
    8,
    -9.0,
    30.0
  UNION ALL
  SELECT
    'N10',
    9,
    -10.0,
    30.0
  UNION ALL
  SELECT
    'N11',
    10,
    -11.0,
    30.0
  UNION ALL
  SELECT
    'N12',
    11,
    -12.0,
    30.0
  UNION ALL
  SELECT
    'N13',
    12,
    -13.0,
    30.0
  UNION ALL
  SELECT
    'N14',
    13,
    -14.0,
    30.0
  UNION ALL
  SELECT
    'N15',
    14,
    -15.0,
    30.0
  UNION ALL
  SELECT
    'N16',
    15,
    -16.0,
    30.0
  UNION ALL
  SELECT
    'N17',
    16,
    -17.0,
    30.0
  UNION ALL
  SELECT
    'N18',
    17,
    -18.0,
    30.0
  UNION ALL
  SELECT
    'N19',
    18,
    -19.0,
    30.0
  UNION ALL
  SELECT
    'N20',
    19,
    -20.0,
    30.0
  UNION ALL
  SELECT
    'N21',
    20,
    -1.0,
    30.0
  UNION ALL
  SELECT
    'N22',
    21,
    -2.0,
    30.0
  UNION ALL
  SELECT
    'N23',
    22,
    -3.0,
    30.0
  UNION ALL
  SELECT
    'N24',
    23,
    -4.0,
    30.0
  UNION ALL
  SELECT
    'N25',
    24,
    -5.0,
    30.0
  UNION ALL
  SELECT
    'N26',
    25,
    -6.0,
    30.0
  UNION ALL
  SELECT
    'N27',
    26,
    -7.0,
    30.0
  UNION ALL
  SELECT
    'N28',
    27,
    -8.0,
    30.0
  UNION ALL
  SELECT
    'N29',
    28,
    -9.0,
    30.0
  UNION ALL
  SELECT
    'N30',
    29,
    -10.0,
    30.0
  UNION ALL
  SELECT
    'N31',
    30,
    -11.0,
    30.0
  UNION ALL
  SELECT
    'N32',
    31,
    -12.0,
    30.0
  UNION ALL
  SELECT
    'N33',
    32,
    -13.0,
    30.0
  UNION ALL
  SELECT
    'N34',
    33,
    -14.0,
    30.0
  UNION ALL
  SELECT
    'N35',
    34,
    -15.0,
    30.0
  UNION ALL
  SELECT
    'N36',
    35,
    -16.0,
    30.0
  UNION ALL
  SELECT
    'N37',
    36,
    -17.0,
    30.0
  UNION ALL
  SELECT
    'N38',
    37,
    -18.0,
    30.0
  UNION ALL
  SELECT
    'N39',
    38,
    -19.0,
    30.0
  UNION ALL
  SELECT
    'N40',
    39,
    -20.0,
    30.0
  UNION ALL
  SELECT
    'P01',
    40,
    5.0,
    10.0
  UNION ALL
  SELECT
    'P02',
    40,
    5.0,
    10.0
), p AS (
  SELECT
    k.subject_id,
    SUM(
      CASE WHEN k.item_code IN ('N05', 'N12', 'N19', 'N26', 'N33') THEN k.c0 ELSE 0 END
    ) AS m41
  FROM k AS k
  GROUP BY
    k.subject_id
), rp AS (
  SELECT
    rv.subject_id,
    SUM(GREATEST(LEAST(rv.per_unit * rv.value, rv.cap), -rv.cap)) AS points
  FROM (
    SELECT
      k.subject_id,
      ri.rule_no,
      ri.per_unit,
      ri.cap,
      SUM(k.n) AS value
    FROM k
    JOIN ri
      ON ri.item_code = k.item_code
    GROUP BY
      k.subject_id,
      ri.rule_no,
      ri.per_unit,
      ri.cap
  ) AS rv
  GROUP BY
    rv.subject_id
), scored AS (
  SELECT
    s.id AS subject_id,
    s.registered_on,
    s.kind,
    s.industry_code,
    COALESCE(p.m41, 0) AS m41,
    100.0 + COALESCE(rp.points, 0.0) AS score
  FROM subjects AS s
  LEFT JOIN p
    ON p.subject_id = s.id
  LEFT JOIN rp
    ON rp.subject_id = s.id
  WHERE
    s.kind IN ('agency', 'enterprise', 'individual', 'organisation')
    AND s.status IN ('active')
), graded AS (
  SELECT
    *,
    CASE
      WHEN m41 >= 1
      THEN 3
      ELSE CASE
        WHEN score >= 89.999999999
        THEN 0
        WHEN score >= 69.999999999
        THEN 1
        WHEN score >= 39.999999999
        THEN 2
        ELSE 3
      END
    END AS grade_index
  FROM scored
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
  m41
FROM graded
ORDER BY
  subject_id
