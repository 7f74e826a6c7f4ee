-- Tile layer 'key_places': below z14 clustered into cells of 1/32 of the tile (aligned to the
-- tile, so a cluster never straddles two tiles) with a count; from z14 every place as drawn
-- (points, campus polygons, railway lines).
WITH e AS (
    SELECT ST_TileEnvelope($1::int, $2::int, $3::int) AS env,
           ST_Transform(ST_TileEnvelope($1::int, $2::int, $3::int, margin => 64.0 / 4096), 4490) AS q,
           40075016.68557849 / 2 ^ $1::int / 32 AS cell
), p AS (
    SELECT k.id, k.name, k.category, k.has_video, k.has_alarm,
           ST_Transform(CASE WHEN $1::int < 14 AND GeometryType(k.geom) <> 'POINT'
                             THEN ST_PointOnSurface(k.geom) ELSE k.geom END, 3857) AS g
    FROM key_places k, e WHERE k.geom && e.q
)
SELECT ST_AsMVT(t, 'key_places', 4096, 'geom', 'id') FROM (
    SELECT ST_AsMVTGeom(p.g, e.env, 4096, 64, true) AS geom, p.id, p.name, p.category,
           p.has_video, p.has_alarm, 1 AS count
    FROM p, e WHERE $1::int >= 14
    UNION ALL
    SELECT ST_AsMVTGeom(ST_Centroid(ST_Collect(p.g)), ST_TileEnvelope($1::int, $2::int, $3::int), 4096, 64, true),
           CASE WHEN count(*) = 1 THEN min(p.id) END, CASE WHEN count(*) = 1 THEN min(p.name) END,
           mode() WITHIN GROUP (ORDER BY p.category), bool_and(p.has_video), bool_and(p.has_alarm),
           count(*)::int
    FROM p, e WHERE $1::int < 14
    GROUP BY floor(ST_X(p.g) / e.cell), floor(ST_Y(p.g) / e.cell)
) t WHERE t.geom IS NOT NULL
