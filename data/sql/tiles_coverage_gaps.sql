-- Tile layer 'coverage_gaps' (from z10): parts of villages/communities covered by no community
-- or base grid, from the coverage analysis (migration 004), slivers flagged.
SELECT ST_AsMVT(t, 'coverage_gaps', 4096, 'geom', 'id') FROM (
    SELECT ST_AsMVTGeom(ST_Transform(c.geom, 3857), ST_TileEnvelope($1::int, $2::int, $3::int), 4096, 64, true) AS geom,
           c.id, c.village_code, c.reason, c.is_sliver, round(c.area_m2::numeric, 1)::float8 AS area_m2
    FROM coverage_gaps c
    WHERE c.geom && ST_Transform(ST_TileEnvelope($1::int, $2::int, $3::int, margin => 64.0 / 4096), 4490)
) t WHERE t.geom IS NOT NULL
