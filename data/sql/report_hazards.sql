-- The hazard list of a jurisdiction (the county's list on the situation display): open
-- hazards by default, worst first — most escalated, overdue, risk grade, nearest deadline.
-- $1 jurisdiction code prefix; $2 status filter: 'open', 'all' or one status;
-- $3 'true' for overdue hazards only, '' for all.
SELECT h.id, h.code, h.name, h.category, h.subcategory, h.risk_grade, h.accident_grade,
       h.danger_level, hazard_is_major(h.accident_grade, h.risk_grade) AS major, h.status,
       h.found_on, h.deadline, h.responsible_unit, h.overdue, h.escalation_level, h.escalated_at,
       h.village_code, j.name AS village_name, h.threatened_households, h.threatened_persons,
       EXISTS (SELECT 1 FROM hazards_school_zone s WHERE s.hazard_id = h.id) AS in_school_zone
  FROM hazards h
  LEFT JOIN jurisdictions j ON j.code = h.village_code
 WHERE h.village_code LIKE $1 || '%'
   AND CASE $2 WHEN 'all' THEN true
               WHEN 'open' THEN h.status NOT IN ('closed', 'rejected')
               ELSE h.status = $2 END
   AND ($3 <> 'true' OR h.overdue)
 ORDER BY h.escalation_level DESC, h.overdue DESC,
          array_position(ARRAY['red', 'orange', 'yellow', 'blue'], h.risk_grade),
          h.deadline NULLS LAST, h.id
