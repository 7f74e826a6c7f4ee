-- Key places exposed to open major hazards (重大事故隐患 or red risk) in a jurisdiction,
-- ranked: schools and kindergartens first, then other places of vulnerable people, then by
-- how many major hazards reach them and how close the nearest is. $1 jurisdiction code
-- prefix (either the place or the hazard is inside it).
WITH hits AS (
    SELECT k.id AS place_id, k.code AS place_code, k.name AS place_name, k.category,
           k.village_code, h.id AS hazard_id, h.name AS hazard_name, h.risk_grade,
           h.accident_grade, h.status, h.overdue, h.escalation_level,
           ST_Distance(k.geom::geography, h.geom::geography) AS distance_m
      FROM hazards h
      JOIN key_places k ON ST_Intersects(k.geom, h.influence_zone)
     WHERE hazard_is_major(h.accident_grade, h.risk_grade)
       AND h.status NOT IN ('closed', 'rejected')
       AND (k.village_code LIKE $1 || '%' OR h.village_code LIKE $1 || '%')
), places AS (
    SELECT place_id, place_code, place_name, category, village_code,
           count(*) AS hazards, min(distance_m) AS nearest_m,
           bool_or(overdue) AS any_overdue, max(escalation_level) AS max_escalation,
           jsonb_agg(jsonb_build_object('id', hazard_id, 'name', hazard_name,
                                        'risk_grade', risk_grade, 'accident_grade', accident_grade,
                                        'status', status, 'overdue', overdue,
                                        'escalation_level', escalation_level,
                                        'distance_m', round(distance_m::numeric, 1))
                     ORDER BY distance_m) AS hazard_list,
           string_agg(hazard_name || '(' || round(distance_m::numeric)::text || 'm'
                      || CASE WHEN overdue THEN ',逾期' ELSE '' END || ')', '; ' ORDER BY distance_m) AS hazard_text,
           CASE WHEN category IN ('school', 'kindergarten') THEN 0
                WHEN category IN ('elderly_care', 'child_welfare', 'hospital', 'training_institution') THEN 1
                ELSE 2 END AS tier
      FROM hits
     GROUP BY place_id, place_code, place_name, category, village_code
)
SELECT row_number() OVER w AS rank, place_id AS key_place_id, place_code AS code,
       place_name AS name, category, village_code,
       (SELECT name FROM jurisdictions j WHERE j.code = p.village_code) AS village_name,
       hazards AS major_hazards, round(nearest_m::numeric, 1) AS nearest_m,
       any_overdue AS overdue, max_escalation AS max_escalation_level,
       hazard_list AS hazards, hazard_text
  FROM places p
WINDOW w AS (ORDER BY tier, hazards DESC, nearest_m, place_id)
 ORDER BY rank
