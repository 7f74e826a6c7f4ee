-- Community and base grids of the same village that a grid overlaps (beyond 0.01 m², which
-- is floating-point noise along shared edges). $1 grid geometry (EPSG:4490), $2 village code,
-- $3 ids to leave out (the grid itself, the grids being merged) as a bigint array literal.
SELECT s.id::text, s.code, s.name,
       ST_Area(x.o::geography) AS area_m2,
       ST_AsGeoJSON(ST_Transform(x.o, 4326), 7) AS overlap
FROM grids s
CROSS JOIN LATERAL (
    SELECT ST_CollectionExtract(ST_Intersection(s.geom, $1::geometry), 3) AS o
) x
WHERE s.village_code = $2
  AND s.kind IN ('community', 'base')
  AND s.id <> ALL ($3::bigint[])
  AND s.geom && $1::geometry
  AND ST_Intersects(s.geom, $1::geometry)
  AND NOT ST_IsEmpty(x.o)
  AND ST_Area(x.o::geography) > 0.01
ORDER BY s.id;
