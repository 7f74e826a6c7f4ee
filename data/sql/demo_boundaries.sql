-- City and province outlines for pingan demo: the union of their counties, with the
-- slivers between neighbouring outlines filled (holes under 1 km²) and crumbs dropped;
-- label points on the surface. Run after the counties' own outlines changed.
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
