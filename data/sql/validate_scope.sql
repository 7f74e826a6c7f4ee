-- The most specific jurisdiction outside a token's scope that a geometry reaches into (more
-- than $3 m² for areas; at all for points and lines). Jurisdictions enclosing the scope (the
-- province of a county planner) do not count. $1 geometry (EPSG:4490), $2 scope prefix.
SELECT j.code, j.name, j.level
FROM jurisdictions j
WHERE j.geom && $1::geometry
  AND ST_Intersects(j.geom, $1::geometry)
  AND left(j.code, length($2)) <> $2
  AND left($2, length(jurisdiction_prefix(j.code))) <> jurisdiction_prefix(j.code)
  AND (ST_Dimension($1::geometry) < 2
       OR ST_Area(ST_Intersection(j.geom, $1::geometry)::geography) > $3::float8)
ORDER BY length(jurisdiction_prefix(j.code)) DESC, j.code
LIMIT 1;
