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
    AND NOT EXISTS(
      SELECT
        1
      FROM records AS n
      WHERE
        n.supersedes_id = r.id AND n.decided_on <= '2025-06-30'
    )
    AND NOT EXISTS(
      SELECT
        1
      FROM record_events AS e
      WHERE
        e.record_id = r.id AND e.effective_on <= '2025-06-30'
    )
), k AS (
  SELECT
    subject_id,
    item_code,
    severity,
    CASE WHEN decided_on > '2022-06-30' AND decided_on <= '2025-06-30' THEN 1 ELSE 0 END AS w0,
    COUNT(*) AS n
  FROM rec
  GROUP BY
    subject_id,
    item_code,
    severity,
    CASE WHEN decided_on > '2022-06-30' AND decided_on <= '2025-06-30' THEN 1 ELSE 0 END
), p AS (
  SELECT
    subject_id,
    SUM(CASE WHEN item_code IN ('N01') AND w0 = 1 THEN n ELSE 0 END) AS m0,
    SUM(CASE WHEN item_code IN ('N02') AND w0 = 1 THEN n ELSE 0 END) AS m1,
    SUM(CASE WHEN item_code IN ('N03') AND w0 = 1 THEN n ELSE 0 END) AS m2,
    SUM(CASE WHEN item_code IN ('N04') AND w0 = 1 THEN n ELSE 0 END) AS m3,
    SUM(CASE WHEN item_code IN ('N05') AND w0 = 1 THEN n ELSE 0 END) AS m4,
    SUM(CASE WHEN item_code IN ('N06') AND w0 = 1 THEN n ELSE 0 END) AS m5,
    SUM(CASE WHEN item_code IN ('N07') AND w0 = 1 THEN n ELSE 0 END) AS m6,
    SUM(CASE WHEN item_code IN ('N08') AND w0 = 1 THEN n ELSE 0 END) AS m7,
    SUM(CASE WHEN item_code IN ('N09') AND w0 = 1 THEN n ELSE 0 END) AS m8,
    SUM(CASE WHEN item_code IN ('N10') AND w0 = 1 THEN n ELSE 0 END) AS m9,
    SUM(CASE WHEN item_code IN ('N11') AND w0 = 1 THEN n ELSE 0 END) AS m10,
    SUM(CASE WHEN item_code IN ('N12') AND w0 = 1 THEN n ELSE 0 END) AS m11,
    SUM(CASE WHEN item_code IN ('N13') AND w0 = 1 THEN n ELSE 0 END) AS m12,
    SUM(CASE WHEN item_code IN ('N14') AND w0 = 1 THEN n ELSE 0 END) AS m13,
    SUM(CASE WHEN item_code IN ('N15') AND w0 = 1 THEN n ELSE 0 END) AS m14,
    SUM(CASE WHEN item_code IN ('N16') AND w0 = 1 THEN n ELSE 0 END) AS m15,
    SUM(CASE WHEN item_code IN ('N17') AND w0 = 1 THEN n ELSE 0 END) AS m16,
    SUM(CASE WHEN item_code IN ('N18') AND w0 = 1 THEN n ELSE 0 END) AS m17,
    SUM(CASE WHEN item_code IN ('N19') AND w0 = 1 THEN n ELSE 0 END) AS m18,
    SUM(CASE WHEN item_code IN ('N20') AND w0 = 1 THEN n ELSE 0 END) AS m19,
    SUM(CASE WHEN item_code IN ('N21') AND w0 = 1 THEN n ELSE 0 END) AS m20,
    SUM(CASE WHEN item_code IN ('N22') AND w0 = 1 THEN n ELSE 0 END) AS m21,
    SUM(CASE WHEN item_code IN ('N23') AND w0 = 1 THEN n ELSE 0 END) AS m22,
    SUM(CASE WHEN item_code IN ('N24') AND w0 = 1 THEN n ELSE 0 END) AS m23,
    SUM(CASE WHEN item_code IN ('N25') AND w0 = 1 THEN n ELSE 0 END) AS m24,
    SUM(CASE WHEN item_code IN ('N26') AND w0 = 1 THEN n ELSE 0 END) AS m25,
    SUM(CASE WHEN item_code IN ('N27') AND w0 = 1 THEN n ELSE 0 END) AS m26,
    SUM(CASE WHEN item_code IN ('N28') AND w0 = 1 THEN n ELSE 0 END) AS m27,
    SUM(CASE WHEN item_code IN ('N29') AND w0 = 1 THEN n ELSE 0 END) AS m28,
    SUM(CASE WHEN item_code IN ('N30') AND w0 = 1 THEN n ELSE 0 END) AS m29,
    SUM(CASE WHEN item_code IN ('N31') AND w0 = 1 THEN n ELSE 0 END) AS m30,
    SUM(CASE WHEN item_code IN ('N32') AND w0 = 1 THEN n ELSE 0 END) AS m31,
    SUM(CASE WHEN item_code IN ('N33') AND w0 = 1 THEN n ELSE 0 END) AS m32,
    SUM(CASE WHEN item_code IN ('N34') AND w0 = 1 THEN n ELSE 0 END) AS m33,
    SUM(CASE WHEN item_code IN ('N35') AND w0 = 1 THEN n ELSE 0 END) AS m34,
    SUM(CASE WHEN item_code IN ('N36') AND w0 = 1 THEN n ELSE 0 END) AS m35,
    SUM(CASE WHEN item_code IN ('N37') AND w0 = 1 THEN n ELSE 0 END) AS m36,
    SUM(CASE WHEN item_code IN ('N38') AND w0 = 1 THEN n ELSE 0 END) AS m37,
    SUM(CASE WHEN item_code IN ('N39') AND w0 = 1 THEN n ELSE 0 END) AS m38,
    SUM(CASE WHEN item_code IN ('N40') AND w0 = 1 THEN n ELSE 0 END) AS m39,
    SUM(CASE WHEN item_code IN ('P01', 'P02') AND w0 = 1 THEN n ELSE 0 END) AS m40,
    SUM(
      CASE
        WHEN item_code IN ('N05', 'N12', 'N19', 'N26', 'N33') AND severity IN (3) AND w0 = 1
        THEN n
        ELSE 0
      END
    ) AS m41
  FROM k
  GROUP BY
    subject_id
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
    COALESCE(p.m6, 0) AS m6,
    COALESCE(p.m7, 0) AS m7,
    COALESCE(p.m8, 0) AS m8,
    COALESCE(p.m9, 0) AS m9,
    COALESCE(p.m10, 0) AS m10,
    COALESCE(p.m11, 0) AS m11,
    COALESCE(p.m12, 0) AS m12,
    COALESCE(p.m13, 0) AS m13,
    COALESCE(p.m14, 0) AS m14,
    COALESCE(p.m15, 0) AS m15,
    COALESCE(p.m16, 0) AS m16,
    COALESCE(p.m17, 0) AS m17,
    COALESCE(p.m18, 0) AS m18,
    COALESCE(p.m19, 0) AS m19,
    COALESCE(p.m20, 0) AS m20,
    COALESCE(p.m21, 0) AS m21,
    COALESCE(p.m22, 0) AS m22,
    COALESCE(p.m23, 0) AS m23,
    COALESCE(p.m24, 0) AS m24,
    COALESCE(p.m25, 0) AS m25,
    COALESCE(p.m26, 0) AS m26,
    COALESCE(p.m27, 0) AS m27,
    COALESCE(p.m28, 0) AS m28,
    COALESCE(p.m29, 0) AS m29,
    COALESCE(p.m30, 0) AS m30,
    COALESCE(p.m31, 0) AS m31,
    COALESCE(p.m32, 0) AS m32,
    COALESCE(p.m33, 0) AS m33,
    COALESCE(p.m34, 0) AS m34,
    COALESCE(p.m35, 0) AS m35,
    COALESCE(p.m36, 0) AS m36,
    COALESCE(p.m37, 0) AS m37,
    COALESCE(p.m38, 0) AS m38,
    COALESCE(p.m39, 0) AS m39,
    COALESCE(p.m40, 0) AS m40,
    COALESCE(p.m41, 0) AS m41,
    100.0 + GREATEST(LEAST(-1.0 * COALESCE(p.m0, 0), 30.0), -30.0) + GREATEST(LEAST(-2.0 * COALESCE(p.m1, 0), 30.0), -30.0) + GREATEST(LEAST(-3.0 * COALESCE(p.m2, 0), 30.0), -30.0) + GREATEST(LEAST(-4.0 * COALESCE(p.m3, 0), 30.0), -30.0) + GREATEST(LEAST(-5.0 * COALESCE(p.m4, 0), 30.0), -30.0) + GREATEST(LEAST(-6.0 * COALESCE(p.m5, 0), 30.0), -30.0) + GREATEST(LEAST(-7.0 * COALESCE(p.m6, 0), 30.0), -30.0) + GREATEST(LEAST(-8.0 * COALESCE(p.m7, 0), 30.0), -30.0) + GREATEST(LEAST(-9.0 * COALESCE(p.m8, 0), 30.0), -30.0) + GREATEST(LEAST(-10.0 * COALESCE(p.m9, 0), 30.0), -30.0) + GREATEST(LEAST(-11.0 * COALESCE(p.m10, 0), 30.0), -30.0) + GREATEST(LEAST(-12.0 * COALESCE(p.m11, 0), 30.0), -30.0) + GREATEST(LEAST(-13.0 * COALESCE(p.m12, 0), 30.0), -30.0) + GREATEST(LEAST(-14.0 * COALESCE(p.m13, 0), 30.0), -30.0) + GREATEST(LEAST(-15.0 * COALESCE(p.m14, 0), 30.0), -30.0) + GREATEST(LEAST(-16.0 * COALESCE(p.m15, 0), 30.0), -30.0) + GREATEST(LEAST(-17.0 * COALESCE(p.m16, 0), 30.0), -30.0) + GREATEST(LEAST(-18.0 * COALESCE(p.m17, 0), 30.0), -30.0) + GREATEST(LEAST(-19.0 * COALESCE(p.m18, 0), 30.0), -30.0) + GREATEST(LEAST(-20.0 * COALESCE(p.m19, 0), 30.0), -30.0) + GREATEST(LEAST(-1.0 * COALESCE(p.m20, 0), 30.0), -30.0) + GREATEST(LEAST(-2.0 * COALESCE(p.m21, 0), 30.0), -30.0) + GREATEST(LEAST(-3.0 * COALESCE(p.m22, 0), 30.0), -30.0) + GREATEST(LEAST(-4.0 * COALESCE(p.m23, 0), 30.0), -30.0) + GREATEST(LEAST(-5.0 * COALESCE(p.m24, 0), 30.0), -30.0) + GREATEST(LEAST(-6.0 * COALESCE(p.m25, 0), 30.0), -30.0) + GREATEST(LEAST(-7.0 * COALESCE(p.m26, 0), 30.0), -30.0) + GREATEST(LEAST(-8.0 * COALESCE(p.m27, 0), 30.0), -30.0) + GREATEST(LEAST(-9.0 * COALESCE(p.m28, 0), 30.0), -30.0) + GREATEST(LEAST(-10.0 * COALESCE(p.m29, 0), 30.0), -30.0) + GREATEST(LEAST(-11.0 * COALESCE(p.m30, 0), 30.0), -30.0) + GREATEST(LEAST(-12.0 * COALESCE(p.m31, 0), 30.0), -30.0) + GREATEST(LEAST(-13.0 * COALESCE(p.m32, 0), 30.0), -30.0) + GREATEST(LEAST(-14.0 * COALESCE(p.m33, 0), 30.0), -30.0) + GREATEST(LEAST(-15.0 * COALESCE(p.m34, 0), 30.0), -30.0) + GREATEST(LEAST(-16.0 * COALESCE(p.m35, 0), 30.0), -30.0) + GREATEST(LEAST(-17.0 * COALESCE(p.m36, 0), 30.0), -30.0) + GREATEST(LEAST(-18.0 * COALESCE(p.m37, 0), 30.0), -30.0) + GREATEST(LEAST(-19.0 * COALESCE(p.m38, 0), 30.0), -30.0) + GREATEST(LEAST(-20.0 * COALESCE(p.m39, 0), 30.0), -30.0) + GREATEST(LEAST(5.0 * COALESCE(p.m40, 0), 10.0), -10.0) AS score
  FROM subjects AS s
  LEFT JOIN p
    ON p.subject_id = s.id
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
  m0,
  m1,
  m2,
  m3,
  m4,
  m5,
  m6,
  m7,
  m8,
  m9,
  m10,
  m11,
  m12,
  m13,
  m14,
  m15,
  m16,
  m17,
  m18,
  m19,
  m20,
  m21,
  m22,
  m23,
  m24,
  m25,
  m26,
  m27,
  m28,
  m29,
  m30,
  m31,
  m32,
  m33,
  m34,
  m35,
  m36,
  m37,
  m38,
  m39,
  m40,
  m41
FROM graded
ORDER BY
  subject_id
