-- Who and what one hazard threatens: population units, key places (schools first, with
-- distance), grids and their workers, cameras whose sector covers the hazard, and school
-- safety zones it lies in. $1 hazard id, $2 role, $3 scope (phone numbers only for admins and
-- planners whose scope holds the worker's jurisdiction).
-- Distances are geodesic metres from the hazard's geometry; a unit or place touching the zone
-- counts whole.
WITH h AS (
    SELECT * FROM hazards WHERE id = $1::bigint
), pop AS (
    SELECT p.id, p.code, p.name, p.kind, p.households, p.residents, p.village_code
      FROM population_units p, h
     WHERE h.influence_zone IS NOT NULL AND ST_Intersects(p.geom, h.influence_zone)
), places AS (
    SELECT k.id, k.code, k.name, k.category, k.village_code,
           round(ST_Distance(k.geom::geography, h.geom::geography)::numeric, 1) AS distance_m,
           k.category IN ('school', 'kindergarten') AS is_school
      FROM key_places k, h
     WHERE h.influence_zone IS NOT NULL AND ST_Intersects(k.geom, h.influence_zone)
), grids_hit AS (
    SELECT g.id, g.code, g.name, g.kind, g.village_code, ST_Intersects(g.geom, h.geom) AS contains_hazard
      FROM grids g, h
     WHERE ST_Intersects(g.geom, coalesce(h.influence_zone, h.geom))
), cams AS (
    SELECT c.id, c.code, c.name, c.direction_deg, c.fov_deg, c.range_m,
           round(ST_Distance(c.geom::geography, h.geom::geography)::numeric, 1) AS distance_m
      FROM cameras c, h
     WHERE ST_DWithin(c.geom, h.geom, 0.06)  -- index pre-filter: 0.06° > 5 km (the largest range) in Jiangxi
       AND ST_DWithin(c.geom::geography, h.geom::geography, c.range_m)
       AND ST_Intersects(camera_sector(c.geom, c.direction_deg, c.fov_deg, c.range_m), h.geom)
), school_zones AS (
    SELECT s.key_place_id, s.school_name, s.category, round(s.distance_m::numeric, 1) AS distance_m
      FROM hazards_school_zone s, h WHERE s.hazard_id = h.id
)
SELECT jsonb_build_object(
    'hazard', jsonb_build_object(
        'id', h.id, 'code', h.code, 'name', h.name, 'category', h.category,
        'subcategory', h.subcategory, 'risk_grade', h.risk_grade,
        'accident_grade', h.accident_grade, 'danger_level', h.danger_level,
        'major', hazard_is_major(h.accident_grade, h.risk_grade),
        'status', h.status, 'overdue', h.overdue, 'escalation_level', h.escalation_level,
        'deadline', h.deadline, 'village_code', h.village_code,
        'threatened_households', h.threatened_households,
        'threatened_persons', h.threatened_persons,
        'threatened_property_10k_yuan', h.threatened_property),
    'zone', jsonb_build_object(
        'source', h.zone_source, 'buffer_m', h.zone_buffer_m,
        'area_m2', round(ST_Area(h.influence_zone::geography)::numeric, 0)),
    'population', jsonb_build_object(
        'units', (SELECT count(*) FROM pop),
        'households', (SELECT coalesce(sum(households), 0) FROM pop),
        'residents', (SELECT coalesce(sum(residents), 0) FROM pop),
        'items', coalesce((SELECT jsonb_agg(to_jsonb(p) ORDER BY p.id)
                             FROM (SELECT * FROM pop ORDER BY id LIMIT 1000) p), '[]'),
        'items_truncated', (SELECT count(*) > 1000 FROM pop)),
    'key_places', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                'id', id, 'code', code, 'name', name, 'category', category,
                                'village_code', village_code, 'distance_m', distance_m)
                            ORDER BY NOT is_school, distance_m, id) FROM places), '[]'),
    'school_zone', jsonb_build_object(
        'zone_m', hazard_setting('school_zone_m'),
        'inside', EXISTS (SELECT 1 FROM school_zones),
        'schools', coalesce((SELECT jsonb_agg(to_jsonb(s) ORDER BY s.distance_m) FROM school_zones s), '[]')),
    'grids', coalesce((SELECT jsonb_agg(jsonb_build_object(
                           'id', g.id, 'code', g.code, 'name', g.name, 'kind', g.kind,
                           'village_code', g.village_code, 'contains_hazard', g.contains_hazard,
                           'workers', coalesce((
                               SELECT jsonb_agg(jsonb_build_object(
                                          'id', w.id, 'name', w.name, 'employment', w.employment,
                                          'duty', w.duty, 'assignment', a.role,
                                          'phone', CASE WHEN $2 IN ('admin', 'planner') AND $3 <> ''
                                                              AND w.jurisdiction_code LIKE $3 || '%' THEN w.phone END)
                                      ORDER BY a.role DESC, w.id)
                                 FROM grid_assignments a JOIN grid_workers w ON w.id = a.worker_id
                                WHERE a.grid_id = g.id AND w.active), '[]'))
                       ORDER BY NOT g.contains_hazard, g.code) FROM grids_hit g), '[]'),
    'cameras', coalesce((SELECT jsonb_agg(to_jsonb(c) ORDER BY c.distance_m, c.id) FROM cams c), '[]')
)::text
  FROM h
