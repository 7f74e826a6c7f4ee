-- The union of grids to merge, how many separate pieces it has, and their villages and kinds.
-- $1 ids as a bigint array literal.
SELECT ST_Multi(ST_Union(geom))::text,
       ST_NumGeometries(ST_Multi(ST_Union(geom))),
       count(*),
       count(DISTINCT village_code),
       count(DISTINCT kind || coalesce(unit_type, '')),
       min(village_code)
FROM grids
WHERE id = ANY ($1::bigint[]);
