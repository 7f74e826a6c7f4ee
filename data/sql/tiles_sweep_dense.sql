-- The densest tiles of zoom $1 (at most $2), for `pingan tiles sizes`: every drawn row counted
-- in the tile holding its bounding box's centre. The largest tiles are where rows crowd.
WITH pts AS (
    SELECT (ST_XMin(geom) + ST_XMax(geom)) / 2 AS lon, (ST_YMin(geom) + ST_YMax(geom)) / 2 AS lat FROM grids
    UNION ALL SELECT (ST_XMin(geom) + ST_XMax(geom)) / 2, (ST_YMin(geom) + ST_YMax(geom)) / 2 FROM population_units
    UNION ALL SELECT (ST_XMin(geom) + ST_XMax(geom)) / 2, (ST_YMin(geom) + ST_YMax(geom)) / 2 FROM key_places
    UNION ALL SELECT (ST_XMin(geom) + ST_XMax(geom)) / 2, (ST_YMin(geom) + ST_YMax(geom)) / 2 FROM hazards
    UNION ALL SELECT ST_X(geom), ST_Y(geom) FROM cameras
    UNION ALL SELECT ST_X(label_point), ST_Y(label_point) FROM jurisdictions WHERE label_point IS NOT NULL
), t AS (
    SELECT floor((lon + 180) / 360 * 2 ^ $1::int)::int AS x,
           floor((1 - ln(tan(radians(lat)) + 1 / cos(radians(lat))) / pi()) / 2 * 2 ^ $1::int)::int AS y
    FROM pts WHERE lat BETWEEN -85 AND 85
)
SELECT x, y, count(*) AS n FROM t GROUP BY x, y ORDER BY n DESC, x, y LIMIT $2::int
