-- Tile layer 'grids' (from z12): the generalised copy of the zoom's band, with the staffing
-- status counted from active workers: staffed (a full-time worker), no_full_time (only
-- part-time workers), unstaffed (none).
SELECT ST_AsMVT(t, 'grids', 4096, 'geom', 'id' ORDER BY t.id) FROM (
    SELECT ST_AsMVTGeom(g.geom, ST_TileEnvelope($1::int, $2::int, $3::int), 4096, 64, true) AS geom,
           gr.id, gr.code, gr.name, gr.kind, gr.unit_type, gr.households,
           s.workers, s.full_time,
           CASE WHEN s.full_time > 0 THEN 'staffed' WHEN s.workers > 0 THEN 'no_full_time'
                ELSE 'unstaffed' END AS staffing
    FROM tile_gen_grids g
    JOIN grids gr ON gr.id = g.grid_id
    CROSS JOIN LATERAL (
        SELECT count(*)::int AS workers,
               (count(*) FILTER (WHERE w.employment = 'full_time'))::int AS full_time
        FROM grid_assignments a JOIN grid_workers w ON w.id = a.worker_id AND w.active
        WHERE a.grid_id = gr.id) s
    WHERE g.band = tile_band($1::int)
      AND g.geom && ST_TileEnvelope($1::int, $2::int, $3::int, margin => 64.0 / 4096)
) t WHERE t.geom IS NOT NULL
