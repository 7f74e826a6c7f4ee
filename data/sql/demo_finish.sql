-- The last writes of pingan demo, after every county: the hazards, then the city and province
-- outlines, then the tile notifications back on. Hazards come after all key places: each
-- school or kindergarten written makes the tile trigger of 005b_hazard_zone_tiles.sql look
-- for hazards within 200 m through a geography cast that no index serves, so schools written
-- after N hazards cost N distance tests each. demo_quiet.sql turns that trigger off for the
-- load as well; hazards last keep the load cheap even with it on.

-- @step write_hazards
INSERT INTO hazards (code, name, category, risk_grade, danger_level, accident_grade, scale, status,
                     found_on, deadline, responsible_unit, threatened_households, threatened_persons,
                     threatened_property, village_code, influence_zone, geom)
SELECT code, name, category, risk_grade, danger_level, accident_grade, scale, status, found_on,
       deadline, responsible_unit, threatened_households, threatened_persons, threatened_property,
       village_code, influence_zone, geom
FROM demo_pending_hazards ORDER BY code;

-- @step outlines_up
-- City and province outlines: the union of their counties, with the slivers between
-- neighbouring outlines filled (holes under 1 km²: no county enclave is that small) and crumbs
-- dropped; label points on the surface. Run after the counties' own outlines changed.
UPDATE jurisdictions j
SET geom = u.geom, label_point = ST_PointOnSurface(u.geom), updated_at = now()
FROM (SELECT parent_code AS code, pg_temp.demo_tidy(ST_Union(geom), 30000, 1e6) AS geom
      FROM jurisdictions WHERE level = 'county' AND geom IS NOT NULL GROUP BY parent_code) u
WHERE j.code = u.code;

UPDATE jurisdictions j
SET geom = u.geom, label_point = ST_PointOnSurface(u.geom), updated_at = now()
FROM (SELECT parent_code AS code, pg_temp.demo_tidy(ST_Union(geom), 30000, 1e6) AS geom
      FROM jurisdictions WHERE level = 'city' AND geom IS NOT NULL GROUP BY parent_code) u
WHERE j.code = u.code;

-- @step notify
-- The tile notifications back on (see demo_quiet.sql), and one flush of the tile cache for
-- everything the demo wrote.
DO $$
DECLARE
    q record;
BEGIN
    FOR q IN SELECT rel, tgname FROM demo_quiet LOOP
        EXECUTE format('ALTER TABLE %s ENABLE TRIGGER %I', q.rel, q.tgname);
    END LOOP;
END $$;
SELECT pg_notify('pingan_tiles', 'flush');
