-- Tile layer 'staffing_findings' (from z12): grids without the workers they need, grids to
-- split or merge (the grid's shape), workers over their load (a point on their first grid),
-- from the staffing analysis (migration 004), with the Chinese label of the reason.
SELECT ST_AsMVT(t, 'staffing_findings', 4096, 'geom', 'id') FROM (
    SELECT ST_AsMVTGeom(ST_Transform(f.geom, 3857), ST_TileEnvelope($1::int, $2::int, $3::int), 4096, 64, true) AS geom,
           f.id, f.village_code, f.reason, r.label_zh AS label, r.severity, f.grid_code, f.worker_id,
           f.subject, f.value, f.bound, f.suggestion
    FROM staffing_findings f
    JOIN analysis_reasons r ON r.code = f.reason
    WHERE f.geom && ST_Transform(ST_TileEnvelope($1::int, $2::int, $3::int, margin => 64.0 / 4096), 4490)
) t WHERE t.geom IS NOT NULL
