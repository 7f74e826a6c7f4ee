-- The village/community a feature lies in: the one covering its point on surface.
-- $1 geometry (EPSG:4490).
SELECT j.code, j.name
FROM jurisdictions j
WHERE j.level = 'village'
  AND j.geom && ST_PointOnSurface($1::geometry)
  AND ST_Covers(j.geom, ST_PointOnSurface($1::geometry))
ORDER BY j.code
LIMIT 1;
