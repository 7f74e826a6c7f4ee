-- Households and residents of a grid: the population units whose point on surface lies
-- inside it (so a building straddling two grids counts once). $1 grid geometry (EPSG:4490).
SELECT coalesce(sum(u.households), 0)::int, coalesce(sum(u.residents), 0)::int
FROM population_units u
WHERE u.geom && $1::geometry
  AND ST_Within(ST_PointOnSurface(u.geom), $1::geometry);
