-- One county outline for pingan demo, already converted from GCJ-02 to CGCS2000 and
-- repaired by geo/ in C: drops the quantisation crumbs, stores it, and takes AMap's centre
-- (the seat of government) as label point when it lies inside. $1 county code, $2 EWKB hex,
-- $3/$4 centre lon/lat. Returns how many crumbs were dropped.
UPDATE jurisdictions j
SET geom = o.geom,
    label_point = CASE WHEN ST_Intersects(o.geom, o.cp) THEN o.cp
                       ELSE ST_PointOnSurface(o.geom) END,
    updated_at = now()
FROM (SELECT pg_temp.demo_tidy($2::geometry, 30000, 30000) AS geom,
             ST_SetSRID(ST_MakePoint($3::float8, $4::float8), 4490) AS cp) o
WHERE j.code = $1 AND j.level = 'county'
RETURNING ST_NumGeometries($2::geometry) - ST_NumGeometries(j.geom) AS dropped
