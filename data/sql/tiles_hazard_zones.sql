-- Tile layer 'hazard_zones': the influence zone of every open hazard (given polygon or
-- category buffer, 005_hazards.sql), with what the situation style colours it by: risk grade,
-- major, overdue, escalation level, and whether the hazard lies in a school safety zone.
WITH e AS (
    SELECT ST_TileEnvelope($1::int, $2::int, $3::int) AS env,
           ST_Transform(ST_TileEnvelope($1::int, $2::int, $3::int, margin => 64.0 / 4096), 4490) AS q
)
SELECT ST_AsMVT(t, 'hazard_zones', 4096, 'geom', 'id') FROM (
    SELECT ST_AsMVTGeom(ST_Transform(z.geom, 3857), e.env, 4096, 64, true) AS geom,
           z.id, z.name, z.category, z.risk_grade, z.status, z.major, z.overdue,
           z.escalation_level::int AS escalation_level, z.in_school_zone, z.zone_source,
           z.zone_buffer_m AS buffer_m
    FROM hazard_zones z, e
    WHERE z.geom && e.q AND z.status NOT IN ('closed', 'rejected')
) t WHERE t.geom IS NOT NULL
