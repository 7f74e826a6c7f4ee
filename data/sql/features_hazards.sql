-- The hazards collection's rows (Art. 25, 30, 35, 38). Wrapped as `(…) f` by the OGC API.
-- influence_zone is a second geometry and is served by the tiles, not as a property.
-- subcategory … zone_buffer_m: the lifecycle and zone columns of 005_hazards.sql.
SELECT id, code, name, category, subcategory, risk_grade, danger_level, accident_grade, scale,
       status, status_changed_at, found_on, deadline, responsible_unit, rectification_measures,
       zone_source, zone_buffer_m, threatened_households, threatened_persons,
       threatened_property, overdue, escalation_level, escalated_at, village_code, geom,
       version, created_at, updated_at
FROM hazards
