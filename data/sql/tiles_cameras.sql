-- Tile layer 'cameras' (from z10): below z15 clustered into cells of 1/32 of the tile with a
-- count; from z15 every camera with its direction, field of view and range. Points go to 3857
-- by the spherical Mercator formula.
WITH e AS (
    SELECT ST_TileEnvelope($1::int, $2::int, $3::int) AS env,
           ST_Transform(ST_TileEnvelope($1::int, $2::int, $3::int, margin => 64.0 / 4096), 4490) AS q,
           40075016.68557849 / 2 ^ $1::int / 32 AS cell
), p AS (
    SELECT c.id, c.name, c.direction_deg, c.fov_deg, c.range_m,
           radians(ST_X(c.geom)) * 6378137 AS mx,
           ln(tan(pi() / 4 + radians(ST_Y(c.geom)) / 2)) * 6378137 AS my
    FROM cameras c, e WHERE c.geom && e.q
)
SELECT ST_AsMVT(t, 'cameras', 4096, 'geom', 'id' ORDER BY t.geom, t.id) FROM (
    SELECT ST_AsMVTGeom(ST_SetSRID(ST_MakePoint(p.mx, p.my), 3857), e.env, 4096, 64, true) AS geom,
           p.id, p.name, p.direction_deg, p.fov_deg, p.range_m, 1 AS count
    FROM p, e WHERE $1::int >= 15
    UNION ALL
    SELECT ST_AsMVTGeom(ST_SetSRID(ST_MakePoint(avg(p.mx), avg(p.my)), 3857), ST_TileEnvelope($1::int, $2::int, $3::int), 4096, 64, true),
           CASE WHEN count(*) = 1 THEN min(p.id) END, CASE WHEN count(*) = 1 THEN min(p.name) END,
           NULL::float8, NULL::float8, NULL::float8, count(*)::int
    FROM p, e WHERE $1::int < 15
    GROUP BY floor(p.mx / e.cell), floor(p.my / e.cell)
) t WHERE t.geom IS NOT NULL
