-- Tile layer 'key_places': below z14 clustered into cells of 1/32 of the tile (aligned to the
-- tile, so a cluster never straddles two tiles) with a count; from z14 every place as drawn
-- (points, campus polygons, railway lines). Points go to 3857 by the spherical Mercator
-- formula (what ST_Transform computes, without a PROJ call per row).
WITH e AS (
    SELECT ST_TileEnvelope($1::int, $2::int, $3::int) AS env,
           ST_Transform(ST_TileEnvelope($1::int, $2::int, $3::int, margin => 64.0 / 4096), 4490) AS q,
           40075016.68557849 / 2 ^ $1::int / 32 AS cell
), p AS (
    SELECT k.id, k.name, k.category, k.has_video, k.has_alarm, k.geom,
           radians(ST_X(s.pt)) * 6378137 AS mx,
           ln(tan(pi() / 4 + radians(ST_Y(s.pt)) / 2)) * 6378137 AS my
    FROM key_places k CROSS JOIN e
    CROSS JOIN LATERAL (SELECT CASE WHEN GeometryType(k.geom) = 'POINT' THEN k.geom
                                    ELSE ST_PointOnSurface(k.geom) END AS pt) s
    WHERE k.geom && e.q
)
SELECT ST_AsMVT(t, 'key_places', 4096, 'geom', 'id' ORDER BY t.geom, t.id) FROM (
    SELECT ST_AsMVTGeom(CASE WHEN GeometryType(p.geom) = 'POINT' THEN ST_SetSRID(ST_MakePoint(p.mx, p.my), 3857)
                             ELSE ST_Transform(p.geom, 3857) END, e.env, 4096, 64, true) AS geom,
           p.id, p.name, p.category, p.has_video, p.has_alarm, 1 AS count
    FROM p, e WHERE $1::int >= 14
    UNION ALL
    SELECT ST_AsMVTGeom(ST_SetSRID(ST_MakePoint(avg(p.mx), avg(p.my)), 3857), ST_TileEnvelope($1::int, $2::int, $3::int), 4096, 64, true),
           CASE WHEN count(*) = 1 THEN min(p.id) END, CASE WHEN count(*) = 1 THEN min(p.name) END,
           mode() WITHIN GROUP (ORDER BY p.category), bool_and(p.has_video), bool_and(p.has_alarm),
           count(*)::int
    FROM p, e WHERE $1::int < 14
    GROUP BY floor(p.mx / e.cell), floor(p.my / e.cell)
) t WHERE t.geom IS NOT NULL
