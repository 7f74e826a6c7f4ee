-- Tile layer 'hazards': below z13 clustered into cells of 1/32 of the tile with a count, the
-- worst risk grade, and whether any is overdue; from z13 every hazard as drawn. Closed and
-- rejected hazards are not drawn. Points go to 3857 by the spherical Mercator formula.
WITH e AS (
    SELECT ST_TileEnvelope($1::int, $2::int, $3::int) AS env,
           ST_Transform(ST_TileEnvelope($1::int, $2::int, $3::int, margin => 64.0 / 4096), 4490) AS q,
           40075016.68557849 / 2 ^ $1::int / 32 AS cell
), p AS (
    SELECT h.id, h.name, h.category, h.risk_grade, h.status, h.overdue, h.escalation_level, h.geom,
           array_position(ARRAY['blue', 'yellow', 'orange', 'red'], h.risk_grade) AS severity,
           radians(ST_X(s.pt)) * 6378137 AS mx,
           ln(tan(pi() / 4 + radians(ST_Y(s.pt)) / 2)) * 6378137 AS my
    FROM hazards h CROSS JOIN e
    CROSS JOIN LATERAL (SELECT CASE WHEN GeometryType(h.geom) = 'POINT' THEN h.geom
                                    ELSE ST_PointOnSurface(h.geom) END AS pt) s
    WHERE h.geom && e.q AND h.status NOT IN ('closed', 'rejected')
)
SELECT ST_AsMVT(t, 'hazards', 4096, 'geom', 'id' ORDER BY t.geom, t.id) FROM (
    SELECT ST_AsMVTGeom(CASE WHEN GeometryType(p.geom) = 'POINT' THEN ST_SetSRID(ST_MakePoint(p.mx, p.my), 3857)
                             ELSE ST_Transform(p.geom, 3857) END, e.env, 4096, 64, true) AS geom,
           p.id, p.name, p.category, p.risk_grade, p.status, p.overdue,
           p.escalation_level::int AS escalation_level, 1 AS count
    FROM p, e WHERE $1::int >= 13
    UNION ALL
    SELECT ST_AsMVTGeom(ST_SetSRID(ST_MakePoint(avg(p.mx), avg(p.my)), 3857), ST_TileEnvelope($1::int, $2::int, $3::int), 4096, 64, true),
           CASE WHEN count(*) = 1 THEN min(p.id) END, CASE WHEN count(*) = 1 THEN min(p.name) END,
           mode() WITHIN GROUP (ORDER BY p.category),
           (ARRAY['blue', 'yellow', 'orange', 'red'])[max(p.severity)],
           mode() WITHIN GROUP (ORDER BY p.status), bool_or(p.overdue),
           max(p.escalation_level)::int, count(*)::int
    FROM p, e WHERE $1::int < 13
    GROUP BY floor(p.mx / e.cell), floor(p.my / e.cell)
) t WHERE t.geom IS NOT NULL
