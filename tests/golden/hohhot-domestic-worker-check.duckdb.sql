WITH rec AS (
  SELECT
    r.subject_id,
    r.item_code,
    r.severity,
    r.decided_on,
    r.attributes ->> '$.category' AS a_category,
    r.attributes ->> '$.conduct' AS a_conduct,
    r.attributes ->> '$.finding' AS a_finding
  FROM records AS r
  WHERE
    r.decided_on <= '2025-06-30'
    AND r.item_code IN ('DOMESTIC_BACKGROUND_FINDING', 'DOMESTIC_COMPLAINT_UPHELD')
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
    AND (
      NOT r.item_code IN ('DOMESTIC_BACKGROUND_FINDING', 'DOMESTIC_COMPLAINT_UPHELD')
      OR (
        r.item_code = 'DOMESTIC_BACKGROUND_FINDING' AND r.decided_on > '2020-06-30'
      )
      OR (
        r.item_code = 'DOMESTIC_COMPLAINT_UPHELD' AND r.decided_on > '2022-06-30'
      )
    )
), k AS (
  SELECT
    subject_id,
    item_code,
    COUNT(*) AS n,
    COUNT(
      CASE
        WHEN a_finding IN ('violent_offence', 'offence_against_minors_or_elderly')
        THEN 1
        ELSE NULL
      END
    ) AS c0,
    COUNT(CASE WHEN a_conduct IN ('harm_to_person_in_care') THEN 1 ELSE NULL END) AS c1,
    COUNT(CASE WHEN a_finding IN ('theft_or_fraud') THEN 1 ELSE NULL END) AS c2,
    COUNT(CASE WHEN a_conduct IN ('theft') THEN 1 ELSE NULL END) AS c3,
    COUNT(CASE WHEN a_finding IN ('drug_offence') THEN 1 ELSE NULL END) AS c4,
    COUNT(
      CASE
        WHEN (
          decided_on > '2022-06-30' AND decided_on <= '2025-06-30'
        )
        AND a_conduct IN ('false_credentials')
        THEN 1
        ELSE NULL
      END
    ) AS c5,
    COUNT(
      CASE
        WHEN (
          decided_on > '2024-06-30' AND decided_on <= '2025-06-30'
        )
        AND a_category IN ('maternity')
        AND a_conduct IN ('poor_service', 'absence', 'breach_of_contract')
        THEN 1
        ELSE NULL
      END
    ) AS c6,
    COUNT(
      CASE
        WHEN (
          decided_on > '2024-06-30' AND decided_on <= '2025-06-30'
        )
        AND a_category IN ('infant_care')
        AND a_conduct IN ('poor_service', 'absence', 'breach_of_contract')
        THEN 1
        ELSE NULL
      END
    ) AS c7,
    COUNT(
      CASE
        WHEN (
          decided_on > '2024-06-30' AND decided_on <= '2025-06-30'
        )
        AND a_category IN ('elderly_care')
        AND a_conduct IN ('poor_service', 'absence', 'breach_of_contract')
        THEN 1
        ELSE NULL
      END
    ) AS c8,
    COUNT(
      CASE
        WHEN (
          decided_on > '2024-06-30' AND decided_on <= '2025-06-30'
        )
        AND a_category IN ('patient_care')
        AND a_conduct IN ('poor_service', 'absence', 'breach_of_contract')
        THEN 1
        ELSE NULL
      END
    ) AS c9,
    COUNT(
      CASE
        WHEN (
          decided_on > '2024-06-30' AND decided_on <= '2025-06-30'
        )
        AND a_category IN ('housekeeping')
        AND a_conduct IN ('poor_service', 'absence', 'breach_of_contract')
        THEN 1
        ELSE NULL
      END
    ) AS c10,
    COUNT(
      CASE
        WHEN (
          decided_on > '2024-06-30' AND decided_on <= '2025-06-30'
        )
        AND a_category IN ('cooking')
        AND a_conduct IN ('poor_service', 'absence', 'breach_of_contract')
        THEN 1
        ELSE NULL
      END
    ) AS c11,
    COUNT(
      CASE
        WHEN (
          decided_on > '2024-06-30' AND decided_on <= '2025-06-30'
        )
        AND a_category IN ('home_management')
        AND a_conduct IN ('poor_service', 'absence', 'breach_of_contract')
        THEN 1
        ELSE NULL
      END
    ) AS c12
  FROM rec
  GROUP BY
    subject_id,
    item_code
), w AS (
  SELECT
    'DOMESTIC_BACKGROUND_FINDING' AS item_code,
    1 AS i0,
    0 AS i1
  UNION ALL
  SELECT
    'DOMESTIC_COMPLAINT_UPHELD' AS item_code,
    0 AS i0,
    1 AS i1
), p AS (
  SELECT
    k.subject_id,
    CAST(SUM(CASE WHEN w.i0 = 1 THEN k.c0 ELSE 0 END) AS BIGINT) AS m0,
    CAST(SUM(CASE WHEN w.i1 = 1 THEN k.c1 ELSE 0 END) AS BIGINT) AS m1,
    CAST(SUM(CASE WHEN w.i0 = 1 THEN k.c2 ELSE 0 END) AS BIGINT) AS m2,
    CAST(SUM(CASE WHEN w.i1 = 1 THEN k.c3 ELSE 0 END) AS BIGINT) AS m3,
    CAST(SUM(CASE WHEN w.i0 = 1 THEN k.c4 ELSE 0 END) AS BIGINT) AS m4,
    CAST(SUM(CASE WHEN w.i1 = 1 THEN k.c5 ELSE 0 END) AS BIGINT) AS m5,
    CAST(SUM(CASE WHEN w.i1 = 1 THEN k.c6 ELSE 0 END) AS BIGINT) AS m6,
    CAST(SUM(CASE WHEN w.i1 = 1 THEN k.c7 ELSE 0 END) AS BIGINT) AS m7,
    CAST(SUM(CASE WHEN w.i1 = 1 THEN k.c8 ELSE 0 END) AS BIGINT) AS m8,
    CAST(SUM(CASE WHEN w.i1 = 1 THEN k.c9 ELSE 0 END) AS BIGINT) AS m9,
    CAST(SUM(CASE WHEN w.i1 = 1 THEN k.c10 ELSE 0 END) AS BIGINT) AS m10,
    CAST(SUM(CASE WHEN w.i1 = 1 THEN k.c11 ELSE 0 END) AS BIGINT) AS m11,
    CAST(SUM(CASE WHEN w.i1 = 1 THEN k.c12 ELSE 0 END) AS BIGINT) AS m12
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
    0 AS score
  FROM subjects AS s
  LEFT JOIN p
    ON p.subject_id = s.id
  WHERE
    s.kind IN ('individual')
    AND s.status IN ('active')
    AND (
      s.kind <> 'individual' OR s.registered_on <= '2009-06-30'
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
    m0 >= 1 OR m1 >= 1
  ) THEN 1 ELSE 0 END AS list_harm,
  CASE WHEN (
    m2 >= 1 OR m3 >= 1
  ) THEN 1 ELSE 0 END AS list_property,
  CASE WHEN m4 >= 1 THEN 1 ELSE 0 END AS list_drugs,
  CASE WHEN m5 >= 1 THEN 1 ELSE 0 END AS list_credentials,
  CASE WHEN m6 >= 2 THEN 1 ELSE 0 END AS list_complaints_maternity,
  CASE WHEN m7 >= 2 THEN 1 ELSE 0 END AS list_complaints_infant_care,
  CASE WHEN m8 >= 2 THEN 1 ELSE 0 END AS list_complaints_elderly_care,
  CASE WHEN m9 >= 2 THEN 1 ELSE 0 END AS list_complaints_patient_care,
  CASE WHEN m10 >= 2 THEN 1 ELSE 0 END AS list_complaints_housekeeping,
  CASE WHEN m11 >= 2 THEN 1 ELSE 0 END AS list_complaints_cooking,
  CASE WHEN m12 >= 2 THEN 1 ELSE 0 END AS list_complaints_home_management,
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
  m12
FROM graded
